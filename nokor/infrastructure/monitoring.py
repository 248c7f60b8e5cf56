"""Running the uptime monitors: scheduling, concurrent checks, incidents, maintenance windows,
roll-ups and purge, and the figures of the public status page.

* :func:`run_checks` (a periodic job, every minute) claims the monitors that are due, runs their probes
  in a bounded thread pool (the probes never touch the database), then writes the results in bulk and
  updates each monitor's latest state. A run stops starting probes after ``INFRA_CHECK_BUDGET_SECONDS``:
  what is left stays due for the next run, so one run never holds the worker for long.
* After ``failure_threshold`` failed checks in a row an :class:`Incident` opens (not during a
  maintenance window) and the system's accountable person is notified; after ``success_threshold`` good
  checks in a row it closes.
* :func:`rollup` packs the raw checks into their hourly :class:`Rollup` and recounts the days touched;
  :func:`purge` drops the packed checks after ``INFRA_CHECK_RETENTION_DAYS`` (default 7) and the hourly
  roll-ups after ``INFRA_HOURLY_RETENTION_DAYS`` (default 7, with their checks); daily roll-ups stay
  (the storage design is in the module docstring of ``models/monitoring.py``).
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
import time
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nokor.audit.services import audit_record
from nokor.core.bulk import update_in_bulk
from nokor.infrastructure.checks import ProbeResult, ProbeSpec, run_probe
from nokor.infrastructure.models import (
    CheckResult,
    DigitalSystem,
    Incident,
    IncidentUpdate,
    MaintenanceWindow,
    Monitor,
    Rollup,
)
from nokor.infrastructure.samples import Sample, pack, unpack

logger = logging.getLogger(__name__)

STATUS_CACHE_KEY = "infrastructure:status-page"


def status_html_key(language: str) -> str:
    """The cache key of the status page's rendered sections in one language (views_status)."""
    return f"{STATUS_CACHE_KEY}:html:{language}"


def forget_status() -> None:
    """Drop the status page's cached figures and rendered sections (after a change they show)."""
    cache.delete_many([STATUS_CACHE_KEY, *(status_html_key(code) for code, _name in settings.LANGUAGES)])


STATUS_DAYS = 90


def setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


class MonitorError(Exception):
    """A change refused: the message is for the person who tried (translated)."""


class ConcurrentChange(MonitorError):
    """Someone else changed the monitor since the page was loaded."""


# --------------------------------------------------------------------------------------------------
# Monitors and maintenance windows (staff changes)
# --------------------------------------------------------------------------------------------------
MONITOR_FIELDS = (
    "name",
    "system",
    "kind",
    "target",
    "expected_status",
    "keyword",
    "tls_warning_days",
    "interval_seconds",
    "timeout_seconds",
    "failure_threshold",
    "success_threshold",
    "is_public",
    "public_name_km",
    "public_name_en",
    "is_active",
)


def _audit(action: str, obj: Any, by: Any, **details: Any) -> None:
    audit_record(action=f"infrastructure.{action}", actor=by, obj=obj, details=details)


@transaction.atomic
def monitor_create(*, by: Any, **fields: Any) -> Monitor:
    """Add a monitor (checked from the next run of the scheduler)."""
    monitor = Monitor(**{k: v for k, v in fields.items() if k in MONITOR_FIELDS}, created_by=by)
    monitor.next_check_at = timezone.now()
    monitor.save()
    _audit("monitor_create", monitor, by, kind=monitor.kind, target=monitor.target)
    forget_status()
    return monitor


def monitor_create_for_system(*, by: Any, system: DigitalSystem) -> Monitor:
    """One click from the registry: an HTTP(S) monitor of the system's web address, public when the
    system is public-facing."""
    if not system.url:
        raise MonitorError(_("This system has no web address to check."))
    return monitor_create(
        by=by,
        system=system,
        name=system.name,
        kind=Monitor.Kind.HTTP,
        target=system.url,
        is_public=system.is_public_facing,
        public_name_km=system.name,
        public_name_en=system.name,
    )


