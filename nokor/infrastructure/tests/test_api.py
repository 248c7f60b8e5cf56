"""The infrastructure API: the public status for anyone; offices with their links, the systems registry
and the assets for infrastructure officers and auditors, in their unit scope (as the pages)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import path

from nokor.accounts import services as accounts
from nokor.accounts.roles import Role
from nokor.api import NokorAPI
from nokor.core.access import API, guard
from nokor.infrastructure.api import router
from nokor.infrastructure.models import DigitalSystem
from nokor.infrastructure.tests.test_status_page import _public_monitors, incident  # noqa: F401
from nokor.integrations import services as integrations
from nokor.urls import urlpatterns as site_urls

# The router on an API of its own (with the platform's error handling), so these tests do not depend
# on nokor/api.py mounting it.
_api = NokorAPI(urls_namespace="infrastructure-api-test")
_api.add_router("/infrastructure/", router)
urlpatterns = [path("api/v1/", guard(API, _api.urls)), *site_urls]
pytestmark = pytest.mark.urls(__name__)

BASE = "/api/v1/infrastructure"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


# --------------------------------------------------------------------------------------------------
# Public status
# --------------------------------------------------------------------------------------------------
def test_anyone_reads_the_status_page_figures(client, db, incident):  # noqa: F811
    response = client.get(f"{BASE}/status")
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    body = response.json()
    [service] = body["services"]
    assert service["name_en"] == "Service 0" and service["state"] == "down"
    assert len(service["days"]) == 90 and service["uptime_90d"] is not None
    [open_incident] = body["incidents"]
    assert open_incident["service_id"] == service["id"] and open_incident["resolved_at"] is None
    assert open_incident["updates"][0]["text_en"] == "We are repairing it."
    assert "private" not in response.content.decode()  # monitors not on the status page stay out


def test_the_status_is_read_from_the_same_cache_as_the_page(client, db, django_assert_max_num_queries):
    _public_monitors(3)
    client.get(f"{BASE}/status")
    with django_assert_max_num_queries(0):
        assert len(client.get(f"{BASE}/status").json()["services"]) == 3


# --------------------------------------------------------------------------------------------------
# Offices
# --------------------------------------------------------------------------------------------------
def test_an_officer_lists_the_offices_of_their_province_with_connectivity(
    login, infra_officer_kandal, estate
):
    body = login(infra_officer_kandal).get(f"{BASE}/sites").json()
    assert body["next"] is None
    by_name = {item["name_en"]: item for item in body["results"]}
    assert set(by_name) == {"Ampov Prey commune office", "Kandal Stueng district office"}
    connected = by_name["Ampov Prey commune office"]
    assert connected["usable_connectivity"] is True and connected["links"][0]["contracted_mbps"] == 10.0
    assert by_name["Kandal Stueng district office"]["links"] == []


def test_offices_filter_by_connectivity_and_kind(login, infrastructure_officer, estate):
    client = login(infrastructure_officer)
    bare = client.get(f"{BASE}/sites", {"connectivity": "none"}).json()
    assert [item["id"] for item in bare["results"]] == [estate["kandal_bare"].pk]
    halls = client.get(f"{BASE}/sites", {"kind": "provincial_hall"}).json()
    assert [item["id"] for item in halls["results"]] == [estate["phnom_penh"].pk]
    assert client.get(f"{BASE}/sites", {"kind": "palace"}).status_code == 422
    assert client.get(f"{BASE}/sites", {"q": "a\x00b"}).status_code == 422
    assert client.get(f"{BASE}/sites/{2**63}").status_code == 422


def test_an_office_of_another_province_is_404(login, infra_officer_kandal, estate):
    client = login(infra_officer_kandal)
    assert client.get(f"{BASE}/sites/{estate['kandal'].pk}").json()["unit_code"] == "080101"
    refused = client.get(f"{BASE}/sites/{estate['phnom_penh'].pk}")
    assert refused.status_code == 404 and refused["Content-Type"] == "application/problem+json"
    assert client.get(f"{BASE}/sites", {"unit": "12"}).json()["results"] == []


def test_staff_reads_are_refused_to_citizens_other_staff_and_the_anonymous(citizen, officer_kandal, estate):
    anonymous, as_citizen, as_officer = Client(), Client(), Client()
    as_citizen.force_login(citizen)
    as_officer.force_login(officer_kandal)
    for url in (f"{BASE}/sites", f"{BASE}/systems", f"{BASE}/assets", f"{BASE}/sites/{estate['kandal'].pk}"):
        assert anonymous.get(url).status_code == 401
        assert as_citizen.get(url).status_code == 403
        assert as_officer.get(url).status_code == 403


def test_the_offices_list_reads_in_a_fixed_number_of_queries(
    login, infrastructure_officer, estate, django_assert_max_num_queries
):
    client = login(infrastructure_officer)
    first = client.get(f"{BASE}/sites", {"page_size": 2}).json()
    # session, user, roles; the page, its links
    with django_assert_max_num_queries(5):
        second = client.get(first["next"]).json()
    assert [item["id"] for item in first["results"] + second["results"]] == [
        estate["kandal_bare"].pk,  # 0801, then 080101, then 12: the order of the offices page
        estate["kandal"].pk,
        estate["phnom_penh"].pk,
    ]


# --------------------------------------------------------------------------------------------------
# Systems and assets
# --------------------------------------------------------------------------------------------------
@pytest.fixture
def registry(db):
    live = DigitalSystem.objects.create(
        name="Civil registration",
        lifecycle=DigitalSystem.Lifecycle.LIVE,
        classification=DigitalSystem.Classification.CONFIDENTIAL,
        last_security_review=dt.date(2020, 1, 1),
    )
    planned = DigitalSystem.objects.create(name="Archive", lifecycle=DigitalSystem.Lifecycle.PLANNED)
    return {"live": live, "planned": planned}


def test_an_auditor_reads_the_registry_and_its_overdue_reviews(login, auditor, registry):
    client = login(auditor)
    body = client.get(f"{BASE}/systems").json()
    assert [item["name"] for item in body["results"]] == ["Archive", "Civil registration"]
    live = body["results"][1]
    assert live["review_overdue"] is True and live["next_review_due"] == "2020-12-31"
    assert live["classification"] == "confidential" and body["results"][0]["classification"] == ""
    overdue = client.get(f"{BASE}/systems", {"overdue": "true"}).json()
    assert [item["name"] for item in overdue["results"]] == ["Civil registration"]


def test_assets_in_scope_filtered_and_without_who_holds_them(
    login, infra_officer_kandal, infrastructure_officer, estate, django_assert_max_num_queries
):
    kandal = login(infra_officer_kandal).get(f"{BASE}/assets").json()
    assert [item["serial"] for item in kandal["results"]] == ["K-1"]
    assert "assigned_to" not in kandal["results"][0]
    client = login(infrastructure_officer)
    client.get(f"{BASE}/assets")
    with django_assert_max_num_queries(4):  # session, user, roles; the page
        passed = client.get(f"{BASE}/assets", {"eol": "passed"}).json()
    assert [item["serial"] for item in passed["results"]] == ["K-1"]
    assert [i["serial"] for i in client.get(f"{BASE}/assets", {"unit": "12"}).json()["results"]] == ["P-1"]


# --------------------------------------------------------------------------------------------------
# API keys
# --------------------------------------------------------------------------------------------------
def test_a_key_reads_what_its_service_account_may_see_and_nothing_without_a_role(
    client, administrator, estate
):
    partner = integrations.organisation_create(by=administrator, name_km="ក្រសួង", kind="ministry")
    _key, token = integrations.api_key_create(
        by=administrator, organisation=partner, label="Telecom", scopes=["infrastructure:read"]
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get(f"{BASE}/sites", **auth).status_code == 403  # a partner is not staff
    account = partner.service_account
    account.is_staff = True
    account.save(update_fields=["is_staff"])
    accounts.role_assign(
        by=administrator, user=account, role=Role.INFRASTRUCTURE_OFFICER, unit=estate["kandal"].unit.parent
    )
    cache.clear()  # the account's roles are cached
    body = client.get(f"{BASE}/sites", **auth).json()
    assert {item["unit_code"] for item in body["results"]} == {"0801", "080101"}  # Kandal only
    _other, wrong = integrations.api_key_create(
        by=administrator, organisation=partner, label="Other", scopes=["strategy:read"]
    )
    assert client.get(f"{BASE}/sites", HTTP_AUTHORIZATION=f"Bearer {wrong}").status_code == 403
