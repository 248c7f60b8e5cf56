"""The strategy API: the plan's public results exactly as the public page (public indicators, small
numbers suppressed, no targets); indicators with targets and lights, and the progress reports, for the
plan's readers in their scope."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import path

from nokor.api import NokorAPI
from nokor.core.access import API, guard
from nokor.strategy.api import router
from nokor.strategy.models import Indicator
from nokor.strategy.tests.test_dashboard import WITHIN_CHARTER, aggregate
from nokor.strategy.tests.test_reporting import draft
from nokor.urls import urlpatterns as site_urls

# The router on an API of its own (with the platform's error handling), so these tests do not depend
# on nokor/api.py mounting it.
_api = NokorAPI(urls_namespace="strategy-api-test")
_api.add_router("/strategy/", router)
urlpatterns = [path("api/v1/", guard(API, _api.urls)), *site_urls]
pytestmark = pytest.mark.urls(__name__)

BASE = "/api/v1/strategy"
AWARENESS = "3.3.a"  # manual, a number, public, by province
NOT_PUBLIC = "5.2.b"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def _indicators(body) -> dict[str, dict]:
    return {item["code"]: item for group in body["strategies"] for item in group["indicators"]}


# --------------------------------------------------------------------------------------------------
# Public results
# --------------------------------------------------------------------------------------------------
def test_anyone_reads_the_public_indicators_without_targets_or_lights(client, plan):
    aggregate(WITHIN_CHARTER, 2025, 2, 80, denominator=Decimal(50))
    aggregate(WITHIN_CHARTER, 2025, 3, 90, denominator=Decimal(60))
    aggregate(NOT_PUBLIC, 2025, 3, 11)
    response = client.get(f"{BASE}/public")
    assert response.status_code == 200
    indicators = _indicators(response.json())
    assert NOT_PUBLIC not in indicators and not Indicator.objects.get(code=NOT_PUBLIC).is_public
    within = indicators[WITHIN_CHARTER]
    assert [(v["period"], v["value"]) for v in within["values"]] == [("2025 Q2", 80.0), ("2025 Q3", 90.0)]
    assert within["latest"]["value"] == 90.0
    text = response.content.decode()
    assert "target" not in text and "light" not in text and "on_track" not in text


def test_small_numbers_are_suppressed_as_on_the_page(client, plan):
    aggregate(AWARENESS, 2025, 3, 3)
    aggregate(AWARENESS, 2025, 3, 3, unit_code="08")
    aggregate(AWARENESS, 2025, 3, 4000, unit_code="12")
    aggregate(WITHIN_CHARTER, 2025, 3, 75, denominator=Decimal(4))
    indicators = _indicators(client.get(f"{BASE}/public", HTTP_ACCEPT_LANGUAGE="en").json())
    awareness = indicators[AWARENESS]
    assert awareness["latest"]["value"] is None and awareness["latest"]["note"]
    provinces = {p["unit_code"]: p for p in awareness["provinces"]}
    assert provinces["08"]["value"] is None and provinces["12"]["value"] == 4000.0
    assert indicators[WITHIN_CHARTER]["latest"]["value"] is None


def test_the_public_results_are_cached_until_the_figures_change(client, plan, django_assert_max_num_queries):
    aggregate(WITHIN_CHARTER, 2025, 3, 90)
    client.get(f"{BASE}/public")
    with django_assert_max_num_queries(1):  # the version of the figures
        client.get(f"{BASE}/public")
    aggregate(WITHIN_CHARTER, 2025, 4, 91)
    assert _indicators(client.get(f"{BASE}/public").json())[WITHIN_CHARTER]["latest"]["value"] == 91.0


# --------------------------------------------------------------------------------------------------
# Indicators for the plan's readers
# --------------------------------------------------------------------------------------------------
def test_an_approver_reads_targets_values_and_lights_as_the_dashboard(login, plan, approver):
    aggregate(WITHIN_CHARTER, 2025, 3, 90)  # 83.75 expected at the end of Q3 2025: on track
    aggregate("2.1.a", 2025, 3, 50)  # off track
    client = login(approver)
    body = client.get(f"{BASE}/indicators", {"page_size": 100}).json()
    by_code = {item["code"]: item for item in body["results"]}
    assert NOT_PUBLIC in by_code  # readers see every indicator
    within = by_code[WITHIN_CHARTER]
    assert within["light"] == "on_track" and within["latest"]["expected"] == 83.75
    assert {"year": 2027, "value": 95.0} in within["targets"] and within["baseline_year"] == 2022
    assert by_code["2.1.a"]["light"] == "off_track"
    detail = client.get(f"{BASE}/indicators/{WITHIN_CHARTER}").json()
    assert [(v["period"], v["value"], v["light"]) for v in detail["values"]] == [
        ("2025 Q3", 90.0, "on_track")
    ]


def test_the_indicators_page_in_a_fixed_number_of_queries(
    login, plan, approver, django_assert_max_num_queries
):
    client = login(approver)
    first = client.get(f"{BASE}/indicators", {"page_size": 5}).json()
    # session, user, roles; the page; its targets and values
    with django_assert_max_num_queries(6):
        second = client.get(first["next"]).json()
    assert len(second["results"]) == 5
    assert not {i["code"] for i in first["results"]} & {i["code"] for i in second["results"]}


def test_a_focal_point_reads_their_province_and_gets_404_for_another(login, plan, focal_point):
    aggregate(AWARENESS, 2025, 3, 40, unit_code="08")
    aggregate(AWARENESS, 2025, 3, 50, unit_code="12")
    client = login(focal_point)
    kandal = client.get(f"{BASE}/indicators/{AWARENESS}", {"province": "08"}).json()
    assert kandal["unit_code"] == "08" and [v["value"] for v in kandal["values"]] == [40.0]
    assert client.get(f"{BASE}/indicators/{AWARENESS}", {"province": "12"}).status_code == 404
    assert client.get(f"{BASE}/indicators/no.such").status_code == 404


def test_staff_reads_are_refused_to_citizens_other_staff_and_the_anonymous(plan, citizen, officer_kandal):
    anonymous, as_citizen, as_officer = Client(), Client(), Client()
    as_citizen.force_login(citizen)
    as_officer.force_login(officer_kandal)
    for url in (f"{BASE}/indicators", f"{BASE}/indicators/{WITHIN_CHARTER}", f"{BASE}/reports"):
        assert anonymous.get(url).status_code == 401
        assert as_citizen.get(url).status_code == 403
        assert as_officer.get(url).status_code == 403


# --------------------------------------------------------------------------------------------------
# Progress reports
# --------------------------------------------------------------------------------------------------
def test_progress_reports_in_the_readers_scope(
    login, focal_point, focal_point_phnom_penh, approver, awareness, period, django_assert_max_num_queries
):
    mine = draft(focal_point, awareness, period)
    other = draft(focal_point_phnom_penh, awareness, period)
    kandal = login(focal_point).get(f"{BASE}/reports").json()
    assert [r["id"] for r in kandal["results"]] == [mine.pk]
    assert kandal["results"][0]["state"] == "draft" and kandal["results"][0]["unit_code"] == "08"
    client = login(approver)
    client.get(f"{BASE}/reports")
    with django_assert_max_num_queries(4):  # session, user, second factor; the page
        everyone = client.get(f"{BASE}/reports", {"year": period.year, "quarter": period.quarter}).json()
    assert [r["id"] for r in everyone["results"]] == [other.pk, mine.pk]  # newest first
    assert everyone["results"][0]["activity_code"] == awareness.code
    assert client.get(f"{BASE}/reports", {"state": "approved"}).json()["results"] == []
    assert client.get(f"{BASE}/reports", {"unit": "08"}).json()["results"][0]["id"] == mine.pk
