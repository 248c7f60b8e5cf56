"""Webhooks: events of the service functions reach the subscribers (members only for a person's
application), signed so that a receiver written with the standard library alone can verify them, retried
after a failure, logged, re-sent by hand; private addresses refused unless allowed."""

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from nokor.documents.services import document_revoke
from nokor.integrations import services, webhooks
from nokor.integrations.events import emit
from nokor.integrations.models import Delivery
from nokor.notifications.tests.test_delivery import _run_ready_tasks
from nokor.services.services import application_claim


class Receiver:
    """A partner's endpoint: answers the statuses it is told to, keeps what it received and checks the
    signature the way the documentation tells a partner to (standard library only)."""

    def __init__(self, secret: str = "", statuses=(200,)):
        self.secret, self.statuses, self.received = secret, list(statuses), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fields = dict(part.split("=", 1) for part in self.headers["Nokor-Signature"].split(","))
                expected = hmac.new(
                    receiver.secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256
                ).hexdigest()
                receiver.received.append(
                    {
                        "event": self.headers["Nokor-Event"],
                        "delivery": self.headers["Nokor-Delivery"],
                        "valid": hmac.compare_digest(expected, fields["v1"]),
                        "fresh": abs(time.time() - int(fields["t"])) < 300,
                        "body": json.loads(body),
                    }
                )
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"thanks" if status == 200 else b"try later")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/nokor"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.INTEGRATIONS_WEBHOOK_ALLOW_PRIVATE = True
    made = Receiver()
    yield made
    made.close()


@pytest.fixture
def subscribe(bank, administrator, receiver):
    def make(*events, organisation=None):
        subscription, secret = services.subscription_create(
            by=administrator, organisation=organisation or bank, url=receiver.url, events=list(events)
        )
        receiver.secret = secret
        return subscription

    return make


def test_a_revoked_document_reaches_the_subscriber_signed(
    subscribe, receiver, issue, supervisor_kandal, django_capture_on_commit_callbacks
):
    subscribe("document.revoked")
    document = issue()
    with django_capture_on_commit_callbacks(execute=True):
        document_revoke(document=document, by=supervisor_kandal, reason="Issued on a forged family book")
    _run_ready_tasks()
    [got] = receiver.received
    assert got["valid"] and got["fresh"] and got["event"] == "document.revoked"
    assert (
        got["body"]["type"] == "document.revoked" and got["body"]["data"]["document"]["code"] == document.code
    )
    delivery = Delivery.objects.get()
    assert got["delivery"] == str(delivery.pk) and delivery.status == Delivery.Status.SUCCEEDED
    attempt = delivery.attempt_log.get()
    assert attempt.status_code == 200 and attempt.response_excerpt == "thanks"


def test_a_tampered_body_does_not_verify(receiver):
    body = b'{"type":"document.revoked"}'
    good = webhooks.signature("whsec_x", 1_700_000_000, body)
    assert good != webhooks.signature("whsec_x", 1_700_000_000, body + b" ")
    assert good != webhooks.signature("whsec_y", 1_700_000_000, body)
    assert good != webhooks.signature("whsec_x", 1_700_000_001, body)


def test_an_application_event_goes_only_to_the_organisations_of_its_applicant(
    subscribe, receiver, bank, administrator, citizen, submitted, django_capture_on_commit_callbacks
):
    other = services.organisation_create(by=administrator, name_km="ទូរគមនាគមន៍", kind="telecom")
    subscribe("application.status_changed")
    subscribe("application.status_changed", organisation=other)
    bank.members.add(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        emit("application.status_changed", {"application": {"id": str(submitted.pk)}}, concerns=[citizen.pk])
    assert list(Delivery.objects.values_list("subscription__organisation", flat=True)) == [bank.pk]


def test_an_officer_taking_up_an_application_tells_the_applicants_organisation(
    subscribe, receiver, bank, citizen, submitted, officer_kandal, django_capture_on_commit_callbacks
):
    subscribe("application.status_changed")
    bank.members.add(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        application_claim(application=submitted, by=officer_kandal)
    _run_ready_tasks()
    [got] = receiver.received
    assert got["valid"] and got["body"]["data"]["application"] == {
        "id": str(submitted.pk),
        "reference": submitted.reference,
        "service": "residence-certificate",
        "status": "in_review",
        "office_code": submitted.unit.code,
    }


def test_nothing_is_sent_when_the_change_rolls_back(subscribe, db, django_capture_on_commit_callbacks):
    subscribe("document.revoked")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        emit("document.revoked", {"document": {"code": "X"}})
    assert len(callbacks) == 1 and not Delivery.objects.exists()  # runs only if the transaction commits


def test_a_failed_delivery_is_retried_after_its_back_off(
    subscribe, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [500, 200]
    subscribe("document.revoked")
    with django_capture_on_commit_callbacks(execute=True):
        emit("document.revoked", {"document": {"code": "X"}})
    _run_ready_tasks()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING and delivery.last_status_code == 500
    _run_ready_tasks()  # not due yet
    assert len(receiver.received) == 1
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31)):
        _run_ready_tasks()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED and delivery.attempts == 2
    assert [a.status_code for a in delivery.attempt_log.order_by("attempted_at")] == [500, 200]
    assert receiver.received[0]["delivery"] == receiver.received[1]["delivery"]  # one id: idempotent


def test_a_delivery_gives_up_after_a_day_and_can_be_sent_again(
    subscribe, receiver, administrator, django_capture_on_commit_callbacks
):
    receiver.statuses = [503]
    subscribe("document.revoked")
    with django_capture_on_commit_callbacks(execute=True):
        emit("document.revoked", {"document": {"code": "X"}})
    delivery = Delivery.objects.get()
    with time_machine.travel(delivery.retry_until - dt.timedelta(seconds=10)):
        _run_ready_tasks()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED  # the next attempt would be after its 24 hours
    receiver.statuses = [200]
    services.delivery_resend(by=administrator, delivery=delivery)
    _run_ready_tasks()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED and len(receiver.received) == 2


def test_an_unreachable_receiver_is_logged_with_its_error(
    subscribe, receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe("document.revoked")
    receiver.close()
    with django_capture_on_commit_callbacks(execute=True):
        emit("document.revoked", {"document": {"code": "X"}})
    _run_ready_tasks()
    attempt = Delivery.objects.get(subscription=subscription).attempt_log.get()
    assert attempt.status_code is None and "Error" in attempt.error


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/hook", "https://10.1.2.3/hook", "http://[::1]/hook", "http://localhost/x"]
)
def test_private_addresses_are_refused_in_production(settings, url):
    settings.INTEGRATIONS_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError):
        webhooks.check_url(url)


def test_private_addresses_are_allowed_when_the_setting_says_so(settings):
    settings.INTEGRATIONS_WEBHOOK_ALLOW_PRIVATE = True
    webhooks.check_url("http://127.0.0.1:8000/hook")


@pytest.mark.parametrize("url", ["ftp://example.org/x", "javascript:alert(1)", "https://"])
def test_only_web_addresses_are_accepted(settings, url):
    settings.INTEGRATIONS_WEBHOOK_ALLOW_PRIVATE = True
    with pytest.raises(ValidationError):
        webhooks.check_url(url)
