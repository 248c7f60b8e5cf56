"""What changes in the academy, one function per use case: enrolling (and re-enrolling for
recertification), seeing a lesson, submitting a quiz attempt, completing a course and issuing its
certificate. Each runs in one transaction and writes its audit event there.

Completion rule (per course): every lesson seen (``require_all_lessons``) and every active module quiz
and final test passed (``require_quizzes_passed``); pre-tests never count. It is checked when the last
lesson is seen and when a counting quiz is passed; on completion the certificate is issued through the
documents app (its PDF is rendered and signed in the background).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from nokor.academy import grading
from nokor.academy.models import (
    Course,
    CourseCertificate,
    Enrolment,
    Lesson,
    LessonProgress,
    Question,
    Quiz,
    QuizAttempt,
)
from nokor.audit.services import audit_record
from nokor.core.formatting import format_date
from nokor.geography.models import AdministrativeUnit

CERTIFICATE_TYPE = "academy_certificate"
CERTIFICATE_ISSUER = "12"  # certificates are issued by the ministry, in Phnom Penh
QUIZ_TOKEN_SALT = "nokor.academy.quiz"  # noqa: S105 (a signing namespace, not a secret)
QUIZ_TOKEN_MAX_AGE = 24 * 3600  # a quiz page stays answerable for a day


class EnrolmentError(ValueError):
    """The person may not enrol in this course (the message is shown to them)."""


class AttemptError(ValueError):
    """The attempt cannot be recorded (no attempts left, an old or altered quiz page)."""


def home_unit_of(user: Any) -> AdministrativeUnit | None:
    """Where a staff member works, for reports by unit: the most specific unit among their active roles
    (None for the public and for staff who hold only nationwide roles)."""
    if not getattr(user, "is_staff", False):
        return None
    units = [a.unit for a in user.active_roles if a.unit_id]
    return max(units, key=lambda unit: (len(unit.code), unit.code)) if units else None


# --------------------------------------------------------------------------------------------------
# Enrolment
# --------------------------------------------------------------------------------------------------
@transaction.atomic
def enrolment_create(
    *,
    user: Any,
    course: Course,
    by: Any = None,
    source: str = Enrolment.Source.SELF,
    assignment: Any = None,
    due_on: dt.date | None = None,
    unit: AdministrativeUnit | None = None,
) -> Enrolment:
    """Enrol `user` in `course` (themselves, or by an assignment rule). Idempotent: an existing current
    enrolment is returned unchanged."""
    existing = Enrolment.objects.filter(user=user, course=course, is_current=True).first()
    if existing is not None:
        return existing
    if course.is_staff_only and not user.is_staff:
        raise EnrolmentError(_("This course is for ministry staff."))
    if source == Enrolment.Source.SELF and not course.is_published:
        raise EnrolmentError(_("This course is not open yet."))
    unit = unit if unit is not None else home_unit_of(user)
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                user=user,
                course=course,
                source=source,
                assignment=assignment,
                due_on=due_on,
                unit=unit,
                unit_code=unit.code if unit else "",
            )
    except IntegrityError:  # enrolled at the same moment by another request
        return Enrolment.objects.get(user=user, course=course, is_current=True)
    audit_record(
        action="academy.enrol",
        actor=by or user,
        obj=enrolment,
        subject=user,
        unit=unit,
        details={
            "course": course.slug,
            "source": source,
            "cycle": enrolment.cycle,
            "due_on": due_on.isoformat() if due_on else None,
            "assignment": assignment.pk if assignment is not None else None,
        },
    )
    return enrolment


@transaction.atomic
def enrolment_recertify(
    *, enrolment: Enrolment, by: Any = None, assignment: Any = None, due_on: dt.date | None = None
) -> Enrolment:
    """Start the next cycle of a completed course (recertification): the completed enrolment is kept as
    history and a new current one opens. On its completion the new certificate supersedes the old."""
    previous = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("user", "course")
        .get(pk=enrolment.pk)
    )
    if not previous.is_current:
        return Enrolment.objects.get(user=previous.user, course=previous.course, is_current=True)
    if not previous.is_completed:
        raise EnrolmentError(_("Only a completed course can be taken again for recertification."))
    previous.is_current = False
    previous.save(update_fields=["is_current", "updated_at"])
    unit = home_unit_of(previous.user) or previous.unit
    assignment = assignment if assignment is not None else previous.assignment
    enrolment = Enrolment.objects.create(
        user=previous.user,
        course=previous.course,
        cycle=previous.cycle + 1,
        source=Enrolment.Source.ASSIGNMENT if assignment is not None else previous.source,
        assignment=assignment,
        due_on=due_on,
        unit=unit,
        unit_code=unit.code if unit else "",
    )
    audit_record(
        action="academy.recertify",
        actor=by,
        actor_label=None if getattr(by, "is_authenticated", False) else "staff",
        obj=enrolment,
        subject=previous.user,
        unit=unit,
        details={
            "course": previous.course.slug,
            "cycle": enrolment.cycle,
            "previous": previous.pk,
            "due_on": due_on.isoformat() if due_on else None,
        },
    )
    return enrolment


# --------------------------------------------------------------------------------------------------
# Progress
# --------------------------------------------------------------------------------------------------
@transaction.atomic
def lesson_mark_seen(*, enrolment: Enrolment, lesson: Lesson) -> bool:
    """Record that the learner saw `lesson` (idempotent; True the first time). Seeing the last lesson may
    complete the course."""
    if lesson.course_id != enrolment.course_id:
        raise ValueError("The lesson is not part of the enrolment's course.")
    try:
        with transaction.atomic():
            LessonProgress.objects.create(enrolment=enrolment, lesson=lesson)
    except IntegrityError:
        return False
    updates: dict[str, Any] = {
        "lessons_seen": F("lessons_seen") + 1,
        "last_lesson": lesson,
        "updated_at": timezone.now(),
    }
    if enrolment.status == Enrolment.Status.ENROLLED:
        updates["status"] = Enrolment.Status.IN_PROGRESS
        enrolment.status = Enrolment.Status.IN_PROGRESS
    Enrolment.objects.filter(pk=enrolment.pk).update(**updates)
    enrolment.lessons_seen += 1
    enrolment.last_lesson = lesson
    if enrolment.lessons_seen >= enrolment.course.lesson_count and not enrolment.is_completed:
        enrolment_check_completion(enrolment=enrolment, by=enrolment.user)
    return True


def first_unseen_lesson(enrolment: Enrolment | None, lessons: list[Lesson], seen: set[int]) -> Lesson | None:
    """Where "continue" leads: the first lesson not yet seen (None when all are)."""
    return next((lesson for lesson in lessons if lesson.pk not in seen), None)


# --------------------------------------------------------------------------------------------------
# Quizzes
# --------------------------------------------------------------------------------------------------
def quiz_draw(*, quiz: Quiz, enrolment: Enrolment, rng: random.Random | None = None) -> dict[str, Any]:
    """The questions of a new attempt, in the order they are shown (the quiz's order setting, a random
    draw of ``quiz.draw`` questions), with a signed token that the submission must bring back."""
    rng = rng or random.SystemRandom()
    ids = list(quiz.quiz_questions.order_by("position").values_list("question_id", flat=True))
    if quiz.draw and quiz.draw < len(ids):
        drawn = set(rng.sample(ids, quiz.draw))
        ids = [pk for pk in ids if pk in drawn]
    if quiz.order == Quiz.Order.RANDOM:
        rng.shuffle(ids)
    payload = {"e": enrolment.pk, "q": quiz.pk, "ids": ids, "t": int(timezone.now().timestamp())}
    return {"ids": ids, "token": signing.dumps(payload, salt=QUIZ_TOKEN_SALT, compress=True)}


def quiz_token_read(*, token: str, quiz: Quiz, enrolment: Enrolment) -> dict[str, Any]:
    """The payload of a quiz page's token; AttemptError when it is old, altered or for another quiz."""
    try:
        payload = signing.loads(token, salt=QUIZ_TOKEN_SALT, max_age=QUIZ_TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise AttemptError(_("This quiz page is more than a day old. Please start the quiz again.")) from None
    except signing.BadSignature:
        raise AttemptError(_("This quiz page is not valid. Please start the quiz again.")) from None
    if payload.get("e") != enrolment.pk or payload.get("q") != quiz.pk:
        raise AttemptError(_("This quiz page is not valid. Please start the quiz again."))
    return payload


def question_snapshot(question: Question, *, rng: random.Random | None = None) -> dict[str, Any]:
    """What an attempt keeps of a question: everything needed to show and grade it again later."""
    return {
        "id": question.pk,
        "kind": question.kind,
        "text_km": question.text_km,
        "text_en": question.text_en,
        "explanation_km": question.explanation_km,
        "explanation_en": question.explanation_en,
        "choices": [
            {
                "id": choice.pk,
                "text_km": choice.text_km,
                "text_en": choice.text_en,
                "correct": choice.is_correct,
                "feedback_km": choice.feedback_km,
                "feedback_en": choice.feedback_en,
            }
            for choice in question.choices.all()
        ],
        "answer_bool": question.answer_bool,
        "accepted_km": question.accepted_km,
        "accepted_en": question.accepted_en,
        "answer_number": str(question.answer_number) if question.answer_number is not None else None,
        "tolerance": str(question.tolerance),
    }


def snapshots_for(ids: list[int]) -> list[dict[str, Any]]:
    """Snapshots of questions in the given order (two queries)."""
    questions = {q.pk: q for q in Question.objects.filter(pk__in=ids).prefetch_related("choices")}
    return [question_snapshot(questions[pk]) for pk in ids if pk in questions]


def attempts_left(quiz: Quiz, used: int) -> int | None:
    """How many attempts remain (None: unlimited)."""
    if not quiz.max_attempts:
        return None
    return max(0, quiz.max_attempts - used)


@transaction.atomic
def attempt_submit(
    *,
    enrolment: Enrolment,
    quiz: Quiz,
    token: str,
    answers: dict[str, Any],
    by: Any,
    questions: list[dict[str, Any]] | None = None,
) -> QuizAttempt:
    """Grade and record an attempt at `quiz` (``questions``: the snapshots of the token's questions when
    the caller already built them). The enrolment row is locked first, so two submissions at once cannot
    both use the last attempt."""
    payload = quiz_token_read(token=token, quiz=quiz, enrolment=enrolment)
    locked = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("course", "user", "unit")
        .get(pk=enrolment.pk)
    )
    if not quiz.is_active or quiz.course_id != locked.course_id:
        raise AttemptError(_("This quiz is no longer part of the course."))
    used = QuizAttempt.objects.filter(enrolment=locked, quiz=quiz).count()
    if attempts_left(quiz, used) == 0:
        raise AttemptError(_("You have used all your attempts at this quiz."))
    if questions is None or [q["id"] for q in questions] != payload["ids"]:
        questions = snapshots_for(payload["ids"])
    if not questions:
        raise AttemptError(_("This quiz page is not valid. Please start the quiz again."))
    kept = {str(q["id"]): answers.get(str(q["id"])) for q in questions}
    percent, results = grading.score(questions, kept)
    passed = percent >= quiz.pass_mark
    now = timezone.now()
    attempt = QuizAttempt.objects.create(
        enrolment=locked,
        quiz=quiz,
        number=used + 1,
        started_at=dt.datetime.fromtimestamp(payload["t"], tz=dt.UTC),
        submitted_at=now,
        score=percent,
        passed=passed,
        questions=questions,
        answers=kept,
        results=results,
    )
    fields = ["updated_at"]
    if quiz.kind == Quiz.Kind.PRE and locked.pre_score is None:
        locked.pre_score = percent
        fields.append("pre_score")
    if quiz.kind == Quiz.Kind.POST:
        if locked.post_score is None or percent > locked.post_score:
            locked.post_score = percent
            fields.append("post_score")
        if passed and not locked.post_passed:
            locked.post_passed = True
            fields.append("post_passed")
    if locked.status == Enrolment.Status.ENROLLED:
        locked.status = Enrolment.Status.IN_PROGRESS
        fields.append("status")
    locked.save(update_fields=fields)
    audit_record(
        action="academy.attempt_submit",
        actor=by,
        obj=attempt,
        subject=locked.user,
        unit=locked.unit,
        details={
            "course": locked.course.slug,
            "quiz": quiz.slug,
            "number": attempt.number,
            "score": str(percent),
            "passed": passed,
        },
    )
    # The lesson counter rules completion out without a query while lessons remain to be seen.
    lessons_left = locked.course.require_all_lessons and locked.lessons_seen < locked.course.lesson_count
    if passed and quiz.counts_for_completion and not locked.is_completed and not lessons_left:
        enrolment_check_completion(enrolment=locked, by=by)
    return attempt


