"""Webhook deliveries, sent by the worker and retried with back-off (nokor.integrations.webhooks)."""

from __future__ import annotations

from django.db import transaction

from nokor.core.tasks import background
from nokor.integrations import webhooks
from nokor.integrations.models import Delivery


class DeliveryFailed(Exception):
    """The receiver did not answer 2xx: raised so that the task is retried after its back-off."""


@background(max_attempts=webhooks.MAX_ATTEMPTS)
def deliver(delivery_id: str) -> str:
    """Send one delivery once more. The row is locked while sending, so a second worker waits and then
    finds it delivered; a delivery that succeeded or gave up is left alone (a re-run does nothing)."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != Delivery.Status.PENDING:
            return "skipped"
        record = webhooks.attempt(delivery)
    if delivery.status == Delivery.Status.PENDING:
        raise DeliveryFailed(f"{delivery.subscription.url}: {record.status_code or record.error}")
    return delivery.status