@transaction.atomic
def monitor_update(*, by: Any, monitor: Monitor, expected_version: int | None, **fields: Any) -> Monitor:
    """Change a monitor's settings (optimistic lock: refused if someone changed it meanwhile)."""
    current = Monitor.objects.select_for_update(of=("self",)).get(pk=monitor.pk)
    if expected_version is not None and current.lock_version != expected_version:
        raise ConcurrentChange(
            _("Someone else changed this monitor while you were reading it. Check it and save again.")
        )
    changed = {}
    for name in MONITOR_FIELDS:
        if name in fields and getattr(current, name) != fields[name]:
            changed[name] = str(fields[name])
            setattr(current, name, fields[name])
    current.lock_version += 1
    current.save(update_fields=[*MONITOR_FIELDS, "lock_version", "updated_at"])
    _audit("monitor_update", current, by, changed=changed)
    forget_status()
    return current


@transaction.atomic
def maintenance_create(
    *,
    by: Any,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
    monitor: Monitor | None = None,
    system: DigitalSystem | None = None,
) -> MaintenanceWindow:
    """Plan maintenance of a monitor or of all the monitors of a system: no incident, no alert."""
    if monitor is None and system is None:
        raise MonitorError(_("Choose a monitor or a system."))
    if ends_at <= starts_at:
        raise MonitorError(_("The end must be after the start."))
    window = MaintenanceWindow.objects.create(
        monitor=monitor, system=system, starts_at=starts_at, ends_at=ends_at, reason=reason, created_by=by
    )
    _audit("maintenance_create", window, by, starts_at=starts_at, ends_at=ends_at, reason=reason)
    return window


def in_maintenance(monitors: Iterable[Monitor], now: dt.datetime) -> set[int]:
    """The ids of the monitors (among `monitors`) under a maintenance window at `now` (one query)."""
    monitors = list(monitors)
    if not monitors:
        return set()
    ids = {m.pk for m in monitors}
    systems = {m.system_id for m in monitors if m.system_id}
    windows = MaintenanceWindow.objects.filter(starts_at__lte=now, ends_at__gt=now).filter(
        Q(monitor_id__in=ids) | Q(system_id__in=systems)
    )
    covered_monitors, covered_systems = set(), set()
    for monitor_id, system_id in windows.values_list("monitor_id", "system_id"):
        covered_monitors.add(monitor_id)
        covered_systems.add(system_id)
    return {m.pk for m in monitors if m.pk in covered_monitors or (m.system_id in covered_systems)}


# --------------------------------------------------------------------------------------------------
# Running the checks
# --------------------------------------------------------------------------------------------------
@dataclass
class RunReport:
    """What one run did: monitors checked, left for the next run, and how late after its due time the
    latest check started."""

    checked: int = 0
    deferred: int = 0
    seconds: float = 0.0
    max_lag_seconds: float = 0.0
    opened: int = 0
    closed: int = 0


def spec_of(monitor: Monitor) -> ProbeSpec:
    return ProbeSpec(
        kind=monitor.kind,
        target=monitor.target,
        timeout=float(monitor.timeout_seconds),
        expected_status=monitor.expected_status,
        keyword=monitor.keyword,
        ca_file=setting("INFRA_MONITOR_CA_FILE", None),
    )


def _claim_due(now: dt.datetime, limit: int) -> list[Monitor]:
    """Take the due monitors (the most overdue first) and push their next check out by a lease, so a
    second run starting meanwhile does not check them too. Each monitor returned keeps, in memory, the
    time it was due (``next_check_at``): its next check is planned from that time, not from when this
    run reached it, so a monitor checked every minute by a job run every minute is due at every run."""
    with transaction.atomic():
        due = Monitor.objects.filter(is_active=True).filter(
            Q(next_check_at__lte=now) | Q(next_check_at__isnull=True)
        )
        scheduled = dict(
            due.order_by("next_check_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", "next_check_at")[:limit]
        )
        Monitor.objects.filter(pk__in=scheduled).update(next_check_at=now + dt.timedelta(minutes=5))
    monitors = list(Monitor.objects.filter(pk__in=scheduled).select_related("system"))
    for monitor in monitors:
        monitor.next_check_at = scheduled[monitor.pk] or now
    return monitors


