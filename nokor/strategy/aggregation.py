"""Recomputing the aggregate table (:class:`~nokor.strategy.models.IndicatorAggregate`) that every
dashboard reads, DHIS2's way: the work happens here, in a task on change and every night, never on a
page view.

**Periods.** Every quarter from the plan's first year up to the current one, and every whole year
(quarter 0). The running quarter and year are measured up to today.

**Automatic indicators** ask their registered source (:mod:`nokor.core.indicators`) for the whole
country and for each province: one grouped query per period when the source offers
``measure_by_province``, else one ``measure`` per province. A source shared by several indicators is
measured once. Empty values (None) are not stored.

**Manual indicators** are aggregated from the values of *approved* progress reports only:

* several values for the same province, quarter and sex (reports of several districts) combine into one;
* the whole country is the value reported for it directly when there is one, else the combination of
  the provinces;
* the value for everyone (sex '') is the one reported for everyone, else the combination of the sexes;
* the whole year is the sum of its quarters for numbers and amounts, the latest quarter reported for
  percentages and yes/no.

*Combination*: numbers and amounts add up; percentages are averaged (unweighted: the reports carry no
denominators); yes/no is yes only when every unit that reported says yes.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from nokor.geography.models import AdministrativeUnit, Level
from nokor.strategy.models import (
    YEARS,
    Indicator,
    IndicatorAggregate,
    IndicatorValue,
    ProgressReport,
    quarter_end,
    quarter_start,
)

logger = logging.getLogger(__name__)

Key = tuple[int, int, str, str]  # year, quarter, unit_code, sex
Row = tuple[Decimal | None, int | None]  # value, approved reports behind it


def periods(today: dt.date | None = None) -> list[tuple[int, int, dt.date, dt.date]]:
    """(year, quarter, first day, last day) of every quarter and whole year of the plan begun by ``today``
    (quarter 0 = the year)."""
    today = today or timezone.localdate()
    found = []
    for year in YEARS:
        if dt.date(year, 1, 1) > today:
            break
        for quarter in range(1, 5):
            start = quarter_start(year, quarter)
            if start > today:
                break
            found.append((year, quarter, start, min(quarter_end(year, quarter), today)))
        found.append((year, 0, dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)))
    return found


def province_codes() -> list[str]:
    return list(
        AdministrativeUnit.objects.current().filter(level=Level.PROVINCE).values_list("code", flat=True)
    )


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


# --------------------------------------------------------------------------------------------------
# Automatic indicators
# --------------------------------------------------------------------------------------------------
def measure_source(source: Any, provinces: list[str], today: dt.date | None = None) -> dict[Key, Row]:
    """Every value of one registered source: per period, the whole country and each province."""
    rows: dict[Key, Row] = {}
    for year, quarter, start, end in periods(today):
        by_province = source.measure_by_province(start, end) if source.measure_by_province else {}
        national = _decimal(by_province[""] if "" in by_province else source.measure(start, end, ""))
        if national is not None:
            rows[(year, quarter, "", "")] = (national, None)
        if provinces and source.measure_by_province is None:
            by_province = {code: source.measure(start, end, code) for code in provinces}
        missing = 0 if source.unit == "count" else None  # a province without records counts none
        for code in provinces:
            value = _decimal(by_province.get(code, missing))
            if value is not None:
                rows[(year, quarter, code, "")] = (value, None)
    return rows


# --------------------------------------------------------------------------------------------------
# Manual indicators
# --------------------------------------------------------------------------------------------------
def combine(unit: str, values: list[Decimal]) -> Decimal:
    """Several units' (or sexes') values as one, by the indicator's unit (see the module's rule)."""
    if unit in (Indicator.Unit.NUMBER, Indicator.Unit.CURRENCY):
        return sum(values, Decimal(0))
    if unit == Indicator.Unit.YES_NO:
        return min(values)
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.0001"))


def aggregate_manual(indicator: Indicator) -> dict[Key, Row]:
    """The aggregate rows of a manual indicator from its approved values."""
    entered: dict[Key, list[tuple[Decimal, int]]] = defaultdict(list)
    approved = IndicatorValue.objects.filter(
        indicator=indicator, report__state=ProgressReport.State.APPROVED
    ).values_list("period__year", "period__quarter", "unit_code", "sex", "value", "report_id")
    for year, quarter, unit_code, sex, value, report_id in approved:
        entered[(year, quarter, unit_code[:2], sex)].append((value, report_id))
    cells: dict[Key, tuple[Decimal, set[int]]] = {
        key: (combine(indicator.unit, [v for v, _r in items]), {r for _v, r in items})
        for key, items in entered.items()
    }
    _fill(indicator, cells, lambda key: (*key[:3], ""))  # everyone, from the sexes
    _fill(indicator, cells, lambda key: (key[0], key[1], "", key[3]), only=lambda key: bool(key[2]))
    rows: dict[Key, Row] = {key: (value, len(reports)) for key, (value, reports) in cells.items()}
    quarters: dict[Key, list[tuple[int, Decimal, set[int]]]] = defaultdict(list)
    for (year, quarter, code, sex), (value, reports) in cells.items():
        quarters[(year, 0, code, sex)].append((quarter, value, reports))
    for key, found in quarters.items():
        found.sort(key=lambda item: item[0])
        if indicator.unit in (Indicator.Unit.NUMBER, Indicator.Unit.CURRENCY):
            total = sum((value for _q, value, _r in found), Decimal(0))
        else:
            total = found[-1][1]
        rows[key] = (total, len(set().union(*(reports for _q, _v, reports in found))))
    return rows


def _fill(
    indicator: Indicator,
    cells: dict[Key, tuple[Decimal, set[int]]],
    parent: Any,
    only: Any = lambda key: True,
) -> None:
    """Add the cells that were not entered directly (``parent(key)``) by combining their children."""
    children: dict[Key, list[tuple[Decimal, set[int]]]] = defaultdict(list)
    for key, cell in cells.items():
        if only(key) and parent(key) != key:
            children[parent(key)].append(cell)
    for key, found in children.items():
        if key not in cells:
            cells[key] = (
                combine(indicator.unit, [value for value, _r in found]),
                set().union(*(reports for _v, reports in found)),
            )


# --------------------------------------------------------------------------------------------------
# Writing the table
# --------------------------------------------------------------------------------------------------
def _replace(indicator: Indicator, rows: dict[Key, Row], now: dt.datetime) -> int:
    with transaction.atomic():
        IndicatorAggregate.objects.filter(indicator=indicator).delete()
        IndicatorAggregate.objects.bulk_create(
            [
                IndicatorAggregate(
                    indicator=indicator,
                    year=year,
                    quarter=quarter,
                    unit_code=code,
                    sex=sex,
                    value=value,
                    reports=reports,
                    computed_at=now,
                )
                for (year, quarter, code, sex), (value, reports) in rows.items()
            ],
            batch_size=1000,
        )
    return len(rows)


def refresh(indicators: Iterable[Indicator] | None = None, *, today: dt.date | None = None) -> dict[str, Any]:
    """Recompute the aggregate rows of ``indicators`` (all of them by default); returns what was done
    (``indicators``, ``rows``, ``seconds``)."""
    began = time.monotonic()
    now = timezone.now()
    indicators = list(Indicator.objects.all() if indicators is None else indicators)
    provinces = province_codes()
    measured: dict[str, dict[Key, Row]] = {}
    written = 0
    for indicator in indicators:
        if indicator.is_automatic:
            source = indicator.measure
            if source is None:
                logger.warning("indicator %s: no registered source %r", indicator.code, indicator.source_key)
                continue
            if source.key not in measured:
                by_province = any(i.by_province and i.source_key == source.key for i in indicators)
                measured[source.key] = measure_source(source, provinces if by_province else [], today)
            rows = measured[source.key]
            if not indicator.by_province:
                rows = {key: row for key, row in rows.items() if not key[2]}
        else:
            rows = aggregate_manual(indicator)
        written += _replace(indicator, rows, now)
    return {"indicators": len(indicators), "rows": written, "seconds": round(time.monotonic() - began, 2)}
