"""The status of the plan as the leadership dashboard, the public page and the exports show it: for
every indicator its yearly targets, its values per quarter and year, the latest value, the value
expected at that moment and its traffic light (:mod:`nokor.strategy.rules`).

Everything here reads the framework tables and the aggregate table only
(:class:`~nokor.strategy.models.IndicatorAggregate`), in a fixed number of queries whatever the data;
never the operational tables of the other apps. Pages keep what they build in the cache, keyed by
:func:`aggregates_version`, which moves on whenever the aggregate table is rebuilt; a change of targets
shows within :data:`CACHE_SECONDS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from nokor.core.charts import Point, Series, format_number, line_chart
from nokor.core.formatting import format_money
from nokor.core.text import current_language
from nokor.strategy.models import (
    Indicator,
    IndicatorAggregate,
    Objective,
    Plan,
    Strategy,
    Target,
    quarter_end,
    quarter_start,
)
from nokor.strategy.rules import Light, interpolated_target, moment, traffic_light

CACHE_SECONDS = 300

# How a light is shown: its tone (status tag colour) and an icon; the words are the light's label.
LIGHT_TONES = {Light.ON_TRACK: "green", Light.AT_RISK: "amber", Light.OFF_TRACK: "red", None: "grey"}
LIGHT_ICONS = {Light.ON_TRACK: "✓", Light.AT_RISK: "!", Light.OFF_TRACK: "✕", None: "–"}
# Worst first: the order in which a group's lights are sorted to find its middle one.
SEVERITY = {Light.OFF_TRACK: 0, Light.AT_RISK: 1, Light.ON_TRACK: 2}


# --------------------------------------------------------------------------------------------------
# Cache
# --------------------------------------------------------------------------------------------------
def aggregates_version() -> str:
    """Changes whenever the figures change: part of every cache key of the pages that show them.

    The refresh replaces an indicator's rows with new ones, whose ids are always higher: the highest id
    of the table moves on with every refresh (one lookup in the primary-key index), whoever ran it."""
    latest = IndicatorAggregate.objects.order_by("-pk").values_list("pk", flat=True).first()
    return str(latest or 0)


def cached(name: str, build: Callable[[], Any]) -> Any:
    """What ``build()`` returns, kept per ``name``, language and version of the figures (the pages that
    use it show the same figures to every reader allowed in)."""
    key = ":".join(("strategy", name, current_language(), aggregates_version()))
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, CACHE_SECONDS)
    return found


# --------------------------------------------------------------------------------------------------
# Words and numbers
# --------------------------------------------------------------------------------------------------
def period_label(year: int, quarter: int) -> str:
    if not quarter:
        return str(year)
    return _("%(year)s Q%(quarter)s") % {"year": year, "quarter": quarter}


def format_value(indicator: Indicator, value: Decimal | int | float | None) -> str:
    """A value in the indicator's unit: "87.5%", "៛1,200,000", "Yes", "1,250"."""
    if value is None:
        return "—"
    if indicator.unit == Indicator.Unit.PERCENTAGE:
        return format_number(value) + "%"
    if indicator.unit == Indicator.Unit.CURRENCY:
        return format_money(Decimal(str(value)))
    if indicator.unit == Indicator.Unit.YES_NO:
        return _("Yes") if value else _("No")
    return format_number(value)


def axis(indicator: Indicator) -> dict[str, Any]:
    """How a chart's value axis writes an indicator's unit: "%" after percentages, and ticks on whole
    numbers (no "0.5 people", no "0.2%" steps when every value is zero)."""
    return {"unit": "%" if indicator.unit == Indicator.Unit.PERCENTAGE else "", "whole": True}


def light_label(light: Light | None) -> str:
    return str(light.label) if light else _("No data")


def light_view(light: Light | None) -> dict[str, str]:
    """What the light component shows: words, colour and icon (never the colour alone)."""
    return {
        "value": light.value if light else "none",
        "label": light_label(light),
        "tone": LIGHT_TONES[light],
        "icon": LIGHT_ICONS[light],
    }