def run_checks(*, now: dt.datetime | None = None, budget_seconds: float | None = None) -> RunReport:
    """Check every due monitor concurrently and record the results (the periodic job's body)."""
    started = time.monotonic()
    now = now or timezone.now()
    budget = budget_seconds if budget_seconds is not None else setting("INFRA_CHECK_BUDGET_SECONDS", 40)
    monitors = _claim_due(now, setting("INFRA_CHECK_BATCH", 5000))
    report = RunReport()
    if not monitors:
        return report
    deadline = started + budget

    def probe(spec: ProbeSpec) -> tuple[ProbeResult | None, dt.datetime]:
        if time.monotonic() > deadline:
            return None, timezone.now()  # out of time for this run: checked next run
        at = timezone.now()
        return run_probe(spec), at

    threads = max(1, min(setting("INFRA_CHECK_THREADS", 16), len(monitors)))
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="monitor") as pool:
        outcomes = list(pool.map(probe, [spec_of(m) for m in monitors]))
    done = [(m, result, at) for m, (result, at) in zip(monitors, outcomes, strict=True) if result is not None]
    skipped = [m.pk for m, (result, _at) in zip(monitors, outcomes, strict=True) if result is None]
    # How late each check started, from the time it was due (queueing in this run included).
    report.max_lag_seconds = round(
        max(((at - m.next_check_at).total_seconds() for m, _result, at in done), default=0.0), 3
    )
    if skipped:
        Monitor.objects.filter(pk__in=skipped).update(next_check_at=now)
    opened, closed = record_results(done)
    report.checked, report.deferred = len(done), len(skipped)
    report.opened, report.closed = opened, closed
    report.seconds = round(time.monotonic() - started, 3)
    logger.info("monitors: %s checked, %s deferred in %.1fs", report.checked, report.deferred, report.seconds)
    return report


STATE_FIELDS = [
    "last_state",
    "last_checked_at",
    "last_response_ms",
    "last_error",
    "state_since",
    "consecutive_failures",
    "consecutive_successes",
    "next_check_at",
    "cert_expires_at",
]


def record_results(done: list[tuple[Monitor, ProbeResult, dt.datetime]]) -> tuple[int, int]:
    """Write the checks in bulk, update each monitor's latest state, open and close incidents.
    Returns (incidents opened, incidents closed)."""
    if not done:
        return 0, 0
    rows = []
    for monitor, result, at in done:
        rows.append(
            CheckResult(
                monitor=monitor,
                checked_at=at,
                up=result.up,
                response_ms=result.response_ms,
                status_code=result.status_code,
                error=result.error[:300],
            )
        )
        state = Monitor.State.UP if result.up else Monitor.State.DOWN
        if state != monitor.last_state:
            monitor.state_since = at
        monitor.last_state = state
        monitor.last_checked_at = at
        monitor.last_response_ms = result.response_ms
        monitor.last_error = result.error[:300]
        if result.up:
            monitor.consecutive_successes += 1
            monitor.consecutive_failures = 0
        else:
            monitor.consecutive_failures += 1
            monitor.consecutive_successes = 0
        # Planned from the time it was due (see _claim_due); from now when it is a whole interval late.
        interval = dt.timedelta(seconds=max(monitor.interval_seconds, 30))
        due = monitor.next_check_at or at
        monitor.next_check_at = due + interval if due + interval > at else at + interval
        if result.cert_expires_at is not None:
            monitor.cert_expires_at = result.cert_expires_at
    with transaction.atomic():
        CheckResult.objects.bulk_create(rows, batch_size=1000)
        update_in_bulk([m for m, _r, _a in done], STATE_FIELDS)
    opened, closed = _incidents([m for m, _r, _a in done])
    _tls_risks([m for m, _r, _a in done])
    return opened, closed


def _incidents(monitors: list[Monitor]) -> tuple[int, int]:
    candidates = [
        m
        for m in monitors
        if m.consecutive_failures >= m.failure_threshold or m.consecutive_successes >= m.success_threshold
    ]
    if not candidates:
        return 0, 0
    open_incidents = {
        i.monitor_id: i
        for i in Incident.objects.filter(monitor__in=candidates, resolved_at__isnull=True).select_related(
            "monitor"
        )
    }
    now = timezone.now()
    maintained = in_maintenance(candidates, now)
    opened = closed = 0
    for monitor in candidates:
        incident = open_incidents.get(monitor.pk)
        if incident is None and monitor.consecutive_failures >= monitor.failure_threshold:
            if monitor.pk in maintained:
                continue  # planned work: no incident, no alert
            if incident_open(monitor=monitor) is not None:
                opened += 1
        elif incident is not None and monitor.consecutive_successes >= monitor.success_threshold:
            incident_close(incident=incident, notify_owner=monitor.pk not in maintained)
            closed += 1
    return opened, closed


