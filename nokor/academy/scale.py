"""Benchmark-scale training data (``manage.py seed_scale --staff N --courses C --progress P``): realistic
rows, written in bulk, that the learner pages, the quizzes and the training reports treat exactly like
those made through the site.

What is made (a fixed random seed, so the same sizes give the same data):

* **Courses**: the three real courses of the content folder (loaded if missing) and generated ones up
  to C, each with three modules of three lessons (Markdown rendered as the loader renders it), a
  question bank of ten questions, a pre-test of five (one attempt) and a final test of ten (any number
  of attempts: practice is encouraged), most of them for staff, some public.
* **Staff** (fictitious, without a usable password) up to N staff members in all, each with one role at
  a province, district or commune (a few nationwide), spread over the whole tree.
* **Mandatory training**: one nationwide rule for every staff role (the cyber hygiene course, due 90
  days after enrolment, recertified every 12 months) and the enrolment it made of every seeded staff
  member; overdue ones already reminded, as the daily job would have done, so the first run of the
  jobs sends nothing.
* **Other enrolments** in the generated courses, by the staff themselves, until exactly P
  lesson-progress rows exist: about a fifth not started, two fifths part-way, two fifths through every
  lesson, most of those having passed the final test (completed) and some not yet. Lessons are seen
  in order; the counters on the enrolment (lessons seen, last lesson, pre-test and best final score)
  agree with the rows.
* **Quiz attempts**: the pre-test of some of the learners who started, and the final test attempts
  (one passed, sometimes after a failed one; or one failed) of those who saw every lesson. Each attempt
  keeps the snapshot of its questions and its grading (``grading.score``), as a real attempt does.
* The training report's pre-aggregated figures, rebuilt at the end (``reports.stats_refresh``).

And the records the benchmark scenarios use: the demo person ``officer_kandal`` enrolled in the
mandatory course (three of its six lessons seen: the lesson page scenario reads the second) and in every
generated course (two lessons seen, so passing a final test does not complete the course), and one
signed quiz page (token and right answers) per generated course for the quiz submit scenario, made
afresh on every run with the installation's secret key. The provincial report is read by
``supervisor_kandal`` (Kandal, 08).

Not made: audit events, notifications, certificates (their PDFs), staff consents.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from nokor.academy import grading, reports, services
from nokor.academy.loader import CONTENT_DIR, load_courses
from nokor.academy.markup import render_markdown
from nokor.academy.models import (
    AssignmentRule,
    Audience,
    Choice,
    Course,
    CourseUnitStats,
    Enrolment,
    Lesson,
    LessonProgress,
    Module,
    Question,
    Quiz,
    QuizAttempt,
    QuizQuestion,
)
from nokor.accounts.demo import STAFF
from nokor.accounts.models import RoleAssignment, User
from nokor.accounts.roles import Role
from nokor.core.text import normalize_for_search
from nokor.geography.models import AdministrativeUnit
from nokor.services.scale import FAMILY_NAMES, GIVEN_NAMES, SEED_DOMAIN, Loader

BATCH = 20_000  # enrolments per batch handed to the loader
MANDATORY_COURSE = "cyber-hygiene-for-civil-servants"
GENERATED_PREFIX = "scale-course-"
STAFF_PREFIX = "staff."  # e-mail addresses of seeded staff: staff.0000001@scale.nokor.invalid
RULE_DAYS_AGO = 300  # the mandatory rule was made this long ago (its completions are not yet due again)
MANDATORY_DUE_DAYS = 90
RECERTIFY_MONTHS = 12
BENCH_LEARNER = "officer_kandal"  # demo person (nokor/accounts/demo.py) who reads lessons and takes quizzes
BENCH_READER = "supervisor_kandal"  # demo person who reads the provincial report
BENCH_PROVINCE = "08"
BENCH_LESSONS_SEEN = 3  # of the mandatory course: the lesson page scenario reads the second (already seen)
BENCH_GENERATED_SEEN = 2
PATTERNS_PER_SCORE = 2  # answer patterns made per number of wrong answers, per quiz
PRE_TEST_SHARE = 0.15  # of the learners who started: took the pre-test
FAILED_FIRST_SHARE = 0.1  # of those who reached the final test: failed it once first

# Where staff work: share of roles by level of the tree (code length; 0 = nationwide) and by role.
LEVEL_WEIGHTS = {0: 2, 2: 15, 4: 35, 6: 48}
ROLE_WEIGHTS = {
    Role.SERVICE_OFFICER: 55,
    Role.SERVICE_SUPERVISOR: 8,
    Role.INFRASTRUCTURE_OFFICER: 9,
    Role.CYBER_INVESTIGATOR: 6,
    Role.STRATEGY_FOCAL_POINT: 6,
    Role.CYBER_SUPERVISOR: 1,
    Role.TRAINER: 3,
    Role.AUDITOR: 1,
}
POSITIONS = [
    "មន្ត្រីរដ្ឋបាល",
    "ស្មៀនឃុំ",
    "ប្រធានការិយាល័យ",
    "អនុប្រធានការិយាល័យ",
    "មន្ត្រីបច្ចេកទេស",
    "Administrative officer",
    "IT officer",
]
# Generated courses: topics (Khmer, English); a course is a topic and a part number.
TOPICS = [
    ("ការគ្រប់គ្រងឯកសាររដ្ឋបាល", "Managing administrative records"),
    ("សេវាប្រជាពលរដ្ឋនៅសាលាឃុំ", "Serving citizens at the commune office"),
    ("ការប្រើប្រាស់អ៊ីមែលដោយសុវត្ថិភាព", "Using e-mail safely"),
    ("ការការពារទិន្នន័យផ្ទាល់ខ្លួន", "Protecting personal data"),
    ("ការសរសេររបាយការណ៍ការងារ", "Writing work reports"),
    ("ការប្រើប្រាស់តារាងទិន្នន័យ", "Working with spreadsheets"),
    ("ការឆ្លើយតបនឹងឧប្បត្តិហេតុសន្តិសុខអ៊ីនធឺណិត", "Responding to cyber incidents"),
    ("ការចុះបញ្ជីអត្រានុកូលដ្ឋាន", "Civil registration in practice"),
    ("ក្រមសីលធម៌មន្ត្រីរាជការ", "Ethics for civil servants"),
    ("មូលដ្ឋានគ្រឹះនៃការគ្រប់គ្រងគម្រោង", "Project management basics"),
    ("ការដឹកនាំក្រុមការងារ", "Leading a team"),
    ("ការដំណើរការសេវាអនឡាញ", "Running the online services"),
]
PUBLIC_EVERY = 7  # every seventh generated course is public
LESSON_KM = (
    "## {title}\n\nមេរៀននេះពន្យល់ពីជំហានសំខាន់ៗនៃការងារប្រចាំថ្ងៃ។ សូមអានឱ្យបានយកចិត្តទុកដាក់ "
    "ហើយសាកល្បងអនុវត្តនៅកន្លែងធ្វើការរបស់អ្នក។\n\n"
    "- ពិនិត្យព័ត៌មានមុនពេលសម្រេចចិត្ត\n- កត់ត្រាអ្វីដែលបានធ្វើ\n- សួរប្រធានរបស់អ្នកនៅពេលមិនច្បាស់\n"
)
LESSON_EN = (
    "## {title}\n\nThis lesson explains the main steps of the everyday work. Read it carefully and try "
    "it out at your workplace.\n\n"
    "- Check the facts before you decide\n- Write down what you did\n- Ask your manager when in doubt\n"
)

ENROLMENT_COLUMNS = (
    "id", "user_id", "course_id", "cycle", "is_current", "source", "assignment_id", "status",
    "enrolled_at", "completed_at", "due_on", "reminded_at", "unit_id", "unit_code", "lessons_seen",
    "last_lesson_id", "pre_score", "post_score", "post_passed", "updated_at",
)  # fmt: skip
PROGRESS_COLUMNS = ("enrolment_id", "lesson_id", "seen_at")
ATTEMPT_COLUMNS = (
    "enrolment_id", "quiz_id", "number", "started_at", "submitted_at", "score", "passed", "questions",
    "answers", "results",
)  # fmt: skip
USER_COLUMNS = (
    "id", "email", "password", "full_name", "full_name_search", "position", "preferred_language",
    "is_staff", "is_active", "must_change_password", "is_superuser", "phone_verified", "date_joined",
)  # fmt: skip
ROLE_COLUMNS = ("user_id", "role", "unit_id", "valid_from")


@dataclass
class _Pattern:
    """One way of answering a quiz: the questions as shown, the answers, their grading."""

    questions: list[dict[str, Any]]
    answers: dict[str, Any]
    results: dict[str, str]
    score: Decimal
    passed: bool


@dataclass
class _QuizInfo:
    pk: int
    passing: list[_Pattern]
    failing: list[_Pattern]
    every: list[_Pattern]


@dataclass
class _CourseInfo:
    pk: int
    slug: str
    lessons: list[int]  # ids in course order
    pre: _QuizInfo | None
    final: _QuizInfo | None


@dataclass
class _Person:
    """A staff member who takes courses: their id, where they work, since when, their courses."""

    user_id: int
    unit_id: int | None
    unit_code: str
    joined: dt.datetime
    courses: set[int] = field(default_factory=set)


@dataclass
class _Batch:
    enrolments: list[tuple] = field(default_factory=list)
    progress: list[tuple] = field(default_factory=list)
    attempts: list[tuple] = field(default_factory=list)


def seed(
    *,
    loader: Loader,
    staff: int,
    courses: int = 0,
    progress: int = 0,
    seed: int = 2026,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Top the courses up to ``courses``, the staff to ``staff`` (each enrolled in the mandatory course)
    and the lesson-progress rows to ``progress`` (enrolments in the generated courses; the benchmark's
    own records, made first, count in it). Returns the facts the benchmark needs (paths, quiz pages).
    Runs in the caller's transaction."""
    factory = _Factory(seed=seed, log=log)
    factory.courses(courses)
    factory.bench_records()
    existing_staff = User.objects.filter(is_staff=True).count()
    missing_staff = max(0, staff - existing_staff)
    existing_progress = LessonProgress.objects.count()
    budget = max(0, progress - existing_progress)
    if missing_staff or budget:
        log(
            f"academy: {existing_staff:,} staff and {existing_progress:,} lesson-progress rows in the "
            f"database, adding {missing_staff:,} staff and {budget:,} rows"
        )
        tables = (RoleAssignment, Enrolment, LessonProgress, QuizAttempt)
        with loader.indexes_built_after(*tables) if budget >= existing_progress else nullcontext():
            factory.write(loader, missing_staff=missing_staff, budget=budget)
        _reset_sequences(User, Enrolment)
    else:
        log(f"academy: {existing_staff:,} staff and {existing_progress:,} lesson-progress rows already")
    reports.stats_refresh()
    return {
        **factory.bench_facts(),
        "staff": User.objects.filter(is_staff=True).count(),
        "courses": Course.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "progress": LessonProgress.objects.count(),
        "attempts": QuizAttempt.objects.count(),
    }


