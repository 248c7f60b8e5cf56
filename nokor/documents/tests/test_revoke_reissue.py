"""Revoke and re-issue: a service supervisor in scope only; audited; the public verification follows."""

import pytest
from django_tasks_db.models import DBTaskResult

from nokor.audit.models import AuditEvent
from nokor.documents.models import Document
from nokor.documents.services import DocumentStateError, document_revoke


@pytest.fixture
def supervisor(login, supervisor_kandal):
    client = login(supervisor_kandal)
    client.cookies["nokor_language"] = "en"
    return client


def test_the_supervisor_revokes_a_kandal_document(supervisor, supervisor_kandal, citizen, issue):
    document = issue()
    response = supervisor.post(
        f"/documents/{document.code}/revoke", {"reason": "Issued on a forged family book"}
    )
    assert response.status_code == 302 and response.url == document.get_absolute_url()
    document.refresh_from_db()
    assert document.status == Document.Status.REVOKED
    assert document.revoked_by == supervisor_kandal and document.revoked_at is not None
    assert document.revoked_reason == "Issued on a forged family book"
    event = AuditEvent.objects.get(action="document.revoke")
    assert (event.actor, event.subject, event.details["reason"]) == (
        supervisor_kandal,
        citizen,
        "Issued on a forged family book",
    )
    page = supervisor.get(f"/verify/{document.code}").content.decode()
    assert "This document was revoked on" in page


def test_the_revoke_page_shows_a_form_and_changes_nothing(supervisor, issue):
    document = issue()
    response = supervisor.get(f"/documents/{document.code}/revoke")
    assert response.status_code == 200 and 'name="reason"' in response.content.decode()
    document.refresh_from_db()
    assert document.status == Document.Status.GENUINE


def test_revoking_needs_a_reason(supervisor, issue):
    document = issue()
    response = supervisor.post(f"/documents/{document.code}/revoke", {"reason": "   "})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and "Enter the reason for revoking this document." in body
    assert 'href="#id_reason"' in body and "<title>Error:" in body
    document.refresh_from_db()
    assert document.status == Document.Status.GENUINE
    assert not AuditEvent.objects.filter(action="document.revoke").exists()


def test_a_too_long_reason_is_refused_and_kept(supervisor, issue):
    document = issue()
    typed = "x" * 2001
    body = supervisor.post(f"/documents/{document.code}/revoke", {"reason": typed}).content.decode()
    assert "There is a problem" in body and typed in body


@pytest.mark.parametrize("action", ["revoke", "reissue"])
def test_an_officer_may_not_revoke_or_reissue(login, officer_kandal, issue, action):
    document = issue()
    client = login(officer_kandal)
    assert client.get(f"/documents/{document.code}/{action}").status_code == 403
    assert client.post(f"/documents/{document.code}/{action}", {"reason": "x"}).status_code == 403
    document.refresh_from_db()
    assert document.status == Document.Status.GENUINE


@pytest.mark.parametrize("action", ["revoke", "reissue"])
def test_another_province_gets_not_found(login, supervisor_kandal, officer_siem_reap, issue, action):
    document = issue(unit="17")  # issued in Siem Reap: outside the Kandal supervisor's scope
    assert (
        login(supervisor_kandal).post(f"/documents/{document.code}/{action}", {"reason": "x"}).status_code
        == 404
    )
    assert (
        login(officer_siem_reap).post(f"/documents/{document.code}/{action}", {"reason": "x"}).status_code
        == 403
    )


@pytest.mark.parametrize("action", ["revoke", "reissue"])
def test_the_holder_may_not_revoke_or_reissue(login, citizen, issue, action):
    document = issue()
    assert login(citizen).post(f"/documents/{document.code}/{action}", {"reason": "x"}).status_code == 403


def test_a_revoked_document_cannot_be_revoked_again(supervisor, supervisor_kandal, issue):
    document = issue()
    document_revoke(document=document, by=supervisor_kandal, reason="first")
    response = supervisor.post(f"/documents/{document.code}/revoke", {"reason": "second"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="document.revoke").count() == 1
    with pytest.raises(DocumentStateError):
        document_revoke(document=document, by=supervisor_kandal, reason="third")


def test_reissue_supersedes_the_old_document(supervisor, supervisor_kandal, citizen, issue):
    old = issue()
    response = supervisor.post(f"/documents/{old.code}/reissue")
    old.refresh_from_db()
    new = old.superseded_by
    assert response.status_code == 302 and response.url == new.get_absolute_url()
    assert old.status == Document.Status.SUPERSEDED and old.superseded_at is not None
    assert new.status == Document.Status.GENUINE and new.code != old.code
    assert (new.holder, new.data, new.context, new.issuer_unit) == (
        old.holder,
        old.data,
        old.context,
        old.issuer_unit,
    )
    assert new.issued_by == supervisor_kandal
    assert DBTaskResult.objects.filter(args_kwargs__args=[new.pk]).exists()  # its PDF is being made
    event = AuditEvent.objects.get(action="document.reissue")
    assert (event.actor, event.subject, event.details["new_code"]) == (supervisor_kandal, citizen, new.code)
    assert "replaced by a newer one" in supervisor.get(f"/verify/{old.code}").content.decode()
    assert "This document is genuine." in supervisor.get(f"/verify/{new.code}").content.decode()


def test_the_reissue_page_asks_first(supervisor, issue):
    document = issue()
    response = supervisor.get(f"/documents/{document.code}/reissue")
    assert response.status_code == 200
    document.refresh_from_db()
    assert document.status == Document.Status.GENUINE


def test_a_revoked_document_cannot_be_reissued(supervisor, supervisor_kandal, issue):
    document = issue()
    document_revoke(document=document, by=supervisor_kandal, reason="error")
    response = supervisor.post(f"/documents/{document.code}/reissue")
    assert response.status_code == 302
    assert Document.objects.count() == 1
