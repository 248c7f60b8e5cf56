"""Cybercrime reports by month, province, category and contact channel: counts only (one grouped query),
never a reference, a contact, an identifier of a scammer or the story told. Within each month and
province the totals by category, by channel and overall are published, so suppression protects the
small counts against all three."""

from __future__ import annotations

from django.db.models import Count
from django.db.models.functions import Left, TruncMonth
from django.utils import timezone, translation

from nokor.cyber.models import Category, Report
from nokor.opendata.builders import (
    ALL_VALUES,
    NOT_STATED,
    SUPPRESSION_FLAG,
    TOTAL_NOTE_EN,
    TOTAL_NOTE_KM,
    Builder,
    Column,
    Table,
    expand,
    month_bounds,
    province_columns,
    province_names,
    register,
    suppressed_rows,
)
from nokor.opendata.suppression import TOTAL

COLUMNS = (
    Column(
        "month",
        "month",
        "ខែដែលបានទទួលរបាយការណ៍ (YYYY-MM, ម៉ោងភ្នំពេញ)។",
        "Month the reports were received (YYYY-MM, Phnom Penh time).",
    ),
    *province_columns("ទីលំនៅរបស់ជនរងគ្រោះ", "the victim's address"),
    Column("category", "string", f"ប្រភេទបទល្មើស។ {TOTAL_NOTE_KM}", f"Kind of crime. {TOTAL_NOTE_EN}"),
    Column("category_name_km", "string", "ឈ្មោះប្រភេទជាភាសាខ្មែរ។", "Name of the kind in Khmer."),
    Column("category_name_en", "string", "ឈ្មោះប្រភេទជាភាសាអង់គ្លេស។", "Name of the kind in English."),
    Column(
        "channel",
        "string",
        f"មធ្យោបាយដែលជនល្មើសបានទាក់ទង។ {TOTAL_NOTE_KM}",
        f"How the offender made contact. {TOTAL_NOTE_EN}",
    ),
    Column("channel_name_km", "string", "ឈ្មោះមធ្យោបាយជាភាសាខ្មែរ។", "Name of the channel in Khmer."),
    Column("channel_name_en", "string", "ឈ្មោះមធ្យោបាយជាភាសាអង់គ្លេស។", "Name of the channel in English."),
    Column("reports", "integer", "ចំនួនរបាយការណ៍។", "Reports received.", "reports"),
    SUPPRESSION_FLAG,
)


def _channel_names() -> dict[str, tuple[str, str]]:
    names = {}
    for value, label in Report.Channel.choices:
        with translation.override("km"):
            km = str(label)
        with translation.override("en"):
            en = str(label)
        names[value] = (km, en)
    return {**names, TOTAL: ALL_VALUES, "": NOT_STATED}


@register
class CybercrimeReports(Builder):
    """Reports by month, province, category and channel."""

    key = "cyber.reports"

    def build(self, *, threshold: int) -> Table:
        grouped = (
            Report.objects.annotate(
                month=TruncMonth("created_at", tzinfo=timezone.get_default_timezone()),
                province=Left("unit__code", 2),
            )
            .values_list("month", "province", "category__slug", "channel")
            .annotate(reports=Count("pk"))
            .order_by()
        )
        cells: dict[tuple, list[int]] = {}
        for month, province, category, channel, reports in grouped:
            key = (f"{timezone.localtime(month):%Y-%m}", province or "", category, channel or "")
            cells.setdefault(key, [0])[0] += reports
        rows, hidden = suppressed_rows(cells, threshold=threshold, margins=(2, 3), additive=1)
        categories = {
            slug: (km, en) for slug, km, en in Category.objects.values_list("slug", "name_km", "name_en")
        }
        categories[TOTAL] = ALL_VALUES
        provinces, channels = province_names(), _channel_names()
        labelled = [expand(expand(expand(row, 3, channels), 2, categories), 1, provinces) for row in rows]
        start, end = month_bounds([key[0] for key in cells])
        return Table(COLUMNS, labelled, start, end, hidden)
