"""The indicator registry: each domain app's `metrics.py` registers functions that measure an indicator
of the Digital Strategy Plan; the strategy app asks this registry and never imports the domain apps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class IndicatorSource:
    """One automatic indicator: `measure(start, end, unit_code)` returns its value for a period and a
    unit of the tree ('' = the whole country)."""

    key: str
    app: str
    title: object  # lazily translated
    unit: str  # "percent", "count", "days", "riel"…
    measure: Callable[[dt.date, dt.date, str], Decimal | int | float | None]


INDICATORS: dict[str, IndicatorSource] = {}


def register(source: IndicatorSource) -> IndicatorSource:
    INDICATORS[source.key] = source
    return source


def autodiscover() -> None:
    """Import every installed app's metrics module so their indicators are registered."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("metrics")
