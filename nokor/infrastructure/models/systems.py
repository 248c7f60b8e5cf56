"""The registry of the digital systems the ministry runs or uses, with what governance needs to know
about each: owner, hosting, data, criticality, dependencies, lifecycle, reviews and backups."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nokor.core.access import RecordRule, ScopedManager
from nokor.infrastructure.models.sites import INFRA_CHANGE, INFRA_VIEW, Site

REVIEW_INTERVAL_DAYS = 365


class PersonalDataCategory(models.TextChoices):
    IDENTITY = "identity", _("Identity (name, ID number, date of birth)")
    CONTACT = "contact", _("Contact details")
    FINANCIAL = "financial", _("Financial")
    HEALTH = "health", _("Health")
    BIOMETRIC = "biometric", _("Biometric")
    LOCATION = "location", _("Location")
    CRIMINAL = "criminal", _("Criminal records and investigations")
    CHILDREN = "children", _("Children's data")
    EMPLOYMENT = "employment", _("Employment and HR")


class DigitalSystem(models.Model):
    """A system in the registry (ministry-wide: every infrastructure officer sees them all)."""

    class Users(models.TextChoices):
        STAFF = "staff", _("Staff")
        PUBLIC = "public", _("The public")
        BOTH = "both", _("Staff and the public")

    class Hosting(models.TextChoices):
        ON_PREMISES = "premises", _("On premises")
        GOVERNMENT_CLOUD = "gov_cloud", _("Government cloud")
        VENDOR = "vendor", _("Vendor")

    class Classification(models.TextChoices):
        PUBLIC = "public", _("Public")
        INTERNAL = "internal", _("Internal")
        CONFIDENTIAL = "confidential", _("Confidential")
        SECRET = "secret", _("Secret")

    class Criticality(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        CRITICAL = "critical", _("Critical")

    class Lifecycle(models.TextChoices):
        PLANNED = "planned", _("Planned")
        LIVE = "live", _("Live")
        RETIRING = "retiring", _("Retiring")
        RETIRED = "retired", _("Retired")

    name = models.CharField(_("name"), max_length=200, unique=True)
    purpose = models.TextField(_("purpose"), blank=True)
    owner_department = models.CharField(_("owner department"), max_length=200, blank=True)
    accountable_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("accountable person"),
    )
    users = models.CharField(_("used by"), max_length=10, choices=Users.choices, blank=True)
    hosting = models.CharField(_("hosting"), max_length=10, choices=Hosting.choices, blank=True)
    hosting_site = models.ForeignKey(
        Site,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="systems",
        verbose_name=_("hosted at (office)"),
    )
    url = models.URLField(_("web address"), blank=True)
    classification = models.CharField(
        _("data classification"), max_length=15, choices=Classification.choices, blank=True
    )
    holds_personal_data = models.BooleanField(_("holds personal data"), default=False)
    personal_data_categories = models.JSONField(_("categories of personal data"), default=list, blank=True)
    criticality = models.CharField(_("criticality"), max_length=10, choices=Criticality.choices, blank=True)
    dependencies = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependents", verbose_name=_("depends on")
    )
    lifecycle = models.CharField(
        _("lifecycle"), max_length=10, choices=Lifecycle.choices, default=Lifecycle.PLANNED, db_index=True
    )
    last_security_review = models.DateField(_("last security review"), null=True, blank=True)
    next_review_due = models.DateField(_("next review due"), null=True, blank=True)
    backups_tested_on = models.DateField(_("backups last tested on"), null=True, blank=True)
    is_public_facing = models.BooleanField(_("public-facing"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = ScopedManager()
    access = RecordRule(roles={"view": INFRA_VIEW, "change": INFRA_CHANGE})

    class Meta:
        ordering = ["name"]
        verbose_name = _("digital system")
        verbose_name_plural = _("digital systems")

    def __str__(self) -> str:
        return self.name

    @property
    def review_due(self) -> datetime.date | None:
        """When the next security review is due: the date set, else a year after the last review."""
        if self.next_review_due:
            return self.next_review_due
        if self.last_security_review:
            return self.last_security_review + datetime.timedelta(days=REVIEW_INTERVAL_DAYS)
        return None

    @property
    def is_review_overdue(self) -> bool:
        """Live or retiring and never reviewed, or past the review date."""
        if self.lifecycle not in (self.Lifecycle.LIVE, self.Lifecycle.RETIRING):
            return False
        due = self.review_due
        return due is None or due < timezone.localdate()
