"""Background work of the strategy app: the aggregate table refreshed on change and every night, and the
reminders to focal points."""

from __future__ import annotations

import datetime as dt
from typing import Any

from nokor.core.tasks import background, periodic
from nokor.strategy import aggregation, reporting
from nokor.strategy.models import Indicator


@background(queue="default", max_attempts=3)
def refresh_indicators(indicator_ids: list[int] | None = None) -> dict[str, Any]:
    """Recompute the aggregates of some indicators (after an approval or a change), or of all."""
    indicators = None if indicator_ids is None else Indicator.objects.filter(pk__in=indicator_ids)
    return aggregation.refresh(indicators)


@periodic(every=dt.timedelta(days=1), name="strategy.refresh_nightly")
@background(max_attempts=3)
def refresh_nightly() -> dict[str, Any]:
    """Recompute every indicator's aggregates (the automatic ones move with the operational data)."""
    return aggregation.refresh()


@periodic(every=dt.timedelta(hours=6), name="strategy.reminders")
@background()
def reminders() -> int:
    """Remind focal points of reports due within a week or overdue (idempotent: once per kind)."""
    return reporting.reminders_send()