def combined_light(lights: Iterable[Light | None]) -> Light | None:
    """The light of a strategy or an objective: the middle light of its indicators that have one (with
    an even number, the worse of the two middle ones), so one indicator neither hides nor decides the
    rest; no light when none of them has one."""
    found = sorted((light for light in lights if light is not None), key=SEVERITY.__getitem__)
    if not found:
        return None
    return found[(len(found) - 1) // 2]


# --------------------------------------------------------------------------------------------------
# Reading the figures
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reading:
    """One value of the aggregate table: a quarter (or the whole year, quarter 0) for one unit."""

    year: int
    quarter: int
    value: Decimal | None
    denominator: Decimal | None = None
    reports: int | None = None
    unit_code: str = ""

    @property
    def label(self) -> str:
        return period_label(self.year, self.quarter)

    @property
    def moment(self) -> Decimal:
        return moment(self.year, self.quarter)


@dataclass
class IndicatorStatus:
    """An indicator with its targets, its national values, and how it stands at its latest value."""

    indicator: Indicator
    targets: dict[int, Decimal] = field(default_factory=dict)
    demo_targets: bool = False
    readings: list[Reading] = field(default_factory=list)

    @property
    def frequency_readings(self) -> list[Reading]:
        """Quarters for quarterly indicators, whole years for annual ones."""
        quarterly = self.indicator.frequency == Indicator.Frequency.QUARTERLY
        return [r for r in self.readings if (r.quarter > 0) == quarterly and r.value is not None]

    @property
    def latest(self) -> Reading | None:
        found = self.frequency_readings
        return found[-1] if found else None

    @property
    def baseline(self) -> tuple[int, Decimal] | None:
        indicator = self.indicator
        if indicator.baseline_value is None or indicator.baseline_year is None:
            return None
        return indicator.baseline_year, Decimal(indicator.baseline_value)

    def expected_at(self, year: int, quarter: int) -> Decimal | None:
        return interpolated_target(baseline=self.baseline, targets=self.targets, year=year, quarter=quarter)

    @property
    def expected(self) -> Decimal | None:
        latest = self.latest
        return self.expected_at(latest.year, latest.quarter) if latest else None

    def light_at(self, reading: Reading | None) -> Light | None:
        if reading is None:
            return None
        return traffic_light(
            self.indicator, reading.value, year=reading.year, quarter=reading.quarter, targets=self.targets
        )

    @property
    def light(self) -> Light | None:
        return self.light_at(self.latest)

    def text(self, value: Decimal | int | float | None) -> str:
        return format_value(self.indicator, value)


@dataclass
class PlanStatus:
    """The plan, its strategies and objectives, and the status of every indicator shown."""

    plan: Plan | None
    strategies: list[Strategy]
    indicators: dict[int, IndicatorStatus]  # by indicator id

    def of_objective(self, objective: Objective) -> list[IndicatorStatus]:
        return [s for s in self.indicators.values() if s.indicator.objective_id == objective.pk]

    def of_strategy(self, strategy: Strategy) -> list[IndicatorStatus]:
        objectives = {objective.pk for objective in strategy.objectives.all()}
        return [s for s in self.indicators.values() if s.indicator.objective_id in objectives]


def current_plan(user: Any) -> Plan | None:
    """The plan whose years hold today (else the latest), as ``user`` may see it."""
    year = timezone.localdate().year
    plans = list(Plan.objects.visible_to(user).order_by("start_year", "code"))
    running = [plan for plan in plans if plan.start_year <= year <= plan.end_year]
    return (running or plans or [None])[-1]


def indicator_statuses(
    indicators: list[Indicator], *, user: Any, unit_code: str = ""
) -> dict[int, IndicatorStatus]:
    """The status of each of ``indicators`` for the whole country (or a province), with the targets and
    aggregate rows ``user`` may see: two queries."""
    statuses = {indicator.pk: IndicatorStatus(indicator) for indicator in indicators}
    if not statuses:
        return statuses
    targets = Target.objects.visible_to(user).filter(indicator__in=statuses)  # none for the public
    for indicator_id, year, value, is_demo in targets.values_list("indicator_id", "year", "value", "is_demo"):
        statuses[indicator_id].targets[year] = value
        statuses[indicator_id].demo_targets |= is_demo
    rows = (
        IndicatorAggregate.objects.visible_to(user)
        .filter(indicator__in=statuses, unit_code=unit_code, sex="")
        .order_by("indicator_id", "year", "quarter")
        .values_list("indicator_id", "year", "quarter", "value", "denominator", "reports")
    )
    for indicator_id, year, quarter, value, denominator, reports in rows:
        statuses[indicator_id].readings.append(Reading(year, quarter, value, denominator, reports, unit_code))
    for status in statuses.values():
        status.readings.sort(key=lambda r: (r.moment, r.quarter == 0))
    return statuses


def plan_status(*, user: Any) -> PlanStatus:
    """Every strategy of the current plan with its objectives and the status of their indicators
    (six queries whatever the size of the plan)."""
    plan = current_plan(user)
    if plan is None:
        return PlanStatus(None, [], {})
    strategies = list(
        Strategy.objects.visible_to(user)
        .filter(plan=plan)
        .prefetch_related("objectives")
        .order_by("position", "code")
    )
    indicators = list(
        Indicator.objects.visible_to(user)
        .filter(objective__strategy__plan=plan)
        .select_related("objective")
        .order_by("objective__strategy__position", "objective__position", "position", "code")
    )
    return PlanStatus(plan, strategies, indicator_statuses(indicators, user=user))


# --------------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------------
def year_ticks(years: Iterable[int]) -> list[tuple[float, str]]:
    """The time axis of the plan: each year's label in its middle (a year ends at its number)."""
    return [(year - 0.5, str(year)) for year in years]


def indicator_chart(
    status: IndicatorStatus,
    years: Iterable[int],
    *,
    key: str = "",
    with_targets: bool = True,
    shown: Callable[[Reading], tuple[Decimal | None, str]] | None = None,
) -> Any:
    """The target-versus-actual line chart of an indicator over the plan's years: the yearly targets
    dashed, the values solid, the baseline as a square. ``shown`` may replace a value by words
    (suppression on the public page)."""
    indicator = status.indicator
    actual = []
    for reading in status.frequency_readings:
        value, text = shown(reading) if shown else (reading.value, "")
        actual.append(Point(float(reading.moment), value, reading.label, text))
    series = []
    if with_targets and status.targets:
        label = _("Target (demo)") if status.demo_targets else _("Target")
        series.append(
            Series(
                label,
                [Point(year, value, str(year)) for year, value in sorted(status.targets.items())],
                dashed=True,
            )
        )
    series.append(Series(_("Actual"), actual))
    baseline = status.baseline
    return line_chart(
        key=key or f"indicator-{indicator.pk}",
        title=indicator.title,
        series=series,
        x_ticks=year_ticks(years),
        baseline=(
            Point(baseline[0], baseline[1], _("Baseline %(year)s") % {"year": baseline[0]})
            if baseline
            else None
        ),
        value_format=status.text,
        period_heading=_("Period"),
        **axis(indicator),
    )


def period_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """The first and last day of a quarter (or of the whole year, quarter 0)."""
    if quarter:
        return quarter_start(year, quarter), quarter_end(year, quarter)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)
