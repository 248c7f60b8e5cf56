"""Delivery of queued messages, safe to retry and to re-run after a killed worker."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from nokor.core.tasks import background
from nokor.notifications.channels import CHANNELS
from nokor.notifications.models import Message


@background(queue="notifications", max_attempts=8)
def deliver_message(message_id: str) -> str:
    """Send one message once. The row is locked while sending and marked sent in the same transaction,
    so a retry or a second worker finds it sent and does nothing; a worker killed mid-send leaves it
    queued, and the re-run sends it (at-least-once towards the provider, which receives our message id)."""
    failure: Exception | None = None
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status == Message.Status.SENT:
            return "skipped"
        message.attempts += 1
        try:
            message.provider_id = CHANNELS[message.channel].deliver(message)[:200]
        except Exception as exc:  # recorded on the message, then raised so the task retries
            failure = exc
            message.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
            message.status = Message.Status.FAILED
            message.save(update_fields=["attempts", "last_error", "status"])
        else:
            message.status = Message.Status.SENT
            message.sent_at = timezone.now()
            message.save(update_fields=["attempts", "provider_id", "status", "sent_at"])
    if failure is not None:
        raise failure
    return "sent"
