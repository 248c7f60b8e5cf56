"""The SMS gateway's inbound webhook: each SMS sent to our number arrives here as a signed POST.

The gateway signs as our own outgoing webhooks do (nokor.integrations.webhooks): a header
``Nokor-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`` with the shared secret
NOKOR_SMS_INBOUND_SECRET, and a JSON body ``{"from": "+855…", "text": "…", "id": "<gateway's id>"}``.
A missing or wrong signature, or one older than five minutes, is refused (403); without a secret
configured the webhook is closed. The answer goes back through the SMS channel, not in the response.
"""

from __future__ import annotations

import hmac
import json
import re
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from nokor.core.access import PUBLIC, rule
from nokor.core.throttle import retry_after
from nokor.integrations.webhooks import signature
from nokor.notifications.inbound import sms_status_reply

SIGNATURE_MAX_AGE = 300  # seconds
SENDER_LIMIT_PER_HOUR = 10  # status requests answered per sender number


def _signed(request: HttpRequest) -> bool:
    secret = settings.SMS_INBOUND_SECRET
    parts = dict(
        item.split("=", 1) for item in request.headers.get("Nokor-Signature", "").split(",") if "=" in item
    )
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if not secret or abs(time.time() - timestamp) > SIGNATURE_MAX_AGE:
        return False
    return hmac.compare_digest(parts.get("v1", ""), signature(secret, timestamp, request.body))


@rule(PUBLIC)
@csrf_exempt
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """One received SMS: answer it with the status it asks for (rate-limited per sender number)."""
    if not _signed(request):
        return JsonResponse({"error": "bad signature"}, status=403)
    try:
        payload = json.loads(request.body)
        sender, text = str(payload["from"]), str(payload.get("text", ""))
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "expected {from, text}"}, status=400)
    number = "sms:" + re.sub(r"\D", "", sender)[:20]  # any spelling of one number counts as one sender
    wait = retry_after("sms-inbound", limit=SENDER_LIMIT_PER_HOUR, window_seconds=3600, client=number)
    if wait:
        return JsonResponse({"status": "throttled"}, status=429, headers={"Retry-After": str(wait)})
    message = sms_status_reply(sender=sender, text=text, gateway_id=str(payload.get("id", "")))
    return JsonResponse({"status": "answered" if message else "ignored"})
