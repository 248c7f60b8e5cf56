"""Roll-ups: uptime from raw checks equals uptime from the hourly and daily aggregates; purge keeps
the aggregates; storage per monitor stays bounded."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from nokor.infrastructure import monitoring
from nokor.infrastructure.models import CheckResult, Monitor, Rollup

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
    times = sorted(
        CheckResult.objects.filter(
            monitor_id=hour.monitor_id,
            checked_at__gte=hour.start,
            checked_at__lt=hour.start + dt.timedelta(hours=1),
            up=True,
        ).values_list("response_ms", flat=True)
    )
    assert hour.checks == 60
    assert hour.median_ms is not None and times[0] <= hour.median_ms <= times[-1]
    assert hour.p95_ms >= hour.median_ms


def test_rollup_twice_changes_nothing(monitors):
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=3)
    _checks(monitors[0], start, 180, seed=3)
    now = start + dt.timedelta(hours=3)
    monitoring.rollup(now=now)
    first = sorted(Rollup.objects.values_list("period", "start", "checks", "up", "median_ms"))
    monitoring.rollup(now=now)
    assert sorted(Rollup.objects.values_list("period", "start", "checks", "up", "median_ms")) == first


def test_purge_deletes_old_raw_checks_and_keeps_their_rollups(monitors, settings):
    settings.INFRA_CHECK_RETENTION_DAYS = 7
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(days=10)
    _checks(monitors[0], start, 60, seed=1)  # ten days old
    _checks(monitors[0], timezone.now() - dt.timedelta(hours=2), 60, seed=2)  # recent
    monitoring.rollup()
    before = monitoring.uptime_from_rollups(
        monitor=monitors[0], start=start, end=start + dt.timedelta(hours=1)
    )
    assert monitoring.purge() == 60
    assert CheckResult.objects.count() == 60
    assert (
        monitoring.uptime_from_rollups(monitor=monitors[0], start=start, end=start + dt.timedelta(hours=1))
        == before
    )


def test_storage_per_monitor_and_year_is_bounded_by_the_retention(settings):
    settings.INFRA_CHECK_RETENTION_DAYS = 7
    week = monitoring.storage_per_monitor_year(checks_per_minute=1)
    settings.INFRA_CHECK_RETENTION_DAYS = 1
    day = monitoring.storage_per_monitor_year(checks_per_minute=1)
    # Raw checks take only the retention window, whatever the years; roll-ups grow by ~9,125 rows a year.
    assert week["raw_bytes"] == 7 * day["raw_bytes"]
    assert week["rollup_bytes_per_year"] == day["rollup_bytes_per_year"] < 2 * 1024 * 1024


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
