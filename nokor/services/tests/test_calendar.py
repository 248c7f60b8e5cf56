"""Working days: weekends and the Holiday table are skipped, both ways; holidays are seeded from the
`holidays` package with Khmer and English names."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from nokor.services.calendar import (
    add_working_days,
    is_working_day,
    seed_holidays,
    today,
    working_days_between,
)
from nokor.services.models import Holiday

THURSDAY = dt.date(2026, 3, 5)
FRIDAY = dt.date(2026, 3, 6)
MONDAY = dt.date(2026, 3, 9)


@pytest.fixture
def monday_off(db):
    return Holiday.objects.create(date=MONDAY, name_en="Test holiday")


def test_the_next_working_day_after_a_friday_is_monday(db):
    assert add_working_days(FRIDAY, 1) == MONDAY
    assert add_working_days(FRIDAY, 0) == FRIDAY


def test_holidays_are_skipped(monday_off):
    assert add_working_days(FRIDAY, 1) == dt.date(2026, 3, 10)
    assert add_working_days(THURSDAY, 5) == dt.date(2026, 3, 13)
    assert not is_working_day(MONDAY)
    assert not is_working_day(dt.date(2026, 3, 7))  # Saturday
    assert is_working_day(FRIDAY)


def test_counting_backwards_skips_the_same_days(monday_off):
    assert add_working_days(dt.date(2026, 3, 10), -1) == FRIDAY


def test_working_days_between_is_the_inverse_of_adding_them(monday_off):
    assert working_days_between(FRIDAY, dt.date(2026, 3, 10)) == 1
    assert working_days_between(THURSDAY, dt.date(2026, 3, 13)) == 5
    assert working_days_between(dt.date(2026, 3, 13), THURSDAY) == -5
    assert working_days_between(THURSDAY, THURSDAY) == 0
    for days in (1, 7, 30, 90):
        assert working_days_between(THURSDAY, add_working_days(THURSDAY, days)) == days


def test_a_long_span_of_holidays_is_crossed(db):
    start = dt.date(2026, 1, 1)
    Holiday.objects.bulk_create(
        Holiday(date=start + dt.timedelta(days=n), name_en="x") for n in range(1, 120)
    )
    assert add_working_days(start, 1) == dt.date(2026, 5, 1)  # 1 May 2026 is the first day not in the table


@time_machine.travel(dt.datetime(2026, 3, 5, 18, tzinfo=dt.UTC), tick=False)
def test_today_is_the_day_in_cambodia():
    assert today() == FRIDAY  # 01:00 on Friday in Phnom Penh


def test_seeding_adds_the_cambodian_holidays_in_both_languages_once(db):
    assert seed_holidays(2026, 2026) > 15
    new_year = Holiday.objects.get(date=dt.date(2026, 4, 14))
    assert "Khmer New Year" in new_year.name_en
    assert new_year.name_km == "ពិធីបុណ្យចូលឆ្នាំថ្មីប្រពៃណីជាតិ"
    Holiday.objects.filter(date=dt.date(2026, 1, 1)).update(name_en="Corrected by an administrator")
    assert seed_holidays(2026, 2026) == 0
    assert Holiday.objects.get(date=dt.date(2026, 1, 1)).name_en == "Corrected by an administrator"
