"""The Digital Strategy Plan 2023-2027 as data: its results framework (plan > strategy > objective >
activity, with indicators and their yearly targets), the quarterly progress reports of the focal points
with the values of the manual indicators, and the pre-aggregated table every dashboard reads
(:class:`IndicatorAggregate`, DHIS2's analytics table: never scan operational tables per page view)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from nokor.accounts.roles import Role
from nokor.core.access import RecordRule, ScopedManager
from nokor.core.text import in_language

# --------------------------------------------------------------------------------------------------
# Who does what (one rule set; views import these)
# --------------------------------------------------------------------------------------------------
# Focal points report for their unit's subtree; approvers (nationwide) approve or return; auditors and
# administrators read everything.
REPORTERS = frozenset({Role.STRATEGY_FOCAL_POINT})
APPROVERS = frozenset({Role.STRATEGY_APPROVER})
READERS = frozenset({Role.STRATEGY_FOCAL_POINT, Role.STRATEGY_APPROVER, Role.AUDITOR, Role.ADMINISTRATOR})
# Who opens the leadership dashboard: approvers, administrators and auditors see the whole country; focal
# points see it too, and drill down only into their own unit (the records behind a number go through
# each app's own access layer).
LEADERSHIP = READERS
# Who enters the real targets (Excel round trip) and edits the framework in the admin.
PLANNERS = frozenset({Role.STRATEGY_APPROVER, Role.ADMINISTRATOR})

YEARS = range(2023, 2028)


class Status(models.TextChoices):
    """How far an activity (or a strategy, objective) has come."""

    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DELAYED = "delayed", _("Delayed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Titled(models.Model):
    """Khmer and English title and description, shown in the reader's language."""

    code = models.CharField(_("code"), max_length=20)
    title_km = models.CharField(_("title in Khmer"), max_length=300)
    title_en = models.CharField(_("title in English"), max_length=300, blank=True)
    description_km = models.TextField(_("description in Khmer"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        return in_language(self.title_km, self.title_en)

    @property
    def description(self) -> str:
        return in_language(self.description_km, self.description_en)


# The framework is not secret: every strategy role reads it (unscoped); planners change it.
FRAMEWORK_ACCESS = RecordRule(roles={"view": READERS, "change": PLANNERS})


class Plan(Titled):
    """A strategy plan of the ministry (the Digital Strategy Plan 2023-2027)."""

    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))

    objects = ScopedManager()
    access = FRAMEWORK_ACCESS

    class Meta:
        ordering = ["start_year", "code"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [models.UniqueConstraint(fields=["code"], name="strategy_plan_code_unique")]

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)


