"""Outbox delivery: idempotent, after commit only, exactly once in effect across retries and dead workers."""

from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from nokor.core.worker import requeue_orphaned_tasks
from nokor.notifications.events import EVENTS
from nokor.notifications.models import Message
from nokor.notifications.services import email_send, notify, render_event
from nokor.notifications.tasks import deliver_message

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "notifications" / "events"


def _worker():
    return Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


def _run_ready_tasks():
    for result in DBTaskResult.objects.ready().order_by("enqueued_at"):
        result.claim("test-worker")
        _worker().run_task(result)


@pytest.mark.parametrize("event", sorted(EVENTS))
@pytest.mark.parametrize("language", ["km", "en"])
def test_every_event_has_a_template_in_both_languages(event, language):
    assert (TEMPLATES / f"{event}.{language}.txt").exists()
    subject, body = render_event(event, language, {"name": "Sokha", "when": "today"})
    assert subject and body


def test_no_template_without_an_event():
    names = {p.name.rsplit(".", 2)[0] for p in TEMPLATES.glob("*.txt")}
    assert names == set(EVENTS)


def test_notify_uses_the_recipients_language_and_channels(citizen):
    messages = notify(user=citizen, event="account.welcome", context={}, key="welcome-1")
    assert {m.channel for m in messages} == {"inbox", "email"}
    assert all(m.language == "km" for m in messages)
    assert "ស្វាគមន៍" in messages[0].subject


def test_notifying_twice_with_one_key_queues_nothing_more(citizen):
    notify(user=citizen, event="account.welcome", context={}, key="welcome-1")
    notify(user=citizen, event="account.welcome", context={}, key="welcome-1")
    assert Message.objects.filter(user=citizen).count() == 2  # inbox + e-mail, once
    assert DBTaskResult.objects.count() == 1


def test_task_queued_in_a_rolled_back_transaction_never_runs(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        email_send(to="a@example.com", subject="s", body="b")
        raise RuntimeError("the change failed")
    assert not Message.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_queued_email_is_sent_by_the_worker(db):
    message = email_send(to="a@example.com", subject="Hello", body="Body")
    _run_ready_tasks()
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 1
    assert [m.to for m in mail.outbox] == [["a@example.com"]]


def test_task_of_a_killed_worker_is_retried_and_sends_once(db):
    message = email_send(to="a@example.com", subject="Hello", body="Body")
    result = DBTaskResult.objects.get()
    result.claim(
        "worker-killed-with-sigkill"
    )  # claimed, then the process died: no heartbeat, RUNNING forever
    assert requeue_orphaned_tasks() == 1
    _run_ready_tasks()
    # The same effect queued again (a retry racing a late first attempt) changes nothing.
    deliver_message.enqueue(str(message.pk))
    _run_ready_tasks()
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.status == "sent"


def test_a_live_workers_task_is_left_alone(db):
    from django.utils import timezone

    from nokor.core.models import WorkerHeartbeat

    email_send(to="a@example.com", subject="Hello", body="Body")
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="alive", hostname="h", pid=1, started_at=now, seen_at=now)
    DBTaskResult.objects.get().claim("alive")
    assert requeue_orphaned_tasks() == 0


def test_failed_delivery_is_recorded_and_retried_later(db, settings):
    settings.EMAIL_BACKEND = "nokor.notifications.tests.failing_backend.FailingBackend"
    message = email_send(to="a@example.com", subject="Hello", body="Body")
    _run_ready_tasks()
    message.refresh_from_db()
    assert message.status == "failed" and "SMTP down" in message.last_error
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.run_after > message.created_at  # backed off, not immediate
    assert retry.args_kwargs["kwargs"]["_attempt"] == 2