def _reset_sequences(*models: Any) -> None:
    """Rows were written with their identifiers: move the tables' sequences past them."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _next_id(model: Any) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def _demo_user(key: str) -> User:
    email = next(person.email for person in STAFF if person.key == key)
    user = User.objects.filter(email=email).first()
    if user is None:
        raise RuntimeError(f"The demo person {key} does not exist: run manage.py seed_demo.")
    return user


class _Factory:
    """Makes the academy's rows; one instance per run of the command."""

    def __init__(self, *, seed: int, log: Callable[[str], None]) -> None:
        self.seed = seed
        self.log = log
        self.rng = random.Random(f"{seed}:academy")
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.catalogue: list[_CourseInfo] = []
        self.mandatory: _CourseInfo | None = None
        self.generated: list[_CourseInfo] = []

    # --- courses -----------------------------------------------------------------------------------
    def courses(self, wanted: int) -> None:
        """The real courses (loaded once) and generated ones up to ``wanted``; reads what each holds."""
        if not Course.objects.filter(slug=MANDATORY_COURSE).exists():
            load_courses(CONTENT_DIR)
        missing = max(0, wanted - Course.objects.count())
        if missing:
            numbers = Course.objects.filter(slug__startswith=GENERATED_PREFIX).count()
            position = (Course.objects.aggregate(top=Max("position"))["top"] or 0) + 1
            for index in range(numbers, numbers + missing):
                self._generated_course(index, position + index - numbers)
            self.log(f"courses: {missing} generated")
        for course in Course.objects.filter(is_published=True).order_by("position", "slug"):
            info = self._course_info(course)
            self.catalogue.append(info)
            if course.slug == MANDATORY_COURSE:
                self.mandatory = info
            elif course.slug.startswith(GENERATED_PREFIX) and info.lessons and info.final:
                self.generated.append(info)
        if self.mandatory is None:
            raise RuntimeError(f"The course {MANDATORY_COURSE} is missing from {CONTENT_DIR}.")

    def _generated_course(self, index: int, position: int) -> Course:
        """A course of three modules of three lessons, a bank of ten questions, a pre-test and a final."""
        rng = random.Random(f"{self.seed}:course:{index}")
        topic_km, topic_en = TOPICS[index % len(TOPICS)]
        part = index // len(TOPICS) + 1
        course = Course.objects.create(
            slug=f"{GENERATED_PREFIX}{index + 1:03d}",
            audience=Audience.PUBLIC if index % PUBLIC_EVERY == PUBLIC_EVERY - 1 else Audience.STAFF,
            title_km=f"{topic_km} (ភាគ {part})",
            title_en=f"{topic_en} (part {part})",
            summary_km=f"វគ្គសិក្សាខ្លីអំពី{topic_km}។",
            summary_en=f"A short course on {topic_en.lower()}.",
            estimated_minutes=60,
            position=position,
            content_hash=f"generated:{index}",
        )
        lessons = []
        for m in range(3):
            module = Module.objects.create(
                course=course,
                slug=f"module-{m + 1}",
                title_km=f"ជំពូក {m + 1}",
                title_en=f"Chapter {m + 1}",
                position=m,
            )
            for n in range(3):
                number = m * 3 + n + 1
                title_km, title_en = f"មេរៀនទី {number}: {topic_km}", f"Lesson {number}: {topic_en}"
                body_km, body_en = LESSON_KM.format(title=title_km), LESSON_EN.format(title=title_en)
                lessons.append(
                    Lesson(
                        course=course,
                        module=module,
                        slug=f"lesson-{number}",
                        title_km=title_km,
                        title_en=title_en,
                        body_km=body_km,
                        body_en=body_en,
                        html_km=render_markdown(body_km, image_url=lambda name: None),
                        html_en=render_markdown(body_en, image_url=lambda name: None),
                        minutes=rng.choice([5, 6, 8, 10]),
                        position=number,
                    )
                )
        Lesson.objects.bulk_create(lessons)
        course.lesson_count = len(lessons)
        course.save(update_fields=["lesson_count"])
        questions = self._question_bank(course, rng)
        for position_, (slug, kind, count, attempts) in enumerate(
            [("pre", Quiz.Kind.PRE, 5, 1), ("final", Quiz.Kind.POST, 10, 0)]
        ):
            quiz = Quiz.objects.create(
                course=course,
                slug=slug,
                kind=kind,
                title_km="តេស្តមុនវគ្គ" if kind == Quiz.Kind.PRE else "តេស្តបញ្ចប់វគ្គ",
                title_en="Pre-test" if kind == Quiz.Kind.PRE else "Final test",
                pass_mark=70,
                max_attempts=attempts,
                position=position_,
            )
            QuizQuestion.objects.bulk_create(
                QuizQuestion(quiz=quiz, question=question, position=i)
                for i, question in enumerate(questions[:count])
            )
        return course

    @staticmethod
    def _question_bank(course: Course, rng: random.Random) -> list[Question]:
        """Ten questions: single choice, true or false, and one multiple choice."""
        questions = []
        for number in range(1, 11):
            kind = (
                Question.Kind.MULTIPLE
                if number == 10
                else rng.choice([Question.Kind.SINGLE, Question.Kind.SINGLE, Question.Kind.TRUE_FALSE])
            )
            questions.append(
                Question(
                    course=course,
                    key=f"generated-{number:02d}",
                    kind=kind,
                    text_km=f"សំណួរទី {number}៖ តើអ្វីជាវិធីត្រឹមត្រូវ?",
                    text_en=f"Question {number}: which is the right way?",
                    explanation_km="សូមមើលមេរៀនម្តងទៀត។",
                    explanation_en="See the lesson again.",
                    answer_bool=rng.random() < 0.5 if kind == Question.Kind.TRUE_FALSE else None,
                )
            )
        Question.objects.bulk_create(questions)
        choices = []
        for question in questions:
            if question.kind == Question.Kind.TRUE_FALSE:
                continue
            right = {0, 2} if question.kind == Question.Kind.MULTIPLE else {rng.randrange(4)}
            for position in range(4):
                choices.append(
                    Choice(
                        question=question,
                        position=position,
                        text_km=f"ជម្រើសទី {position + 1}",
                        text_en=f"Option {position + 1}",
                        is_correct=position in right,
                        feedback_km="ត្រឹមត្រូវ។" if position in right else "មិនត្រឹមត្រូវទេ។",
                        feedback_en="Right." if position in right else "Not quite.",
                    )
                )
        Choice.objects.bulk_create(choices)
        return questions

    def _course_info(self, course: Course) -> _CourseInfo:
        lessons = list(Lesson.objects.filter(course=course).order_by("position").values_list("pk", flat=True))
        quizzes = {
            quiz.kind: quiz
            for quiz in Quiz.objects.filter(course=course, is_active=True).order_by("-position")
            if quiz.kind in (Quiz.Kind.PRE, Quiz.Kind.POST)
        }
        return _CourseInfo(
            pk=course.pk,
            slug=course.slug,
            lessons=lessons,
            pre=self._quiz_info(quizzes[Quiz.Kind.PRE]) if Quiz.Kind.PRE in quizzes else None,
            final=self._quiz_info(quizzes[Quiz.Kind.POST]) if Quiz.Kind.POST in quizzes else None,
        )

    def _quiz_info(self, quiz: Quiz) -> _QuizInfo:
        """Answer patterns of a quiz, graded: from every answer right to every answer wrong."""
        rng = random.Random(f"{self.seed}:quiz:{quiz.pk}")
        ids = list(quiz.quiz_questions.order_by("position").values_list("question_id", flat=True))
        bank = {q.pk: q for q in Question.objects.filter(pk__in=ids).prefetch_related("choices")}
        every = []
        shown = min(quiz.draw or len(ids), len(ids))
        for wrong in range(shown + 1):
            for _ in range(PATTERNS_PER_SCORE):
                drawn = sorted(rng.sample(ids, shown), key=ids.index)
                if quiz.order == Quiz.Order.RANDOM:
                    rng.shuffle(drawn)
                snapshots = [services.question_snapshot(bank[pk]) for pk in drawn]
                missed = set(rng.sample(drawn, wrong))
                answers = {str(q["id"]): _answer(q, right=q["id"] not in missed) for q in snapshots}
                score, results = grading.score(snapshots, answers)
                every.append(_Pattern(snapshots, answers, results, score, score >= quiz.pass_mark))
        return _QuizInfo(
            pk=quiz.pk,
            passing=[p for p in every if p.passed],
            failing=[p for p in every if not p.passed],
            every=every,
        )

    # --- staff and their learning --------------------------------------------------------------------
    def _units(self) -> dict[int, list[tuple[int, str]]]:
        by_length: dict[int, list[tuple[int, str]]] = {}
        for unit_id, code in AdministrativeUnit.objects.current().values_list("id", "code"):
            by_length.setdefault(len(code), []).append((unit_id, code))
        return by_length

    def _rule(self) -> AssignmentRule:
        """The nationwide rule of the mandatory course (made once)."""
        rule = AssignmentRule.objects.filter(
            course_id=self.mandatory.pk, unit__isnull=True, roles=[], is_active=True
        ).first()
        if rule is None:
            creator = User.objects.filter(email=next(p.email for p in STAFF if p.key == "trainer")).first()
            creator = creator or User.objects.filter(is_staff=True).order_by("pk").first()
            if creator is None:
                raise RuntimeError("No staff member to be the rule's author: run manage.py seed_demo.")
            rule = AssignmentRule.objects.create(
                course_id=self.mandatory.pk,
                roles=[],
                unit=None,
                due_days=MANDATORY_DUE_DAYS,
                recertify_months=RECERTIFY_MONTHS,
                created_by=creator,
            )
            AssignmentRule.objects.filter(pk=rule.pk).update(
                created_at=self.now - dt.timedelta(days=RULE_DAYS_AGO)
            )
        return rule

    def _existing_people(self) -> list[_Person]:
        """Seeded staff already there, with their unit and current courses (to add enrolments)."""
        seeded = User.objects.filter(email__startswith=STAFF_PREFIX, email__endswith=f"@{SEED_DOMAIN}")
        people = {
            user_id: _Person(user_id, unit_id, code or "", joined)
            for user_id, unit_id, code, joined in RoleAssignment.objects.filter(user__in=seeded)
            .order_by("user_id")
            .values_list("user_id", "unit_id", "unit__code", "user__date_joined")
            .iterator(chunk_size=20_000)
        }
        rows = Enrolment.objects.filter(user__in=seeded, is_current=True).values_list("user_id", "course_id")
        for user_id, course_id in rows.iterator(chunk_size=20_000):
            if user_id in people:
                people[user_id].courses.add(course_id)
        return list(people.values())

    def write(self, loader: Loader, *, missing_staff: int, budget: int) -> None:
        """Add ``missing_staff`` staff (each enrolled in the mandatory course) and enrolments in the
        generated courses until ``budget`` lesson-progress rows are written."""
        rule = self._rule()
        units = self._units()
        existing = self._existing_people() if budget else []
        offset = User.objects.filter(
            email__startswith=STAFF_PREFIX, email__endswith=f"@{SEED_DOMAIN}"
        ).count()
        self.next_user = _next_id(User)
        self.next_enrolment = _next_id(Enrolment)
        self.budget = budget
        mandatory_share = 0.5 * len(self.mandatory.lessons)  # lessons seen per mandatory enrolment, about
        lessons = [len(course.lessons) for course in self.generated]
        extra_share = 0.6 * sum(lessons) / len(lessons) if lessons else 0.0
        spare = max(0.0, budget - missing_staff * mandatory_share)
        mean_extra = spare / (missing_staff * extra_share) * 0.95 if missing_staff and extra_share else 0.0
        batch = _Batch()
        people: list[_Person] = []
        with loader.streaming():  # no database read from here to the end of the block
            for start in range(0, missing_staff, BATCH // 4):
                count = min(BATCH // 4, missing_staff - start)
                made = self._staff(loader, units, offset + start, count)
                for person in made:
                    self._enrol(batch, person, self.mandatory, rule=rule)
                    for _ in range(_draw_count(self.rng, mean_extra) if self.budget else 0):
                        self._enrol_extra(batch, person)
                    if len(batch.enrolments) >= BATCH:
                        self._flush(loader, batch)
                        batch = _Batch()
                people.extend(made)
            # Fill up to the exact count: more enrolments for anybody seeded, new or not.
            everybody = existing + people
            tries = 0
            while self.budget > 0 and everybody and self.generated and tries < 50 * len(everybody):
                tries += 1
                if self._enrol_extra(batch, self.rng.choice(everybody)) and len(batch.enrolments) >= BATCH:
                    self._flush(loader, batch)
                    batch = _Batch()
            self._flush(loader, batch)
        if self.budget:
            self.log(f"academy: every seeded person is in every course; {self.budget:,} rows not written")

    def _staff(
        self, loader: Loader, units: dict[int, list[tuple[int, str]]], offset: int, count: int
    ) -> list[_Person]:
        """``count`` staff members (numbered from ``offset``) with one role each."""
        rng = self.rng
        hashed = make_password(None)  # unusable: nobody signs in as a seeded staff member
        levels = [level for level in LEVEL_WEIGHTS if level == 0 or units.get(level)]
        level_weights = [LEVEL_WEIGHTS[level] for level in levels]
        roles, role_weights = list(ROLE_WEIGHTS), list(ROLE_WEIGHTS.values())
        users, role_rows, people = [], [], []
        for index in range(offset, offset + count):
            user_id = self.next_user
            self.next_user += 1
            family, given = rng.choice(FAMILY_NAMES), rng.choice(GIVEN_NAMES)
            name = f"{family[0]} {given[0]}" if rng.random() < 0.8 else f"{family[1]} {given[1]}"
            joined = self.now - dt.timedelta(seconds=rng.randrange(30 * 86400, 3 * 365 * 86400))
            users.append(
                (
                    user_id,
                    f"{STAFF_PREFIX}{index:07d}@{SEED_DOMAIN}",
                    hashed,
                    name,
                    normalize_for_search(name),
                    rng.choice(POSITIONS),
                    "km" if rng.random() < 0.9 else "en",
                    True,
                    True,
                    False,
                    False,
                    False,
                    joined,
                )
            )
            level = rng.choices(levels, level_weights)[0]
            unit_id, code = rng.choice(units[level]) if level else (None, "")
            role_rows.append((user_id, rng.choices(roles, role_weights)[0], unit_id, joined))
            people.append(_Person(user_id, unit_id, code, joined))
        loader.insert(User, USER_COLUMNS, users)
        loader.insert(RoleAssignment, ROLE_COLUMNS, role_rows)
        return people

    def _enrol_extra(self, batch: _Batch, person: _Person) -> bool:
        """An enrolment of ``person`` in a generated course they are not in (False when none is drawn)."""
        course = self.rng.choice(self.generated)
        if course.pk in person.courses:
            return False
        self._enrol(batch, person, course)
        return True

    def _enrol(self, batch: _Batch, person: _Person, course: _CourseInfo, *, rule: Any = None) -> None:
        """One current enrolment with its lessons seen (within the budget) and quiz attempts."""
        rng = self.rng
        person.courses.add(course.pk)
        total = len(course.lessons)
        draw = rng.random()
        if rule is not None:
            seen = total if draw < 0.5 else rng.randint(1, total - 1) if draw < 0.85 and total > 1 else 0
            start = max(person.joined, self.now - dt.timedelta(days=RULE_DAYS_AGO))
            start += dt.timedelta(seconds=rng.randrange(3600, 5 * 86400))
        else:
            seen = total if draw < 0.4 else rng.randint(1, total - 1) if draw < 0.8 and total > 1 else 0
            start = person.joined + (self.now - person.joined) * rng.random()
        start = min(start, self.now - dt.timedelta(hours=2))
        seen = min(seen, self.budget)
        self.budget -= seen
        enrolment_id = self.next_enrolment
        self.next_enrolment += 1
        # When the learner last worked on the course: soon after starting, or any time since.
        end = start + min(self.now - start, dt.timedelta(days=rng.randint(1, 60))) * rng.random()
        step = (end - start) / (seen + 1)
        for number, lesson_id in enumerate(course.lessons[:seen], start=1):
            batch.progress.append((enrolment_id, lesson_id, start + step * number))
        attempts = []
        pre_score = post_score = None
        if course.pre and seen and rng.random() < PRE_TEST_SHARE:
            pattern = rng.choice(course.pre.every)
            attempts.append((course.pre.pk, pattern, start + dt.timedelta(minutes=2)))
            pre_score = pattern.score
        completed = False
        if course.final and seen == total and total:
            if rng.random() < FAILED_FIRST_SHARE and course.final.failing:
                attempts.append((course.final.pk, rng.choice(course.final.failing), end))
            completed = rng.random() < 0.85 and bool(course.final.passing)
            if completed:
                attempts.append((course.final.pk, rng.choice(course.final.passing), end))
            elif not attempts or attempts[-1][0] != course.final.pk:
                if course.final.failing:
                    attempts.append((course.final.pk, rng.choice(course.final.failing), end))
        numbers: dict[int, int] = {}
        for quiz_id, pattern, moment in attempts:
            numbers[quiz_id] = numbers.get(quiz_id, 0) + 1
            if course.final and quiz_id == course.final.pk:
                post_score = pattern.score if post_score is None else max(post_score, pattern.score)
            batch.attempts.append(
                (
                    enrolment_id,
                    quiz_id,
                    numbers[quiz_id],
                    moment - dt.timedelta(minutes=12),
                    moment,
                    pattern.score,
                    pattern.passed,
                    pattern.questions,
                    pattern.answers,
                    pattern.results,
                )
            )
        status = (
            Enrolment.Status.COMPLETED
            if completed
            else Enrolment.Status.IN_PROGRESS
            if seen or attempts
            else Enrolment.Status.ENROLLED
        )
        due_on = timezone.localdate(start) + dt.timedelta(days=MANDATORY_DUE_DAYS) if rule else None
        # Reminders of overdue and nearly due training went out already (the daily job's work).
        reminded = due_on is not None and not completed and due_on <= self.today + dt.timedelta(days=7)
        batch.enrolments.append(
            (
                enrolment_id,
                person.user_id,
                course.pk,
                1,
                True,
                Enrolment.Source.ASSIGNMENT if rule else Enrolment.Source.SELF,
                rule.pk if rule else None,
                status,
                start,
                end if completed else None,
                due_on,
                self.now if reminded else None,
                person.unit_id,
                person.unit_code,
                seen,
                course.lessons[seen - 1] if seen else None,
                pre_score,
                post_score,
                completed,
                end,
            )
        )

    @staticmethod
    def _flush(loader: Loader, batch: _Batch) -> None:
        loader.insert(Enrolment, ENROLMENT_COLUMNS, batch.enrolments)
        loader.insert(LessonProgress, PROGRESS_COLUMNS, batch.progress)
        loader.insert(QuizAttempt, ATTEMPT_COLUMNS, batch.attempts)

    # --- the benchmark's own records ------------------------------------------------------------------
    def bench_records(self) -> None:
        """The bench learner enrolled in the mandatory course and every generated course, with a few
        lessons seen (through the services, as the pages would), made once."""
        learner = _demo_user(BENCH_LEARNER)
        _demo_user(BENCH_READER)
        wanted = [(self.mandatory, BENCH_LESSONS_SEEN)] + [(c, BENCH_GENERATED_SEEN) for c in self.generated]
        current = set(
            Enrolment.objects.filter(user=learner, is_current=True).values_list("course_id", flat=True)
        )
        rule = self._rule()
        for info, seen in wanted:
            if info.pk in current:
                continue
            course = Course.objects.get(pk=info.pk)
            is_mandatory = info is self.mandatory
            enrolment = services.enrolment_create(
                user=learner,
                course=course,
                by=learner,
                source=Enrolment.Source.ASSIGNMENT if is_mandatory else Enrolment.Source.SELF,
                assignment=rule if is_mandatory else None,
                due_on=self.today + dt.timedelta(days=30) if is_mandatory else None,
            )
            for lesson in Lesson.objects.filter(pk__in=info.lessons[:seen]).order_by("position"):
                services.lesson_mark_seen(enrolment=enrolment, lesson=lesson)

    def bench_facts(self) -> dict[str, Any]:
        """What the scenarios open: a lesson the learner saw, one signed quiz page per generated course
        (path and form body with the right answers), the provincial report and a district it links to."""
        learner = _demo_user(BENCH_LEARNER)
        course = Course.objects.get(pk=self.mandatory.pk)
        lesson = Lesson.objects.filter(course=course).order_by("position")[1]
        quiz_pages = []
        enrolments = {
            e.course_id: e
            for e in Enrolment.objects.filter(
                user=learner, is_current=True, course_id__in=[c.pk for c in self.generated]
            )
        }
        for info in self.generated:
            enrolment = enrolments.get(info.pk)
            if enrolment is None:
                continue
            quiz = Quiz.objects.select_related("course").get(pk=info.final.pk)
            drawn = services.quiz_draw(quiz=quiz, enrolment=enrolment)
            fields: list[tuple[str, str]] = [("token", drawn["token"])]
            for snapshot in services.snapshots_for(drawn["ids"]):
                answer = _answer(snapshot, right=True)
                for value in answer if isinstance(answer, list) else [answer]:
                    fields.append((f"q{snapshot['id']}", str(value)))
            quiz_pages.append([quiz.get_absolute_url(), urlencode(fields)])
        district = (
            CourseUnitStats.objects.filter(
                course_id=self.mandatory.pk, level=2, unit_code__startswith=BENCH_PROVINCE
            )
            .order_by("unit_code")
            .values_list("unit_code", flat=True)
            .first()
        )
        report = reverse("academy:staff_report")
        return {
            "learner": BENCH_LEARNER,
            "reader": BENCH_READER,
            "lesson_path": lesson.get_absolute_url(),
            "quiz_pages": quiz_pages,
            "quiz_path": quiz_pages[0][0] if quiz_pages else None,
            "report_path": f"{report}?{urlencode({'course': course.slug, 'unit': BENCH_PROVINCE})}",
            "report_district": district,
        }


def _answer(question: dict[str, Any], *, right: bool) -> Any:
    """An answer to a question snapshot as the quiz form gives it: right, or wrong."""
    kind = question["kind"]
    if kind in ("single", "multiple"):
        correct = [str(c["id"]) for c in question["choices"] if c["correct"]]
        wrong = [str(c["id"]) for c in question["choices"] if not c["correct"]]
        if kind == "single":
            return correct[0] if right or not wrong else wrong[0]
        return correct if right or not wrong else wrong[:1]
    if kind == "true_false":
        return "true" if bool(question["answer_bool"]) == right else "false"
    if kind == "short":
        accepted = [*question["accepted_km"], *question["accepted_en"]]
        return accepted[0] if right and accepted else "មិនដឹង"
    number = Decimal(question["answer_number"] or 0)
    return f"{(number if right else number + Decimal(question['tolerance'] or 0) + 1).normalize():f}"


def _draw_count(rng: random.Random, mean: float) -> int:
    """A count of about ``mean`` on average (the integer part, plus one with the rest's chance)."""
    whole = int(mean)
    return whole + (1 if rng.random() < mean - whole else 0)
