"""Investigators' side of the scam list: verdicts (service and page), scope, the allow-list, correlation
counts, the indicators page, and the admin of the reference data."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from nokor.accounts import demo
from nokor.accounts.roles import Role
from nokor.audit.models import AuditEvent
from nokor.cyber import indicators
from nokor.cyber.admin import AllowListEntryForm
from nokor.cyber.indicators import IndicatorError, OutOfScope, seen_in, seen_in_many, verdict_set
from nokor.cyber.models import Dispute, Verdict
from nokor.cyber.scamcheck import check
from nokor.cyber.tests.factories_check import (  # noqa: F401 (fixtures)
    categories_fixture,
    fresh_rate_limit_fixture,
    make_report_fixture,
)

E164 = "+85512345678"
PAGE = "/cyber/staff/indicators/"
VERDICT = "/cyber/staff/indicators/verdict/"


@pytest.fixture
def investigator_siem_reap(units):
    person = demo.DemoPerson(
        "investigator_siem_reap",
        "investigator.sr@demo.nokor.gov.kh",
        "Investigator SR",
        Role.CYBER_INVESTIGATOR,
        "17",
    )
    return demo.create_staff(person)


@pytest.fixture
def english(login):
    def sign_in(user):
        client = login(user)
        client.cookies["nokor_language"] = "en"
        return client

    return sign_in


@pytest.fixture
def reported(make_report):
    """A Phnom Penh number reported three times, a Siem Reap account reported once."""
    reports = [make_report("012 345 678", unit="12") for _ in range(3)]
    reports.append(make_report("ABA 000 123 456", unit="1701"))
    return reports


# --------------------------------------------------------------------------------------------------
# verdict_set
# --------------------------------------------------------------------------------------------------
def test_an_investigator_confirms_a_number_in_any_written_form(reported, investigator):
    verdict = verdict_set(
        kind="phone", value="012-345-678", outcome="confirmed", by=investigator, note=" seen "
    )
    assert (verdict.kind, verdict.value, verdict.outcome, verdict.note) == (
        "phone",
        E164,
        "confirmed",
        "seen",
    )
    event = AuditEvent.objects.get(action="cyber.verdict_set")
    assert event.actor == investigator and event.object_id == str(verdict.pk)
    assert event.details["previous"] is None and event.details["outcome"] == "confirmed"


def test_a_new_verdict_replaces_the_old_one_and_the_trail_keeps_both(
    reported, investigator, cyber_supervisor
):
    verdict_set(kind="phone", value=E164, outcome="confirmed", by=investigator)
    verdict_set(kind="phone", value=E164, outcome="false_positive", by=cyber_supervisor, note="A shop.")
    verdict = Verdict.objects.get()
    assert verdict.outcome == "false_positive" and verdict.decided_by == cyber_supervisor
    events = AuditEvent.objects.filter(action="cyber.verdict_set").order_by("seq")
    assert [e.details["previous"] for e in events] == [None, "confirmed"]
    assert not check(E164).listed


@pytest.mark.parametrize("persona", ["citizen", "officer_kandal", "auditor", "administrator"])
def test_only_cyber_investigators_set_verdicts(reported, make_persona, persona):
    with pytest.raises(PermissionDenied):
        verdict_set(kind="phone", value=E164, outcome="confirmed", by=make_persona(persona))
    assert not Verdict.objects.exists()


def test_an_investigator_acts_only_on_identifiers_of_their_scope(
    reported, investigator, investigator_siem_reap
):
    with pytest.raises(OutOfScope):
        verdict_set(kind="bank_account", value="ABA:000123456", outcome="confirmed", by=investigator)
    with pytest.raises(OutOfScope):
        verdict_set(kind="phone", value=E164, outcome="confirmed", by=investigator_siem_reap)
    verdict_set(kind="bank_account", value="ABA:000123456", outcome="confirmed", by=investigator_siem_reap)


def test_a_nationwide_supervisor_may_confirm_what_no_report_names_yet(db, cyber_supervisor, investigator):
    verdict_set(kind="url", value="hxxps://fake-aba[.]com/login", outcome="confirmed", by=cyber_supervisor)
    assert Verdict.objects.get().value == "https://fake-aba.com/login"
    with pytest.raises(OutOfScope):
        verdict_set(kind="url", value="https://other-fake.com/", outcome="confirmed", by=investigator)


def test_a_domain_is_in_scope_when_an_address_under_it_is(make_report, investigator):
    make_report("https://login.scam-shop.com/pay", unit="12")
    verdict_set(kind="domain", value="www.scam-shop.com", outcome="confirmed", by=investigator)
    assert check("https://other.scam-shop.com/").listed_by_domain


@pytest.mark.parametrize(
    ("kind", "value", "outcome"),
    [("phone", "12", "confirmed"), ("unknown", "x", "confirmed"), ("phone", E164, "guilty")],
)
def test_a_bad_verdict_is_refused(reported, cyber_supervisor, kind, value, outcome):
    with pytest.raises(IndicatorError):
        verdict_set(kind=kind, value=value, outcome=outcome, by=cyber_supervisor)


def test_a_verdict_answers_the_open_disputes(reported, investigator):
    Dispute.objects.create(kind="phone", value=E164, name="A", contact="B", reason="Mine.")
    verdict_set(kind="phone", value=E164, outcome="false_positive", by=investigator)
    dispute = Dispute.objects.get()
    assert dispute.status == Dispute.Status.UPHELD and dispute.decided_by == investigator
    Dispute.objects.create(kind="phone", value=E164, name="C", contact="D", reason="Mine too.")
    verdict_set(kind="phone", value=E164, outcome="confirmed", by=investigator)
    assert Dispute.objects.filter(status=Dispute.Status.REJECTED).count() == 1
    assert AuditEvent.objects.filter(action="cyber.verdict_set").last().details["disputes_answered"] == 1


# --------------------------------------------------------------------------------------------------
# Allow-list and correlation
# --------------------------------------------------------------------------------------------------
def test_seen_in_counts_the_other_reports_naming_an_identifier(reported, make_report):
    first = reported[0]
    assert seen_in("phone", E164) == 3
    assert seen_in("phone", E164, exclude_report=first) == 2
    assert seen_in("phone", "+85599999999") == 0
    assert seen_in_many([("phone", E164), ("bank_account", "ABA:000123456")], exclude_report=first) == {
        ("phone", E164): 2,
        ("bank_account", "ABA:000123456"): 1,
    }


def test_an_allow_listed_value_is_never_correlated(reported, administrator):
    entry = indicators.allow_list_add(kind="phone", value="012 345 678", reason="Hotline", by=administrator)
    assert entry.value == E164 and indicators.is_allow_listed("phone", E164)
    assert seen_in("phone", E164) == 0
    assert seen_in_many([("phone", E164)]) == {("phone", E164): 0}
    assert AuditEvent.objects.filter(action="cyber.allow_list_add").exists()
    indicators.allow_list_remove(entry=entry, by=administrator)
    assert (
        seen_in("phone", E164) == 3 and AuditEvent.objects.filter(action="cyber.allow_list_remove").exists()
    )


def test_seen_in_is_one_query_per_identifier(reported, django_assert_num_queries):
    with django_assert_num_queries(2):  # the allow-list, the count
        seen_in("phone", E164)
    with django_assert_num_queries(2):
        seen_in_many([("phone", E164), ("bank_account", "ABA:000123456"), ("handle", "x.y")])


def test_the_allow_list_admin_stores_the_canonical_form(db):
    form = AllowListEntryForm({"kind": "phone", "value": "023 999 999", "reason": "Bank hotline"})
    assert form.is_valid() and form.save().value == "+85523999999"
    bad = AllowListEntryForm({"kind": "phone", "value": "12", "reason": "?"})
    assert not bad.is_valid() and "value" in bad.errors
    assert not AllowListEntryForm({"kind": "unknown", "value": "x", "reason": "?"}).is_valid()


@pytest.mark.parametrize("model", ["category", "institution", "allowlistentry", "verdict", "dispute"])
def test_the_admin_lists_the_cyber_models(login, administrator, reported, model):
    response = login(administrator).get(reverse(f"admin:cyber_{model}_changelist"))
    assert response.status_code == 200


def test_verdicts_are_read_only_in_the_admin(login, administrator, reported, cyber_supervisor):
    verdict = verdict_set(kind="phone", value=E164, outcome="confirmed", by=cyber_supervisor)
    client = login(administrator)
    assert client.get(reverse("admin:cyber_verdict_add")).status_code == 403
    response = client.post(reverse("admin:cyber_verdict_change", args=[verdict.pk]), {"outcome": "expired"})
    assert response.status_code in (302, 403) and Verdict.objects.get().outcome == "confirmed"


def test_deciding_a_dispute_in_the_admin_records_who_and_is_audited(login, administrator, db):
    dispute = Dispute.objects.create(kind="phone", value=E164, name="A", contact="B", reason="Mine.")
    client = login(administrator)
    response = client.post(reverse("admin:cyber_dispute_change", args=[dispute.pk]), {"status": "rejected"})
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == "rejected" and dispute.decided_by == administrator and dispute.decided_at
    assert AuditEvent.objects.filter(action="admin.change", object_id=str(dispute.pk)).exists()


# --------------------------------------------------------------------------------------------------
# The indicators page
# --------------------------------------------------------------------------------------------------
def test_an_investigator_sees_the_identifiers_of_their_province(english, reported, investigator):
    response = english(investigator).get(PAGE)
    body = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert E164 in body and "ABA:000123456" not in body
    assert "Listed" in body and "Reported by enough people" in body
    assert "Download the list (CSV" in body and "STIX 2.1" in body


def test_an_address_listed_through_its_domain_says_so(english, make_report, investigator):
    for page in ("a", "b", "c"):
        make_report(f"https://scam-shop.com/{page}")
    body = english(investigator).get(PAGE).content.decode()
    assert body.count("Through its domain scam-shop.com") == 3 and "Not listed" not in body


def test_another_provinces_investigator_does_not_see_them(english, reported, investigator_siem_reap):
    body = english(investigator_siem_reap).get(PAGE).content.decode()
    assert "ABA:000123456" in body and E164 not in body


def test_a_nationwide_supervisor_sees_every_identifier(english, reported, cyber_supervisor):
    body = english(cyber_supervisor).get(PAGE).content.decode()
    assert E164 in body and "ABA:000123456" in body


@pytest.mark.parametrize("persona", ["citizen", "officer_kandal", "auditor"])
def test_the_page_is_refused_to_everyone_else(login, reported, make_persona, persona):
    assert login(make_persona(persona)).get(PAGE).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_filters_stay_in_the_url_and_narrow_the_list(english, make_report, cyber_supervisor):
    make_report("012 345 678", "https://scam-shop.com/a")
    make_report("012 345 678")
    make_report("sokha@aclb")
    client = english(cyber_supervisor)
    by_kind = client.get(PAGE, {"kind": "bakong"}).content.decode()
    assert "sokha@aclb" in by_kind and E164 not in by_kind
    by_text = client.get(PAGE, {"q": "(012) 345 678"}).content.decode()  # any written form
    assert E164 in by_text and "sokha@aclb" not in by_text
    by_domain = client.get(PAGE, {"q": "scam-shop.com"}).content.decode()  # the addresses under it
    assert "https://scam-shop.com/a" in by_domain and E164 not in by_domain
    by_count = client.get(PAGE, {"min_reports": "2"}).content.decode()
    assert E164 in by_count and "scam-shop.com/a" not in by_count
    verdict_set(kind="bakong", value="sokha@aclb", outcome="confirmed", by=cyber_supervisor)
    confirmed = client.get(PAGE, {"verdict": "confirmed"}).content.decode()
    assert "sokha@aclb" in confirmed and E164 not in confirmed
    none = client.get(PAGE, {"verdict": "none", "sort": "-reports"}).content.decode()
    assert "sokha@aclb" not in none and none.index(E164) < none.index("scam-shop.com/a")


def test_the_page_costs_a_fixed_number_of_queries(
    english, make_report, cyber_supervisor, django_assert_max_num_queries
):
    client = english(cyber_supervisor)
    for index in range(30):
        make_report(f"012 345 {600 + index}", f"https://scam-{index}.com/x")
    client.get(PAGE)
    # the signed-in frame (session, user, MFA, roles, inbox, session save: 8) and the page's six
    # (count, rows, their national listing: aggregate, verdicts, allow-list; open disputes)
    with django_assert_max_num_queries(14):
        response = client.get(PAGE)
    assert response.content.decode().count('name="outcome" value="confirmed"') == 50  # one page


# --------------------------------------------------------------------------------------------------
# The verdict action
# --------------------------------------------------------------------------------------------------
def test_an_investigator_confirms_from_the_page(english, reported, investigator):
    client = english(investigator)
    response = client.post(
        VERDICT,
        {
            "kind": "phone",
            "value": E164,
            "outcome": "confirmed",
            "note": "Known",
            "next": f"{PAGE}?kind=phone",
        },
    )
    assert response.status_code == 302 and response.url == f"{PAGE}?kind=phone"
    assert Verdict.objects.get().outcome == "confirmed"
    assert "Confirmed malicious" in client.get(response.url).content.decode()


def test_the_verdict_action_rejects_get(english, reported, investigator):
    assert english(investigator).get(VERDICT).status_code == 405


def test_the_verdict_action_hides_another_scope(english, reported, investigator):
    response = english(investigator).post(
        VERDICT, {"kind": "bank_account", "value": "ABA:000123456", "outcome": "confirmed"}
    )
    assert response.status_code == 404 and not Verdict.objects.exists()


@pytest.mark.parametrize("persona", ["citizen", "officer_kandal", "auditor"])
def test_the_verdict_action_is_refused_to_other_roles(login, reported, make_persona, persona):
    response = login(make_persona(persona)).post(
        VERDICT, {"kind": "phone", "value": E164, "outcome": "confirmed"}
    )
    assert response.status_code == 403 and not Verdict.objects.exists()


def test_a_bad_verdict_from_the_page_says_so(english, reported, investigator):
    client = english(investigator)
    response = client.post(VERDICT, {"kind": "phone", "value": E164, "outcome": "guilty"}, follow=True)
    assert "The verdict was not recorded" in response.content.decode()
    response = client.post(VERDICT, {"kind": "phone", "value": "12", "outcome": "confirmed"}, follow=True)
    assert "not a valid phone number" in response.content.decode()
    assert not Verdict.objects.exists()


def test_an_outside_next_address_is_ignored(english, reported, investigator):
    response = english(investigator).post(
        VERDICT, {"kind": "phone", "value": E164, "outcome": "expired", "next": "https://evil.example/"}
    )
    assert response.url == PAGE
