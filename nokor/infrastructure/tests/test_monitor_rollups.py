"""Roll-ups: uptime from raw checks equals uptime from the hourly and daily aggregates; purge keeps
the aggregates; storage per monitor stays bounded."""

from __future__ import annotations

import datetime as dt
import random
import statistics

import pytest
from django.utils import timezone

from nokor.infrastructure import monitoring
from nokor.infrastructure.models import CheckResult, Monitor, Rollup
from nokor.infrastructure.samples import MAX_MS, Sample, pack, unpack

pytestmark = pytest.mark.django_db


def _checks(monitor, start, minutes, *, seed):
    rng = random.Random(seed)
    rows = [
        CheckResult(
            monitor=monitor,
            checked_at=start + dt.timedelta(minutes=n),
            up=rng.random() > 0.07,
            response_ms=rng.randint(20, 900),
        )
        for n in range(minutes)
    ]
    CheckResult.objects.bulk_create(rows)


@pytest.fixture
def monitors():
    return [Monitor.objects.create(name=f"m{n}", target="https://example.invalid/") for n in range(2)]


def test_uptime_from_raw_equals_uptime_from_rollups(monitors):
    # Three days of checks, every minute, from midnight Phnom Penh time.
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) - dt.timedelta(days=3)
    for n, monitor in enumerate(monitors):
        _checks(monitor, start, 3 * 24 * 60, seed=n)
    now = start + dt.timedelta(days=3)
    monitoring.rollup(now=start + dt.timedelta(hours=30))  # a first run in the middle…
    monitoring.rollup(now=now)  # …and the next one recomputes what was partial
    for monitor in monitors:
        for first, last in [(start, now), (start + dt.timedelta(hours=5), start + dt.timedelta(hours=41))]:
            assert monitoring.uptime_from_rollups(monitor=monitor, start=first, end=last) == (
                monitoring.uptime_from_raw(monitor=monitor, start=first, end=last)
            )
        assert monitoring.uptime_from_rollups(
            monitor=monitor, start=start, end=now, period=Rollup.Period.DAY
        ) == monitoring.uptime_from_raw(monitor=monitor, start=start, end=now)
    assert Rollup.objects.filter(period=Rollup.Period.HOUR).count() == 2 * 72
    assert Rollup.objects.filter(period=Rollup.Period.DAY).count() == 2 * 3
    hour = Rollup.objects.filter(period=Rollup.Period.HOUR).first()
    checks = monitoring.raw_checks(
        monitor=hour.monitor, start=hour.start, end=hour.start + dt.timedelta(hours=1)
    )
    times = sorted(s.response_ms for s in checks if s.up)
    assert hour.checks == 60
    assert hour.median_ms == round(statistics.median(times))
    assert hour.p95_ms >= hour.median_ms


def test_rollup_twice_changes_nothing(monitors):
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=3)
    _checks(monitors[0], start, 180, seed=3)
    now = start + dt.timedelta(hours=3)
    monitoring.rollup(now=now)
    first = sorted(Rollup.objects.values_list("period", "start", "checks", "up", "median_ms"))
    monitoring.rollup(now=now)
    assert sorted(Rollup.objects.values_list("period", "start", "checks", "up", "median_ms")) == first


def test_rollup_packs_the_raw_checks_and_merges_late_ones(monitors):
    hour = timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)
    _checks(monitors[0], hour, 30, seed=4)
    monitoring.rollup(now=hour + dt.timedelta(minutes=40))
    assert not CheckResult.objects.exists()  # packed into the hour, then deleted
    CheckResult.objects.create(
        monitor=monitors[0],
        checked_at=hour + dt.timedelta(minutes=45, seconds=7),
        up=False,
        status_code=503,
        error="HTTP 503",
    )
    monitoring.rollup()
    row = Rollup.objects.get(period=Rollup.Period.HOUR, start=hour)
    assert row.checks == 31
    assert len(bytes(row.samples)) < 31 * 4  # a few bytes a check
    checks = monitoring.raw_checks(monitor=monitors[0], start=hour, end=hour + dt.timedelta(hours=1))
    assert len(checks) == 31
    last = checks[-1]
    assert (last.checked_at, last.up, last.status_code, last.error) == (
        hour + dt.timedelta(minutes=45, seconds=7),
        False,
        503,
        "HTTP 503",
    )
    assert monitoring.recent_checks(monitors[0], limit=5)[0] == last  # the monitor's page reads them


