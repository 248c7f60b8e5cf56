"""The public transparency page: public indicators only, approved values only, small numbers
suppressed, no targets, cached."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from nokor.strategy import aggregation, reporting
from nokor.strategy.models import Activity, Indicator, ReportingPeriod
from nokor.strategy.tests.test_dashboard import WITHIN_CHARTER, aggregate, english, text_of

AWARENESS = "3.3.a"  # manual, a number, public, by province, reported in activity 3.3.1
PUBLIC_URL = "strategy:public"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_anyone_sees_the_public_indicators_and_nothing_else(client, plan):
    aggregate(WITHIN_CHARTER, 2025, 3, 90)
    aggregate("5.2.b", 2025, 3, 11)  # median days: not public
    response = english(client).get(reverse(PUBLIC_URL))
    assert response.status_code == 200
    page = text_of(response)
    within = Indicator.objects.get(code=WITHIN_CHARTER)
    assert within.title_en in page and "90%" in page
    hidden = Indicator.objects.get(code="5.2.b")
    assert not hidden.is_public and hidden.title_en not in page
    assert "Target" not in page and "On track" not in page  # targets are not public, nor the lights


def test_a_signed_in_reader_sees_the_public_page_not_the_dashboard(login, plan, approver):
    aggregate("5.2.b", 2025, 3, 11)
    page = text_of(english(login(approver)).get(reverse(PUBLIC_URL)))
    assert Indicator.objects.get(code="5.2.b").title_en not in page


def test_small_counts_and_percentages_of_few_cases_are_suppressed(client, plan):
    aggregate(AWARENESS, 2025, 3, 3)  # a count under 5
    aggregate(AWARENESS, 2025, 3, 3, unit_code="08")
    aggregate(AWARENESS, 2025, 3, 4000, unit_code="12")
    aggregate(WITHIN_CHARTER, 2025, 3, 75, denominator=Decimal(4))  # 3 of 4 applications
    aggregate(WITHIN_CHARTER, 2025, 2, 80, denominator=Decimal(50))
    html = english(client).get(reverse(PUBLIC_URL)).content.decode()
    page = text_of(html)
    assert "Fewer than 5" in page
    assert "4,000" in page  # Phnom Penh's count is large enough
    assert "Not shown: fewer than 5 cases" in page
    assert "75%" not in page and "80%" in page
    assert ">3<" not in html and ">3</td>" not in html


def test_only_approved_values_are_shown(client, plan, focal_point, approver):
    indicator = Indicator.objects.get(code=AWARENESS)
    activity = Activity.objects.get(code="3.3.1")
    period = ReportingPeriod.objects.get(year=2025, quarter=3)
    (kandal,) = reporting.reporting_units(focal_point)
    report = reporting.report_create(by=focal_point, activity=activity, period=period, unit=kandal)
    cell = next(c for c in reporting.value_cells(report) if c.indicator == indicator)
    report = reporting.report_update(
        by=focal_point,
        report=report,
        expected_version=report.lock_version,
        activity_status="in_progress",
        narrative="Radio spots in Kandal.",
        risks="",
        budget_spent=None,
        values={cell.name: Decimal(1234)},
    )
    report = reporting.report_submit(by=focal_point, report=report)
    aggregation.refresh([indicator])
    assert "1,234" not in text_of(english(client).get(reverse(PUBLIC_URL)))

    reporting.report_approve(by=approver, report=report)
    aggregation.refresh([indicator])  # the cached page moves on with the rebuilt table
    assert "1,234" in text_of(english(client).get(reverse(PUBLIC_URL)))


def test_the_public_page_is_cached_and_reads_little(client, plan, django_assert_max_num_queries):
    aggregate(WITHIN_CHARTER, 2025, 3, 90)
    with django_assert_max_num_queries(6):
        response = client.get(reverse(PUBLIC_URL))
    assert "max-age" in response["Cache-Control"] and "private" in response["Cache-Control"]
    with django_assert_max_num_queries(1):
        client.get(reverse(PUBLIC_URL))


def test_the_footer_links_to_the_public_page(client, plan):
    assert reverse(PUBLIC_URL) in client.get(reverse("home")).content.decode()
