"""Service performance by service, province and month: applications submitted, decided, decided within
the promised time, and the median days to a decision — read from the services app's aggregate table
(:class:`nokor.services.models.PerformanceAggregate`, refreshed hourly by its own task), never from the
applications themselves."""

from __future__ import annotations

from nokor.opendata.builders import (
    SUPPRESSION_FLAG,
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
from nokor.services.models import PerformanceAggregate

COLUMNS = (
    Column("service", "string", "លេខសម្គាល់សេវា។", "Identifier of the service."),
    Column("service_name_km", "string", "ឈ្មោះសេវាជាភាសាខ្មែរ។", "Name of the service in Khmer."),
    Column("service_name_en", "string", "ឈ្មោះសេវាជាភាសាអង់គ្លេស។", "Name of the service in English."),
    Column(
        "month",
        "month",
        "ខែដែលពាក្យស្នើសុំត្រូវបានដាក់ស្នើ (YYYY-MM)។",
        "Month the applications were submitted (YYYY-MM).",
    ),
    *province_columns("ការិយាល័យដែលទទួលពាក្យស្នើសុំ", "the office that received the applications"),
    Column("submitted", "integer", "ចំនួនពាក្យស្នើសុំដែលបានដាក់ស្នើ។", "Applications submitted.", "applications"),
    Column(
        "decided",
        "integer",
        "ចំនួនពាក្យស្នើសុំដែលបានសម្រេច (អនុម័ត ឬបដិសេធ)។",
        "Applications decided (approved or refused).",
        "applications",
    ),
    Column(
        "decided_on_time",
        "integer",
        "ចំនួនពាក្យស្នើសុំដែលបានសម្រេចមុនថ្ងៃផុតកំណត់ដែលបានសន្យា។",
        "Applications decided by the promised date.",
        "applications",
    ),
    Column(
        "median_days",
        "number",
        "មធ្យមភាគ (median) នៃចំនួនថ្ងៃពីការដាក់ស្នើដល់ការសម្រេច។",
        "Median number of days from submission to decision.",
        "days",
    ),
    SUPPRESSION_FLAG,
)


@register
class ServicePerformance(Builder):
    """Applications by service, month and province, with the whole country as the total."""

    key = "services.performance"

    def build(self, *, threshold: int) -> Table:
        rows = (
            PerformanceAggregate.objects.exclude(period=PerformanceAggregate.LAST_12_MONTHS)
            .values_list(
                "service__slug",
                "service__name_km",
                "service__name_en",
                "period",
                "province_code",
                "received",
                "completed",
                "completed_on_time",
                "median_days",
            )
            .order_by()
        )
        cells: dict[tuple, list] = {}
        national: dict[tuple, list] = {}
        services: dict[str, tuple[str, str]] = {}
        for slug, name_km, name_en, month, province, received, completed, on_time, median in rows:
            services[slug] = (name_km, name_en)
            measures = [received, completed, on_time, median]
            (cells if province else national)[(slug, month, province or TOTAL)] = measures
        # Applications without an office count in the country only: they are the "not stated" province.
        counted: dict[tuple, list[int]] = {}
        for (slug, month, _province), measures in cells.items():
            sums = counted.setdefault((slug, month), [0, 0, 0])
            for index in range(3):
                sums[index] += measures[index]
        for (slug, month, _all), total in national.items():
            sums = counted.get((slug, month), [0, 0, 0])
            rest = [total[index] - sums[index] for index in range(3)]
            if any(rest):
                cells[(slug, month, "")] = [*rest, None]
        table_rows, hidden = suppressed_rows(cells, threshold=threshold, margins=(2,), additive=3)
        provinces = province_names()
        result = []
        for row in table_rows:
            slug, month, province = row[:3]
            if province == TOTAL and not row[-1] and (slug, month, TOTAL) in national:
                row = (*row[:-2], national[(slug, month, TOTAL)][3], row[-1])  # the country's own median
            row = expand(row, 2, provinces)
            result.append((slug, *services[slug], *row[1:]))
        start, end = month_bounds([month for _s, month, _p in cells])
        return Table(COLUMNS, result, start, end, hidden)
