"""The leadership dashboard: six strategy cards with traffic lights in words, drill-down strategy >
objective > indicator > provinces > records, the viewer's scope, the query counts and the cache."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from nokor.strategy.models import Indicator, IndicatorAggregate, Strategy

WITHIN_CHARTER = "5.2.a"  # automatic, percentage, baseline 70 (2022), targets 75…95 for 2023-2027


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def aggregate(code: str, year: int, quarter: int, value, unit_code: str = "", **extra) -> IndicatorAggregate:
    """One row of the aggregate table, as the refresh task writes it."""
    return IndicatorAggregate.objects.create(
        indicator=Indicator.objects.get(code=code),
        year=year,
        quarter=quarter,
        unit_code=unit_code,
        value=None if value is None else Decimal(str(value)),
        computed_at=timezone.now(),
        **extra,
    )


def english(client):
    client.cookies["nokor_language"] = "en"
    return client


def text_of(page) -> str:
    """The words of a response (or of its HTML), without the markup."""
    html = page if isinstance(page, str) else page.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --------------------------------------------------------------------------------------------------
# Access
# --------------------------------------------------------------------------------------------------
def test_the_dashboard_is_for_strategy_roles_only(client, login, plan, citizen, officer_kandal):
    url = reverse("strategy:dashboard")
    assert client.get(url).status_code == 302  # to sign-in
    assert login(citizen).get(url).status_code == 403
    assert login(officer_kandal).get(url).status_code == 403


# --------------------------------------------------------------------------------------------------
# The cards
# --------------------------------------------------------------------------------------------------
def test_six_strategy_cards_with_lights_in_words_and_the_latest_values(login, plan, approver):
    aggregate(WITHIN_CHARTER, 2025, 3, 90)  # the end of Q3 2025 is 2024.75: 83.75 expected, on track
    aggregate("2.1.a", 2025, 3, 50)  # 76.25 expected from a baseline of 35: off track
    response = english(login(approver)).get(reverse("strategy:dashboard"))
    assert response.status_code == 200
    page = text_of(response)
    for strategy in Strategy.objects.filter(plan=plan):
        assert strategy.title_en in page
    assert page.count("Strategy ") >= 6
    assert "90%" in page and "83.8%" in page  # the latest value against the value expected then
    assert "On track" in page and "Off track" in page and "No data" in page
    html = response.content.decode()
    assert '<span aria-hidden="true">✓</span> On track' in html  # an icon and words, not colour alone
    assert "tag--green" in html and "tag--red" in html
    assert "Some targets are demo values" in page


def test_the_dashboard_takes_a_fixed_number_of_queries_whatever_the_data(
    login, plan, approver, django_assert_max_num_queries
):
    client = login(approver)
    client.get(reverse("strategy:dashboard"))  # the session and the menu settle
    cache.clear()
    with django_assert_max_num_queries(12):
        assert client.get(reverse("strategy:dashboard")).status_code == 200
    for indicator in Indicator.objects.all():
        for year in (2023, 2024, 2025):
            for quarter in range(5):
                aggregate(indicator.code, year, quarter, 50)
                aggregate(indicator.code, year, quarter, 40, unit_code="08")
    cache.clear()
    with django_assert_max_num_queries(12):
        response = client.get(reverse("strategy:dashboard"))
    assert "On track" in text_of(response) or "Off track" in text_of(response)


def test_the_dashboard_is_cached_until_the_figures_change(
    login, plan, approver, django_assert_max_num_queries
):
    client = english(login(approver))
    row = aggregate(WITHIN_CHARTER, 2025, 3, 90)
    assert "90%" in text_of(client.get(reverse("strategy:dashboard")))
    with django_assert_max_num_queries(7):  # session, user, menu and the version: no figure is read again
        client.get(reverse("strategy:dashboard"))

    IndicatorAggregate.objects.filter(pk=row.pk).update(value=Decimal("80"))
    assert "90%" in text_of(client.get(reverse("strategy:dashboard")))  # not changed by a refresh

    row.delete()  # what the refresh does: the indicator's rows replaced by new ones
    aggregate(WITHIN_CHARTER, 2025, 3, 80)
    page = text_of(client.get(reverse("strategy:dashboard")))
    assert "80%" in page and "Off track" in page


# --------------------------------------------------------------------------------------------------
# Drill-down
# --------------------------------------------------------------------------------------------------
def test_drill_down_from_strategy_to_objective_to_indicator(login, plan, approver):
    aggregate(WITHIN_CHARTER, 2025, 2, 81)
    aggregate(WITHIN_CHARTER, 2025, 3, 90)
    aggregate(WITHIN_CHARTER, 2025, 0, 88)
    client = english(login(approver))

    strategy = client.get(reverse("strategy:dashboard_strategy", args=["5"]))
    assert strategy.status_code == 200
    assert reverse("strategy:dashboard_objective", args=["5.2"]) in strategy.content.decode()

    objective = client.get(reverse("strategy:dashboard_objective", args=["5.2"]))
    assert objective.status_code == 200
    html = objective.content.decode()
    assert reverse("strategy:dashboard_indicator", args=[WITHIN_CHARTER]) in html
    assert "Activities" in text_of(objective)

    indicator = client.get(reverse("strategy:dashboard_indicator", args=[WITHIN_CHARTER]))
    assert indicator.status_code == 200
    html = indicator.content.decode()
    assert html.count("<svg") >= 1 and 'stroke-dasharray="6 4"' in html  # targets dashed
    periods = html[html.index("Value in each period") :]
    rows = re.findall(r"<tr><td>(2025 Q\d)</td><td>([^<]+)</td><td>([^<]+)</td>", periods)
    assert rows[:2] == [("2025 Q3", "90%", "83.8%"), ("2025 Q2", "81%", "82.5%")]
    assert "At risk" in text_of(indicator)  # 11 of the 12.5 points expected above the baseline: 88 %
    assert reverse("strategy:dashboard_provinces", args=[WITHIN_CHARTER]) in html


def test_a_code_outside_the_plan_is_404(login, plan, approver):
    client = login(approver)
    assert client.get(reverse("strategy:dashboard_strategy", args=["9"])).status_code == 404
    assert client.get(reverse("strategy:dashboard_indicator", args=["9.9.z"])).status_code == 404


def test_provinces_are_those_of_the_viewers_scope(login, plan, approver, focal_point):
    aggregate(WITHIN_CHARTER, 2025, 3, 90)
    aggregate(WITHIN_CHARTER, 2025, 3, 91, unit_code="08")
    aggregate(WITHIN_CHARTER, 2025, 3, 77, unit_code="12")
    url = reverse("strategy:dashboard_provinces", args=[WITHIN_CHARTER])

    nationwide = text_of(english(login(approver)).get(url))
    assert "Kandal" in nationwide and "Phnom Penh" in nationwide and "77%" in nationwide

    response = english(login(focal_point)).get(url)  # Kandal's focal point
    page = text_of(response)
    assert "Kandal" in page and "91%" in page
    assert "Phnom Penh" not in page and "77%" not in page
    records_kandal = reverse("strategy:dashboard_records", args=[WITHIN_CHARTER, "08"])
    assert records_kandal in response.content.decode()


def test_a_focal_point_never_reaches_another_provinces_records(login, plan, focal_point):
    aggregate(WITHIN_CHARTER, 2025, 3, 77, unit_code="12")
    client = login(focal_point)
    url = reverse("strategy:dashboard_records", args=[WITHIN_CHARTER, "12"]) + "?period=2025-3"
    assert client.get(url).status_code == 404


def test_a_wrong_period_shows_the_form_with_its_error(login, plan, approver):
    aggregate(WITHIN_CHARTER, 2025, 3, 90)
    url = reverse("strategy:dashboard_provinces", args=[WITHIN_CHARTER]) + "?period=1999-9"
    response = english(login(approver)).get(url)
    assert response.status_code == 200
    assert "There is a problem" in text_of(response)


# --------------------------------------------------------------------------------------------------
# The records behind a number
# --------------------------------------------------------------------------------------------------
@pytest.fixture
def decided(units, citizen):
    """Applications decided in Q3 2025: two in Kandal (one late), one in Phnom Penh."""
    import datetime as dt

    from nokor.services.catalogue import load_catalogue
    from nokor.services.models import Application, Service, Status

    load_catalogue()
    service = Service.objects.filter(current_version__isnull=False).first()
    made = {}
    for reference, code, late in (
        ("A-08-1", "080101", False),
        ("A-08-2", "08", True),
        ("A-12-1", "12", False),
    ):
        decided_at = dt.datetime(2025, 8, 20, 3, tzinfo=dt.UTC)
        made[reference] = Application.objects.create(
            reference=reference,
            service=service,
            service_version=service.current_version,
            applicant=citizen,
            unit=units[code],
            status=Status.APPROVED,
            submitted_at=decided_at - dt.timedelta(days=10),
            deadline=(decided_at - dt.timedelta(days=12 if late else 0)).date(),
            decided_at=decided_at,
        )
    return made


def test_the_records_behind_a_province_are_those_the_viewer_may_see(login, plan, decided, auditor):
    aggregate(WITHIN_CHARTER, 2025, 3, 67)
    aggregate(WITHIN_CHARTER, 2025, 3, 50, unit_code="08")
    url = reverse("strategy:dashboard_records", args=[WITHIN_CHARTER, "08"]) + "?period=2025-3"
    response = english(login(auditor)).get(url)  # auditors see every application
    assert response.status_code == 200
    page = text_of(response)
    assert "A-08-1" in page and "A-08-2" in page and "A-12-1" not in page
    assert "50%" in page and "2 records you may see" in page
    assert reverse("services:queue_detail", args=[decided["A-08-1"].pk]) in response.content.decode()


def test_a_focal_point_sees_no_application_without_a_services_role(login, plan, decided, focal_point):
    aggregate(WITHIN_CHARTER, 2025, 3, 67)
    aggregate(WITHIN_CHARTER, 2025, 3, 50, unit_code="08")
    url = reverse("strategy:dashboard_records", args=[WITHIN_CHARTER, "08"]) + "?period=2025-3"
    response = english(login(focal_point)).get(url)
    assert response.status_code == 200
    page = text_of(response)
    assert "A-08-1" not in page and "There is no record here that you may see." in page


def test_the_records_behind_a_manual_value_are_its_approved_reports(login, plan, focal_point, approver):
    from nokor.strategy import aggregation, reporting
    from nokor.strategy.models import Activity, ReportingPeriod

    indicator = Indicator.objects.get(code="3.3.a")
    (kandal,) = reporting.reporting_units(focal_point)
    report = reporting.report_create(
        by=focal_point,
        activity=Activity.objects.get(code="3.3.1"),
        period=ReportingPeriod.objects.get(year=2025, quarter=3),
        unit=kandal,
    )
    cell = next(c for c in reporting.value_cells(report) if c.indicator == indicator)
    reporting.report_update(
        by=focal_point,
        report=report,
        expected_version=report.lock_version,
        activity_status="in_progress",
        narrative="",
        risks="",
        budget_spent=None,
        values={cell.name: Decimal(800)},
    )
    url = reverse("strategy:dashboard_records", args=["3.3.a", "08"]) + "?period=2025-3"
    reporting.report_submit(by=focal_point, report=report)
    aggregation.refresh([indicator])
    assert login(approver).get(url).status_code == 404  # no approved value: no such period yet

    reporting.report_approve(by=approver, report=report)
    aggregation.refresh([indicator])
    response = english(login(approver)).get(url)
    assert response.status_code == 200
    assert reverse("strategy:report_detail", args=[report.pk]) in response.content.decode()
    assert "800" in text_of(response)


def test_the_drill_down_pages_take_a_fixed_number_of_queries(
    login, plan, approver, django_assert_max_num_queries
):
    client = login(approver)
    client.get(reverse("strategy:dashboard"))
    pages = [
        reverse("strategy:dashboard_strategy", args=["5"]),
        reverse("strategy:dashboard_objective", args=["5.2"]),
        reverse("strategy:dashboard_indicator", args=[WITHIN_CHARTER]),
        reverse("strategy:dashboard_provinces", args=[WITHIN_CHARTER]),
    ]
    for year in (2023, 2024, 2025):
        for quarter in range(5):
            aggregate(WITHIN_CHARTER, year, quarter, 80)
            for code in ("08", "12", "17"):
                aggregate(WITHIN_CHARTER, year, quarter, 70, unit_code=code)
    for url in pages:
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200


def test_a_strategy_shows_the_middle_light_of_its_indicators():
    from nokor.strategy.rules import Light
    from nokor.strategy.status import combined_light

    on, risk, off = Light.ON_TRACK, Light.AT_RISK, Light.OFF_TRACK
    assert combined_light([]) is None and combined_light([None, None]) is None
    assert combined_light([on, on, off]) == on  # one indicator off track does not decide
    assert combined_light([on, off]) == off  # a tie: the worse one
    assert combined_light([on, risk, None, off, on]) == risk  # indicators without data are left out
