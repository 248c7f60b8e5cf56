"""The risk register: each risk with the systems and sites it concerns, likelihood × impact (5 × 5),
its owner, treatment and controls, its review date, and where it came from (entered by hand, or raised
automatically from a monitor's evidence: an expiring TLS certificate, repeated outages)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nokor.core.access import RecordRule, ScopedManager
from nokor.infrastructure.models.sites import INFRA_CHANGE, INFRA_VIEW

__all__ = ["Risk", "risk_level"]

SCALE = [MinValueValidator(1), MaxValueValidator(5)]


class Level(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


def risk_level(score: int) -> str:
    """The level of a likelihood × impact score: 1–4 low, 5–9 medium, 10–16 high, 20–25 critical."""
    if score >= 20:
        return Level.CRITICAL
    if score >= 10:
        return Level.HIGH
    if score >= 5:
        return Level.MEDIUM
    return Level.LOW


class Risk(models.Model):
    """One risk to the ministry's technology, scored and owned."""

    Level = Level

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        TREATING = "treating", _("Being treated")
        ACCEPTED = "accepted", _("Accepted")
        CLOSED = "closed", _("Closed")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by staff")
        TLS_EXPIRY = "tls_expiry", _("Certificate about to expire")
        OUTAGES = "outages", _("Repeated outages")

    title = models.CharField(_("risk"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    systems = models.ManyToManyField(
        "infrastructure.DigitalSystem", blank=True, related_name="risks", verbose_name=_("systems")
    )
    sites = models.ManyToManyField(
        "infrastructure.Site", blank=True, related_name="risks", verbose_name=_("offices")
    )
    likelihood = models.PositiveSmallIntegerField(_("likelihood (1–5)"), validators=SCALE, default=3)
    impact = models.PositiveSmallIntegerField(_("impact (1–5)"), validators=SCALE, default=3)
    score = models.PositiveSmallIntegerField(editable=False, default=9, db_index=True)
    level = models.CharField(max_length=10, choices=Level.choices, editable=False, default=Level.MEDIUM)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    treatment_plan = models.TextField(_("treatment plan"), blank=True)
    controls = models.TextField(_("controls in place"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    review_date = models.DateField(_("next review"), null=True, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.MANUAL, editable=False)
    # The evidence of a risk raised automatically; with `source` it makes raising idempotent.
    evidence_monitor = models.ForeignKey(
        "infrastructure.Monitor", null=True, blank=True, on_delete=models.SET_NULL, related_name="risks"
    )
    evidence_incident = models.ForeignKey(
        "infrastructure.Incident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = ScopedManager()
    access = RecordRule(roles={"view": INFRA_VIEW, "change": INFRA_CHANGE})

    class Meta:
        ordering = ["-score", "title", "pk"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        indexes = [models.Index(fields=["source", "evidence_monitor", "status"], name="infra_risk_auto")]

    def __str__(self) -> str:
        return self.title

    def set_score(self) -> None:
        """Score and level from likelihood and impact (services call it before saving)."""
        self.score = self.likelihood * self.impact
        self.level = risk_level(self.score)

    @property
    def is_review_overdue(self) -> bool:
        return (
            self.status != self.Status.CLOSED
            and self.review_date is not None
            and self.review_date < timezone.localdate()
        )
