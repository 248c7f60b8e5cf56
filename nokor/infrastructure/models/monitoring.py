"""Uptime monitors, their checks, roll-ups, incidents and maintenance windows.

Storage stays bounded, whatever the years: 2,000 monitors checked every minute make 2.9 million checks a
day, and one row per check (about 150 bytes with its indexes) would take 3 GB for a week. So:

* a :class:`CheckResult` row lives only until the next roll-up (every 10 minutes) packs it into its
  hour's :class:`Rollup` (``samples``: about 2.5 bytes a check, see ``nokor/infrastructure/samples.py``);
* an hourly :class:`Rollup` (counts, median and 95th percentile of the response times) keeps its packed
  checks ``INFRA_CHECK_RETENTION_DAYS`` (7: the raw checks of the monitor's page and of any later
  recount) and is deleted after ``INFRA_HOURLY_RETENTION_DAYS`` (7 too: a row costs about 150 bytes with
  its index entry, the checks in it about as much again; a longer setting keeps its figures without
  the checks);
* a daily :class:`Rollup`, computed from the packed checks of its hours, is kept for ever (365 rows a
  monitor a year);
* the status page and the dashboards read only roll-ups and the monitor's own copy of its latest state
  and uptime (``last_state``, ``uptime_24h``…), so the dashboard of thousands of monitors is one query on
  one table.

``monitoring.storage_per_monitor_year`` gives the bytes per monitor per year.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from nokor.core.access import RecordRule, ScopedManager
from nokor.infrastructure.models.sites import INFRA_CHANGE, INFRA_VIEW

__all__ = ["CheckResult", "Incident", "IncidentUpdate", "MaintenanceWindow", "Monitor", "Rollup"]


class Monitor(models.Model):
    """A service checked on a schedule (a web page, a TCP port or a DNS name), with its latest state."""

    class Kind(models.TextChoices):
        HTTP = "http", _("Web page (HTTP or HTTPS)")
        TCP = "tcp", _("TCP port")
        DNS = "dns", _("DNS name")

    class State(models.TextChoices):
        UNKNOWN = "unknown", _("Not checked yet")
        UP = "up", _("Working")
        DOWN = "down", _("Not working")

    system = models.ForeignKey(
        "infrastructure.DigitalSystem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="monitors",
        verbose_name=_("digital system"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind of check"), max_length=10, choices=Kind.choices, default=Kind.HTTP)
    target = models.CharField(
        _("what to check"),
        max_length=500,
        help_text=_("A web address (https://…), host:port for a TCP port, or a host name for DNS."),
    )
    expected_status = models.PositiveSmallIntegerField(
        _("expected HTTP status"),
        null=True,
        blank=True,
        help_text=_("Leave empty to accept any status from 200 to 399."),
    )
    keyword = models.CharField(
        _("keyword or expected address"),
        max_length=200,
        blank=True,
        help_text=_("Web page: text the page must contain. DNS: an address the name must resolve to."),
    )
    tls_warning_days = models.PositiveSmallIntegerField(
        _("warn this many days before the certificate expires"), default=21
    )
    interval_seconds = models.PositiveIntegerField(_("check every (seconds)"), default=60)
    timeout_seconds = models.PositiveSmallIntegerField(_("timeout (seconds)"), default=10)
    failure_threshold = models.PositiveSmallIntegerField(
        _("failed checks in a row that open an incident"), default=3
    )
    success_threshold = models.PositiveSmallIntegerField(
        _("good checks in a row that close an incident"), default=2
    )
    is_public = models.BooleanField(_("shown on the public status page"), default=False)
    public_name_km = models.CharField(_("public name in Khmer"), max_length=200, blank=True)
    public_name_en = models.CharField(_("public name in English"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    # The latest state, written by every run of the checks (see monitoring.run_checks).
    last_state = models.CharField(max_length=10, choices=State.choices, default=State.UNKNOWN)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_response_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    state_since = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    consecutive_successes = models.PositiveIntegerField(default=0)
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    cert_expires_at = models.DateTimeField(null=True, blank=True)
    # Uptime of the last 24 hours and 30 days, copied from the roll-ups by each roll-up run.
    uptime_24h = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    uptime_30d = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = ScopedManager()
    # Systems are ministry-wide, and so are their monitors.
    access = RecordRule(roles={"view": INFRA_VIEW, "change": INFRA_CHANGE})

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("monitor")
        verbose_name_plural = _("monitors")
        indexes = [models.Index(fields=["is_public", "is_active"], name="infra_monitor_public")]

    def __str__(self) -> str:
        return self.name

    @property
    def public_name(self) -> str:
        """The name on the status page, in the reader's language (Khmer when English is missing)."""
        if get_language() == "en" and self.public_name_en:
            return self.public_name_en
        return self.public_name_km or self.public_name_en or self.name