# --------------------------------------------------------------------------------------------------
# Completion and certificates
# --------------------------------------------------------------------------------------------------
def completion_missing(enrolment: Enrolment) -> dict[str, Any]:
    """What the learner still has to do: lessons not seen (count) and counting quizzes not passed."""
    course = enrolment.course
    missing: dict[str, Any] = {"lessons": 0, "quizzes": []}
    if course.require_all_lessons:
        seen = LessonProgress.objects.filter(enrolment=enrolment).count()
        missing["lessons"] = max(0, course.lesson_count - seen)
    if course.require_quizzes_passed:
        required = course.quizzes.filter(is_active=True).exclude(kind=Quiz.Kind.PRE)
        passed = set(
            QuizAttempt.objects.filter(enrolment=enrolment, passed=True, quiz__in=required).values_list(
                "quiz_id", flat=True
            )
        )
        missing["quizzes"] = [quiz for quiz in required if quiz.pk not in passed]
    return missing


@transaction.atomic
def enrolment_check_completion(*, enrolment: Enrolment, by: Any = None) -> bool:
    """Complete the enrolment, and issue its certificate, if the course's completion rule now holds."""
    locked = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("course", "user")
        .get(pk=enrolment.pk)
    )
    if locked.is_completed or not locked.is_current:
        return False
    missing = completion_missing(locked)
    if missing["lessons"] or missing["quizzes"]:
        return False
    locked.status = Enrolment.Status.COMPLETED
    locked.completed_at = timezone.now()
    locked.save(update_fields=["status", "completed_at", "updated_at"])
    enrolment.status, enrolment.completed_at = locked.status, locked.completed_at
    audit_record(
        action="academy.complete",
        actor=by,
        obj=locked,
        subject=locked.user,
        unit=locked.unit,
        details={"course": locked.course.slug, "cycle": locked.cycle},
    )
    certificate_issue(enrolment=locked, by=by)
    return True


