"""The traffic-light rule at its boundaries (95 % and 80 % of the expected progress)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nokor.strategy.models import Indicator
from nokor.strategy.rules import Light, interpolated_target, traffic_light

TARGETS = {2023: Decimal(20), 2024: Decimal(40), 2025: Decimal(60)}


def indicator(direction="higher", baseline=(0, 2022)) -> Indicator:
    value, year = baseline if baseline else (None, None)
    return Indicator(direction=direction, baseline_value=value, baseline_year=year)


def test_the_target_is_interpolated_between_baseline_and_yearly_targets():
    base = (2022, Decimal(0))
    assert interpolated_target(baseline=base, targets=TARGETS, year=2023) == 20
    assert interpolated_target(baseline=base, targets=TARGETS, year=2023, quarter=2) == 10
    assert interpolated_target(baseline=base, targets=TARGETS, year=2024, quarter=1) == 25
    assert interpolated_target(baseline=base, targets=TARGETS, year=2030) == 60  # after the last: the last
    assert interpolated_target(baseline=None, targets=TARGETS, year=2023, quarter=1) == 20  # before: first
    assert interpolated_target(baseline=base, targets={}, year=2023) is None


@pytest.mark.parametrize(
    ("actual", "light"),
    [
        ("20", Light.ON_TRACK),
        ("19", Light.ON_TRACK),  # exactly 95 % of the progress expected
        ("18.99", Light.AT_RISK),
        ("16", Light.AT_RISK),  # exactly 80 %
        ("15.99", Light.OFF_TRACK),
        ("0", Light.OFF_TRACK),
    ],
)
def test_higher_is_better_boundaries(actual, light):
    assert traffic_light(indicator(), Decimal(actual), year=2023, targets=TARGETS) == light


@pytest.mark.parametrize(
    ("actual", "light"),
    [("305", Light.ON_TRACK), ("305.01", Light.AT_RISK), ("320", Light.AT_RISK), ("320.01", Light.OFF_TRACK)],
)
def test_lower_is_better_counts_progress_downwards(actual, light):
    # Baseline 400 at the end of 2022, target 300 for 2023: 95 % of the way is 305, 80 % is 320.
    assets = indicator("lower", (400, 2022))
    assert traffic_light(assets, Decimal(actual), year=2023, targets={2023: Decimal(300)}) == light


def test_mid_year_compares_with_the_interpolated_target():
    # Expected after the second quarter of 2023: 10; 9.5 is 95 % of it.
    assert traffic_light(indicator(), Decimal("9.5"), year=2023, quarter=2, targets=TARGETS) == Light.ON_TRACK
    assert traffic_light(indicator(), Decimal("9.4"), year=2023, quarter=2, targets=TARGETS) == Light.AT_RISK


def test_without_baseline_the_value_is_compared_with_the_target():
    no_base = indicator(baseline=None)
    assert traffic_light(no_base, 95, year=2025, targets={2025: Decimal(100)}) == Light.ON_TRACK
    assert traffic_light(no_base, Decimal("94.9"), year=2025, targets={2025: Decimal(100)}) == Light.AT_RISK
    lower = indicator("lower", baseline=None)
    assert traffic_light(lower, Decimal("12.5"), year=2025, targets={2025: Decimal(10)}) == Light.AT_RISK
    assert traffic_light(lower, 8, year=2025, targets={2025: Decimal(10)}) == Light.ON_TRACK


def test_no_light_without_value_or_target():
    assert traffic_light(indicator(), None, year=2023, targets=TARGETS) is None
    assert traffic_light(indicator(), 5, year=2023, targets={}) is None
