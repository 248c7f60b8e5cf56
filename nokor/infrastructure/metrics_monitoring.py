"""The uptime indicator of the infrastructure app (imported by metrics.py, which registers the others).

Uptime of public-facing services: the share of checks of the public monitors that found the service
working, over the days of the period (Phnom Penh time, both included), from the daily roll-ups. The
services are national: the figure exists for the whole country only (None for a province)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nokor.core.indicators import IndicatorSource, register
from nokor.infrastructure.models import Rollup


def public_uptime(start: dt.date, end: dt.date, unit_code: str) -> float | None:
    """Percent of good checks of the public monitors in the period; None without checks."""
    if unit_code:
        return None
    first = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    after = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    sums = Rollup.objects.filter(
        period=Rollup.Period.DAY, monitor__is_public=True, start__gte=first, start__lt=after
    ).aggregate(checks=Sum("checks"), up=Sum("up"))
    if not sums["checks"]:
        return None
    return round(100 * sums["up"] / sums["checks"], 3)


register(
    IndicatorSource(
        "infrastructure.public_uptime",
        "infrastructure",
        _("Uptime of public-facing online services"),
        "percent",
        public_uptime,
    )
)