@transaction.atomic
def certificate_issue(*, enrolment: Enrolment, by: Any = None) -> CourseCertificate:
    """Issue the certificate of a completed enrolment (idempotent); the certificate of the learner's
    previous cycle of the course, if any, is marked superseded by it."""
    from nokor.documents.services import document_issue, document_supersede

    existing = CourseCertificate.objects.filter(enrolment=enrolment).select_related("document").first()
    if existing is not None:
        return existing
    if not enrolment.is_completed:
        raise ValueError("A certificate is issued only for a completed course.")
    course, user = enrolment.course, enrolment.user
    completed_on = timezone.localdate(enrolment.completed_at)
    holder_name = user.full_name or str(user)
    document = document_issue(
        document_type=CERTIFICATE_TYPE,
        holder=user,
        holder_name=holder_name,
        issuer_unit=AdministrativeUnit.objects.get(code=CERTIFICATE_ISSUER),
        data={
            "holder_name": holder_name,
            "course": f"{course.title_km} / {course.title_en}",
            # As the paper writes it, so a verifier can compare: "២៥ វិច្ឆិកា ២០២៦ / 25 November 2026".
            "completed_on": f"{format_date(completed_on, 'km')} / {format_date(completed_on, 'en')}",
        },
        context={
            "course_km": course.title_km,
            "course_en": course.title_en,
            "completed_on": completed_on,
            "minutes": course.estimated_minutes,
            "score": str(enrolment.post_score) if enrolment.post_score is not None else "",
            "cycle": enrolment.cycle,
        },
        source=enrolment,
        by=by if getattr(by, "is_staff", False) else None,
    )
    certificate = CourseCertificate.objects.create(enrolment=enrolment, document=document)
    previous = (
        CourseCertificate.objects.filter(
            enrolment__user=user, enrolment__course=course, superseded_by__isnull=True
        )
        .exclude(pk=certificate.pk)
        .select_related("document")
        .order_by("-issued_at")
    )
    for old in previous:
        if old.document.is_genuine:
            document_supersede(
                document=old.document, replacement=document, by=by if getattr(by, "is_staff", False) else None
            )
        old.superseded_by = certificate
        old.save(update_fields=["superseded_by"])
    audit_record(
        action="academy.certificate_issue",
        actor=by,
        actor_label=None if getattr(by, "is_authenticated", False) else "staff",
        obj=certificate,
        subject=user,
        unit=enrolment.unit,
        details={"course": course.slug, "cycle": enrolment.cycle, "code": document.code},
    )
    return certificate
