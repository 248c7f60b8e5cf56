"""Status by SMS: the gateway posts a received SMS, the applicant's verified phone gets the status back
through the SMS channel (the logging gateway here); anyone else gets an answer that reveals nothing."""

from __future__ import annotations

import json
import logging
import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from nokor.audit.models import AuditEvent
from nokor.cyber import reference_data, reports
from nokor.integrations.webhooks import signature
from nokor.notifications.inbound import neutral_text, parse_reference, report_text
from nokor.notifications.models import Channel, Message
from nokor.notifications.tasks import deliver_message
from nokor.services.reference import make_reference

SECRET = "gateway-shared-secret"
PHONE = "+85512345678"
URL = "/inbox/sms/inbound/"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.SMS_INBOUND_SECRET = SECRET


@pytest.fixture
def applicant(citizen):
    citizen.phone, citizen.phone_verified = PHONE, True
    citizen.save(update_fields=["phone", "phone_verified"])
    return citizen


def post(client, payload, *, secret=SECRET, timestamp=None):
    body = json.dumps(payload).encode()
    timestamp = int(time.time()) if timestamp is None else timestamp
    header = f"t={timestamp},v1={signature(secret, timestamp, body)}"
    return client.post(URL, body, content_type="application/json", headers={"Nokor-Signature": header})


def replies_to(number):
    """The answers to received SMS (not the notifications the applicant also gets)."""
    answers = Message.objects.filter(channel=Channel.SMS, to=number, idempotency_key__startswith="sms-in:")
    return list(answers.order_by("created_at"))


def test_the_url_is_named():
    assert reverse("notifications:sms_inbound") == URL


@pytest.mark.parametrize(
    "text",
    ["NK-2026-000123-3", "nk 2026 000123 3", "STATUS NK-2026-000123-3", "ស្ថានភាព NK-២០២៦-០០០១២៣-៣"],
)
def test_a_reference_is_read_however_it_is_typed(text):
    assert parse_reference(text) == "NK-2026-000123-3"


@pytest.mark.parametrize("text", ["", "hello", "NK-2026-000123-4", "NK-2026-123-3"])
def test_anything_else_is_no_reference(text):
    assert parse_reference(text) is None


def test_the_applicant_gets_the_status_in_khmer_through_the_gateway(client, applicant, submitted, caplog):
    response = post(client, {"from": "012 345 678", "text": submitted.reference, "id": "gw-1"})
    assert response.status_code == 200 and response.json() == {"status": "answered"}
    (reply,) = replies_to(PHONE)
    assert reply.user == applicant and reply.language == "km"
    assert submitted.reference in reply.body
    assert "បានដាក់ស្នើ" in reply.body  # "submitted"
    assert "លិខិតបញ្ជាក់ទីលំនៅ" in reply.body  # the service, in Khmer
    with caplog.at_level(logging.INFO, logger="nokor.sms"):
        assert deliver_message.call(str(reply.pk)) == "sent"
    assert f"SMS to {PHONE}: {reply.body}" in caplog.text
    event = AuditEvent.objects.get(action="personal_data.view", object_id=str(submitted.pk))
    assert event.subject == applicant and event.details == {"what": "status by SMS"}


def test_khmer_digits_a_keyword_spaces_and_lower_case_are_understood(client, applicant, submitted):
    khmer = submitted.reference.lower().replace("-", " ").translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"))
    post(client, {"from": PHONE, "text": f"ស្ថានភាព  {khmer}"})
    post(client, {"from": PHONE, "text": f"Status {submitted.reference.lower()}"})
    assert [submitted.reference in reply.body for reply in replies_to(PHONE)] == [True, True]


def test_the_reply_is_in_the_applicants_language(client, applicant, submitted):
    applicant.preferred_language = "en"
    applicant.save(update_fields=["preferred_language"])
    post(client, {"from": PHONE, "text": submitted.reference})
    (reply,) = replies_to(PHONE)
    assert reply.language == "en"
    assert reply.body.startswith(
        f"Nokor: application {submitted.reference} (Residence certificate): Submitted."
    )
    assert "Expected decision by" in reply.body


