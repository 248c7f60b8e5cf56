"""Fixtures of the strategy tests: the plan loaded from its data file, the reporting period of today,
and a focal point of Phnom Penh beside the demo one of Kandal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nokor.accounts import demo
from nokor.accounts.roles import Role
from nokor.services.tests.conftest import catalogue, residence, submitted  # noqa: F401 (an application)
from nokor.strategy.loader import load_plan
from nokor.strategy.models import Activity, ReportingPeriod
from nokor.strategy.reporting import current_period


@pytest.fixture(autouse=True)
def _english(client):
    """The pages in English, as the tests read them (the Khmer catalogue is checked elsewhere); a test
    about Khmer asks for it."""
    client.cookies["nokor_language"] = "en"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Evidence and workbooks go to a folder of the test, never to the real media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def plan(units):
    return load_plan()


@pytest.fixture
def period(plan) -> ReportingPeriod:
    found = current_period()
    if found is None:  # after the plan's years: a period of today for the tests
        today = timezone.localdate()
        found = ReportingPeriod.objects.create(
            year=today.year, quarter=(today.month - 1) // 3 + 1, deadline=today + dt.timedelta(days=20)
        )
    return found


@pytest.fixture
def awareness(plan) -> Activity:
    """Activity 3.3.1: every province reports people reached, by sex (indicator 3.3.a, a number)."""
    return Activity.objects.get(code="3.3.1")


@pytest.fixture
def focal_point_phnom_penh(units):
    person = demo.DemoPerson(
        "focal_pp", "focal.pp@demo.nokor.gov.kh", "Focal point Phnom Penh", Role.STRATEGY_FOCAL_POINT, "12"
    )
    return demo.create_staff(person)
