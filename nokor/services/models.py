"""Public services online: the catalogue (services and their form versions), applications and their
timeline, uploads, requests for information, appeals, feedback, working-day holidays, and the aggregates
behind the public performance page."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nokor.accounts.roles import Role
from nokor.core.access import RecordRule, ScopedManager
from nokor.core.models import TimeStampedModel
from nokor.core.text import in_language

STAFF_VIEW = frozenset({Role.SERVICE_OFFICER, Role.SERVICE_SUPERVISOR, Role.AUDITOR})
STAFF_WORK = frozenset({Role.SERVICE_OFFICER, Role.SERVICE_SUPERVISOR})


class ResponsibleLevel(models.TextChoices):
    COMMUNE = "commune", _("Commune or sangkat")
    DISTRICT = "district", _("District, municipality or khan")
    PROVINCE = "province", _("Province or capital")
    NATIONAL = "national", _("Ministry (national)")

    @property
    def code_length(self) -> int:
        return {"commune": 6, "district": 4, "province": 2, "national": 0}[self.value]


class Service(TimeStampedModel):
    """One e-service of the catalogue: what it is, who may use it, its fee, its promised time (the
    service charter), who handles it, and the current version of its form."""

    slug = models.SlugField(_("identifier"), max_length=80, unique=True)
    name_km = models.CharField(_("name in Khmer"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    summary_km = models.TextField(_("summary in Khmer"))
    summary_en = models.TextField(_("summary in English"))
    eligibility_km = models.TextField(_("who can apply (Khmer)"))
    eligibility_en = models.TextField(_("who can apply (English)"))
    documents_km = models.TextField(_("documents required (Khmer)"), blank=True)
    documents_en = models.TextField(_("documents required (English)"), blank=True)
    fee_riel = models.PositiveIntegerField(_("official fee (riel)"), default=0)
    processing_days = models.PositiveSmallIntegerField(_("promised processing time (working days)"))
    responsible_level = models.CharField(_("handled at"), max_length=10, choices=ResponsibleLevel.choices)
    needs_supervisor_approval = models.BooleanField(
        _("a supervisor approves after the officer"), default=False
    )
    appeal_days = models.PositiveSmallIntegerField(_("days to appeal a refusal"), default=30)
    output_document_type = models.SlugField(_("document issued"), max_length=80, blank=True)
    is_active = models.BooleanField(_("open for applications"), default=True)
    current_version = models.ForeignKey(
        "ServiceVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("current form version"),
    )

    objects = ScopedManager()
    access = RecordRule(roles={}, public=Q(is_active=True))

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.name_km, self.name_en)

    @property
    def summary(self) -> str:
        return in_language(self.summary_km, self.summary_en)

    @property
    def eligibility(self) -> str:
        return in_language(self.eligibility_km, self.eligibility_en)

    @property
    def documents(self) -> str:
        return in_language(self.documents_km, self.documents_en)


class ServiceVersion(models.Model):
    """An immutable version of a service's form definition; applications keep the one they used."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    form_definition = models.JSONField(_("form definition"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["service", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["service", "number"], name="serviceversion_unique_number")
        ]
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")

    def __str__(self) -> str:
        return f"{self.service.slug} v{self.number}"


