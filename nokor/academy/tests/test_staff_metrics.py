"""The academy's indicators for the strategy app, on a small dataset."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from nokor.academy import metrics
from nokor.academy.models import Audience, Course, Enrolment
from nokor.academy.tests.test_staff_assignments import make_staff
from nokor.accounts.roles import Role
from nokor.core.indicators import INDICATORS

START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


def moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def finish(user, course, day, *, pre=None, post=None, unit_code=""):
    return Enrolment.objects.create(
        user=user,
        course=course,
        status=Enrolment.Status.COMPLETED,
        completed_at=moment(day),
        pre_score=pre,
        post_score=post,
        unit_code=unit_code,
    )


@pytest.fixture
def cyber_course(db):
    return Course.objects.create(
        slug=metrics.CYBER_COURSE, audience=Audience.STAFF, title_km="សន្តិសុខសាយប័រ", title_en="Cyber hygiene"
    )


def test_the_three_indicators_are_registered():
    assert {"academy.staff_cyber_trained", "academy.citizens_literacy", "academy.learning_gain"} <= set(
        INDICATORS
    )
    assert INDICATORS["academy.staff_cyber_trained"].unit == "percent"


def test_share_of_civil_servants_trained_in_cybersecurity(cyber_course, staff_course, units):
    kandal = [make_staff(Role.SERVICE_OFFICER, "08") for _ in range(3)]
    siem_reap = make_staff(Role.SERVICE_OFFICER, "17")
    finish(kandal[0], cyber_course, dt.date(2026, 3, 1))
    finish(kandal[1], cyber_course, dt.date(2027, 2, 1))  # after the period
    finish(kandal[2], staff_course, dt.date(2026, 3, 1))  # another course
    finish(siem_reap, cyber_course, dt.date(2026, 5, 1))

    assert metrics.staff_cyber_trained(START, END, "") == 50.0  # 2 of 4
    assert metrics.staff_cyber_trained(START, END, "08") == 33.3  # 1 of 3
    assert metrics.staff_cyber_trained(START, END, "0801") is None  # nobody in post there


def test_number_of_citizens_who_completed_a_digital_literacy_course(
    course, staff_course, citizen, other_citizen, units
):
    officer = make_staff(Role.SERVICE_OFFICER, "08")
    finish(citizen, course, dt.date(2026, 6, 1))
    finish(other_citizen, course, dt.date(2025, 12, 31))  # before the period
    finish(officer, course, dt.date(2026, 6, 1))  # staff are not citizens
    finish(citizen, staff_course, dt.date(2026, 6, 2))  # not a public course
    assert metrics.citizens_literacy(START, END, "") == 1
    assert metrics.citizens_literacy(START, END, "08") is None


def test_average_learning_gain(course, citizen, other_citizen, units):
    officer = make_staff(Role.SERVICE_OFFICER, "08")
    finish(citizen, course, dt.date(2026, 2, 1), pre=Decimal(40), post=Decimal(90))
    finish(other_citizen, course, dt.date(2026, 2, 1), pre=Decimal(50), post=Decimal(65))
    finish(officer, course, dt.date(2026, 2, 1), pre=Decimal(80), post=Decimal(100), unit_code="0801")
    assert metrics.average_learning_gain(START, END, "") == Decimal("28.3")  # (50 + 15 + 20) / 3
    assert metrics.average_learning_gain(START, END, "08") == Decimal("20.0")
    assert metrics.average_learning_gain(START, END, "17") is None
