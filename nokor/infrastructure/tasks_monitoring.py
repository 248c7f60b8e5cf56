"""Background jobs of the uptime monitors (imported by the app's tasks module, so the worker's
scheduler registers them)."""

from __future__ import annotations

import datetime as dt

from nokor.core.tasks import background, periodic


@periodic(every=dt.timedelta(minutes=1), name="infrastructure.run_checks")
@background(queue="default", max_attempts=1)
def run_checks() -> dict:
    """Check the due monitors (concurrently, bounded in time; what is left runs next minute)."""
    from nokor.infrastructure import monitoring

    report = monitoring.run_checks()
    return {"checked": report.checked, "deferred": report.deferred, "lag": report.max_lag_seconds}


@periodic(every=dt.timedelta(minutes=10), name="infrastructure.rollup_checks")
@background()
def rollup_checks() -> int:
    """Roll raw checks up into hourly and daily figures, then purge the raw checks past retention."""
    from nokor.infrastructure import monitoring

    rows = monitoring.rollup()
    monitoring.purge()
    return rows
