"""The cybercrime indicators of the strategy app: each measured on a small known dataset (period edges
in Phnom Penh time, unit scope by code prefix, the None answers), each one query, all registered at
start-up."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import translation

from nokor.core.indicators import INDICATORS
from nokor.cyber import metrics, reference_data, reports
from nokor.cyber.models import Case, FreezeRequest, Institution, Report

PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _reference_data(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()  # the reporting rate limit counts in the cache
    reference_data.load()


def at(day: int, hour: int = 12, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=PHNOM_PENH)


def report(units, unit: str | None = "12", *, created: dt.datetime, **moments) -> Report:
    filed = reports.report_submit(
        by=None, category="online-fraud", description="x", unit=units[unit] if unit else None
    ).report
    Report.objects.filter(pk=filed.pk).update(created_at=created, **moments)
    return filed


def case(units, by, unit: str | None = "12", *, closed: dt.datetime | None = None, **fields) -> Case:
    number = next(_numbers)
    return Case.objects.create(
        number=number,
        reference=f"CC-TEST-{number:06d}",
        title="Fake investment site",
        unit=units[unit] if unit else None,
        created_by=by,
        status=Case.Status.CLOSED if closed else Case.Status.OPEN,
        closed_at=closed,
        **fields,
    )


def freeze(owner: Case, by, *, status, frozen: str, currency="USD", answered=None) -> FreezeRequest:
    number = next(_numbers)
    return FreezeRequest.objects.create(
        reference=f"FR-TEST-{number:06d}",
        case=owner,
        institution=Institution.objects.get(code="ABA"),
        account="000 123 456",
        amount=Decimal("500"),
        currency=currency,
        requested_by=by,
        requested_at=at(1),
        answer_due=at(1, 14),
        status=status,
        frozen_amount=Decimal(frozen),
        answered_at=answered,
    )


def test_every_cyber_indicator_is_registered_at_start_up_with_a_translatable_title():
    keys = {key for key, source in INDICATORS.items() if source.app == "cyber"}
    assert keys == {
        "cyber.reports_received",
        "cyber.triaged_within_sla",
        "cyber.median_hours_to_triage",
        "cyber.cases_closed",
        "cyber.money_frozen_usd",
        "cyber.money_frozen_khr",
    }
    with translation.override("en"):
        assert str(INDICATORS["cyber.cases_closed"].title) == "Cybercrime cases closed"
    assert INDICATORS["cyber.money_frozen_khr"].unit == "riel"


def test_reports_received_counts_the_days_of_the_period_in_phnom_penh_time(units, django_assert_num_queries):
    report(units, created=at(1, 0, month=3))  # 1 March 00:00 in Phnom Penh: 28 February in UTC
    report(units, created=at(31, 23, month=3))
    report(units, created=at(28, 23, month=2))  # the evening before: February
    report(units, created=at(1, 0, month=4))
    report(units, "08", created=at(10))
    report(units, None, created=at(11))  # no unit: counted only for the whole country
    with django_assert_num_queries(1):
        assert metrics.reports_received(*MARCH, "") == 4
    assert metrics.reports_received(*MARCH, "12") == 2
    assert metrics.reports_received(*MARCH, "08") == 1
    assert metrics.reports_received(*MARCH, "17") == 0


def test_reports_received_in_a_province_include_those_of_its_districts(units):
    report(units, "0801", created=at(5))
    report(units, "08010101", created=at(6))
    assert metrics.reports_received(*MARCH, "08") == 2
    assert metrics.reports_received(*MARCH, "0801") == 2
    assert metrics.reports_received(*MARCH, "12") == 0


def test_share_triaged_within_sla_counts_reports_assessed_in_the_period(units, django_assert_num_queries):
    report(units, created=at(1), triaged_at=at(2), sla_due=at(3))  # on time
    report(units, created=at(1), triaged_at=at(3), sla_due=at(3))  # on the deadline: on time
    report(units, created=at(1), triaged_at=at(10), sla_due=at(8))  # late
    report(units, created=at(1), triaged_at=at(10), sla_due=None)  # no deadline: not on time
    report(units, created=at(20, month=2), triaged_at=at(5, month=4), sla_due=at(6, month=4))  # April
    report(units, created=at(1))  # never assessed
    report(units, "08", created=at(1), triaged_at=at(2), sla_due=at(3))
    with django_assert_num_queries(1):
        assert metrics.triaged_within_sla(*MARCH, "12") == 50.0
    assert metrics.triaged_within_sla(*MARCH, "") == 60.0
    assert metrics.triaged_within_sla(*MARCH, "08") == 100.0


def test_share_triaged_within_sla_is_none_when_nothing_was_assessed(units):
    report(units, created=at(1))  # received but never assessed
    report(units, "08", created=at(1), triaged_at=at(2), sla_due=at(3))
    assert metrics.triaged_within_sla(*MARCH, "12") is None
    assert metrics.triaged_within_sla(dt.date(2026, 5, 1), dt.date(2026, 5, 31), "") is None


def test_median_hours_to_triage_takes_the_middle_one_or_the_mean_of_the_middle_two(
    units, django_assert_num_queries
):
    report(units, created=at(1, 8), triaged_at=at(1, 10))  # 2 hours
    report(units, created=at(1, 8), triaged_at=at(1, 18))  # 10 hours
    report(units, created=at(2, 8), triaged_at=at(2, 12))  # 4 hours
    report(units, "08", created=at(1, 8), triaged_at=at(3, 8))  # 48 hours, Kandal
    with django_assert_num_queries(1):
        assert metrics.median_hours_to_triage(*MARCH, "12") == 4.0
    assert metrics.median_hours_to_triage(*MARCH, "") == 7.0  # (4 + 10) / 2
    assert metrics.median_hours_to_triage(*MARCH, "08") == 48.0
    assert metrics.median_hours_to_triage(*MARCH, "17") is None


def test_cases_closed_counts_closing_dates_in_the_period_and_the_unit(
    units, cyber_supervisor, django_assert_num_queries
):
    case(units, cyber_supervisor, closed=at(3))
    case(units, cyber_supervisor, closed=at(31, 23))
    case(units, cyber_supervisor, closed=at(1, month=4))
    case(units, cyber_supervisor, "08", closed=at(15))
    case(units, cyber_supervisor)  # still open
    reopened = case(units, cyber_supervisor, closed=at(4))
    Case.objects.filter(pk=reopened.pk).update(status=Case.Status.INVESTIGATING)
    with django_assert_num_queries(1):
        assert metrics.cases_closed(*MARCH, "") == 3
    assert metrics.cases_closed(*MARCH, "12") == 2
    assert metrics.cases_closed(*MARCH, "08") == 1


def test_money_frozen_sums_answers_of_the_period_in_each_currency(
    units, cyber_supervisor, django_assert_num_queries
):
    phnom_penh = case(units, cyber_supervisor)
    kandal = case(units, cyber_supervisor, "08")
    by = cyber_supervisor
    freeze(phnom_penh, by, status=FreezeRequest.Status.FROZEN, frozen="500.00", answered=at(2))
    freeze(phnom_penh, by, status=FreezeRequest.Status.PARTIAL, frozen="120.50", answered=at(3))
    freeze(phnom_penh, by, status=FreezeRequest.Status.REFUSED, frozen="0", answered=at(3))
    freeze(phnom_penh, by, status=FreezeRequest.Status.SENT, frozen="0")
    freeze(phnom_penh, by, status=FreezeRequest.Status.FROZEN, frozen="75.00", answered=at(2, month=4))
    freeze(kandal, by, status=FreezeRequest.Status.FROZEN, frozen="40.00", answered=at(9))
    freeze(kandal, by, status=FreezeRequest.Status.FROZEN, frozen="2000000", currency="KHR", answered=at(9))
    with django_assert_num_queries(1):
        assert metrics.money_frozen_usd(*MARCH, "") == Decimal("660.50")
    assert metrics.money_frozen_usd(*MARCH, "12") == Decimal("620.50")
    assert metrics.money_frozen_khr(*MARCH, "") == Decimal("2000000")
    assert metrics.money_frozen_khr(*MARCH, "12") == Decimal(0)
    assert metrics.money_frozen_usd(dt.date(2026, 5, 1), dt.date(2026, 5, 31), "") == Decimal(0)
