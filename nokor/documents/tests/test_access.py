"""Who sees a document: its holder and service staff of the issuing unit's scope (audited); anyone
else gets a 404, as if it did not exist."""

import pytest

from nokor.audit.models import AuditEvent
from nokor.documents.tests.conftest import FAKE_PDF


def test_the_holder_downloads_the_signed_pdf(login, citizen, ready_document):
    response = login(citizen).get(f"/documents/{ready_document.code}/download")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert ready_document.code in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == FAKE_PDF
    assert not AuditEvent.objects.filter(action="personal_data.view").exists()  # one's own data


@pytest.mark.parametrize("persona", ["officer_kandal", "supervisor_kandal", "auditor"])
def test_staff_in_scope_download_and_are_audited(login, make_persona, citizen, ready_document, persona):
    staff = make_persona(persona)
    response = login(staff).get(f"/documents/{ready_document.code}/download")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="personal_data.view")
    assert (event.actor, event.subject, event.object_id) == (staff, citizen, str(ready_document.pk))
    assert event.details == {"what": "document download"}


@pytest.mark.parametrize("persona", ["other_citizen", "officer_siem_reap", "investigator", "trainer"])
@pytest.mark.parametrize("page", ["download", ""])
def test_others_get_not_found(login, make_persona, ready_document, persona, page):
    response = login(make_persona(persona)).get(f"/documents/{ready_document.code}/{page}")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="personal_data.view").exists()


def test_anonymous_visitors_are_asked_to_sign_in(client, ready_document):
    response = client.get(f"/documents/{ready_document.code}/download")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("code", ["not-a-code", "0" * 17, "x" * 500])
def test_a_wrong_code_is_not_found(login, citizen, db, code):
    assert login(citizen).get(f"/documents/{code}/download").status_code == 404


def test_a_document_still_being_prepared_is_not_downloaded(login, citizen, issue):
    document = issue()
    response = login(citizen).get(f"/documents/{document.code}/download")
    assert response.status_code == 302 and response.url == document.get_absolute_url()


def test_the_holder_sees_the_document_page(login, citizen, ready_document):
    client = login(citizen)
    client.cookies["nokor_language"] = "en"
    body = client.get(ready_document.get_absolute_url()).content.decode()
    assert ready_document.display_code in body
    assert f"/documents/{ready_document.code}/download" in body
    assert "/revoke" not in body  # only a supervisor manages documents


def test_staff_viewing_the_document_page_is_audited(login, officer_kandal, citizen, ready_document):
    body = login(officer_kandal).get(ready_document.get_absolute_url()).content.decode()
    assert ready_document.holder_name in body and "/revoke" not in body
    assert AuditEvent.objects.filter(
        action="personal_data.view", actor=officer_kandal, subject=citizen
    ).exists()


def test_the_supervisor_sees_the_manage_buttons(login, supervisor_kandal, ready_document):
    body = login(supervisor_kandal).get(ready_document.get_absolute_url()).content.decode()
    assert f"/documents/{ready_document.code}/revoke" in body
    assert f"/documents/{ready_document.code}/reissue" in body


def test_my_documents_lists_mine_only(login, citizen, other_citizen, issue):
    mine, theirs = issue(), issue(holder=other_citizen)
    body = login(citizen).get("/documents/").content.decode()
    assert mine.get_absolute_url() in body
    assert theirs.get_absolute_url() not in body


def test_my_documents_needs_sign_in(client, db):
    assert client.get("/documents/").status_code == 302
