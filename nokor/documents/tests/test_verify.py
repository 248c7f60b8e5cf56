"""Public verification, page and API: genuine, revoked, superseded, unknown, tampered and garbage codes
(never a 500), each verification audited for the holder, and a rate limit per client IP."""

import pytest

from nokor.audit.models import AuditEvent
from nokor.documents.codes import ALPHABET
from nokor.documents.services import document_reissue, document_revoke

GARBAGE = [
    "a",
    "x" * 3000,
    "%00%00",
    "..%2F..%2Fetc%2Fpasswd",
    "<script>alert(1)</script>",
    "ព្រះរាជាណាចក្រកម្ពុជា",
    "%F0%9F%92%A9",
    "%FF%FE",
    "'; DROP TABLE documents_document; --",
    "UUUUUUUUUUUUUUUUU",
]


@pytest.fixture
def english(client):
    client.cookies["nokor_language"] = "en"
    return client


def _tampered(code: str) -> str:
    replacement = ALPHABET[(ALPHABET.index(code[5]) + 1) % len(ALPHABET)]
    return code[:5] + replacement + code[6:]


def test_a_genuine_document_says_so_with_the_fields_to_compare(english, issue):
    document = issue()
    response = english.get(f"/verify/{document.code}")
    body = response.content.decode()
    assert response.status_code == 200
    assert "This document is genuine." in body and "tag--green" in body
    assert "Residence certificate" in body and "Kandal" in body
    assert document.holder_name in body and "ភូមិត្រពាំងពោធិ៍" in body
    assert document.display_code in body
    assert "010203040" not in body  # the identity card number is on the paper, not on the public page
    assert response["Cache-Control"] == "private, no-store"
    assert 'name="robots" content="noindex"' in body


def test_a_genuine_document_in_khmer(client, issue):
    document = issue()
    body = client.get(f"/verify/{document.code}").content.decode()
    assert "លិខិតបញ្ជាក់ទីលំនៅ" in body and "កណ្តាល" in body


def test_a_revoked_document_says_so_with_the_date_and_no_personal_data(english, issue, supervisor_kandal):
    document = issue()
    document_revoke(document=document, by=supervisor_kandal, reason="Issued on a forged family book")
    body = english.get(f"/verify/{document.code}").content.decode()
    assert "This document was revoked on" in body and "tag--red" in body
    assert "forged" not in body  # the reason is for staff and auditors
    assert document.holder_name not in body


def test_a_superseded_document_says_so(english, issue, supervisor_kandal):
    document = issue()
    document_reissue(document=document, by=supervisor_kandal)
    body = english.get(f"/verify/{document.code}").content.decode()
    assert "replaced by a newer one" in body and "Superseded" in body
    assert document.holder_name not in body


def test_an_unknown_code_says_unknown(english, db):
    from nokor.documents.codes import new_code

    body = english.get(f"/verify/{new_code()}").content.decode()
    assert "We found no document with this code." in body and "Unknown" in body


def test_a_tampered_code_says_unknown_without_a_trace(english, issue):
    document = issue()
    response = english.get(f"/verify/{_tampered(document.code)}")
    assert response.status_code == 200
    assert "We found no document with this code." in response.content.decode()
    assert not AuditEvent.objects.filter(action="document.verify").exists()


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_never_breaks_the_page(english, db, garbage):
    response = english.get(f"/verify/{garbage}")
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert "We found no document with this code." in response.content.decode()
    assert b"<script>alert(1)</script>" not in response.content


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_never_breaks_the_api(client, db, garbage):
    response = client.get(f"/api/v1/documents/{garbage}/verify")
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert response.json()["status"] == "unknown"


def test_the_api_answers_genuine(client, issue):
    document = issue()
    response = client.get(f"/api/v1/documents/{document.code}/verify")
    assert response.status_code == 200
    assert response.json() == {
        "status": "genuine",
        "document_type": "residence_certificate",
        "issued_on": document.issued_on.isoformat(),
        "issuer_unit": {"code": "08", "name_km": "កណ្តាល", "name_latin": "Kandal"},
        "status_changed_on": None,
    }
    assert document.holder_name not in response.content.decode()  # no personal data through the API