@pytest.mark.parametrize("case", ["other_number", "unverified", "wrong_reference", "not_a_reference"])
def test_anyone_else_gets_the_same_neutral_answer(client, applicant, submitted, case):
    sender, text = PHONE, submitted.reference
    if case == "other_number":
        sender = "+85598765432"
    elif case == "unverified":
        applicant.phone_verified = False
        applicant.save(update_fields=["phone_verified"])
    elif case == "wrong_reference":
        text = make_reference(2026, 999_999)  # well formed, but no such application
    else:
        text = "hello"
    response = post(client, {"from": sender, "text": text})
    assert response.status_code == 200
    (reply,) = replies_to(sender)
    assert reply.body == neutral_text("km")
    assert submitted.reference not in reply.body and reply.user is None
    assert not AuditEvent.objects.filter(action="personal_data.view").exists()


def test_another_citizens_application_is_not_told_to_a_verified_phone(client, submitted, other_citizen):
    other_citizen.phone, other_citizen.phone_verified = PHONE, True
    other_citizen.save(update_fields=["phone", "phone_verified"])
    post(client, {"from": PHONE, "text": submitted.reference})
    (reply,) = replies_to(PHONE)
    assert reply.body == neutral_text("km")


@pytest.mark.parametrize(
    "secret, age", [("wrong-secret", 0), (SECRET, 3600)], ids=["wrong secret", "old signature"]
)
def test_a_badly_signed_post_is_refused(client, applicant, submitted, secret, age):
    response = post(
        client, {"from": PHONE, "text": submitted.reference}, secret=secret, timestamp=int(time.time()) - age
    )
    assert response.status_code == 403
    assert not Message.objects.filter(idempotency_key__startswith="sms-in:").exists()


def test_an_unsigned_post_or_no_configured_secret_is_refused(client, settings, applicant, submitted):
    body = {"from": PHONE, "text": submitted.reference}
    assert client.post(URL, body, content_type="application/json").status_code == 403
    settings.SMS_INBOUND_SECRET = ""
    assert post(client, body, secret="").status_code == 403
    assert not Message.objects.filter(idempotency_key__startswith="sms-in:").exists()


def test_the_gateway_needs_no_csrf_token(applicant, submitted):
    response = post(Client(enforce_csrf_checks=True), {"from": PHONE, "text": submitted.reference})
    assert response.status_code == 200 and len(replies_to(PHONE)) == 1


def test_get_is_refused_and_a_bad_body_is_a_400(client, db):
    assert client.get(URL).status_code == 405
    assert post(client, ["not", "an", "object"]).status_code == 400


def test_each_sender_is_rate_limited(client, applicant, submitted):
    statuses = [post(client, {"from": PHONE, "text": submitted.reference}).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    assert len(replies_to(PHONE)) == 10
    assert post(client, {"from": "+85598765432", "text": "hello"}).status_code == 200


def test_the_gateway_posting_one_sms_twice_gets_one_answer(client, applicant, submitted):
    for _ in range(2):
        post(client, {"from": PHONE, "text": submitted.reference, "id": "gw-42"})
    assert len(replies_to(PHONE)) == 1
    assert AuditEvent.objects.filter(action="personal_data.view").count() == 1


def test_a_sender_that_is_not_a_phone_number_gets_no_answer(client, db):
    response = post(client, {"from": "BANK", "text": "NK-2026-000123-3"})
    assert response.json() == {"status": "ignored"}
    assert not Message.objects.filter(idempotency_key__startswith="sms-in:").exists()


@pytest.fixture
def filed_report(db):
    reference_data.load()
    return reports.report_submit(by=None, category="online-fraud", description="A fake bank page.")


def test_a_cyber_report_is_followed_with_its_reference_and_tracking_code(client, filed_report):
    report, code = filed_report.report, filed_report.tracking_code
    khmer_reference = report.reference.translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"))
    post(client, {"from": "+85598765432", "text": f"{khmer_reference} {code.lower()}"})
    (reply,) = replies_to("+85598765432")
    with translation.override("km"):
        assert reply.body == report_text(report)
        assert report.reference in reply.body and report.get_status_display() in reply.body
        assert reports.status_explanation(report) in reply.body


def test_a_wrong_tracking_code_and_an_unknown_report_get_the_same_answer(client, filed_report):
    report = filed_report.report
    unknown = reports.make_reference(2026, 999_999)
    post(client, {"from": "+85598765432", "text": f"{report.reference} AAAA-BBBB-CCCC"})
    post(client, {"from": "+85598765432", "text": f"{unknown} {filed_report.tracking_code}"})
    first, second = replies_to("+85598765432")
    assert first.body == second.body == report_text(None)
    assert report.reference not in first.body
