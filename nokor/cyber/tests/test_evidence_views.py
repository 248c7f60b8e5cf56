"""The evidence pages (nokor/cyber/views_evidence.py): the item with its chain of custody, downloads
with a reason, inline viewing, intimate images, adding, re-verifying, handing over, legal hold and
deletion; access by unit; and the evidence table other pages include."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory

from nokor.audit.models import AuditEvent
from nokor.audit.services import seal_pending
from nokor.cyber import custody, reports
from nokor.cyber.models import Case, EvidenceFile
from nokor.cyber.tests.test_custody import (  # noqa: F401 (fixtures)
    case_evidence_fixture,
    evidence_setup_fixture,
    make_case_fixture,
    make_report_fixture,
    png,
    stored_bytes,
)

DETAIL = "/cyber/staff/evidence/{}/"
DOWNLOAD = "/cyber/staff/evidence/{}/download/"
VIEW = "/cyber/staff/evidence/{}/view/"
VERIFY = "/cyber/staff/evidence/{}/verify/"
TRANSFER = "/cyber/staff/evidence/{}/transfer/"
HOLD = "/cyber/staff/evidence/{}/legal-hold/"
DELETE = "/cyber/staff/evidence/{}/delete/"
ADD = "/cyber/staff/cases/{}/evidence/add/"
ADD_TO_REPORT = "/cyber/staff/reports/{}/evidence/add/"


@pytest.fixture
def signed_in(login, client):
    """``signed_in(person)``: the test client signed in as that person, reading English."""

    def sign_in(user):
        client.cookies["nokor_language"] = "en"
        return login(user)

    return sign_in


def body(response) -> str:
    return b"".join(response.streaming_content) if response.streaming else response.content.decode()


# --------------------------------------------------------------------------------------------------
# The item
# --------------------------------------------------------------------------------------------------
def test_the_page_shows_the_hash_the_custody_log_and_that_the_chain_verifies(case_evidence, signed_in):
    response = signed_in(case_evidence.collected_by).get(DETAIL.format(case_evidence.pk))
    html = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert case_evidence.sha256 in html and "Screenshot of the wallet" in html
    assert "Chain of custody verifies" in html and "Collected" in html
    assert case_evidence.file.name not in html  # the storage path is never shown


def test_looking_at_report_evidence_is_audited_as_a_view_of_the_reporters_data(
    make_report, signed_in, investigator, citizen
):
    report = make_report()
    evidence = report.evidence.get()
    assert signed_in(investigator).get(DETAIL.format(evidence.pk)).status_code == 200
    event = AuditEvent.objects.filter(action="personal_data.view").last()
    assert (event.actor, event.subject, event.object_id) == (investigator, citizen, str(report.pk))


def test_the_page_shows_a_broken_chain_when_a_custody_event_was_edited(
    case_evidence, signed_in, investigator
):
    custody.evidence_verify(case_evidence, by=investigator)
    seal_pending()  # what the worker does every minute
    event = custody.custody_log(case_evidence).first()
    AuditEvent.objects.filter(pk=event.pk).update(actor_label="someone else")
    html = signed_in(investigator).get(DETAIL.format(case_evidence.pk)).content.decode()
    assert "Chain of custody broken" in html and f"Audit event #{event.seq}" in html


# --------------------------------------------------------------------------------------------------
# Downloading and viewing
# --------------------------------------------------------------------------------------------------
def test_a_download_without_a_reason_is_refused_with_a_message(case_evidence, signed_in, investigator):
    client = signed_in(investigator)
    form = client.get(DOWNLOAD.format(case_evidence.pk))
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    response = client.post(DOWNLOAD.format(case_evidence.pk), {"reason": "  "})
    html = response.content.decode()
    assert response.status_code == 200 and not response.streaming
    assert "There is a problem" in html and "Give the reason for opening this file" in html
    assert not custody.custody_log(case_evidence).filter(action=custody.DOWNLOADED).exists()


def test_a_download_with_a_reason_streams_the_file_and_the_log_shows_who_when_why(
    case_evidence, signed_in, investigator
):
    client = signed_in(investigator)
    response = client.post(DOWNLOAD.format(case_evidence.pk), {"reason": "Copy for the prosecutor"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="wallet.png"'
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert hashlib.sha256(body(response)).hexdigest() == case_evidence.sha256

    event = custody.custody_log(case_evidence).last()
    assert (event.action, event.actor, event.details["reason"]) == (
        custody.DOWNLOADED,
        investigator,
        "Copy for the prosecutor",
    )
    html = client.get(DETAIL.format(case_evidence.pk)).content.decode()
    assert "Downloaded" in html and "Reason: Copy for the prosecutor" in html and str(investigator) in html


def test_viewing_shows_the_file_inline_and_records_it(case_evidence, signed_in, investigator):
    response = signed_in(investigator).get(VIEW.format(case_evidence.pk))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("inline")
    assert body(response) == stored_bytes(case_evidence)
    assert custody.custody_log(case_evidence).last().action == custody.VIEWED


def test_a_pdf_is_downloaded_never_shown_inline_from_our_origin(make_case, signed_in, investigator):
    pdf = SimpleUploadedFile("statement.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    evidence = custody.evidence_add(by=investigator, file=pdf, case=make_case())
    client = signed_in(investigator)
    assert VIEW.format(evidence.pk) not in body(client.get(DETAIL.format(evidence.pk)))  # only "Download"
    # The view address leads to the download (a reason asked, a download recorded), not to a "viewed".
    response = client.get(VIEW.format(evidence.pk))
    assert response.status_code == 302 and response["Location"] == DOWNLOAD.format(evidence.pk)
    assert custody.custody_log(evidence).last().action != custody.VIEWED
    response = client.post(DOWNLOAD.format(evidence.pk), {"reason": "Read the statement"})
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]
    assert custody.custody_log(evidence).last().action == custody.DOWNLOADED


# --------------------------------------------------------------------------------------------------
# Intimate images
# --------------------------------------------------------------------------------------------------
@pytest.fixture
def intimate(make_report):
    return make_report(category="sextortion", name="threat.png").evidence.get()


def test_an_investigator_not_cleared_never_gets_an_intimate_image(intimate, signed_in, investigator):
    client = signed_in(investigator)
    html = client.get(DETAIL.format(intimate.pk)).content.decode()
    assert "Intimate image: hidden" in html and intimate.sha256 in html and "threat.png" in html
    assert VIEW.format(intimate.pk) not in html and DOWNLOAD.format(intimate.pk) not in html
    assert intimate.file.name not in html and "<img" not in html[html.index("<main") :]
    for url in (VIEW, DOWNLOAD, TRANSFER):
        response = client.post(url.format(intimate.pk), {"reason": "Curious"})
        assert response.status_code == 403
        assert "Only investigators cleared for intimate images may open it" in response.content.decode()
    assert client.get(VIEW.format(intimate.pk)).status_code == 403
    assert not custody.custody_log(intimate).filter(action=custody.SENSITIVE_OPENED).exists()


def test_a_cleared_investigator_opens_an_intimate_image_with_a_reason_and_it_is_audited(
    intimate, signed_in, sensitive_investigator
):
    client = signed_in(sensitive_investigator)
    form = client.get(VIEW.format(intimate.pk))
    assert (
        form.status_code == 200
        and not form.streaming
        and "This is an intimate image." in form.content.decode()
    )
    assert not client.post(VIEW.format(intimate.pk), {"reason": ""}).streaming

    response = client.post(VIEW.format(intimate.pk), {"reason": "Identify the extortionist's account"})
    assert response.streaming and body(response) == stored_bytes(intimate)
    event = custody.custody_log(intimate).last()
    assert (event.action, event.actor, event.details["reason"]) == (
        custody.SENSITIVE_OPENED,
        sensitive_investigator,
        "Identify the extortionist's account",
    )


# --------------------------------------------------------------------------------------------------
# Access
# --------------------------------------------------------------------------------------------------
def test_another_provinces_investigator_gets_404_on_every_evidence_page(
    case_evidence, signed_in, investigator_kandal
):
    client = signed_in(investigator_kandal)
    for url in (DETAIL, DOWNLOAD, VIEW, TRANSFER, DELETE):
        assert client.get(url.format(case_evidence.pk)).status_code == 404
    assert client.post(VERIFY.format(case_evidence.pk)).status_code == 404
    assert client.get(ADD.format(case_evidence.case.reference)).status_code == 404
    assert custody.custody_log(case_evidence).count() == 1


def test_citizens_get_403_and_visitors_are_sent_to_sign_in(make_report, signed_in, citizen, client):
    evidence = make_report().evidence.get()  # the citizen's own report
    assert client.get(DETAIL.format(evidence.pk)).status_code == 302
    response = signed_in(citizen)
    assert response.get(DETAIL.format(evidence.pk)).status_code == 403
    assert response.post(DOWNLOAD.format(evidence.pk), {"reason": "mine"}).status_code == 403


# --------------------------------------------------------------------------------------------------
# Adding
# --------------------------------------------------------------------------------------------------
def test_an_investigator_adds_a_file_to_a_case(make_case, signed_in, investigator):
    case = make_case()
    client = signed_in(investigator)
    assert client.get(ADD.format(case.reference)).status_code == 200
    response = client.post(
        ADD.format(case.reference),
        {"file": png("bank.png"), "description": "Bank statement", "collected_where": "Office"},
    )
    evidence = case.evidence.get()
    assert response.status_code == 302 and response.url == DETAIL.format(evidence.pk)
    assert evidence.original_name == "bank.png" and evidence.description == "Bank statement"


def test_a_report_gets_evidence_too(make_report, signed_in, investigator):
    report = make_report()
    response = signed_in(investigator).post(ADD_TO_REPORT.format(report.reference), {"file": png("call.png")})
    assert response.status_code == 302 and report.evidence.filter(original_name="call.png").exists()


def test_a_bad_upload_shows_the_error_and_keeps_what_was_typed(make_case, signed_in, investigator):
    case = make_case()
    client = signed_in(investigator)
    response = client.post(ADD.format(case.reference), {"description": "Bank statement"})
    html = response.content.decode()
    assert response.status_code == 200 and "Choose the file to add." in html and "Bank statement" in html
    assert html.count("There is a problem") == 1

    big = SimpleUploadedFile(
        "big.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (reports.EVIDENCE_MAX_MB * 1024 * 1024), "image/png"
    )
    html = client.post(ADD.format(case.reference), {"file": big, "description": "Too big"}).content.decode()
    assert "The file must be smaller than 10 MB." in html and "Too big" in html
    assert not case.evidence.exists()


def test_a_closed_case_gets_no_more_evidence(make_case, signed_in, investigator):
    case = make_case(status=Case.Status.CLOSED)
    html = signed_in(investigator).post(ADD.format(case.reference), {"file": png()}).content.decode()
    assert "This case is closed" in html and not case.evidence.exists()


# --------------------------------------------------------------------------------------------------
# Re-verifying, handing over, holding, deleting
# --------------------------------------------------------------------------------------------------
def test_re_verifying_is_a_post_and_is_recorded(case_evidence, signed_in, investigator):
    client = signed_in(investigator)
    assert client.get(VERIFY.format(case_evidence.pk)).status_code == 405
    with open(case_evidence.file.path, "ab") as handle:
        handle.write(b"tampered")
    response = client.post(VERIFY.format(case_evidence.pk), follow=True)
    assert "does not match the SHA-256" in response.content.decode()
    assert custody.custody_log(case_evidence).last().details["result"] == custody.MODIFIED
    assert "File modified" in response.content.decode()


def test_handing_over_to_an_agency(case_evidence, signed_in, investigator):
    client = signed_in(investigator)
    html = client.post(TRANSFER.format(case_evidence.pk), {"reason": "Trial"}).content.decode()
    assert "Choose the investigator, or name the agency" in html
    response = client.post(
        TRANSFER.format(case_evidence.pk), {"agency": "Phnom Penh Municipal Court", "reason": "Trial"}
    )
    assert response.status_code == 302
    event = custody.custody_log(case_evidence).last()
    assert event.action == custody.TRANSFERRED and event.details["to"] == "Phnom Penh Municipal Court"


def test_a_supervisor_places_a_legal_hold_and_an_investigator_cannot(
    case_evidence, signed_in, investigator, cyber_supervisor, client
):
    assert (
        signed_in(investigator).post(HOLD.format(case_evidence.pk), {"hold": "1", "reason": "x"}).status_code
        == 403
    )
    client.logout()
    supervisor = signed_in(cyber_supervisor)
    html = supervisor.post(HOLD.format(case_evidence.pk), {"hold": "1", "reason": ""}).content.decode()
    assert "Give the reason for the legal hold" in html and "There is a problem" in html
    assert supervisor.post(HOLD.format(case_evidence.pk), {"hold": "1", "reason": "Trial"}).status_code == 302
    assert EvidenceFile.objects.get(pk=case_evidence.pk).legal_hold


def test_deletion_is_refused_while_the_case_is_open_and_done_after(
    case_evidence, signed_in, investigator, django_capture_on_commit_callbacks
):
    client = signed_in(investigator)
    html = client.post(DELETE.format(case_evidence.pk), {"reason": "Retention"}).content.decode()
    assert "The case is still open" in html and EvidenceFile.objects.filter(pk=case_evidence.pk).exists()
    Case.objects.filter(pk=case_evidence.case_id).update(status=Case.Status.CLOSED)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(DELETE.format(case_evidence.pk), {"reason": "Retention"})
    assert response.status_code == 302 and not EvidenceFile.objects.filter(pk=case_evidence.pk).exists()


# --------------------------------------------------------------------------------------------------
# The table other pages include
# --------------------------------------------------------------------------------------------------
def test_the_evidence_table_hides_intimate_images_and_takes_few_queries(
    make_report, investigator, django_assert_max_num_queries
):
    report = make_report(category="sextortion", name="threat.png")
    reports.report_add_information(report=report, by=None, evidence=[reports.EvidenceInput(png(), "b.png")])
    request = RequestFactory().get("/")
    request.user = investigator
    investigator.active_roles  # noqa: B018 (the page has read the roles already)
    with django_assert_max_num_queries(1):
        html = render_to_string(
            "cyber/staff/evidence_list.html", {"evidence": report.evidence.all(), "request": request}
        )
    evidence = list(report.evidence.all())
    assert html.count("Intimate image: hidden") == 2 and "<img" not in html
    for item in evidence:
        assert item.sha256 in html and DETAIL.format(item.pk) in html and item.file.name not in html
        assert DOWNLOAD.format(item.pk) not in html  # not cleared: no download link


def test_the_evidence_table_of_nothing_says_so(investigator):
    request = RequestFactory().get("/")
    request.user = investigator
    html = render_to_string(
        "cyber/staff/evidence_list.html", {"evidence": EvidenceFile.objects.none(), "request": request}
    )
    assert "No evidence yet." in html
