"""Indicators the cybercrime app offers the strategy app (through nokor.core.indicators).

Each measure is one aggregate query over the records of a period (days of Phnom Penh time, both
included) and of a unit of the tree: a record counts in a unit when its unit's code starts with the
unit's code ('' = the whole country, where records without a unit count too).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nokor.core.indicators import IndicatorSource, register
from nokor.cyber.models import Case, FreezeRequest, Report, Transfer


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Midnight before ``start`` and midnight after ``end``, Phnom Penh time (an indexed range, where
    ``__date`` lookups would convert every row)."""
    return (
        timezone.make_aware(dt.datetime.combine(start, dt.time.min)),
        timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)),
    )


def _during(queryset: QuerySet, moment: str, start: dt.date, end: dt.date) -> QuerySet:
    first, after = _bounds(start, end)
    return queryset.filter(**{f"{moment}__gte": first, f"{moment}__lt": after})


def _in_unit(queryset: QuerySet, unit_field: str, unit_code: str) -> QuerySet:
    return queryset.filter(**{f"{unit_field}__code__startswith": unit_code}) if unit_code else queryset


def _triaged(start: dt.date, end: dt.date, unit_code: str) -> QuerySet:
    return _in_unit(_during(Report.objects.all(), "triaged_at", start, end), "unit", unit_code)


def reports_received(start: dt.date, end: dt.date, unit_code: str) -> int:
    """Number of reports of cybercrime received in the period."""
    reports = _in_unit(_during(Report.objects.all(), "created_at", start, end), "unit", unit_code)
    return reports.aggregate(count=Count("pk"))["count"]


def triaged_within_sla(start: dt.date, end: dt.date, unit_code: str) -> float | None:
    """Percent of the reports first assessed in the period that were assessed by their deadline
    (a report without a deadline counts as late); None when none was assessed."""
    counts = _triaged(start, end, unit_code).aggregate(
        total=Count("pk"), on_time=Count("pk", filter=Q(triaged_at__lte=F("sla_due")))
    )
    if not counts["total"]:
        return None
    return round(100 * counts["on_time"] / counts["total"], 1)


def _by_province(queryset: QuerySet, unit_field: str, **counts: Any) -> list[dict[str, Any]]:
    """Counts of a queryset grouped by the province of each record's unit (None: no unit), one query."""
    return list(
        queryset.annotate(province=Substr(f"{unit_field}__code", 1, 2))
        .values("province")
        .annotate(**counts)
        .order_by()
    )


def triaged_within_sla_by_province(start: dt.date, end: dt.date) -> dict[str, float]:
    """The same percent for every province, and for the whole country under ''."""
    on_time = Q(triaged_at__lte=F("sla_due"))
    rows = _by_province(
        _triaged(start, end, ""), "unit", total=Count("pk"), on_time=Count("pk", filter=on_time)
    )
    total, done = sum(row["total"] for row in rows), sum(row["on_time"] for row in rows)
    shares = {
        row["province"]: round(100 * row["on_time"] / row["total"], 1) for row in rows if row["province"]
    }
    if total:
        shares[""] = round(100 * done / total, 1)
    return shares


def triaged_records(user: Any, start: dt.date, end: dt.date, unit_code: str) -> QuerySet:
    """The reports behind the figure, as `user` may see them (the most recently assessed first)."""
    reports = _in_unit(
        _during(Report.objects.visible_to(user, "view"), "triaged_at", start, end), "unit", unit_code
    )
    return reports.select_related("unit").order_by("-triaged_at")


def report_url(report: Report) -> str:
    return reverse("cyber:staff_report", args=[report.reference])


