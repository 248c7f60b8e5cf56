"""The academy: courses (modules, lessons in Markdown, images), a question bank per course and its
quizzes, enrolments with lesson progress and quiz attempts, mandatory-training assignment rules, the
certificates issued on completion, and a pre-aggregated table for the training reports.

Courses are content loaded from files (``manage.py load_courses``); questions are immutable once
created (a changed question is a new row), and every attempt keeps a snapshot of what was asked, so a
change of the question bank never alters a past result.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nokor.accounts.roles import Role
from nokor.core.access import RecordRule, ScopedManager
from nokor.core.text import in_language

# Who runs training: create assignment rules, see every enrolment in their unit scope.
TRAINERS = frozenset({Role.TRAINER, Role.ADMINISTRATOR})
# Who reads training reports of their unit scope (trainers and the managers of staff).
REPORT_VIEWERS = TRAINERS | frozenset({Role.SERVICE_SUPERVISOR, Role.CYBER_SUPERVISOR, Role.AUDITOR})
ANY_STAFF_ROLE = frozenset(Role.values)


class Audience(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    STAFF = "staff", _("Ministry staff")


class Course(models.Model):
    """A training course: modules of lessons, quizzes, and the rule that says when it is completed."""

    slug = models.SlugField(max_length=80, unique=True)
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.PUBLIC
    )
    title_km = models.CharField(_("title in Khmer"), max_length=300)
    title_en = models.CharField(_("title in English"), max_length=300)
    summary_km = models.TextField(_("summary in Khmer"), blank=True)
    summary_en = models.TextField(_("summary in English"), blank=True)
    estimated_minutes = models.PositiveIntegerField(_("estimated minutes"), default=0)
    is_published = models.BooleanField(_("published"), default=True, db_index=True)
    # Completion rule: every lesson seen, and every module and final quiz passed (pre-tests never count).
    require_all_lessons = models.BooleanField(_("all lessons must be seen"), default=True)
    require_quizzes_passed = models.BooleanField(_("module and final quizzes must be passed"), default=True)
    version = models.PositiveIntegerField(_("content version"), default=1)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    lesson_count = models.PositiveSmallIntegerField(default=0, editable=False)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    # Anyone sees published public courses; any staff member sees every course (learner pages add
    # is_published); trainers change them.
    access = RecordRule(
        roles={"view": ANY_STAFF_ROLE, "change": TRAINERS},
        public=Q(is_published=True, audience=Audience.PUBLIC),
    )

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("academy:course", args=[self.slug])

    @property
    def title(self) -> str:
        return in_language(self.title_km, self.title_en)

    @property
    def summary(self) -> str:
        return in_language(self.summary_km, self.summary_en)

    @property
    def is_staff_only(self) -> bool:
        return self.audience == Audience.STAFF


class Module(models.Model):
    """A chapter of a course: an ordered group of lessons (and optionally its own quiz)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    slug = models.SlugField(max_length=80)
    title_km = models.CharField(_("title in Khmer"), max_length=300)
    title_en = models.CharField(_("title in English"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["course", "position"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        constraints = [models.UniqueConstraint(fields=["course", "slug"], name="academy_module_slug_unique")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return in_language(self.title_km, self.title_en)


class Lesson(models.Model):
    """One page of learning, written in Markdown in both languages; the sanitised HTML is stored so a
    lesson page renders without parsing Markdown. ``position`` orders lessons across the whole course."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    slug = models.SlugField(max_length=80)
    title_km = models.CharField(_("title in Khmer"), max_length=300)
    title_en = models.CharField(_("title in English"), max_length=300)
    body_km = models.TextField(_("text in Khmer (Markdown)"), blank=True)
    body_en = models.TextField(_("text in English (Markdown)"), blank=True)
    html_km = models.TextField(blank=True, editable=False)
    html_en = models.TextField(blank=True, editable=False)
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=5)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["course", "position"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        constraints = [models.UniqueConstraint(fields=["course", "slug"], name="academy_lesson_slug_unique")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("academy:lesson", args=[self.course.slug, self.slug])

    @property
    def title(self) -> str:
        return in_language(self.title_km, self.title_en)

    @property
    def html(self) -> str:
        return in_language(self.html_km, self.html_en)


def _image_path(image: LessonImage, filename: str) -> str:
    return f"academy/{image.course.slug}/{image.sha256[:16]}-{image.name}"


class LessonImage(models.Model):
    """An image uploaded to a course, referenced from its lessons' Markdown as ``images/<name>``."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="images")
    name = models.CharField(max_length=120)
    file = models.FileField(upload_to=_image_path, max_length=250)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "name"], name="academy_image_name_unique")]

    def __str__(self) -> str:
        return f"{self.course.slug}/{self.name}"

    def get_absolute_url(self) -> str:
        return reverse("academy:image", args=[self.course.slug, self.name])


class Question(models.Model):
    """A question of a course's bank. Immutable once created: a changed question is loaded as a new row
    (``key`` is a hash of its content) and the old one is retired, so past attempts stay true."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True or false")
        SHORT = "short", _("Short answer")
        NUMERIC = "numeric", _("Number")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    key = models.CharField(max_length=64)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    text_km = models.TextField(_("question in Khmer"))
    text_en = models.TextField(_("question in English"))
    explanation_km = models.TextField(_("explanation in Khmer"), blank=True)
    explanation_en = models.TextField(_("explanation in English"), blank=True)
    # true_false: the right answer
    answer_bool = models.BooleanField(null=True, blank=True)
    # short: accepted answers per language (compared normalised; either language's list is accepted)
    accepted_km = models.JSONField(default=list, blank=True)
    accepted_en = models.JSONField(default=list, blank=True)
    # numeric: the answer and the tolerance either side
    answer_number = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    tolerance = models.DecimalField(max_digits=18, decimal_places=6, default=Decimal(0))
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [models.UniqueConstraint(fields=["course", "key"], name="academy_question_key_unique")]

    def __str__(self) -> str:
        return self.text_en[:80]

    @property
    def text(self) -> str:
        return in_language(self.text_km, self.text_en)

    @property
    def explanation(self) -> str:
        return in_language(self.explanation_km, self.explanation_en)


class Choice(models.Model):
    """One option of a single- or multiple-choice question, with the feedback shown after grading."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(default=0)
    text_km = models.CharField(max_length=500)
    text_en = models.CharField(max_length=500)
    is_correct = models.BooleanField(default=False)
    feedback_km = models.TextField(blank=True)
    feedback_en = models.TextField(blank=True)

    class Meta:
        ordering = ["question", "position"]

    def __str__(self) -> str:
        return self.text_en

    @property
    def text(self) -> str:
        return in_language(self.text_km, self.text_en)

    @property
    def feedback(self) -> str:
        return in_language(self.feedback_km, self.feedback_en)


class Quiz(models.Model):
    """A test drawn from the course's question bank: a pre-test (optional, measures what the learner
    knew), a module quiz or the final (post) test."""

    class Kind(models.TextChoices):
        PRE = "pre", _("Pre-test")
        MODULE = "module", _("Module quiz")
        POST = "post", _("Final test")

    class Order(models.TextChoices):
        FIXED = "fixed", _("Fixed order")
        RANDOM = "random", _("Random order")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="quizzes")
    slug = models.SlugField(max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    module = models.ForeignKey(
        Module, null=True, blank=True, on_delete=models.CASCADE, related_name="quizzes"
    )
    title_km = models.CharField(_("title in Khmer"), max_length=300)
    title_en = models.CharField(_("title in English"), max_length=300)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"), default=70)
    max_attempts = models.PositiveSmallIntegerField(_("attempts allowed (0: unlimited)"), default=0)
    order = models.CharField(_("question order"), max_length=10, choices=Order.choices, default=Order.FIXED)
    draw = models.PositiveSmallIntegerField(_("questions drawn (empty: all)"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    # A quiz dropped from the course files but with attempts is kept, retired (not shown, not required).
    is_active = models.BooleanField(default=True)
    questions = models.ManyToManyField(Question, through="QuizQuestion", related_name="quizzes")

    class Meta:
        ordering = ["course", "position"]
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [models.UniqueConstraint(fields=["course", "slug"], name="academy_quiz_slug_unique")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("academy:quiz", args=[self.course.slug, self.slug])

    @property
    def title(self) -> str:
        return in_language(self.title_km, self.title_en)

    @property
    def counts_for_completion(self) -> bool:
        return self.kind != self.Kind.PRE


class QuizQuestion(models.Model):
    """A question's place in a quiz (the fixed order)."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="quiz_questions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["quiz", "position"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "question"], name="academy_quizquestion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.quiz_id}#{self.position}"


class AssignmentRule(models.Model):
    """Mandatory training: staff holding one of ``roles`` in ``unit``'s subtree (nationwide when empty)
    are enrolled in ``course``, including those who join later, due ``due_days`` after enrolment or on
    ``due_on``; with ``recertify_months`` they are enrolled again that long after completing."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="assignment_rules")
    roles = models.JSONField(_("roles"), default=list, help_text=_("Role values; empty: every staff role."))
    unit = models.ForeignKey(
        "geography.AdministrativeUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for nationwide."),
    )
    due_days = models.PositiveSmallIntegerField(_("days to complete"), null=True, blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    recertify_months = models.PositiveSmallIntegerField(_("recertify every (months)"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    access = RecordRule(roles={"view": REPORT_VIEWERS, "change": TRAINERS}, unit_field="unit")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        indexes = [models.Index(fields=["is_active", "course"])]

    def __str__(self) -> str:
        return f"{self.course.slug} → {self.unit.code if self.unit_id else '*'} {','.join(self.roles)}"


class Enrolment(models.Model):
    """One learner taking one course, once per cycle (recertification starts a new cycle; only the
    latest is current). Counters and scores are kept on the row so lists and reports never count the
    progress table."""

    class Source(models.TextChoices):
        SELF = "self", _("Enrolled themselves")
        ASSIGNMENT = "assignment", _("Assigned")

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    cycle = models.PositiveSmallIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.SELF)
    assignment = models.ForeignKey(
        AssignmentRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="enrolments"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ENROLLED)
    enrolled_at = models.DateTimeField(_("enrolled"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # Where the learner worked when enrolled (staff), for reports by unit; empty for the public.
    unit = models.ForeignKey(
        "geography.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit_code = models.CharField(max_length=8, blank=True, default="")
    lessons_seen = models.PositiveSmallIntegerField(default=0)
    last_lesson = models.ForeignKey(
        Lesson, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pre_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)  # first pre-test
    post_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)  # best final
    post_passed = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    access = RecordRule(
        roles={"view": REPORT_VIEWERS, "change": TRAINERS}, unit_field="unit", owner_field="user"
    )

    class Meta:
        ordering = ["-enrolled_at"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course", "cycle"], name="academy_enrolment_cycle_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "course"], condition=Q(is_current=True), name="academy_enrolment_one_current"
            ),
        ]
        indexes = [
            models.Index(fields=["course", "is_current", "unit_code"], name="academy_enrol_course_unit"),
            models.Index(fields=["is_current", "status", "due_on"], name="academy_enrol_due"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.course_id}#{self.cycle}"

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED

    @property
    def is_overdue(self) -> bool:
        return bool(self.due_on and not self.is_completed and self.due_on < timezone.localdate())

    @property
    def learning_gain(self) -> Decimal | None:
        if self.pre_score is None or self.post_score is None:
            return None
        return self.post_score - self.pre_score

    def progress_percent(self, lesson_count: int | None = None) -> int:
        total = lesson_count if lesson_count is not None else self.course.lesson_count
        if not total:
            return 100 if self.is_completed else 0
        return min(100, round(100 * self.lessons_seen / total))


class LessonProgress(models.Model):
    """A lesson seen by a learner in one enrolment (the resume point is the first lesson without one)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson"], name="academy_progress_once_per_lesson")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}:{self.lesson_id}"


class QuizAttempt(models.Model):
    """One submitted attempt at a quiz: the questions as asked (a snapshot, in the order shown), the
    answers given, the per-question result and the score."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attempts")
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(default=False)
    # [{"id": question id, "kind", "text_km", "text_en", "explanation_km", "explanation_en", "choices":
    #   [{"id", "text_km", "text_en", "correct", "feedback_km", "feedback_en"}], "answer_bool",
    #   "accepted_km", "accepted_en", "answer_number", "tolerance"}] in the order shown
    questions = models.JSONField(default=list)
    # {"<question id>": the answer as given: a choice id, a list of choice ids, true/false, text}
    answers = models.JSONField(default=dict)
    # {"<question id>": credit between 0 and 1}
    results = models.JSONField(default=dict)

    objects = ScopedManager()
    access = RecordRule(
        roles={"view": TRAINERS, "change": frozenset()},
        unit_field="enrolment__unit",
        owner_field="enrolment__user",
    )

    class Meta:
        ordering = ["enrolment", "quiz", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "quiz", "number"], name="academy_attempt_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}:{self.quiz_id}#{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("academy:attempt", args=[self.pk])


class CourseCertificate(models.Model):
    """The certificate of a completed enrolment: an issued document (nokor.documents), verifiable by
    its code. A recertification's certificate supersedes the one before it."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="certificate")
    document = models.OneToOneField("documents.Document", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )

    objects = ScopedManager()
    access = RecordRule(
        roles={"view": REPORT_VIEWERS, "change": TRAINERS},
        unit_field="enrolment__unit",
        owner_field="enrolment__user",
    )

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("course certificate")
        verbose_name_plural = _("course certificates")

    def __str__(self) -> str:
        return f"{self.enrolment_id}:{self.document_id}"


class CourseUnitStats(models.Model):
    """Pre-aggregated counts of the current enrolments of one course in one unit and everything under it
    (``unit_code`` '' = nationwide), for the completion report at any level of the tree."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    unit_code = models.CharField(max_length=8, blank=True, default="")
    level = models.PositiveSmallIntegerField(default=0)  # 0 nationwide, 1 province, 2 district, 3 commune…
    enrolled = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    final_taken = models.PositiveIntegerField(default=0)  # took the final test (post_score set)
    passed = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    gain_sum = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    gain_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "unit_code"], name="academy_stats_course_unit_unique")
        ]
        indexes = [models.Index(fields=["unit_code", "course"], name="academy_stats_unit_course")]

    def __str__(self) -> str:
        return f"{self.course_id}@{self.unit_code or '*'}"
