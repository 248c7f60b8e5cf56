"""Triage: the queue (order, filters, scope, linked reports, query count), a report's page and the
actions on it (assess, reject, merge, link to a case, open a case, message to the reporter), and the
bulk actions on the queue."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from nokor.audit.models import AuditEvent
from nokor.cyber import reports, triage
from nokor.cyber.models import AllowListEntry, Case, CaseEvent, Report, Sighting
from nokor.cyber.tests.factories_staff import (  # noqa: F401 (fixtures)
    cyber_data_fixture,
    english_fixture,
    file_report_fixture,
)
from nokor.notifications.models import Message

QUEUE = "/cyber/staff/reports/"
BULK = "/cyber/staff/reports/bulk/"


def page(reference: str) -> str:
    return f"/cyber/staff/reports/{reference}/"


def action(reference: str, name: str) -> str:
    return f"/cyber/staff/reports/{reference}/{name}/"


def references(response) -> list[str]:
    return [item["report"].reference for item in response.context["items"]]


# --------------------------------------------------------------------------------------------------
# The queue
# --------------------------------------------------------------------------------------------------
def test_queue_puts_the_most_urgent_first_then_the_nearest_deadline(english, investigator, file_report):
    plain = file_report("012 111 111")
    lost_money = file_report("012 222 222", paid=[("1500", "USD", "ABA", "000 111 222")])
    trafficking = file_report("012 333 333", trafficking=True)
    sooner = file_report("012 444 444")
    Report.objects.filter(pk=sooner.pk).update(sla_due=plain.sla_due - dt.timedelta(hours=1))

    response = english(investigator).get(QUEUE)

    assert references(response) == [
        trafficking.reference,
        lost_money.reference,
        sooner.reference,
        plain.reference,
    ]
    body = response.content.decode()
    assert "Urgent" in body and "High" in body and "Possible trafficking" in body


def test_queue_filters_stay_in_the_url(english, cyber_supervisor, file_report):
    phnom_penh = file_report("012 111 111")
    kandal = file_report("012 222 222", unit="08")
    phishing = file_report("012 333 333", category="phishing")
    urgent = file_report("012 444 444", trafficking=True)
    late = file_report("012 555 555")
    Report.objects.filter(pk=late.pk).update(sla_due=timezone.now() - dt.timedelta(hours=2))
    assessed = file_report("012 666 666")
    triage.report_triage(report=assessed, by=cyber_supervisor)
    client = english(cyber_supervisor)

    assert references(client.get(QUEUE, {"unit": "08"})) == [kandal.reference]
    assert references(client.get(QUEUE, {"category": "phishing"})) == [phishing.reference]
    assert references(client.get(QUEUE, {"band": "urgent"})) == [urgent.reference]
    assert references(client.get(QUEUE, {"status": "triaged"})) == [assessed.reference]
    overdue = client.get(QUEUE, {"overdue": "1"})
    assert references(overdue) == [late.reference]
    assert "Overdue" in overdue.content.decode() and "overdue by 2" in overdue.content.decode()
    assert phnom_penh.reference in references(client.get(QUEUE))


def test_queue_holds_only_waiting_reports_of_the_investigators_area(
    english, investigator, cyber_supervisor, file_report
):
    mine = file_report("012 111 111")
    kandal = file_report("012 222 222", unit="08")
    nowhere = file_report("012 333 333", unit=None)
    rejected = file_report("012 444 444")
    triage.report_reject(report=rejected, by=investigator, reason="Not a crime.")

    assert references(english(investigator).get(QUEUE)) == [mine.reference]
    nationwide = references(english(cyber_supervisor).get(QUEUE))
    assert {mine.reference, kandal.reference, nowhere.reference} == set(nationwide)


def test_linked_reports_are_counted_for_the_page_in_a_fixed_number_of_queries(
    english, investigator, file_report, django_assert_max_num_queries
):
    first = file_report("012 345 678", "@scammer_kh")
    second = file_report("+855 12 345 678")  # the same phone, written differently
    third = file_report("@scammer_kh", "012 999 999")
    alone = file_report("097 000 1111")
    client = english(investigator)
    client.get(QUEUE)  # warm the session and the menu

    with django_assert_max_num_queries(12) as captured:
        response = client.get(QUEUE)
    linked = {item["report"].reference: item["linked"] for item in response.context["items"]}
    assert linked == {first.reference: 2, second.reference: 1, third.reference: 1, alone.reference: 0}
    small_page = len(captured.captured_queries)

    for index in range(25):
        file_report(f"012 345 6{index:02d}", "012 345 678")
    with django_assert_max_num_queries(small_page) as captured:
        response = client.get(QUEUE)
    assert len(response.context["items"]) == triage_page_size()


def triage_page_size() -> int:
    from nokor.cyber.views_triage import PAGE_SIZE

    return PAGE_SIZE


def test_allow_listed_identifiers_link_nothing(file_report):
    AllowListEntry.objects.create(kind="phone", value="+85523999999", reason="A bank's hotline")
    first = file_report("023 999 999")
    second = file_report("023 999 999")
    assert triage.linked_counts([first.pk, second.pk]) == {}


# --------------------------------------------------------------------------------------------------
# Access
# --------------------------------------------------------------------------------------------------
def test_an_investigator_of_another_province_gets_404(english, investigator_kandal, file_report):
    report = file_report("012 111 111")
    client = english(investigator_kandal)
    assert client.get(page(report.reference)).status_code == 404
    assert client.post(action(report.reference, "triage")).status_code == 404
    assert client.post(BULK, {"action": "triage", "reports": [report.reference]}).status_code == 404
    report.refresh_from_db()
    assert report.status == Report.Status.RECEIVED


def test_citizens_are_refused_and_anonymous_visitors_sent_to_sign_in(login, client, citizen, file_report):
    report = file_report("012 111 111", by=citizen)
    for url in (QUEUE, page(report.reference), "/cyber/staff/referrals/"):
        assert login(citizen).get(url).status_code == 403
    client.logout()
    response = client.get(QUEUE)
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_actions_refuse_get(english, investigator, file_report):
    report = file_report("012 111 111")
    client = english(investigator)
    assert client.get(action(report.reference, "reject")).status_code == 405
    assert client.get(BULK).status_code == 405


# --------------------------------------------------------------------------------------------------
# A report
# --------------------------------------------------------------------------------------------------
def test_the_report_page_shows_what_the_reporter_gave_and_is_audited(english, investigator, file_report):
    earlier = file_report("012 345 678")
    report = file_report(
        "+855 12 345 678",
        "hxxps://kh-crypto-profit[.]com/invest",
        paid=[("250", "USD", "ABA", "000 123 456")],
        contact_email="victim@example.com",
    )

    response = english(investigator).get(page(report.reference))

    body = response.content.decode()
    assert response.status_code == 200
    assert "victim@example.com" in body and "They promised profits" in body
    assert "000 123 456" in body and "$250.00" in body
    assert "+85512345678" in body and "seen in 1 other report" in body
    assert f'href="{page(earlier.reference)}"' in body
    assert "kh-crypto-profit.com" in body
    assert "Report received" in body  # the history, from the audit trail
    assert AuditEvent.objects.filter(
        action="personal_data.view", object_id=str(report.pk), actor=investigator
    ).exists()
    assert response["Cache-Control"] == "private, no-store"


def test_marking_triaged_records_who_and_when_and_raises_the_priority(english, investigator, file_report):
    report = file_report("012 345 678")
    assert report.priority == 0
    for _ in range(3):
        file_report("012 345 678")  # three more victims of the same number since

    response = english(investigator).post(action(report.reference, "triage"))

    assert response.status_code == 302 and response.url == page(report.reference)
    report.refresh_from_db()
    assert report.status == Report.Status.TRIAGED
    assert report.triaged_by == investigator and report.triaged_at is not None
    assert report.priority == 2  # +2 for 3 to 9 other reports
    assert AuditEvent.objects.filter(action="cyber.report_triage", object_id=str(report.pk)).exists()
    with pytest.raises(triage.TriageError):
        triage.report_triage(report=report, by=investigator)


def test_rejecting_needs_a_reason_and_changes_nothing_without_one(english, investigator, file_report):
    report = file_report("012 345 678")
    before = AuditEvent.objects.filter(action="cyber.report_reject").count()

    response = english(investigator).post(
        action(report.reference, "reject"), {"reason": "  ", "notify": "on"}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "error-summary" in body and "<title>Error:" in body
    assert "Give the reason for not taking the report further." in body
    assert re.search(r'name="notify"[^>]*checked', body)  # what was typed is kept
    report.refresh_from_db()
    assert report.status == Report.Status.RECEIVED and report.rejection_reason == ""
    assert AuditEvent.objects.filter(action="cyber.report_reject").count() == before


def test_rejecting_with_a_reason_can_tell_the_reporter(english, investigator, citizen, file_report):
    report = file_report("012 345 678", by=citizen)

    english(investigator).post(
        action(report.reference, "reject"), {"reason": "A dispute between neighbours.", "notify": "on"}
    )

    report.refresh_from_db()
    assert report.status == Report.Status.REJECTED
    assert report.rejection_reason == "A dispute between neighbours."
    told = Message.objects.filter(user=citizen, event="cyber.report_status")
    assert told.exists() and "neighbours" not in told.first().body  # the reason stays internal


def test_a_message_to_the_reporter_is_saved_and_sent_when_asked(english, investigator, citizen, file_report):
    report = file_report("012 345 678", by=citizen)
    client = english(investigator)
    client.post(action(report.reference, "message"), {"public_note": "We asked the bank to freeze it."})
    assert not Message.objects.filter(user=citizen, event="cyber.report_status").exists()
    client.post(
        action(report.reference, "message"),
        {"public_note": "We asked the bank to freeze it.", "notify": "on"},
    )
    report.refresh_from_db()
    assert report.public_note == "We asked the bank to freeze it."
    told = Message.objects.filter(user=citizen, event="cyber.report_status")
    assert told.exists() and all("freeze it" in message.body for message in told)


def test_merging_closes_the_report_and_keeps_its_identifiers(english, investigator, file_report):
    original = file_report("012 345 678")
    duplicate = file_report("012 345 678", "@same_scammer")

    response = english(investigator).post(action(duplicate.reference, "merge"), {"into": original.reference})

    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.duplicate_of == original and duplicate.status == Report.Status.CLOSED
    assert Sighting.objects.filter(report=duplicate).count() == 2
    assert reports.other_reports_naming({("phone", "+85512345678")}, exclude_report=original) == 1
    body = english(investigator).get(page(original.reference)).content.decode()
    assert duplicate.reference.replace("-", "\u2011") in body  # listed as merged into this one


def test_merging_into_an_unknown_or_foreign_report_is_an_error(english, investigator, file_report):
    report = file_report("012 345 678")
    kandal = file_report("012 345 678", unit="08")
    client = english(investigator)
    for target in ("CY-2026-999999-0", kandal.reference, report.reference):
        response = client.post(action(report.reference, "merge"), {"into": target})
        assert response.status_code == 200 and "error-summary" in response.content.decode()
        assert f'value="{target}"' in response.content.decode()
    report.refresh_from_db()
    assert report.status == Report.Status.RECEIVED and report.duplicate_of is None


def test_open_a_case_from_a_report_then_link_a_second_report(english, investigator, citizen, file_report):
    first = file_report("012 345 678")
    second = file_report("012 345 678", by=citizen)
    client = english(investigator)

    response = client.post(action(first.reference, "open-case"), {"title": "Fake investment site"})

    case = Case.objects.get()
    assert response.url == f"/cyber/staff/cases/{case.reference}/"
    assert re.fullmatch(r"CASE-\d{4}-000001", case.reference)
    response = client.post(action(second.reference, "link"), {"case": case.reference.lower(), "notify": "on"})
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.case == case and second.case == case
    assert first.status == second.status == Report.Status.LINKED
    assert list(case.events.filter(kind=CaseEvent.Kind.REPORT_LINKED).values_list("data__report", flat=True))
    assert Message.objects.filter(user=citizen, event="cyber.report_status").exists()
    history = client.get(page(first.reference)).content.decode()
    assert "Linked to a case" in history and case.reference in history
    again = client.post(action(second.reference, "link"), {"case": case.reference})
    assert again.status_code == 200  # the actions fit for a linked report are offered; this one errors
    assert "already linked" in again.content.decode()


# --------------------------------------------------------------------------------------------------
# Bulk actions
# --------------------------------------------------------------------------------------------------
def test_bulk_mark_triaged(english, investigator, file_report):
    first, second, other = file_report("012 111 111"), file_report("012 222 222"), file_report("012 333 333")
    response = english(investigator).post(
        f"{BULK}?band=normal", {"action": "triage", "reports": [first.reference, second.reference]}
    )
    assert response.status_code == 302 and response.url == f"{QUEUE}?band=normal"
    statuses = dict(Report.objects.values_list("reference", "status"))
    assert statuses[first.reference] == statuses[second.reference] == Report.Status.TRIAGED
    assert statuses[other.reference] == Report.Status.RECEIVED
    assert AuditEvent.objects.filter(action="cyber.report_triage").count() == 2


def test_bulk_reject_needs_a_reason_and_keeps_the_selection(english, investigator, file_report):
    first, second = file_report("012 111 111"), file_report("012 222 222")
    client = english(investigator)

    response = client.post(BULK, {"action": "reject", "reports": [first.reference], "reason": ""})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Give the reason for not taking the reports further." in body
    assert re.search(rf'value="{first.reference}" checked', body)
    assert not re.search(rf'value="{second.reference}" checked', body)
    assert not Report.objects.filter(status=Report.Status.REJECTED).exists()

    client.post(BULK, {"action": "reject", "reports": [first.reference, second.reference], "reason": "Spam."})
    assert set(Report.objects.values_list("status", "rejection_reason")) == {
        (Report.Status.REJECTED, "Spam.")
    }


def test_bulk_open_a_case_and_link_to_it(english, investigator, file_report):
    first, second, third = file_report("012 111 111"), file_report("012 222 222"), file_report("012 333 333")
    client = english(investigator)

    response = client.post(
        BULK, {"action": "open", "reports": [first.reference, second.reference], "title": "One scam ring"}
    )

    case = Case.objects.get()
    assert response.url == f"/cyber/staff/cases/{case.reference}/"
    assert case.title == "One scam ring" and case.investigator == investigator
    assert case.unit.code == "12"
    client.post(BULK, {"action": "link", "reports": [third.reference], "case": case.reference})
    assert set(case.reports.values_list("reference", flat=True)) == {
        first.reference,
        second.reference,
        third.reference,
    }


def test_a_bulk_action_is_all_or_nothing(english, investigator, cyber_supervisor, file_report):
    first = file_report("012 111 111")
    already = file_report("012 222 222")
    case = triage.reports_open_case(references=[already.reference], by=investigator, title="Another case")
    other_case = triage.reports_open_case(
        references=[file_report("012 333 333").reference], by=investigator, title="Third"
    )

    response = english(investigator).post(
        BULK,
        {"action": "link", "reports": [first.reference, already.reference], "case": other_case.reference},
    )

    assert response.status_code == 200 and "unlink it there first" in response.content.decode()
    first.refresh_from_db()
    assert first.case is None and first.status == Report.Status.RECEIVED
    assert list(case.reports.all()) == [already]


def test_a_bulk_action_on_a_report_out_of_scope_changes_nothing(english, investigator, file_report):
    mine = file_report("012 111 111")
    kandal = file_report("012 222 222", unit="08")
    response = english(investigator).post(
        BULK, {"action": "reject", "reports": [mine.reference, kandal.reference], "reason": "Spam."}
    )
    assert response.status_code == 404
    assert not Report.objects.filter(status=Report.Status.REJECTED).exists()