class Strategy(Titled):
    """One of the plan's strategies (six in the 2023-2027 plan)."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="strategies", verbose_name=_("plan")
    )

    objects = ScopedManager()
    access = FRAMEWORK_ACCESS

    class Meta:
        ordering = ["plan", "position", "code"]
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="strategy_strategy_code_unique")]


class Objective(Titled):
    """An objective of a strategy."""

    strategy = models.ForeignKey(
        Strategy, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("strategy")
    )

    objects = ScopedManager()
    access = FRAMEWORK_ACCESS

    class Meta:
        ordering = ["strategy", "position", "code"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        constraints = [
            models.UniqueConstraint(fields=["strategy", "code"], name="strategy_objective_code_unique")
        ]


class Activity(Titled):
    """An activity of an objective: who is responsible, when, with what budget, and how far it is.

    ``unit`` is the unit responsible (none: the ministry, nationwide); focal points of that unit's subtree
    report on it, each for their own unit."""

    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="activities", verbose_name=_("objective")
    )
    unit = models.ForeignKey(
        "geography.AdministrativeUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible unit"),
        help_text=_("Leave empty for the whole country (every province reports)."),
    )
    department = models.CharField(_("responsible department"), max_length=200, blank=True)
    focal_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("focal person"),
    )
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    budget_planned = models.BigIntegerField(_("budget planned (riel)"), default=0)
    budget_spent = models.BigIntegerField(_("budget spent (riel)"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)

    objects = ScopedManager()
    access = FRAMEWORK_ACCESS

    class Meta:
        ordering = ["objective", "position", "code"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(fields=["objective", "code"], name="strategy_activity_code_unique")
        ]

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end must be on or after the start.")})


class Indicator(models.Model):
    """An indicator's reference sheet: what it measures, how, where the value comes from, and the way
    that is better. ``source_key`` names a source registered in :mod:`nokor.core.indicators` when the
    indicator is automatic."""

    class Unit(models.TextChoices):
        NUMBER = "number", _("Number")
        PERCENTAGE = "percentage", _("Percentage")
        CURRENCY = "currency", _("Amount in riel")
        YES_NO = "yes_no", _("Yes or no")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    class Frequency(models.TextChoices):
        QUARTERLY = "quarterly", _("Quarterly")
        ANNUAL = "annual", _("Annual")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered in progress reports")
        AUTOMATIC = "automatic", _("Measured by the platform")

    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("objective")
    )
    activity = models.ForeignKey(
        Activity,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indicators",
        verbose_name=_("activity reported in"),
        help_text=_("For a manual indicator: the activity whose progress reports give its values."),
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    title_km = models.CharField(_("title in Khmer"), max_length=300)
    title_en = models.CharField(_("title in English"), max_length=300, blank=True)
    definition_km = models.TextField(_("definition in Khmer"), blank=True)
    definition_en = models.TextField(_("definition in English"), blank=True)
    unit = models.CharField(_("unit"), max_length=12, choices=Unit.choices, default=Unit.NUMBER)
    direction = models.CharField(
        _("direction"), max_length=6, choices=Direction.choices, default=Direction.HIGHER
    )
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    by_province = models.BooleanField(_("disaggregated by province"), default=True)
    by_sex = models.BooleanField(_("disaggregated by sex"), default=False)
    means_of_verification = models.TextField(_("means of verification"), blank=True)
    is_public = models.BooleanField(_("shown on the public page"), default=False)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    source_key = models.CharField(_("platform measure"), max_length=80, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = ScopedManager()
    access = RecordRule(roles={"view": READERS, "change": PLANNERS}, public=models.Q(is_public=True))

    class Meta:
        ordering = ["objective", "position", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        return in_language(self.title_km, self.title_en)

    @property
    def definition(self) -> str:
        return in_language(self.definition_km, self.definition_en)

    @property
    def is_automatic(self) -> bool:
        return self.source == self.Source.AUTOMATIC

    @property
    def measure(self):
        """The registered source of an automatic indicator (None for a manual one or an unknown key)."""
        from nokor.core.indicators import INDICATORS

        return INDICATORS.get(self.source_key) if self.is_automatic else None

    def clean(self) -> None:
        from nokor.core.indicators import INDICATORS

        if self.is_automatic and self.source_key not in INDICATORS:
            raise ValidationError({"source_key": _("Choose one of the measures the platform offers.")})
        if not self.is_automatic and self.source_key:
            raise ValidationError({"source_key": _("A manual indicator has no platform measure.")})
        if (self.baseline_value is None) != (self.baseline_year is None):
            raise ValidationError({"baseline_year": _("Give both the baseline value and its year.")})

    def check_value(self, value: Decimal) -> None:
        """Refuse a value that does not fit the unit (a percentage is 0-100, yes/no is 0 or 1, counts and
        amounts are not negative)."""
        if self.unit == self.Unit.PERCENTAGE and not Decimal(0) <= value <= Decimal(100):
            raise ValidationError(_("Enter a percentage between 0 and 100."), code="percentage")
        if self.unit == self.Unit.YES_NO and value not in (Decimal(0), Decimal(1)):
            raise ValidationError(_("Enter 1 for yes or 0 for no."), code="yes_no")
        if self.unit in (self.Unit.NUMBER, self.Unit.CURRENCY) and value < 0:
            raise ValidationError(_("Enter a number that is 0 or more."), code="negative")


class Target(models.Model):
    """The value an indicator should reach by the end of a year. Demo targets are flagged: the real ones
    are not public and are entered by the planners (Excel round trip)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("indicator")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("target"), max_digits=20, decimal_places=4)
    is_demo = models.BooleanField(_("demo target"), default=False)

    objects = ScopedManager()
    access = RecordRule(roles={"view": READERS, "change": PLANNERS})

    class Meta:
        ordering = ["indicator", "year"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="strategy_target_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}: {self.value}"


# --------------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------------
class ReportingPeriod(models.Model):
    """A quarter of a year, with the day its progress reports are due."""

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=[(q, q) for q in range(1, 5)])
    deadline = models.DateField(_("reports due"))

    class Meta:
        ordering = ["year", "quarter"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [models.UniqueConstraint(fields=["year", "quarter"], name="strategy_period_unique")]

    def __str__(self) -> str:
        return f"{self.year} Q{self.quarter}"

    @property
    def start(self) -> dt.date:
        return quarter_start(self.year, self.quarter)

    @property
    def end(self) -> dt.date:
        return quarter_end(self.year, self.quarter)


def quarter_start(year: int, quarter: int) -> dt.date:
    return dt.date(year, 3 * quarter - 2, 1)


def quarter_end(year: int, quarter: int) -> dt.date:
    return (
        dt.date(year + 1, 1, 1) - dt.timedelta(days=1)
        if quarter == 4
        else quarter_start(year, quarter + 1) - dt.timedelta(days=1)
    )


class ProgressReport(models.Model):
    """A focal point's quarterly report on one activity for one unit: how far the activity came, the
    risks, the evidence and the values of the activity's manual indicators. Approved reports are locked."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for approval")
        RETURNED = "returned", _("Returned for correction")
        APPROVED = "approved", _("Approved")

    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="reports", verbose_name=_("activity")
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="reports", verbose_name=_("period")
    )
    unit = models.ForeignKey(
        "geography.AdministrativeUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reporting unit"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.DRAFT, db_index=True
    )
    activity_status = models.CharField(
        _("status of the activity"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS
    )
    narrative = models.TextField(_("progress this quarter"), blank=True)
    risks = models.TextField(_("risks and problems"), blank=True)
    budget_spent = models.BigIntegerField(_("budget spent this quarter (riel)"), null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = ScopedManager()
    access = RecordRule(roles={"view": READERS, "change": REPORTERS, "approve": APPROVERS}, unit_field="unit")

    class Meta:
        ordering = ["period", "activity", "unit"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.UniqueConstraint(fields=["activity", "period", "unit"], name="strategy_report_unique"),
            models.UniqueConstraint(
                fields=["activity", "period"],
                condition=models.Q(unit__isnull=True),
                name="strategy_report_national_unique",
            ),
        ]
        indexes = [models.Index(fields=["period", "state"], name="strategy_report_period_state")]

    def __str__(self) -> str:
        return f"{self.activity.code} {self.period}"

    @property
    def is_editable(self) -> bool:
        """Drafts and returned reports can be changed; submitted ones wait, approved ones are locked."""
        return self.state in (self.State.DRAFT, self.State.RETURNED)

    @property
    def unit_code(self) -> str:
        return self.unit.code if self.unit_id else ""


class ReportEvent(models.Model):
    """One step in a report's history (the timeline): created, submitted, returned with a comment,
    approved, or a comment."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Draft started")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for correction")
        APPROVED = "approved", _("Approved")

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    access = RecordRule(roles={"view": READERS}, unit_field="report__unit")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind}"


