"""Dataset builders: one plug-in per dataset, each in its own module of this package with one class.

A builder reads only aggregates of its app (grouped queries, or the app's own aggregate table), never
personal data or free text, and returns a :class:`Table`: its data dictionary, its rows, the period the
data covers, and — for counts of people — the cells that :func:`nokor.opendata.suppression.suppress`
checks before anything is published.

To add a dataset: write ``builders/<name>.py`` with a :class:`Builder` subclass decorated with
:func:`register`, add the module to :data:`MODULES`, and its catalogue entry to
:mod:`nokor.opendata.catalogue`.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nokor.opendata import suppression

MODULES = ("services", "cyber", "academy", "infrastructure", "strategy")

SUPPRESSED_COLUMN = "suppressed"


@dataclass(frozen=True)
class Column:
    """One column of the data dictionary."""

    name: str
    type: str  # "string", "integer", "number", "date" or "month" (YYYY-MM)
    description_km: str
    description_en: str
    unit: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "type": self.type,
            "description_km": self.description_km,
            "description_en": self.description_en,
            "unit": self.unit,
        }


SUPPRESSION_FLAG = Column(
    SUPPRESSED_COLUMN,
    "string",
    "ទទេ៖ តួលេខបង្ហាញ។ primary៖ ចំនួនតិចជាងកម្រិតកំណត់ ត្រូវបានលាក់។ secondary៖ ត្រូវបានលាក់ "
    "ដើម្បីកុំឱ្យគេគណនាចំនួនដែលបានលាក់ពីសរុបបាន។ តួលេខដែលបានលាក់ទុកទទេ។",
    "Empty: the figures are shown. primary: a count below the threshold, hidden. secondary: hidden so that "
    "a hidden count cannot be worked out from the totals. Hidden figures are left empty.",
)


@dataclass
class Table:
    """What a builder returns: ``rows`` are tuples in the order of ``columns``."""

    columns: Sequence[Column]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    start: dt.date | None = None
    end: dt.date | None = None
    suppressed: int = 0


class Builder:
    """The interface of a dataset builder."""

    key: str = ""

    def build(self, *, threshold: int) -> Table:
        raise NotImplementedError


BUILDERS: dict[str, Builder] = {}


def register(cls: type[Builder]) -> type[Builder]:
    BUILDERS[cls.key] = cls()
    return cls


def get_builder(key: str) -> Builder:
    """The registered builder of that key (KeyError when there is none)."""
    if not BUILDERS:
        for module in MODULES:
            importlib.import_module(f"{__name__}.{module}")
    return BUILDERS[key]


def suppressed_rows(
    cells: Mapping[tuple[Hashable, ...], Sequence[Any]],
    *,
    threshold: int,
    margins: Sequence[int],
    additive: int,
) -> tuple[list[tuple[Any, ...]], int]:
    """Rows of counts with their totals along ``margins``, small counts suppressed.

    ``cells`` maps each key to its measures; the first measure is the count that decides suppression,
    the first ``additive`` measures add up into totals (the others, such as a median, exist only per
    cell and are left empty in totals). A suppressed row keeps its key and loses every measure. Returns
    the rows (key parts, measures, suppression flag) in key order, and how many rows are hidden."""
    width = len(next(iter(cells.values()))) if cells else 0
    counts = {key: int(measures[0]) for key, measures in cells.items()}
    hidden = suppression.suppress(counts, threshold=threshold, margins=margins)
    values: dict[tuple[Hashable, ...], list[Any]] = {key: list(measures) for key, measures in cells.items()}
    for dimension in margins:
        totals: dict[tuple[Hashable, ...], list[Any]] = {}
        for key, measures in values.items():
            if key[dimension] == suppression.TOTAL:
                continue
            total_key = key[:dimension] + (suppression.TOTAL,) + key[dimension + 1 :]
            total = totals.setdefault(total_key, [0] * additive + [None] * (width - additive))
            for index in range(additive):
                total[index] += measures[index] or 0
        values.update(totals)
    rows = []
    for key in sorted(values, key=_sort_key):
        reason = hidden.get(key, "")
        measures = [None] * width if reason else values[key]
        rows.append((*key, *measures, reason))
    return rows, len(hidden)


def _sort_key(key: tuple[Hashable, ...]) -> tuple:
    # Totals after the cells they add up; "" (not stated) after the named values.
    return tuple((part == suppression.TOTAL, part == "", str(part)) for part in key)


# --------------------------------------------------------------------------------------------------
# Labels shared by the builders
# --------------------------------------------------------------------------------------------------
WHOLE_COUNTRY = ("ទូទាំងប្រទេស", "Whole country")
NOT_STATED = ("មិនបានបញ្ជាក់", "Not stated")
ALL_VALUES = ("ទាំងអស់", "All")


def province_columns(what_km: str, what_en: str) -> list[Column]:
    """The three columns of a province: code, Khmer name, English name."""
    return [
        Column(
            "province_code",
            "string",
            f"លេខកូដខេត្ត (រាជធានី) នៃ{what_km}។ {TOTAL_NOTE_KM}",
            f"Code of the province (or the capital) of {what_en}. {TOTAL_NOTE_EN}",
        ),
        Column("province_name_km", "string", "ឈ្មោះខេត្តជាភាសាខ្មែរ។", "Name of the province in Khmer."),
        Column("province_name_en", "string", "ឈ្មោះខេត្តជាភាសាអង់គ្លេស។", "Name of the province in English."),
    ]


TOTAL_NOTE_KM = "ALL៖ សរុបនៃជួរខាងលើ។ ទទេ៖ មិនបានបញ្ជាក់។"
TOTAL_NOTE_EN = "ALL: the total of the rows above. Empty: not stated."


def province_names() -> dict[str, tuple[str, str]]:
    """Khmer and English names of every province by code, with the total and "not stated" (one query)."""
    from nokor.geography.models import AdministrativeUnit, Level

    names = {
        code: (km, latin)
        for code, km, latin in AdministrativeUnit.objects.filter(level=Level.PROVINCE).values_list(
            "code", "name_km", "name_latin"
        )
    }
    return {**names, suppression.TOTAL: WHOLE_COUNTRY, "": NOT_STATED}


def expand(row: tuple[Any, ...], index: int, names: Mapping[Any, tuple[str, str]]) -> tuple[Any, ...]:
    """The row with the code at ``index`` followed by its Khmer and English names."""
    code = row[index]
    km, en = names.get(code, (str(code), str(code)))
    return (*row[: index + 1], km, en, *row[index + 1 :])


def month_bounds(months: Sequence[str]) -> tuple[dt.date | None, dt.date | None]:
    """First day of the first month and last day of the last month of ``YYYY-MM`` strings."""
    real = sorted(month for month in months if month and month != suppression.TOTAL)
    if not real:
        return None, None
    first = dt.date.fromisoformat(real[0] + "-01")
    year, month = map(int, real[-1].split("-"))
    after = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, after - dt.timedelta(days=1)
