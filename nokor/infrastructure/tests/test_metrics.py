"""The infrastructure indicators on a small dataset."""

from __future__ import annotations

import datetime as dt

import pytest

from nokor.core.indicators import INDICATORS
from nokor.infrastructure import metrics
from nokor.infrastructure.models import Asset, DigitalSystem, Site
from nokor.infrastructure.tests.conftest import make_asset, make_link, make_site

pytestmark = pytest.mark.django_db
START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


def test_the_indicators_are_registered():
    assert {
        "infrastructure.commune_offices_connected",
        "infrastructure.systems_reviewed",
        "infrastructure.assets_past_end_of_life",
    } <= set(INDICATORS)


def test_share_of_commune_offices_with_usable_internet(units):
    assert metrics.commune_offices_connected(START, END, "") is None
    make_link(make_site(units["080101"], "A"), contracted=10)
    make_link(make_site(units["080101"], "B"), measured=1, contracted=10)  # measured too slow
    make_site(units["080101"], "C")  # no link
    make_site(units["080101"], "D", is_active=False)  # closed: not counted
    make_link(make_site(units["12"], "E"), contracted=10)
    make_site(units["12"], "Hall", kind=Site.Kind.PROVINCIAL_HALL)  # not a commune office
    assert metrics.commune_offices_connected(START, END, "") == 50.0  # A and E of A, B, C, E
    assert metrics.commune_offices_connected(START, END, "08") == 33.3
    assert metrics.commune_offices_connected(START, END, "12") == 100.0


def test_share_of_live_systems_reviewed_in_twelve_months():
    DigitalSystem.objects.create(name="A", lifecycle="live", last_security_review=dt.date(2026, 3, 1))
    DigitalSystem.objects.create(name="B", lifecycle="live", last_security_review=dt.date(2025, 12, 1))
    DigitalSystem.objects.create(name="C", lifecycle="live")
    DigitalSystem.objects.create(name="D", lifecycle="retired", last_security_review=dt.date(2026, 3, 1))
    assert metrics.systems_reviewed(START, END, "") == 33.3
    assert metrics.systems_reviewed(START, dt.date(2026, 6, 30), "") == 66.7  # B still within a year
    assert metrics.systems_reviewed(START, END, "08") is None


def test_assets_past_end_of_life(units):
    kandal, phnom_penh = make_site(units["080101"]), make_site(units["12"])
    make_asset(kandal, "1", end_of_life=dt.date(2026, 6, 1))
    make_asset(kandal, "2", end_of_life=dt.date(2026, 6, 1), status=Asset.Status.RETIRED)
    make_asset(phnom_penh, "3", end_of_life=dt.date(2025, 1, 1))
    make_asset(phnom_penh, "4", end_of_life=dt.date(2030, 1, 1))
    make_asset(phnom_penh, "5")
    assert metrics.assets_past_end_of_life(START, END, "") == 2
    assert metrics.assets_past_end_of_life(START, END, "08") == 1
    assert metrics.assets_past_end_of_life(START, dt.date(2026, 1, 1), "08") == 0
