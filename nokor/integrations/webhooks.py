"""Webhook deliveries: who receives an event, how it is signed, and one attempt at sending it.

A delivery is a JSON ``POST`` with the headers

* ``Nokor-Event``: the event's name; ``Nokor-Delivery``: the delivery's id, the same on every attempt (a
  receiver that has seen it can answer 200 and ignore it);
* ``Nokor-Signature: t=<unix time>,v1=<hex>``: HMAC-SHA256 with the subscription's secret over
  ``"<t>.<body>"``. A receiver recomputes it over the raw body, compares in constant time, and refuses a
  ``t`` more than a few minutes old (so a captured request cannot be replayed later).

Any 2xx answer is success; anything else (another status, a timeout, a refused connection) is retried by
the worker with exponential back-off (30 s, 1 min, 2 min … as nokor.core.tasks) for 24 hours, then the
delivery is marked failed; an administrator can send it again from the delivery log. Addresses on
loopback or private networks are refused (when created and again when sent, as a name may be re-pointed)
unless ``INTEGRATIONS_WEBHOOK_ALLOW_PRIVATE`` is set.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nokor.core.tasks import BACKOFF_SECONDS, enqueue
from nokor.integrations.models import Delivery, DeliveryAttempt, Subscription

RETRY_FOR = dt.timedelta(hours=24)
# Attempts the back-off fits in 24 h (30 s × 2^11 ≈ 17 h after the first); nokor.core.tasks retries the
# task up to this many times, and the delivery gives up earlier once its 24 h are over.
MAX_ATTEMPTS = 12
EXCERPT_CHARS = 500


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The v1 signature: hex HMAC-SHA256 of ``"<timestamp>.<body>"`` with the subscription's secret."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def check_url(url: str) -> None:
    """Refuse an address a webhook may not be sent to (ValidationError): not http(s), or a host that is
    (or resolves to) a loopback, private, link-local or reserved address, unless the setting allows it."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Give an address starting with https://."))
    if settings.INTEGRATIONS_WEBHOOK_ALLOW_PRIVATE:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except (socket.gaierror, UnicodeError) as error:
        raise ValidationError(_("This address cannot be found.")) from error
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise ValidationError(_("Webhooks cannot be sent to a private or local network address."))


def deliveries_create(*, event: str, payload: dict[str, Any], concerns: Iterable[int] = ()) -> int:
    """One delivery of ``payload`` per active subscription to ``event`` (those of the organisations the
    people ``concerns`` are members of, when given), each queued for the worker; returns how many."""
    subscriptions = Subscription.objects.filter(active=True).select_related("organisation")
    if concerns:
        subscriptions = subscriptions.filter(organisation__members__in=list(concerns)).distinct()
    created = 0
    with transaction.atomic():
        # The events of a subscription are a short JSON list: chosen here rather than with a JSON lookup
        # (SQLite has none), among the few active subscriptions.
        for subscription in subscriptions:
            if event not in subscription.events:
                continue
            delivery = Delivery.objects.create(
                subscription=subscription,
                event=event,
                payload=json.loads(json.dumps(payload, cls=DjangoJSONEncoder)),
                retry_until=timezone.now() + RETRY_FOR,
            )
            queue(delivery)
            created += 1
    return created


def queue(delivery: Delivery) -> None:
    from nokor.integrations.tasks import deliver

    enqueue(deliver, str(delivery.pk))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer like any other (following it could lead to an address we would refuse)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def attempt(delivery: Delivery) -> DeliveryAttempt:
    """POST the delivery once and record the answer (status code, duration, excerpt) on it."""
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310 (http(s) only: check_url)
        delivery.subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Nokor-Webhooks/1",
            "Nokor-Event": delivery.event,
            "Nokor-Delivery": str(delivery.pk),
            "Nokor-Signature": f"t={timestamp},v1={signature(delivery.subscription.secret, timestamp, body)}",
        },
    )
    record = DeliveryAttempt(delivery=delivery)
    started = time.monotonic()
    try:
        check_url(delivery.subscription.url)
        with _OPENER.open(request, timeout=settings.INTEGRATIONS_WEBHOOK_TIMEOUT_SECONDS) as response:
            record.status_code = response.status
            record.response_excerpt = _excerpt(response)
    except urllib.error.HTTPError as error:
        record.status_code = error.code
        record.response_excerpt = _excerpt(error)
    except (ValidationError, OSError, ValueError) as error:
        record.error = f"{error.__class__.__name__}: {error}"[:300]
    record.duration_ms = int((time.monotonic() - started) * 1000)
    record.save()
    delivery.attempts += 1
    delivery.last_status_code = record.status_code
    fields = ["attempts", "last_status_code"]
    if record.succeeded:
        delivery.status, delivery.delivered_at = Delivery.Status.SUCCEEDED, timezone.now()
        fields += ["status", "delivered_at"]
    elif delivery.attempts >= MAX_ATTEMPTS or _next_attempt_at(delivery) > delivery.retry_until:
        delivery.status = Delivery.Status.FAILED
        fields.append("status")
    delivery.save(update_fields=fields)
    return record


def _next_attempt_at(delivery: Delivery) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=BACKOFF_SECONDS * 2 ** (delivery.attempts - 1))


def _excerpt(response: Any) -> str:
    try:
        return response.read(EXCERPT_CHARS * 4).decode("utf-8", "replace")[:EXCERPT_CHARS]
    except OSError:
        return ""