def test_samples_keep_every_field_of_a_check():
    hour = dt.datetime(2026, 11, 25, 3, tzinfo=dt.UTC)
    checks = [
        Sample(hour + dt.timedelta(seconds=3599), True, 70_000, 200, ""),
        Sample(hour, False, None, None, "ConnectionRefusedError: ប្រព័ន្ធ"),
        Sample(hour + dt.timedelta(seconds=61), True, 0, 301, ""),
    ]
    assert unpack(hour, pack(hour, checks)) == [
        checks[1],
        checks[2],
        Sample(hour + dt.timedelta(seconds=3599), True, MAX_MS, 200, ""),
    ]
    assert unpack(hour, None) == []


def test_purge_drops_old_checks_then_old_hours_and_keeps_the_days(monitors, settings):
    settings.INFRA_CHECK_RETENTION_DAYS = 7
    settings.INFRA_HOURLY_RETENTION_DAYS = 14
    now = timezone.now()
    last_hour = now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)
    for days in (20, 10, 0):
        _checks(monitors[0], last_hour - dt.timedelta(days=days), 60, seed=1)
        monitoring.rollup(now=last_hour - dt.timedelta(days=days) + dt.timedelta(hours=1))
    assert Rollup.objects.filter(period=Rollup.Period.HOUR).count() == 3
    assert monitoring.purge(now=now) == {"emptied": 1, "deleted": 1}
    hours = Rollup.objects.filter(period=Rollup.Period.HOUR).order_by("start")
    assert [(row.checks, row.samples is None) for row in hours] == [(60, True), (60, False)]
    assert Rollup.objects.filter(period=Rollup.Period.DAY).count() >= 3  # days are kept for ever
    # A check recorded after its hour's checks were dropped is dropped too, not packed.
    _checks(monitors[0], last_hour - dt.timedelta(days=8), 1, seed=2)
    monitoring.rollup(now=now)
    assert not CheckResult.objects.exists()
    assert Rollup.objects.filter(period=Rollup.Period.HOUR).count() == 2


def test_storage_per_monitor_and_year_is_bounded_by_the_retention(settings):
    settings.INFRA_CHECK_RETENTION_DAYS = 7
    week = monitoring.storage_per_monitor_year(checks_per_minute=1)
    settings.INFRA_CHECK_RETENTION_DAYS = 1
    day = monitoring.storage_per_monitor_year(checks_per_minute=1)
    # Raw checks take only the retention window, whatever the years; daily roll-ups 365 rows a year.
    assert week["raw_bytes"] == 7 * day["raw_bytes"]
    ninety_days = week["raw_bytes"] + week["hourly_bytes"] + week["daily_bytes_per_year"] * 90 / 365
    assert ninety_days * 2000 < 200 * 1024 * 1024  # the budget: 2,000 monitors, 90 days


def test_uptime_indicator_of_public_services(monitors):
    from nokor.infrastructure.metrics_monitoring import public_uptime

    Monitor.objects.filter(pk=monitors[0].pk).update(is_public=True)
    day = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    Rollup.objects.create(monitor=monitors[0], period="day", start=day, checks=1000, up=990)
    Rollup.objects.create(monitor=monitors[1], period="day", start=day, checks=1000, up=0)  # not public
    today = timezone.localdate()
    assert public_uptime(today, today, "") == 99.0
    assert public_uptime(today, today, "08") is None
    assert public_uptime(today - dt.timedelta(days=9), today - dt.timedelta(days=1), "") is None