def test_the_api_accepts_the_printed_form_of_the_code(client, issue):
    document = issue()
    response = client.get(f"/api/v1/documents/{document.display_code.lower()}/verify")
    assert response.json()["status"] == "genuine"


def test_the_api_answers_revoked_and_superseded(client, issue, supervisor_kandal):
    revoked, replaced = issue(), issue()
    document_revoke(document=revoked, by=supervisor_kandal, reason="error")
    document_reissue(document=replaced, by=supervisor_kandal)
    answer = client.get(f"/api/v1/documents/{revoked.code}/verify").json()
    assert answer["status"] == "revoked" and answer["status_changed_on"] is not None
    assert client.get(f"/api/v1/documents/{replaced.code}/verify").json()["status"] == "superseded"


@pytest.mark.parametrize("make_code", [lambda d: _tampered(d.code), lambda d: "0" * 16 + "0"])
def test_the_api_answers_unknown_with_nulls(client, issue, make_code):
    document = issue()
    assert client.get(f"/api/v1/documents/{make_code(document)}/verify").json() == {
        "status": "unknown",
        "document_type": None,
        "issued_on": None,
        "issuer_unit": None,
        "status_changed_on": None,
    }


def test_each_verification_is_shown_to_the_holder_as_by_the_public(client, login, issue, citizen):
    document = issue()
    client.get(f"/verify/{document.code}")
    client.get(f"/api/v1/documents/{document.code}/verify")
    events = AuditEvent.objects.filter(action="document.verify").order_by("seq")
    assert [e.details["channel"] for e in events] == ["page", "api"]
    for event in events:
        assert event.subject == citizen and event.actor is None and event.actor_label == ""
        assert event.object_id == str(document.pk)
    page = login(citizen).get("/audit/my-data/").content.decode()
    assert page.count("បានផ្ទៀងផ្ទាត់តាមកូដ QR") == 2  # "Verified by QR"
    assert "សាធារណជន" in page  # "The public"


def test_too_many_verifications_from_one_address_are_refused(client, issue, settings):
    settings.DOCUMENT_VERIFY_RATE_LIMIT = 3
    document = issue()
    for _ in range(2):
        assert client.get(f"/verify/{document.code}").status_code == 200
    assert client.get(f"/api/v1/documents/{document.code}/verify").status_code == 200
    page = client.get(f"/verify/{document.code}")
    assert page.status_code == 429 and 1 <= int(page["Retry-After"]) <= 60
    api = client.get(f"/api/v1/documents/{document.code}/verify")
    assert api.status_code == 429 and int(api["Retry-After"]) >= 1
    assert api.json()["retry_after"] == int(api["Retry-After"])
    other = client.get(f"/verify/{document.code}", REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200  # the budget is per client address
    assert AuditEvent.objects.filter(action="document.verify").count() == 4  # refused ones are not


def test_the_code_can_be_typed_into_a_form(english, issue):
    document = issue()
    response = english.get("/verify/", {"code": document.display_code.lower()})
    assert response.status_code == 302 and response.url == f"/verify/{document.code}"


def test_a_mistyped_code_in_the_form_shows_an_error_and_keeps_it(english, issue):
    document = issue()
    typed = _tampered(document.code)
    response = english.get("/verify/", {"code": typed})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and "not a valid verification code" in body
    assert f'value="{typed}"' in body


def test_the_form_page_opens_empty(english, db):
    response = english.get("/verify/")
    assert response.status_code == 200 and "There is a problem" not in response.content.decode()


def test_the_api_is_described_in_the_openapi_schema(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/documents/{code}/verify"]["get"]
    assert set(operation["responses"]) == {"200", "429", "default"}
    assert {} in operation["security"]  # public: an API key is optional