def _owner(monitor: Monitor) -> Any:
    return monitor.system.accountable_person if monitor.system_id else None


def _notify(incident: Incident, event: str) -> None:
    from nokor.notifications.services import notify

    owner = _owner(incident.monitor)
    if owner is None:
        return
    notify(
        user=owner,
        event=event,
        context={
            "monitor": incident.monitor.name,
            "target": incident.monitor.target,
            "started_at": timezone.localtime(incident.started_at).strftime("%Y-%m-%d %H:%M"),
            "resolved_at": (
                timezone.localtime(incident.resolved_at).strftime("%Y-%m-%d %H:%M")
                if incident.resolved_at
                else ""
            ),
            "error": incident.first_error,
        },
        key=f"{event}:{incident.pk}",
    )


def incident_open(*, monitor: Monitor) -> Incident | None:
    """Open an incident for a monitor that failed too many times in a row, and tell the system's
    accountable person (None when one is open already)."""
    from nokor.infrastructure import risks

    try:
        with transaction.atomic():
            incident = Incident.objects.create(
                monitor=monitor,
                started_at=monitor.state_since or timezone.now(),
                first_error=monitor.last_error,
                is_public=monitor.is_public,
            )
            audit_record(
                action="infrastructure.incident_open",
                obj=incident,
                details={"monitor": monitor.pk, "error": monitor.last_error},
            )
            _notify(incident, "infrastructure.incident_opened")
            risks.raise_for_outages(monitor=monitor, incident=incident)
    except IntegrityError:
        return None  # another run opened it first
    forget_status()
    return incident


def incident_close(*, incident: Incident, notify_owner: bool = True) -> Incident:
    """Close an incident after enough good checks in a row."""
    with transaction.atomic():
        incident.resolved_at = timezone.now()
        incident.save(update_fields=["resolved_at"])
        audit_record(action="infrastructure.incident_close", obj=incident, details={})
        if notify_owner:
            _notify(incident, "infrastructure.incident_resolved")
    forget_status()
    return incident


@transaction.atomic
def incident_update_post(*, by: Any, incident: Incident, text_km: str, text_en: str = "") -> IncidentUpdate:
    """Staff tell the public what is happening (shown on the status page)."""
    update = IncidentUpdate.objects.create(incident=incident, text_km=text_km, text_en=text_en, posted_by=by)
    _audit("incident_update", incident, by, update=update.pk)
    transaction.on_commit(forget_status)
    return update


def _tls_risks(monitors: list[Monitor]) -> None:
    from nokor.infrastructure import risks

    now = timezone.now()
    expiring = [
        m
        for m in monitors
        if m.cert_expires_at is not None and m.cert_expires_at <= now + dt.timedelta(days=m.tls_warning_days)
    ]
    if expiring:
        risks.raise_for_tls_expiry(monitors=expiring)


# --------------------------------------------------------------------------------------------------
# Roll-ups, purge, storage (the design is in the models' module docstring)
# --------------------------------------------------------------------------------------------------
ROLLUP_BATCH = 100_000  # raw checks packed per pass (a worker stopped for hours catches up in passes)


def _hour(moment: dt.datetime) -> dt.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _local_day_start(moment: dt.datetime) -> dt.datetime:
    local = timezone.localtime(moment)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _percentile(sorted_values: list[int], fraction: float) -> int | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def _summary(checks: list[Sample]) -> dict[str, Any]:
    times = sorted(s.response_ms for s in checks if s.up and s.response_ms is not None)
    return {
        "checks": len(checks),
        "up": sum(1 for s in checks if s.up),
        "median_ms": round(statistics.median(times)) if times else None,
        "p95_ms": _percentile(times, 0.95),
    }


def rollup(*, now: dt.datetime | None = None) -> int:
    """Pack the raw checks up to ``now`` into their hourly roll-ups (merged with the checks the hour
    holds already), recompute the daily roll-ups of the days touched from their hours' checks, delete
    the raw checks packed, and copy the uptime onto the monitors. Returns the roll-ups written.
    Idempotent: a raw check is packed once, then gone."""
    now = now or timezone.now()
    written = 0
    while True:
        raw = list(
            CheckResult.objects.filter(checked_at__lte=now)
            .order_by("checked_at", "pk")
            .values_list("pk", "monitor_id", "checked_at", "up", "response_ms", "status_code", "error")[
                :ROLLUP_BATCH
            ]
        )
        if not raw:
            break
        written += _pack(raw, now)
        if len(raw) < ROLLUP_BATCH:
            break
    if written:
        with transaction.atomic():
            _copy_uptime(now)
        forget_status()
    return written