def median_hours_to_triage(start: dt.date, end: dt.date, unit_code: str) -> float | None:
    """Median hours from receiving a report to its first assessment, for reports assessed in the
    period; None when none was. One query: the durations are numbered in order in the database and
    only the middle one (or two) come back."""
    middle = (
        _triaged(start, end, unit_code)
        .annotate(waited=ExpressionWrapper(F("triaged_at") - F("created_at"), output_field=DurationField()))
        .annotate(position=Window(RowNumber(), order_by=[F("waited").asc(), F("pk").asc()]))
        .annotate(total=Window(Count("pk")))
        .filter(position__gte=(F("total") + 1) / 2, position__lte=(F("total") + 2) / 2)
        .order_by()
        .values_list("waited", flat=True)
    )
    durations = list(middle)
    if not durations:
        return None
    seconds = sum(duration.total_seconds() for duration in durations) / len(durations)
    return round(seconds / 3600, 1)


def cases_closed(start: dt.date, end: dt.date, unit_code: str) -> int:
    """Number of cases closed in the period (and still closed: a case reopened counts again when it
    is closed again)."""
    cases = _during(Case.objects.filter(status=Case.Status.CLOSED), "closed_at", start, end)
    return _in_unit(cases, "unit", unit_code).aggregate(count=Count("pk"))["count"]


def cases_closed_by_province(start: dt.date, end: dt.date) -> dict[str, int]:
    """The same count for every province, and for the whole country under ''."""
    cases = _during(Case.objects.filter(status=Case.Status.CLOSED), "closed_at", start, end)
    rows = _by_province(cases, "unit", count=Count("pk"))
    counts = {row["province"]: row["count"] for row in rows if row["province"]}
    counts[""] = sum(row["count"] for row in rows)
    return counts


def closed_case_records(user: Any, start: dt.date, end: dt.date, unit_code: str) -> QuerySet:
    """The cases behind the figure, as `user` may see them."""
    cases = _during(
        Case.objects.visible_to(user, "view").filter(status=Case.Status.CLOSED), "closed_at", start, end
    )
    return _in_unit(cases, "unit", unit_code).order_by("-closed_at")


def case_url(case: Case) -> str:
    return reverse("cyber:case_detail", args=[case.reference])


def _money_frozen(currency: str):
    def measure(start: dt.date, end: dt.date, unit_code: str) -> Decimal:
        answers = FreezeRequest.objects.filter(
            status__in=(FreezeRequest.Status.FROZEN, FreezeRequest.Status.PARTIAL), currency=currency
        )
        answers = _in_unit(_during(answers, "answered_at", start, end), "case__unit", unit_code)
        return answers.aggregate(amount=Sum("frozen_amount"))["amount"] or Decimal(0)

    measure.__name__ = f"money_frozen_{currency.lower()}"
    measure.__doc__ = f"Money frozen by banks and e-wallets ({currency}), by answers given in the period."
    return measure


money_frozen_usd = _money_frozen(Transfer.Currency.USD)
money_frozen_khr = _money_frozen(Transfer.Currency.KHR)


register(
    IndicatorSource(
        "cyber.reports_received", "cyber", _("Reports of cybercrime received"), "count", reports_received
    )
)
register(
    IndicatorSource(
        "cyber.triaged_within_sla",
        "cyber",
        _("Reports of cybercrime assessed within the promised time"),
        "percent",
        triaged_within_sla,
        measure_by_province=triaged_within_sla_by_province,
        records=triaged_records,
        record_url=report_url,
    )
)
register(
    IndicatorSource(
        "cyber.median_hours_to_triage",
        "cyber",
        _("Median time to the first assessment of a report of cybercrime"),
        "hours",
        median_hours_to_triage,
    )
)
register(
    IndicatorSource(
        "cyber.cases_closed",
        "cyber",
        _("Cybercrime cases closed"),
        "count",
        cases_closed,
        measure_by_province=cases_closed_by_province,
        records=closed_case_records,
        record_url=case_url,
    )
)
register(
    IndicatorSource(
        "cyber.money_frozen_usd",
        "cyber",
        _("Money frozen for victims of cybercrime (US dollars)"),
        "usd",
        money_frozen_usd,
    )
)
register(
    IndicatorSource(
        "cyber.money_frozen_khr",
        "cyber",
        _("Money frozen for victims of cybercrime (riel)"),
        "riel",
        money_frozen_khr,
    )
)