class Evidence(models.Model):
    """A file attached to a progress report as evidence (PDF, JPEG or PNG, checked by its bytes)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="strategy/evidence/%Y/%m/", max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    access = RecordRule(roles={"view": READERS, "change": REPORTERS}, unit_field="report__unit")

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.name


class Sex(models.TextChoices):
    ALL = "", _("All")
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class IndicatorValue(models.Model):
    """A value of a manual indicator entered in a progress report, for a province ('' = the whole
    country) and optionally a sex. Numbers only, checked against the indicator's unit."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="+")
    unit_code = models.CharField(_("unit"), max_length=8, blank=True)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices, blank=True, default=Sex.ALL)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)

    objects = ScopedManager()
    access = RecordRule(roles={"view": READERS, "change": REPORTERS}, unit_field="report__unit")

    class Meta:
        ordering = ["indicator", "unit_code", "sex"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "indicator", "unit_code", "sex"], name="strategy_value_unique"
            ),
        ]
        indexes = [models.Index(fields=["indicator", "period"], name="strategy_value_ind_period")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.unit_code or 'national'} {self.value}"


class IndicatorAggregate(models.Model):
    """The pre-aggregated value of an indicator for a period and a unit — the only table dashboards read.

    ``quarter`` 0 is the whole year. ``unit_code`` '' is the whole country, else a province code.
    ``sex`` '' is everyone. Manual indicators are aggregated from approved values only; automatic ones
    from their registered measure. Rebuilt by :mod:`nokor.strategy.aggregation`."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="aggregates")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(default=0)
    unit_code = models.CharField(max_length=8, blank=True)
    sex = models.CharField(max_length=6, choices=Sex.choices, blank=True, default=Sex.ALL)
    value = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    numerator = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    denominator = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    # How many approved reports (manual) contributed; None for automatic indicators.
    reports = models.PositiveIntegerField(null=True)
    computed_at = models.DateTimeField()

    objects = ScopedManager()
    access = RecordRule(roles={"view": READERS}, public=models.Q(indicator__is_public=True))

    class Meta:
        ordering = ["indicator", "year", "quarter", "unit_code", "sex"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "quarter", "unit_code", "sex"], name="strategy_aggregate_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year}Q{self.quarter} {self.unit_code or 'national'}: {self.value}"