class Holiday(models.Model):
    """A public holiday: not a working day for deadlines. Seeded from the `holidays` package, editable."""

    date = models.DateField(_("date"), unique=True)
    name_km = models.CharField(_("name in Khmer"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200)

    class Meta:
        ordering = ["date"]
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")

    def __str__(self) -> str:
        return f"{self.date}: {self.name_en}"


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("Under review")
    INFO_REQUESTED = "info_requested", _("More information needed")
    AWAITING_APPROVAL = "awaiting_approval", _("Waiting for the supervisor's approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    APPEALED = "appealed", _("Appeal under review")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (
    Status.SUBMITTED,
    Status.IN_REVIEW,
    Status.INFO_REQUESTED,
    Status.AWAITING_APPROVAL,
    Status.APPEALED,
)
STATUS_TONES = {
    Status.DRAFT: "grey",
    Status.SUBMITTED: "blue",
    Status.IN_REVIEW: "blue",
    Status.INFO_REQUESTED: "amber",
    Status.AWAITING_APPROVAL: "blue",
    Status.APPROVED: "green",
    Status.REFUSED: "red",
    Status.APPEALED: "amber",
    Status.WITHDRAWN: "grey",
}


# Columns the officers' queue filters on, carried by its indexes (see Application.Meta.indexes).
QUEUE_COLUMNS = ["id", "unit", "applicant", "filed_by", "service", "status", "assigned_to", "paused_at"]


class Application(TimeStampedModel):
    """A request for a service by a citizen (or filed on their behalf), from draft to decision."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The number restarts every year; the reference (year + number + check digit) is the unique key.
    number = models.BigIntegerField(_("number"), null=True, blank=True, editable=False)
    reference = models.CharField(_("reference number"), max_length=24, unique=True, null=True, blank=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="applications")
    service_version = models.ForeignKey(ServiceVersion, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    applicant_name = models.CharField(_("applicant"), max_length=200, blank=True)
    applicant_name_search = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications_filed",
        verbose_name=_("filed on behalf by"),
    )
    mandate = models.TextField(
        _("mandate"), blank=True, help_text=_("Who filed it for the applicant, and why.")
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    unit = models.ForeignKey(
        "geography.AdministrativeUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("office handling it"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications_assigned",
        verbose_name=_("assigned to"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    deadline = models.DateField(_("expected decision by"), null=True, blank=True, db_index=True)
    paused_at = models.DateTimeField(_("clock paused since"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reasons for the decision"), blank=True)
    document_code = models.CharField(_("issued document"), max_length=40, blank=True)
    receipt_number = models.CharField(_("fee receipt number"), max_length=60, blank=True)
    paid_at = models.DateTimeField(_("fee paid"), null=True, blank=True)
    payment_method = models.CharField(_("paid by"), max_length=20, blank=True)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = ScopedManager()
    access = RecordRule(
        roles={"view": STAFF_VIEW, "change": STAFF_WORK},
        unit_field="unit",
        owner_field=("applicant", "filed_by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["unit", "status", "deadline"]),
            models.Index(fields=["applicant", "-created_at"]),
            models.Index(fields=["service", "submitted_at"]),
            # The officers' queue (selectors.queue_for): open applications only (a few percent of all),
            # in deadline order or by office, carrying the columns the queue filters on, so a page's
            # keys and the queue's count are read from the index alone.
            models.Index(
                fields=["deadline", "submitted_at"],
                condition=Q(status__in=OPEN_STATUSES),
                include=QUEUE_COLUMNS,
                name="application_open_deadline",
            ),
            models.Index(
                fields=["unit", "deadline", "submitted_at"],
                condition=Q(status__in=OPEN_STATUSES),
                include=[name for name in QUEUE_COLUMNS if name != "unit"],
                name="application_open_unit",
            ),
            # The strategy indicators (metrics.py): the decisions of a period, as a range.
            models.Index(
                fields=["decided_at"],
                condition=Q(status__in=(Status.APPROVED, Status.REFUSED)),
                name="application_decided",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or str(_("Draft"))

    @property
    def tone(self) -> str:
        return STATUS_TONES[Status(self.status)]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def is_overdue(self) -> bool:
        return (
            self.is_open
            and self.paused_at is None
            and self.deadline is not None
            and (self.deadline < timezone.localdate())
        )

    def days_left(self, today: dt.date | None = None) -> int | None:
        if self.deadline is None:
            return None
        return (self.deadline - (today or timezone.localdate())).days

    @property
    def appeal_open_until(self) -> dt.date | None:
        if self.status != Status.REFUSED or self.decided_at is None:
            return None
        return timezone.localdate(self.decided_at) + dt.timedelta(days=self.service.appeal_days)


class Attachment(models.Model):
    """A file uploaded with an application (type checked from its bytes), stored outside the web root."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    field_name = models.CharField(max_length=80)
    file = models.FileField(upload_to="applications/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    replaced = models.BooleanField(default=False)

    objects = ScopedManager()
    access = RecordRule(
        roles={"view": STAFF_VIEW},
        unit_field="application__unit",
        owner_field=("application__applicant", "application__filed_by"),
    )

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class EventKind(models.TextChoices):
    CREATED = "created", _("Draft started")
    SUBMITTED = "submitted", _("Application submitted")
    CLAIMED = "claimed", _("Taken up by an officer")
    ASSIGNED = "assigned", _("Assigned to an officer")
    INFO_REQUESTED = "info_requested", _("More information requested")
    INFO_PROVIDED = "info_provided", _("Information provided")
    FORWARDED = "forwarded", _("Sent to the supervisor for approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    ESCALATED = "escalated", _("Escalated to the supervisor")
    OVERDUE = "overdue", _("Deadline passed")
    NOTE = "note", _("Internal note")
    MESSAGE = "message", _("Message")
    APPEALED = "appealed", _("Appeal submitted")
    APPEAL_DECIDED = "appeal_decided", _("Appeal decided")
    DOCUMENT_ISSUED = "document_issued", _("Document issued")
    PAYMENT_RECORDED = "payment_recorded", _("Fee paid")
    FEEDBACK = "feedback", _("Feedback given")


class ApplicationEvent(models.Model):
    """One typed entry of an application's timeline (see events.py for the writers)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    visible_to_applicant = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["application", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.at:%Y-%m-%d %H:%M}"


class InformationRequest(models.Model):
    """An officer's request for more information, pointing at the answers to fix; the clock pauses."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="information_requests"
    )
    fields = models.JSONField(_("answers to fix"), default=list)
    message = models.TextField(_("what is needed"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.application} @ {self.requested_at:%Y-%m-%d}"


class Appeal(models.Model):
    """An appeal against a refusal, decided by a supervisor at the level above the deciding office."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Under review")
        UPHELD = "upheld", _("Appeal upheld: decision changed")
        DISMISSED = "dismissed", _("Appeal dismissed: refusal confirmed")

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="appeal")
    reason = models.TextField(_("why the decision is wrong"))
    unit = models.ForeignKey(
        "geography.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"appeal of {self.application}"


class Feedback(models.Model):
    """The applicant's rating (1-5) and comment after a decision."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="feedback")
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), blank=True)
    given_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.rating}/5"