def _pack(raw: list[tuple], now: dt.datetime) -> int:
    """One pass of :func:`rollup` over a batch of raw checks."""
    too_old = now - dt.timedelta(days=setting("INFRA_CHECK_RETENTION_DAYS", 7))
    new: dict[tuple[int, dt.datetime], list[Sample]] = defaultdict(list)
    for _pk, monitor_id, at, up, ms, status, error in raw:
        if at >= too_old:  # a straggler older than the retention: its hour's checks are gone
            new[(monitor_id, _hour(at))].append(Sample(at, up, ms, status, error))
    monitor_ids = {m for m, _h in new}
    days = {(m, _local_day_start(hour)) for m, hour in new}
    first_day = min((day for _m, day in days), default=now)
    last_day = max((day for _m, day in days), default=now)
    # Every hour of the days touched, with its packed checks: the hours to merge and the days to recount.
    hours: dict[tuple[int, dt.datetime], list[Sample]] = {
        (m, start): unpack(start, packed)
        for m, start, packed in Rollup.objects.filter(
            period=Rollup.Period.HOUR,
            monitor_id__in=monitor_ids,
            start__gte=first_day,
            start__lt=last_day + dt.timedelta(days=1, hours=1),
        ).values_list("monitor_id", "start", "samples")
    }
    for key, samples in new.items():
        hours[key] = [*hours.get(key, []), *samples]
    by_day: dict[tuple[int, dt.datetime], list[Sample]] = defaultdict(list)
    for (m, start), samples in hours.items():
        if (m, day := _local_day_start(start)) in days:
            by_day[(m, day)].extend(samples)
    rows = [
        Rollup(
            monitor_id=m,
            period=Rollup.Period.HOUR,
            start=start,
            samples=pack(start, hours[(m, start)]),
            **_summary(hours[(m, start)]),
        )
        for m, start in new
    ] + [
        Rollup(monitor_id=m, period=Rollup.Period.DAY, start=day, **_summary(by_day[(m, day)]))
        for m, day in days
    ]
    with transaction.atomic():
        Rollup.objects.bulk_create(
            rows,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["monitor", "period", "start"],
            update_fields=["checks", "up", "median_ms", "p95_ms", "samples"],
        )
        ids = [row[0] for row in raw]
        for offset in range(0, len(ids), 5000):
            CheckResult.objects.filter(pk__in=ids[offset : offset + 5000]).delete()
    return len(rows)


def _copy_uptime(now: dt.datetime) -> None:
    """Uptime of the last 24 hours and 30 days onto each monitor (the dashboard reads one table)."""
    windows = {
        "uptime_24h": (Rollup.Period.HOUR, now - dt.timedelta(hours=24)),
        "uptime_30d": (Rollup.Period.DAY, _local_day_start(now - dt.timedelta(days=29))),
    }
    values: dict[int, dict[str, Decimal | None]] = defaultdict(dict)
    ids = list(Monitor.objects.values_list("pk", flat=True))  # so the roll-ups' own index is used
    for field, (period, start) in windows.items():
        sums = (
            Rollup.objects.filter(monitor_id__in=ids, period=period, start__gte=start)
            .values("monitor_id")
            .annotate(checks=Sum("checks"), up=Sum("up"))
        )
        for row in sums:
            values[row["monitor_id"]][field] = (
                Decimal(100 * row["up"] / row["checks"]).quantize(Decimal("0.001")) if row["checks"] else None
            )
    monitors = list(Monitor.objects.filter(pk__in=values.keys()).only("pk", "uptime_24h", "uptime_30d"))
    for monitor in monitors:
        monitor.uptime_24h = values[monitor.pk].get("uptime_24h")
        monitor.uptime_30d = values[monitor.pk].get("uptime_30d")
    update_in_bulk(monitors, ["uptime_24h", "uptime_30d"])


