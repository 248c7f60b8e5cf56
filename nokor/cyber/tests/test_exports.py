"""Sharing the list: the STIX 2.1 bundle of confirmed indicators (valid for the OASIS validator) and the
CSV file of every listed identifier for banks and telecom operators."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from stix2validator import ValidationOptions, validate_string

from nokor.audit.models import AuditEvent
from nokor.cyber import exports
from nokor.cyber.models import AllowListEntry, Verdict
from nokor.cyber.scamcheck import check
from nokor.cyber.tests.factories_check import (  # noqa: F401 (fixtures)
    categories_fixture,
    fresh_rate_limit_fixture,
    make_report_fixture,
)

CONFIRMED = {
    "phone": ("012 345 678", "+85512345678", "[x-nokor-phone:value = '+85512345678']"),
    "url": (
        "https://scam-shop.com/it's?a=1",
        "https://scam-shop.com/it's?a=1",
        "[url:value = 'https://scam-shop.com/it\\'s?a=1']",
    ),
    "domain": ("fake-bank.com.kh", "fake-bank.com.kh", "[domain-name:value = 'fake-bank.com.kh']"),
    "email": (
        "agent@fake-bank.com.kh",
        "agent@fake-bank.com.kh",
        "[email-addr:value = 'agent@fake-bank.com.kh']",
    ),
    "bank_account": (
        "ABA 000 123 456",
        "ABA:000123456",
        "[x-nokor-bank-account:bank_code = 'ABA' AND x-nokor-bank-account:account_number = '000123456']",
    ),
    "bakong": (
        "scam.agent@wing",
        "scam.agent@wing",
        "[x-nokor-bakong-account:account_id = 'scam.agent@wing']",
    ),
    "crypto": (
        "TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW",
        "TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW",
        "[x-nokor-cryptocurrency-wallet:address = 'TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW' AND "
        "x-nokor-cryptocurrency-wallet:network = 'tron']",
    ),
    "handle": ("@scam.agent", "scam.agent", "[user-account:account_login = 'scam.agent']"),
}


@pytest.fixture
def confirmed(make_report, cyber_supervisor):
    """One confirmed identifier of each kind, each named in one report."""
    for kind, (typed, value, _) in CONFIRMED.items():
        make_report(typed)
        Verdict.objects.create(
            kind=kind, value=value, outcome=Verdict.Outcome.CONFIRMED, decided_by=cyber_supervisor
        )


@pytest.fixture
def mixed(make_report, cyber_supervisor):
    """Listed by reports, confirmed, false positive, allow-listed, too few reports."""
    for _ in range(3):
        make_report("011 222 333", "https://a.phish.net/x")
    make_report("https://b.phish.net/y")
    make_report("sokha@aclb")
    Verdict.objects.create(
        kind="bakong", value="sokha@aclb", outcome="confirmed", decided_by=cyber_supervisor
    )
    for _ in range(5):
        make_report("088 888 8888")
    Verdict.objects.create(
        kind="phone", value="+855888888888", outcome="false_positive", decided_by=cyber_supervisor
    )
    for _ in range(3):
        make_report("023 999 999")
    AllowListEntry.objects.create(kind="phone", value="+85523999999", reason="Hotline")
    make_report("017 777 777")
    make_report("017 777 777")


def validate(bundle: str):
    return validate_string(bundle, ValidationOptions(version="2.1", strict=True))


# --------------------------------------------------------------------------------------------------
# STIX
# --------------------------------------------------------------------------------------------------
def test_the_bundle_of_confirmed_indicators_is_valid_stix(confirmed):
    bundle = exports.stix_bundle(exports.listed_indicators(confirmed_only=True))
    results = validate(bundle)
    assert results.is_valid, [str(error) for error in results.errors]
    objects = json.loads(bundle)["objects"]
    patterns = {obj["pattern"] for obj in objects if obj["type"] == "indicator"}
    assert patterns == {pattern for _, _, pattern in CONFIRMED.values()}


def test_the_bundle_is_marked_tlp_amber_by_default_and_names_its_producer(confirmed):
    objects = json.loads(exports.stix_bundle(exports.listed_indicators(confirmed_only=True)))["objects"]
    marking = next(obj for obj in objects if obj["type"] == "marking-definition")
    identity = next(obj for obj in objects if obj["type"] == "identity")
    assert marking["name"] == "TLP:AMBER"
    for indicator in (obj for obj in objects if obj["type"] == "indicator"):
        assert indicator["object_marking_refs"] == [marking["id"]]
        assert indicator["created_by_ref"] == identity["id"]
        assert indicator["indicator_types"] == ["malicious-activity"]
        assert indicator["valid_until"] > indicator["valid_from"]


def test_the_tlp_level_is_a_setting(confirmed, settings):
    settings.CYBER_STIX_TLP = "TLP:RED"
    assert '"TLP:RED"' in exports.stix_bundle(exports.listed_indicators(confirmed_only=True))
    settings.CYBER_STIX_TLP = "clear"
    assert validate(exports.stix_bundle(exports.listed_indicators(confirmed_only=True))).is_valid
    settings.CYBER_STIX_TLP = "purple"
    with pytest.raises(ImproperlyConfigured):
        exports.stix_bundle([])


def test_an_indicator_keeps_its_id_from_one_export_to_the_next(confirmed):
    def ids():
        objects = json.loads(exports.stix_bundle(exports.listed_indicators(confirmed_only=True)))["objects"]
        return {obj["id"] for obj in objects if obj["type"] in ("indicator", "identity")}

    assert ids() == ids()


def test_only_confirmed_and_current_indicators_are_shared_in_stix(mixed, settings):
    rows = exports.listed_indicators(confirmed_only=True)
    assert [(row.kind, row.value) for row in rows] == [("bakong", "sokha@aclb")]
    with time_machine.travel(timezone.now() + dt.timedelta(days=400)):  # lapsed, not confirmed again
        assert exports.listed_indicators(confirmed_only=True) == []


def test_an_empty_bundle_is_still_valid(db):
    assert validate(exports.stix_bundle([])).is_valid


def test_an_ip_address_domain_is_an_ip_observable():
    assert exports.pattern_for("domain", "203.0.113.7") == "[ipv4-addr:value = '203.0.113.7']"
    assert exports.pattern_for("domain", "2001:db8::1") == "[ipv6-addr:value = '2001:db8::1']"
    with pytest.raises(ValueError):
        exports.pattern_for("unknown", "x")


# --------------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------------
def read_csv(text: str) -> list[dict]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_the_csv_lists_exactly_what_the_public_check_lists(mixed):
    buffer = io.StringIO()
    assert exports.write_csv(exports.listed_indicators(), buffer) == 4
    rows = read_csv(buffer.getvalue())
    assert list(rows[0]) == ["kind", "value", "first_reported", "last_reported", "report_count", "verdict"]
    today = timezone.localdate().isoformat()
    assert rows == [
        {"kind": "bakong", "value": "sokha@aclb", "first_reported": today, "last_reported": today,
         "report_count": "1", "verdict": "confirmed"},
        {"kind": "domain", "value": "phish.net", "first_reported": today, "last_reported": today,
         "report_count": "4", "verdict": ""},
        {"kind": "phone", "value": "+85511222333", "first_reported": today, "last_reported": today,
         "report_count": "3", "verdict": ""},
        {"kind": "url", "value": "https://a.phish.net/x", "first_reported": today, "last_reported": today,
         "report_count": "3", "verdict": ""},
    ]  # fmt: skip
    for row in rows:
        assert check(row["value"]).listed
    for unlisted in ("088 888 8888", "023 999 999", "017 777 777"):
        assert not check(unlisted).listed


def test_the_csv_can_be_limited_to_one_kind(mixed):
    assert [row.value for row in exports.listed_indicators(kind="phone")] == ["+85511222333"]
    assert [row.value for row in exports.listed_indicators(kind="domain")] == ["phish.net"]
    assert exports.listed_indicators(kind="nonsense") == []


def test_a_listing_lapses_out_of_the_csv(mixed):
    with time_machine.travel(timezone.now() + dt.timedelta(days=366)):
        assert exports.listed_indicators() == []


def test_a_cell_that_a_spreadsheet_would_run_is_quoted():
    assert exports._cell("+85512345678") == "+85512345678"
    assert exports._cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert exports._cell("+1+1") == "'+1+1"


# --------------------------------------------------------------------------------------------------
# The downloads
# --------------------------------------------------------------------------------------------------
def test_an_investigator_downloads_the_csv(login, mixed, investigator):
    response = login(investigator).get("/cyber/staff/indicators/export.csv", {"kind": "phone"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="nokor-scam-indicators-phone-')
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = read_csv(response.content.decode("utf-8"))
    assert [row["value"] for row in rows] == ["+85511222333"]
    event = AuditEvent.objects.get(action="cyber.indicators_export")
    assert event.actor == investigator and event.details == {
        "format": "csv",
        "kind": "phone",
        "indicators": 1,
    }


def test_an_investigator_downloads_the_stix_bundle(login, confirmed, investigator):
    response = login(investigator).get("/cyber/staff/indicators/export.stix.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/stix+json;version=2.1"
    assert validate(response.content.decode()).is_valid
    assert AuditEvent.objects.get(action="cyber.indicators_export").details["indicators"] == len(CONFIRMED)


def test_the_exports_carry_no_reporter_data(login, make_report, cyber_supervisor, citizen):
    for phone in ("+85570111111", "+85570222222", "+85570333333"):
        make_report("012 345 678", contact_phone=phone, contact_email="victim@example.com")
    Verdict.objects.create(
        kind="phone", value="+85512345678", outcome="confirmed", decided_by=cyber_supervisor
    )
    client = login(cyber_supervisor)
    for url in ("/cyber/staff/indicators/export.csv", "/cyber/staff/indicators/export.stix.json"):
        body = client.get(url).content.decode("utf-8")
        assert "+85512345678" in body
        for private in ("+85570111111", "victim@example.com", "CY-TEST-", "send money"):
            assert private not in body


@pytest.mark.parametrize(
    "url", ["/cyber/staff/indicators/export.csv", "/cyber/staff/indicators/export.stix.json"]
)
@pytest.mark.parametrize("persona", ["citizen", "officer_kandal", "auditor"])
def test_the_exports_are_for_investigators_only(login, db, make_persona, persona, url):
    assert login(make_persona(persona)).get(url).status_code == 403


def test_the_exports_need_signing_in(client, db):
    assert client.get("/cyber/staff/indicators/export.csv").status_code == 302


def test_the_export_reads_a_fixed_number_of_queries(
    make_report, cyber_supervisor, django_assert_max_num_queries
):
    for index in range(20):
        for _ in range(3):
            make_report(f"012 345 {600 + index}")
        Verdict.objects.create(
            kind="phone", value=f"+8551100000{index:02d}", outcome="confirmed", decided_by=cyber_supervisor
        )
    # verdicts, allow-list, two grouped queries, and the confirmed ones not found (aggregate, verdicts,
    # allow-list) a hundred at a time
    with django_assert_max_num_queries(7):
        rows = exports.listed_indicators()
    assert len(rows) == 40
