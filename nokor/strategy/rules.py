"""The traffic-light rule of the plan: is an indicator on track? One function, used by every page.

**The rule.** The value expected at a moment is read off a straight line drawn through the baseline
(its value at the end of the baseline year) and the yearly targets (each due at the end of its year);
before the first point the first point counts, after the last the last. The progress made is compared
with the progress expected from the baseline:

    ratio = (actual − baseline) / (expected − baseline)

* **on track** when the ratio is 95 % or more,
* **at risk** when it is 80 % or more,
* **off track** below 80 %.

Without a baseline (or when the expected value equals the baseline, so no progress is expected), the
actual is compared with the expected value itself, respecting the direction: ``actual / expected`` when
higher is better, ``expected / actual`` when lower is better (reaching or beating it is on track).
No target, or no actual value: no light.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

ON_TRACK_FROM = Decimal("0.95")
AT_RISK_FROM = Decimal("0.80")


class Light(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")


def moment(year: int, quarter: int = 0) -> Decimal:
    """A point in time on the rule's scale: the end of ``year`` is ``year``; the end of its first
    quarter is ``year − 0.75`` (quarter 0 is the whole year)."""
    return Decimal(year) if quarter in (0, 4) else Decimal(year) - Decimal(4 - quarter) / 4


def interpolated_target(
    *, baseline: tuple[int, Decimal] | None, targets: dict[int, Decimal], year: int, quarter: int = 0
) -> Decimal | None:
    """The value expected at the end of ``year`` (or of its ``quarter``) on the line through the
    baseline ``(year, value)`` and the targets ``{year: value}``; None without targets."""
    points = sorted((Decimal(y), Decimal(v)) for y, v in targets.items())
    if not points:
        return None
    if baseline is not None:
        base = (Decimal(baseline[0]), Decimal(baseline[1]))
        points = [base, *[p for p in points if p[0] > base[0]]]
    at = moment(year, quarter)
    if at <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if at <= x1:
            return y0 + (y1 - y0) * (at - x0) / (x1 - x0)
    return points[-1][1]


def progress_ratio(
    *, actual: Decimal, expected: Decimal, baseline: Decimal | None, higher_is_better: bool
) -> Decimal:
    """How much of the expected progress was made (1 = exactly as expected)."""
    if baseline is not None and expected != baseline:
        return (actual - baseline) / (expected - baseline)
    if higher_is_better:
        if actual >= expected:
            return Decimal(1)
        return actual / expected if expected > 0 else Decimal(0)
    if actual <= expected:
        return Decimal(1)
    return expected / actual if actual > 0 else Decimal(0)


def light_for_ratio(ratio: Decimal) -> Light:
    if ratio >= ON_TRACK_FROM:
        return Light.ON_TRACK
    if ratio >= AT_RISK_FROM:
        return Light.AT_RISK
    return Light.OFF_TRACK


def traffic_light(
    indicator: Any,
    actual: Decimal | float | int | None,
    *,
    year: int,
    quarter: int = 0,
    targets: dict[int, Decimal] | None = None,
) -> Light | None:
    """The light of ``indicator`` (an :class:`~nokor.strategy.models.Indicator`) given its ``actual``
    value at the end of ``year`` (or of its ``quarter``). Pass ``targets`` ({year: value}) when already
    loaded, to save a query per indicator."""
    if actual is None:
        return None
    if targets is None:
        targets = dict(indicator.targets.values_list("year", "value"))
    baseline = None
    if indicator.baseline_value is not None and indicator.baseline_year is not None:
        baseline = (indicator.baseline_year, Decimal(indicator.baseline_value))
    expected = interpolated_target(baseline=baseline, targets=targets, year=year, quarter=quarter)
    if expected is None:
        return None
    if baseline is not None and moment(year, quarter) <= Decimal(baseline[0]):
        baseline = None  # at or before the baseline nothing is expected yet: compare with the value itself
    ratio = progress_ratio(
        actual=Decimal(str(actual)),
        expected=expected,
        baseline=baseline[1] if baseline else None,
        higher_is_better=indicator.direction == "higher",
    )
    return light_for_ratio(ratio)
