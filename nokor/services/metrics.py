"""Indicators the services app offers the strategy app (through nokor.core.indicators)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nokor.core.indicators import IndicatorSource, register
from nokor.services.models import Application, Service, Status


def _decided(start: dt.date, end: dt.date, unit_code: str, applications: QuerySet | None = None):
    """Decisions of the period (days of Phnom Penh time, both included), as an indexed range."""
    first = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    after = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    qs = (Application.objects.all() if applications is None else applications).filter(
        status__in=(Status.APPROVED, Status.REFUSED), decided_at__gte=first, decided_at__lt=after
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


def share_within_charter_by_province(start: dt.date, end: dt.date) -> dict[str, float]:
    """The same percent for every province, and for the whole country under '' (one grouped query)."""
    on_time = Q(decided_at__date__lte=F("deadline"))
    rows = list(
        _decided(start, end, "")
        .annotate(province=Substr("unit__code", 1, 2))
        .values("province")
        .annotate(total=Count("pk"), on_time=Count("pk", filter=on_time))
        .order_by()
    )
    total, done = sum(row["total"] for row in rows), sum(row["on_time"] for row in rows)
    shares = {
        row["province"]: round(100 * row["on_time"] / row["total"], 1) for row in rows if row["province"]
    }
    if total:
        shares[""] = round(100 * done / total, 1)
    return shares


def decided_records(user: Any, start: dt.date, end: dt.date, unit_code: str) -> QuerySet:
    """The applications behind the charter-time figure, as `user` may see them (newest decision first)."""
    visible = _decided(start, end, unit_code, Application.objects.visible_to(user, "view"))
    return visible.select_related("service", "unit").order_by("-decided_at")


def application_url(application: Application) -> str:
    return reverse("services:queue_detail", args=[application.pk])


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


def median_processing_days_by_province(start: dt.date, end: dt.date) -> dict[str, float]:
    """The same median for every province, and for the whole country under '': the durations are
    numbered in order in the database and only the middle one (or two) of each come back."""
    waited = ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField())
    decided = _decided(start, end, "").annotate(province=Substr("unit__code", 1, 2), waited=waited)
    medians: dict[str, float] = {}
    for partition in ([F("province")], []):
        middle = (
            decided.annotate(
                position=Window(RowNumber(), partition_by=partition or None, order_by=[F("waited"), F("pk")]),
                total=Window(Count("pk"), partition_by=partition or None),
            )
            .filter(position__gte=(F("total") + 1) / 2, position__lte=(F("total") + 2) / 2)
            .order_by()
            .values_list("province", "waited")
        )
        found: dict[str, list[float]] = defaultdict(list)
        for province, duration in middle:
            found[province if partition else ""].append(duration.total_seconds() / 86400)
        medians.update({key: round(sum(v) / len(v), 1) for key, v in found.items() if key is not None})
    return medians


register(
    IndicatorSource(
        "services.within_charter",
        "services",
        _("Applications completed within the charter time"),
        "percent",
        share_within_charter,
        measure_by_province=share_within_charter_by_province,
        records=decided_records,
        record_url=application_url,
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
        measure_by_province=median_processing_days_by_province,
        records=decided_records,
        record_url=application_url,
    )
)