def purge(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Drop the packed checks of the hours older than ``INFRA_CHECK_RETENTION_DAYS`` (their figures
    stay) and delete the hourly roll-ups older than ``INFRA_HOURLY_RETENTION_DAYS``; daily roll-ups are
    kept. Returns how many hours lost their checks and how many were deleted."""
    now = now or timezone.now()
    raw_cutoff = _hour(now - dt.timedelta(days=setting("INFRA_CHECK_RETENTION_DAYS", 7)))
    hour_cutoff = _hour(now - dt.timedelta(days=setting("INFRA_HOURLY_RETENTION_DAYS", 7)))
    ids = list(Monitor.objects.values_list("pk", flat=True))  # so the roll-ups' own index is used
    hours = Rollup.objects.filter(monitor_id__in=ids, period=Rollup.Period.HOUR)
    with transaction.atomic():
        deleted, _ = hours.filter(start__lt=hour_cutoff).delete()
        emptied = hours.filter(start__lt=raw_cutoff, samples__isnull=False).update(samples=None)
    return {"emptied": emptied, "deleted": deleted}


def raw_checks(*, monitor: Monitor, start: dt.datetime, end: dt.datetime) -> list[Sample]:
    """The checks of ``monitor`` in [start, end), packed or not yet, in order of time (within the
    retention; older hours have only their figures)."""
    packed = Rollup.objects.filter(
        monitor=monitor, period=Rollup.Period.HOUR, start__gte=_hour(start), start__lt=end
    ).values_list("start", "samples")
    checks = [s for hour, data in packed for s in unpack(hour, data)]
    checks += [
        Sample(*row)
        for row in CheckResult.objects.filter(
            monitor=monitor, checked_at__gte=start, checked_at__lt=end
        ).values_list("checked_at", "up", "response_ms", "status_code", "error")
    ]
    return sorted((s for s in checks if start <= s.checked_at < end), key=lambda s: s.checked_at)


def recent_checks(monitor: Monitor, limit: int = 20) -> list[Sample]:
    """The monitor's last ``limit`` checks, newest first (its page): the raw ones, then its latest hours."""
    fresh = [
        Sample(*row)
        for row in monitor.results.order_by("-checked_at").values_list(
            "checked_at", "up", "response_ms", "status_code", "error"
        )[:limit]
    ]
    if len(fresh) < limit:
        hours = monitor.rollups.filter(period=Rollup.Period.HOUR, samples__isnull=False).order_by("-start")
        for hour, data in hours.values_list("start", "samples")[:3]:
            fresh.extend(unpack(hour, data))
            if len(fresh) >= limit:
                break
    return sorted(fresh, key=lambda s: s.checked_at, reverse=True)[:limit]


def uptime_from_raw(*, monitor: Monitor, start: dt.datetime, end: dt.datetime) -> float | None:
    """Percent of good checks in [start, end) counted check by check (see :func:`raw_checks`)."""
    checks = raw_checks(monitor=monitor, start=start, end=end)
    return round(100 * sum(1 for s in checks if s.up) / len(checks), 3) if checks else None


def uptime_from_rollups(
    *, monitor: Monitor, start: dt.datetime, end: dt.datetime, period: str = Rollup.Period.HOUR
) -> float | None:
    """The same percent from the roll-ups (start and end on the period's boundaries)."""
    sums = Rollup.objects.filter(monitor=monitor, period=period, start__gte=start, start__lt=end).aggregate(
        checks=Sum("checks"), up=Sum("up")
    )
    return round(100 * sums["up"] / sums["checks"], 3) if sums["checks"] else None


# A roll-up row with its index entry on PostgreSQL 15 (tuple header, columns, line pointer, B-tree entry),
# and a packed check (measured on random response times); used where nothing was measured.
ESTIMATED_BYTES = {"rollup_row": 120, "packed_check": 2.5}


def storage_per_monitor_year(*, checks_per_minute: float = 1.0) -> dict[str, int]:
    """Bytes one monitor takes after a year at the given rate: its packed checks (only the retention
    days are ever kept), its hourly roll-ups (the hourly retention) and its 365 daily ones. The bytes
    of a packed check are measured on the latest hours when there are some."""
    per_check = ESTIMATED_BYTES["packed_check"]
    latest = Rollup.objects.filter(period=Rollup.Period.HOUR, samples__isnull=False, checks__gt=0)
    measured = latest.order_by("-start").values_list("checks", "samples")[:1000]
    checks = sum(count for count, _data in measured)
    if checks:
        per_check = sum(len(data) for _count, data in measured) / checks
    retention = setting("INFRA_CHECK_RETENTION_DAYS", 7)
    hourly_days = max(retention, setting("INFRA_HOURLY_RETENTION_DAYS", 7))
    row = ESTIMATED_BYTES["rollup_row"]
    raw = round(checks_per_minute * 60 * 24 * retention * per_check)
    hourly = 24 * hourly_days * row
    daily = 365 * row
    return {
        "raw_bytes": raw,
        "hourly_bytes": hourly,
        "daily_bytes_per_year": daily,
        "total": raw + hourly + daily,
    }


# --------------------------------------------------------------------------------------------------
# The public status page (and its JSON feed): the same figures, cached briefly
# --------------------------------------------------------------------------------------------------
def status_figures(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """Public monitors with their state and 90 daily uptime figures, and the public incidents of the
    last 90 days with their updates. Language-neutral (both names kept), so one cache entry serves
    both languages; a few queries, whatever the number of monitors."""
    cached = cache.get(STATUS_CACHE_KEY) if now is None else None
    if cached is not None:
        return cached
    now = now or timezone.now()
    today = _local_day_start(now)
    first_day = today - dt.timedelta(days=STATUS_DAYS - 1)
    monitors = list(
        Monitor.objects.filter(is_public=True, is_active=True)
        .order_by("public_name_en", "pk")
        .values(
            "pk", "name", "public_name_km", "public_name_en", "last_state", "last_checked_at", "state_since"
        )
    )
    ids = [m["pk"] for m in monitors]
    daily: dict[int, dict[dt.date, tuple[int, int]]] = defaultdict(dict)
    for monitor_id, start, checks, up in Rollup.objects.filter(
        monitor_id__in=ids, period=Rollup.Period.DAY, start__gte=first_day
    ).values_list("monitor_id", "start", "checks", "up"):
        daily[monitor_id][timezone.localtime(start).date()] = (checks, up)
    incidents = list(
        Incident.objects.filter(is_public=True, monitor_id__in=ids, started_at__gte=first_day)
        .order_by("-started_at")
        .values_list("pk", "monitor_id", "started_at", "resolved_at")
    )
    updates = defaultdict(list)
    for incident_id, posted_at, text_km, text_en in IncidentUpdate.objects.filter(
        incident_id__in=[i[0] for i in incidents]
    ).values_list("incident_id", "posted_at", "text_km", "text_en"):
        updates[incident_id].append({"posted_at": posted_at, "text_km": text_km, "text_en": text_en})
    open_by_monitor = {i[1] for i in incidents if i[3] is None}
    days = [(first_day + dt.timedelta(days=n)).date() for n in range(STATUS_DAYS)]
    names = {m["pk"]: m for m in monitors}
    figures = {
        "generated_at": now,
        "days": days,
        "monitors": [
            {
                "id": m["pk"],
                "name_km": m["public_name_km"] or m["public_name_en"] or m["name"],
                "name_en": m["public_name_en"] or m["public_name_km"] or m["name"],
                "state": _public_state(m["last_state"], m["pk"] in open_by_monitor),
                "last_checked_at": m["last_checked_at"],
                "since": m["state_since"],
                "uptime_90d": _percent(
                    sum(c for c, _ in daily[m["pk"]].values()), sum(u for _, u in daily[m["pk"]].values())
                ),
                "days": [{"date": day, "uptime": _percent(*daily[m["pk"]].get(day, (0, 0)))} for day in days],
            }
            for m in monitors
        ],
        "incidents": [
            {
                "id": pk,
                "monitor_id": monitor_id,
                "name_km": names[monitor_id]["public_name_km"] or names[monitor_id]["name"],
                "name_en": names[monitor_id]["public_name_en"] or names[monitor_id]["name"],
                "started_at": started_at,
                "resolved_at": resolved_at,
                "updates": updates[pk],
            }
            for pk, monitor_id, started_at, resolved_at in incidents
        ],
    }
    cache.set(STATUS_CACHE_KEY, figures, setting("INFRA_STATUS_CACHE_SECONDS", 30))
    return figures


def _public_state(last_state: str, has_open_incident: bool) -> str:
    """Down only while an incident is open (one failed check is not an outage), unknown before the
    first check, else up."""
    if has_open_incident:
        return Monitor.State.DOWN
    if last_state == Monitor.State.UNKNOWN:
        return Monitor.State.UNKNOWN
    return Monitor.State.UP


def _percent(checks: int, up: int) -> float | None:
    return round(100 * up / checks, 2) if checks else None
