"""The indicator registry: each domain app's `metrics.py` registers functions that measure an indicator
of the Digital Strategy Plan; the strategy app asks this registry and never imports the domain apps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

Value = Decimal | int | float | None


@dataclass(frozen=True)
class IndicatorSource:
    """One automatic indicator: `measure(start, end, unit_code)` returns its value for a period and a
    unit of the tree ('' = the whole country).

    Optional, for speed and drill-through:

    * ``measure_by_province(start, end)`` returns ``{province code: value}`` for every province in one
      grouped query (the nightly recomputation calls it instead of ``measure`` once per province); when
      the same query also gives the whole country, it returns it under ``''`` (saving one more query); a
      province missing from a count's result counts 0, from any other's has no value;
    * ``records(user, start, end, unit_code)`` returns the operational records behind the number, as the
      app's own access layer lets ``user`` see them (``visible_to(user, "view")``); each record links to
      its page by ``get_absolute_url()``, or by ``record_url(record)`` when given.
    """

    key: str
    app: str
    title: object  # lazily translated
    unit: str  # "percent", "count", "days", "riel"…
    measure: Callable[[dt.date, dt.date, str], Value]
    measure_by_province: Callable[[dt.date, dt.date], dict[str, Value]] | None = None
    records: Callable[[Any, dt.date, dt.date, str], Any] | None = None
    record_url: Callable[[Any], str] | None = None

    def url_of(self, record: Any) -> str:
        """The page of one of the records behind the number ('' when it has none)."""
        if self.record_url is not None:
            return self.record_url(record)
        return record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""


INDICATORS: dict[str, IndicatorSource] = {}


def register(source: IndicatorSource) -> IndicatorSource:
    INDICATORS[source.key] = source
    return source


def autodiscover() -> None:
    """Import every installed app's metrics module so their indicators are registered."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("metrics")
