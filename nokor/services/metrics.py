"""Indicators the services app offers the strategy app (through nokor.core.indicators)."""

from __future__ import annotations

import datetime as dt
import statistics

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from nokor.core.indicators import IndicatorSource, register
from nokor.services.models import Application, Service, Status


def _decided(start: dt.date, end: dt.date, unit_code: str):
    qs = Application.objects.filter(
        status__in=(Status.APPROVED, Status.REFUSED), decided_at__date__gte=start, decided_at__date__lte=end
    )
    return qs.filter(unit__code__startswith=unit_code) if unit_code else qs


def share_within_charter(start: dt.date, end: dt.date, unit_code: str) -> float | None:
    """Percent of applications decided in the period whose decision came within the promised time."""
    counts = _decided(start, end, unit_code).aggregate(
        total=Count("pk"), on_time=Count("pk", filter=Q(decided_at__date__lte=F("deadline")))
    )
    if not counts["total"]:
        return None
    return round(100 * counts["on_time"] / counts["total"], 1)


def services_online(start: dt.date, end: dt.date, unit_code: str) -> int:
    """Number of services open for online applications (national: the unit does not change it)."""
    return Service.objects.filter(is_active=True, current_version__isnull=False).count()


def median_processing_days(start: dt.date, end: dt.date, unit_code: str) -> float | None:
    """Median calendar days from submission to decision, for decisions in the period."""
    durations = [
        (decided - submitted).total_seconds() / 86400
        for submitted, decided in _decided(start, end, unit_code)
        .values_list("submitted_at", "decided_at")
        .iterator()
    ]
    return round(statistics.median(durations), 1) if durations else None


register(
    IndicatorSource(
        "services.within_charter",
        "services",
        _("Applications completed within the charter time"),
        "percent",
        share_within_charter,
    )
)
register(
    IndicatorSource(
        "services.online", "services", _("Public services available online"), "count", services_online
    )
)
register(
    IndicatorSource(
        "services.median_days",
        "services",
        _("Median processing time of applications"),
        "days",
        median_processing_days,
    )
)
