"""Cases: opening (reference, unit, investigator), the list and its scopes, access, status transitions
and reopening, the legal hold, optimistic locking of the case form, tasks and their due dates, notes on
the timeline, linking and unlinking reports, the case report (PDF), the query count of the case page,
and the demo case."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from nokor.audit.models import AuditEvent
from nokor.cyber import cases, reports
from nokor.cyber.models import Case, CaseEvent, CaseTask, Report
from nokor.cyber.tests.factories_staff import (  # noqa: F401 (fixtures)
    cyber_data_fixture,
    english_fixture,
    file_report_fixture,
)

CASES = "/cyber/staff/cases/"


def detail(case: Case) -> str:
    return f"/cyber/staff/cases/{case.reference}/"


def action(case: Case, name: str) -> str:
    return f"/cyber/staff/cases/{case.reference}/{name}/"


@pytest.fixture
def case(investigator, file_report) -> Case:
    return cases.case_open(
        by=investigator, title="Fake investment site", reports=[file_report("012 345 678")]
    )


# --------------------------------------------------------------------------------------------------
# Opening and the list
# --------------------------------------------------------------------------------------------------
def test_a_case_gets_a_yearly_reference_the_investigators_unit_and_the_investigator(
    investigator, cyber_supervisor, file_report, units
):
    first = cases.case_open(by=investigator, title="First")
    second = cases.case_open(by=investigator, title="Second")
    year = timezone.localdate().year
    assert (first.reference, second.reference) == (f"CASE-{year}-000001", f"CASE-{year}-000002")
    assert first.unit == units["12"] and first.investigator == investigator
    # A nationwide supervisor's case goes to the unit of its first report.
    national = cases.case_open(by=cyber_supervisor, title="Kandal", reports=[file_report("012 1", unit="08")])
    assert national.unit == units["08"]
    assert AuditEvent.objects.filter(action="cyber.case_open").count() == 3
    assert national.events.filter(kind=CaseEvent.Kind.OPENED).exists()


def test_a_case_cannot_be_given_to_an_investigator_who_does_not_cover_its_unit(
    investigator, investigator_kandal, units
):
    with pytest.raises(cases.CaseError) as refused:
        cases.case_open(by=investigator, title="Wrong person", investigator=investigator_kandal)
    assert refused.value.field == "investigator"
    with pytest.raises(cases.OutOfScope):
        cases.case_open(by=investigator, title="Wrong unit", unit=units["08"])
    assert not Case.objects.exists()


def test_the_new_case_page_opens_a_case_and_keeps_input_on_error(english, investigator):
    client = english(investigator)
    response = client.post(f"{CASES}new/", {"title": "", "summary": "Several victims in Phnom Penh."})
    assert response.status_code == 200 and "Give the case a title." in response.content.decode()
    assert "Several victims in Phnom Penh." in response.content.decode()
    response = client.post(f"{CASES}new/", {"title": "Ring of fake shops", "summary": "Several victims."})
    case = Case.objects.get()
    assert response.url == detail(case) and case.investigator == investigator


def test_the_list_shows_mine_my_unit_and_all_i_may_see(
    english, investigator, sensitive_investigator, investigator_kandal, cyber_supervisor
):
    mine = cases.case_open(by=investigator, title="Mine")
    colleague = cases.case_open(by=sensitive_investigator, title="A colleague's")
    kandal = cases.case_open(by=investigator_kandal, title="Kandal's")
    closed = cases.case_open(by=investigator, title="Closed one")
    cases.case_set_status(case=closed, by=investigator, status="closed", outcome="no_crime")

    def listed(client, **params):
        return {case.reference for case in client.get(CASES, params).context["page_obj"]}

    client = english(investigator)
    assert listed(client) == {mine.reference}
    assert listed(client, scope="unit") == {mine.reference, colleague.reference}
    assert listed(client, scope="all", status="any") == {
        mine.reference,
        colleague.reference,
        closed.reference,
    }
    assert listed(client, scope="all", status="closed") == {closed.reference}
    assert kandal.reference in listed(english(cyber_supervisor), scope="all")


def test_an_investigator_of_another_province_gets_404_on_a_case(english, investigator_kandal, case):
    client = english(investigator_kandal)
    assert client.get(detail(case)).status_code == 404
    assert client.get(f"{detail(case)}report.pdf").status_code == 404
    assert client.post(action(case, "note"), {"kind": "note", "text": "x"}).status_code == 404
    assert not case.events.filter(kind=CaseEvent.Kind.NOTE).exists()


def test_citizens_are_refused_and_anonymous_visitors_sent_to_sign_in(login, client, citizen, case):
    assert login(citizen).get(detail(case)).status_code == 403
    assert login(citizen).get(CASES).status_code == 403
    client.logout()
    response = client.get(detail(case))
    assert response.status_code == 302 and "/accounts/login/" in response.url


# --------------------------------------------------------------------------------------------------
# Status
# --------------------------------------------------------------------------------------------------
def test_status_moves_on_and_closing_needs_an_outcome(english, investigator, case):
    client = english(investigator)
    client.post(action(case, "status"), {"status": "investigating", "version": case.lock_version})
    case.refresh_from_db()
    client.post(action(case, "status"), {"status": "referred", "version": case.lock_version})
    case.refresh_from_db()
    assert case.status == Case.Status.REFERRED

    response = client.post(action(case, "status"), {"status": "closed", "version": case.lock_version})

    assert response.status_code == 200
    assert "Choose the outcome to close the case." in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.REFERRED and case.closed_at is None
    client.post(
        action(case, "status"),
        {
            "status": "closed",
            "outcome": "charged",
            "outcome_note": "Two suspects.",
            "version": case.lock_version,
        },
    )
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.outcome == "charged" and case.closed_at
    steps = [(e.data["from"], e.data["to"]) for e in case.events.filter(kind=CaseEvent.Kind.STATUS)]
    assert sorted(steps) == sorted(
        [("open", "investigating"), ("investigating", "referred"), ("referred", "closed")]
    )


def test_a_status_cannot_skip_steps(investigator, case):
    with pytest.raises(cases.CaseError):
        cases.case_set_status(case=case, by=investigator, status="referred")
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN


def test_only_a_supervisor_reopens_a_closed_case_and_it_is_recorded(
    english, investigator, cyber_supervisor, case
):
    cases.case_set_status(case=case, by=investigator, status="closed", outcome="insufficient")
    with pytest.raises(cases.CaseError):
        cases.case_set_status(case=case, by=investigator, status="investigating")

    english(cyber_supervisor).post(
        action(case, "status"), {"status": "investigating", "outcome_note": "New victims came forward."}
    )

    case.refresh_from_db()
    assert case.status == Case.Status.INVESTIGATING and case.closed_at is None and case.outcome == ""
    reopened = case.events.get(kind=CaseEvent.Kind.STATUS, data__reopened=True)
    assert reopened.actor == cyber_supervisor and reopened.data["previous_outcome"] == "insufficient"
    assert AuditEvent.objects.filter(action="cyber.case_reopen", object_id=str(case.pk)).exists()
    assert "Case reopened" in english(cyber_supervisor).get(detail(case)).content.decode()


def test_only_a_supervisor_places_a_legal_hold(english, investigator, cyber_supervisor, case):
    english(investigator).post(action(case, "hold"), {"legal_hold": "1"})
    case.refresh_from_db()
    assert not case.legal_hold
    english(cyber_supervisor).post(action(case, "hold"), {"legal_hold": "1"})
    case.refresh_from_db()
    assert case.legal_hold
    assert case.events.filter(kind=CaseEvent.Kind.LEGAL, data__legal_hold=True).exists()


# --------------------------------------------------------------------------------------------------
# Editing
# --------------------------------------------------------------------------------------------------
def test_a_stale_edit_is_refused_and_keeps_what_was_typed(
    english, investigator, sensitive_investigator, case
):
    read_version = case.lock_version
    cases.case_update(
        case=case,
        by=sensitive_investigator,
        expected_version=read_version,
        title="Renamed by a colleague",
        unit=case.unit,
        investigator=case.investigator,
    )
    client = english(investigator)
    typed = {
        "title": "My better title",
        "summary": "My summary.",
        "unit": case.unit_id,
        "investigator": investigator.pk,
    }

    response = client.post(action(case, "edit"), {**typed, "version": read_version})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Someone else changed this case" in body and "error-summary" in body
    assert 'value="My better title"' in body and "My summary." in body
    case.refresh_from_db()
    assert case.title == "Renamed by a colleague"
    # The form now carries the current version: saving again is a knowing overwrite.
    response = client.post(action(case, "edit"), {**typed, "version": case.lock_version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.title == "My better title"
    edits = case.events.filter(kind=CaseEvent.Kind.NOTE).values_list("data", flat=True)
    assert any("title" in data.get("changed", []) for data in edits)


def test_reassigning_writes_the_timeline(english, investigator, sensitive_investigator, case):
    english(investigator).post(
        action(case, "edit"),
        {
            "title": case.title,
            "unit": case.unit_id,
            "investigator": sensitive_investigator.pk,
            "version": case.lock_version,
        },
    )
    case.refresh_from_db()
    assert case.investigator == sensitive_investigator
    assigned = case.events.get(kind=CaseEvent.Kind.ASSIGNED)
    assert assigned.data["investigator"] == sensitive_investigator.pk


# --------------------------------------------------------------------------------------------------
# Reports, tasks, notes
# --------------------------------------------------------------------------------------------------
def test_unlinking_a_report_puts_it_back_to_being_assessed(english, investigator, file_report, case):
    report = case.reports.get()
    other = file_report("012 999 999")
    client = english(investigator)
    client.post(action(case, "link"), {"report": other.reference})
    assert case.reports.count() == 2
    client.post(action(case, "unlink"), {"report": report.reference})
    report.refresh_from_db()
    assert report.case is None and report.status == Report.Status.TRIAGED
    assert case.events.filter(kind=CaseEvent.Kind.REPORT_UNLINKED, data__report=report.reference).exists()
    response = client.post(action(case, "link"), {"report": "CY-2026-000999-5"})
    assert response.status_code == 200 and "There is no report" in response.content.decode()


def test_tasks_have_due_dates_and_show_when_overdue(english, investigator, case):
    client = english(investigator)
    today = timezone.localdate()
    response = client.post(
        action(case, "task"), {"title": "Ask the bank", "due_on": (today - dt.timedelta(days=1)).isoformat()}
    )
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    assert not CaseTask.objects.exists()
    client.post(
        action(case, "task"), {"title": "Ask the bank", "due_on": (today + dt.timedelta(days=2)).isoformat()}
    )
    task = CaseTask.objects.get()
    assert not cases.task_is_overdue(task)
    assert "Overdue" not in client.get(detail(case)).content.decode()

    with time_machine.travel(timezone.now() + dt.timedelta(days=4)):
        assert cases.task_is_overdue(task)
        client.logout()
        client = english(investigator)  # a fresh session: staff sessions end after a few idle hours
        body = client.get(detail(case)).content.decode()
        assert re.search(r"Ask the bank.*?Overdue", body, re.S)
        client.post(action(case, "task-done"), {"task": task.pk})
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by == investigator
    assert not cases.task_is_overdue(task)
    kinds = set(case.events.values_list("kind", flat=True))
    assert {CaseEvent.Kind.TASK_ADDED, CaseEvent.Kind.TASK_DONE} <= kinds


def test_notes_go_on_the_timeline_and_an_empty_one_is_refused(english, investigator, case):
    client = english(investigator)
    response = client.post(action(case, "note"), {"kind": "contact", "text": " "})
    assert response.status_code == 200 and "Write the note." in response.content.decode()
    client.post(action(case, "note"), {"kind": "contact", "text": "Called the victim back."})
    client.post(action(case, "note"), {"kind": "legal", "text": "Warrant requested."})
    body = client.get(detail(case)).content.decode()
    assert "Contact with victim or witness" in body and "Called the victim back." in body
    assert "Legal step" in body and "Warrant requested." in body
    assert client.post(action(case, "note"), {"kind": "opened", "text": "x"}).status_code == 200
    assert not case.events.filter(text="x").exists()


def test_case_actions_refuse_get(english, investigator, case):
    assert english(investigator).get(action(case, "note")).status_code == 405


def test_the_case_page_costs_a_fixed_number_of_queries(
    english, investigator, file_report, case, django_assert_max_num_queries
):
    client = english(investigator)
    client.get(detail(case))

    with django_assert_max_num_queries(20) as captured:
        client.get(detail(case))
    small = len(captured.captured_queries)

    for index in range(6):
        cases.case_link_report(case=case, report=file_report(f"012 000 00{index}"), by=investigator)
        cases.case_task_add(case=case, by=investigator, title=f"Task {index}")
        cases.case_note(case=case, by=investigator, kind="note", text=f"Note {index}")
    with django_assert_max_num_queries(small):
        response = client.get(detail(case))
    assert len(response.context["reports"]) == 7 and len(response.context["events"]) > 18


# --------------------------------------------------------------------------------------------------
# The case report
# --------------------------------------------------------------------------------------------------
def test_the_case_report_is_a_pdf_with_the_case_and_is_audited(
    english, investigator, file_report, units, tmp_path
):
    report = file_report("012 345 678", paid=[("1200", "USD", "ABA", "000 123 456")])
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    with_file = reports.report_submit(
        by=None,
        category="online-fraud",
        description="Screenshot attached.",
        evidence=[reports.EvidenceInput(SimpleUploadedFile("chat.png", buffer.getvalue()), "chat.png")],
        unit=units["12"],
    ).report
    case = cases.case_open(by=investigator, title="Fake investment site", reports=[report, with_file])
    cases.case_task_add(case=case, by=investigator, title="Ask ABA for the holder")

    response = english(investigator).get(f"{detail(case)}report.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{case.reference}.pdf"'
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / "case.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert case.reference in text and report.reference in text
    assert "Ask ABA for the holder" in text and "000 123 456" in text
    assert f"SHA-256 {with_file.evidence.get().sha256}" in text
    export = AuditEvent.objects.get(action="cyber.case_report_export")
    assert export.actor == investigator
    assert export.details["reports"] == [report.reference, with_file.reference]


# --------------------------------------------------------------------------------------------------
# Demo data
# --------------------------------------------------------------------------------------------------
def test_the_demo_case_is_seeded_once_when_its_people_exist(citizen, investigator_kandal):
    from nokor.cyber import demo

    demo.seed()
    case = Case.objects.get(title=demo.CASE_TITLE)
    assert case.unit.code == "08" and case.investigator == investigator_kandal
    assert case.reports.count() == 2 and case.tasks.count() == 1 and case.freeze_requests.count() == 1
    assert case.events.filter(kind__in=[CaseEvent.Kind.NOTE, CaseEvent.Kind.CONTACT]).count() == 2
    assert demo.seed() == [] and Case.objects.count() == 1