class CheckResult(models.Model):
    """One check of one monitor, until the next roll-up packs it into its hour (``Rollup.samples``)."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="results")
    checked_at = models.DateTimeField()
    up = models.BooleanField()
    response_ms = models.PositiveIntegerField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["monitor", "checked_at"], name="infra_check_monitor_time"),
            models.Index(fields=["checked_at"], name="infra_check_time"),
        ]

    def __str__(self) -> str:
        return f"{self.monitor_id} {self.checked_at:%Y-%m-%d %H:%M} {'up' if self.up else 'down'}"


class Rollup(models.Model):
    """The checks of one monitor in one hour or one day (Phnom Penh time): counts and response times;
    an hourly roll-up also holds the hour's checks themselves, packed, for the days of retention."""

    class Period(models.TextChoices):
        HOUR = "hour", _("Hour")
        DAY = "day", _("Day")

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="rollups")
    period = models.CharField(max_length=4, choices=Period.choices)
    start = models.DateTimeField()
    checks = models.PositiveIntegerField()
    up = models.PositiveIntegerField()
    median_ms = models.PositiveIntegerField(null=True, blank=True)
    p95_ms = models.PositiveIntegerField(null=True, blank=True)
    # Hourly roll-ups: the hour's checks (nokor.infrastructure.samples.pack), dropped after the retention.
    samples = models.BinaryField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["monitor", "period", "start"], name="infra_rollup_unique")
        ]
        # No other index: every read names its monitors (``monitor_id IN (…)`` walks this one), and
        # an index on (period, start) would cost a sixth of the table's size.

    def __str__(self) -> str:
        return f"{self.monitor_id} {self.period} {self.start:%Y-%m-%d %H:%M}"

    @property
    def uptime_percent(self) -> float | None:
        return round(100 * self.up / self.checks, 3) if self.checks else None


class MaintenanceWindow(models.Model):
    """Planned work on a monitor or on every monitor of a system: no incident opens, no alert is sent."""

    monitor = models.ForeignKey(
        Monitor, null=True, blank=True, on_delete=models.CASCADE, related_name="maintenance_windows"
    )
    system = models.ForeignKey(
        "infrastructure.DigitalSystem",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="maintenance_windows",
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    access = RecordRule(roles={"view": INFRA_VIEW, "change": INFRA_CHANGE})

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["ends_at", "starts_at"], name="infra_maintenance_time")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(monitor__isnull=False) | models.Q(system__isnull=False),
                name="infra_maintenance_has_target",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="infra_maintenance_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason} ({self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%Y-%m-%d %H:%M})"


class Incident(models.Model):
    """A time a monitor was down: opened after N failed checks in a row, closed after N good ones."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="incidents")
    started_at = models.DateTimeField(_("started"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    first_error = models.CharField(max_length=300, blank=True)
    is_public = models.BooleanField(default=False)  # copied from the monitor when it opened

    objects = ScopedManager()
    access = RecordRule(roles={"view": INFRA_VIEW, "change": INFRA_CHANGE}, public=models.Q(is_public=True))

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["monitor", "resolved_at"], name="infra_incident_open"),
            models.Index(fields=["is_public", "started_at"], name="infra_incident_public"),
        ]
        constraints = [
            # At most one open incident per monitor, even with two schedulers racing.
            models.UniqueConstraint(
                fields=["monitor"],
                condition=models.Q(resolved_at__isnull=True),
                name="infra_incident_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.monitor} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def duration(self):
        return (self.resolved_at - self.started_at) if self.resolved_at else None


class IncidentUpdate(models.Model):
    """What staff tell the public about an incident (shown on the status page in both languages)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    text_km = models.TextField(_("message in Khmer"))
    text_en = models.TextField(_("message in English"), blank=True)
    posted_at = models.DateTimeField(auto_now_add=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["posted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.posted_at:%Y-%m-%d %H:%M}"

    @property
    def text(self) -> str:
        if get_language() == "en" and self.text_en:
            return self.text_en
        return self.text_km