class UnofficialPaymentReport(models.Model):
    """A confidential report that someone asked for an unofficial payment (supervisors and auditors)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(
        "geography.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("what happened"))
    amount_asked = models.CharField(_("amount asked"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    access = RecordRule(
        roles={"view": frozenset({Role.SERVICE_SUPERVISOR, Role.AUDITOR})},
        unit_field="unit",
        owner_field="reporter",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"report {self.created_at:%Y-%m-%d}"


class PerformanceAggregate(models.Model):
    """Pre-computed figures of one service in one province (or the whole country) for one period: a month
    ("2026-11") or the last twelve months ("12m")."""

    LAST_12_MONTHS = "12m"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    province_code = models.CharField(max_length=2, blank=True, help_text=_("Empty: the whole country."))
    period = models.CharField(max_length=7)
    received = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    completed_on_time = models.PositiveIntegerField(default=0)
    median_days = models.FloatField(null=True)
    rating_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "province_code", "period"], name="perf_unique_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.province_code or 'KH'} {self.period}"

    @property
    def shown(self) -> bool:
        """Small cells are suppressed so no one can be identified from them."""
        return self.received >= 5

    @property
    def on_time_percent(self) -> float | None:
        return round(100 * self.completed_on_time / self.completed, 1) if self.completed else None

    @property
    def satisfaction(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else None
