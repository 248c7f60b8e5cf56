"""Queuing messages. Every message is a row in the outbox, written in the caller's transaction, and
delivered by a background task that is safe to retry (see tasks.deliver_message)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template import engines
from django.utils import timezone, translation

from nokor.core import userfacts
from nokor.core.tasks import enqueue
from nokor.notifications.events import EVENTS
from nokor.notifications.models import Channel, Message, Preference
from nokor.notifications.selectors import UNREAD


def render_event(event: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
    """Subject and body of an event's template in one language."""
    with translation.override(language):
        template = engines["text"].get_template(f"notifications/events/{event}.{language}.txt")
        text = template.render(context).strip()
    subject, _, body = text.partition("\n")
    return subject.strip(), body.strip()


def _queue(message_fields: dict[str, Any], key: str) -> Message:
    message, created = Message.objects.get_or_create(idempotency_key=key, defaults=message_fields)
    if created and message.channel != Channel.INBOX:
        from nokor.notifications.tasks import deliver_message

        enqueue(deliver_message, str(message.pk))
    elif created:
        message.status = Message.Status.SENT
        message.sent_at = timezone.now()
        message.save(update_fields=["status", "sent_at"])
    return message


@transaction.atomic
def notify(*, user: Any, event: str, context: dict[str, Any], key: str, link: str = "") -> list[Message]:
    """Tell `user` about `event` on every channel they accept (the inbox always), in their language.
    `key` identifies the effect: notifying twice with the same key sends nothing more."""
    if event not in EVENTS:
        raise ValueError(f"Unknown notification event {event!r}")
    language = user.preferred_language or settings.LANGUAGE_CODE
    context = {"name": user.full_name or "", "site_url": settings.SITE_URL, **context}
    subject, body = render_event(event, language, context)
    preference = Preference.objects.filter(user=user).first()
    wanted = [(Channel.INBOX, "")]
    if user.email and (preference is None or preference.email):
        wanted.append((Channel.EMAIL, user.email))
    if user.phone and (preference is None or preference.sms):
        wanted.append((Channel.SMS, user.phone))
    messages = []
    for channel, address in wanted:
        fields = {
            "user": user,
            "channel": channel,
            "to": address,
            "event": event,
            "language": language,
            "subject": subject,
            "body": body if channel != Channel.SMS else f"{subject}\n{body}"[:480],
            "link": link,
        }
        messages.append(_queue(fields, f"{key}:{channel}"))
    return messages


@transaction.atomic
def email_send(
    *, to: str, subject: str, body: str, html: str = "", user: Any = None, key: str | None = None
) -> Message:
    """Queue one e-mail already rendered (allauth's verification and reset e-mails)."""
    fields = {
        "user": user,
        "channel": Channel.EMAIL,
        "to": to,
        "subject": subject[:300],
        "body": body,
        "html": html,
        "language": translation.get_language() or "",
    }
    return _queue(fields, key or f"email:{uuid.uuid4()}")


@transaction.atomic
def sms_send(*, to: str, body: str, user: Any = None, key: str | None = None) -> Message:
    """Queue one SMS (verification codes)."""
    fields = {
        "user": user,
        "channel": Channel.SMS,
        "to": to,
        "body": body,
        "language": translation.get_language() or "",
    }
    return _queue(fields, key or f"sms:{uuid.uuid4()}")


@transaction.atomic
def inbox_mark_read(*, user: Any, message: Message | None = None) -> int:
    """Mark one inbox message (or all of them) read."""
    qs = Message.objects.visible_to(user).filter(channel=Channel.INBOX, read_at__isnull=True)
    if message is not None:
        qs = qs.filter(pk=message.pk)
    updated = qs.update(read_at=timezone.now())
    userfacts.forget(user.pk, UNREAD)  # a bulk update sends no signal
    return updated


@transaction.atomic
def preference_set(*, user: Any, email: bool, sms: bool) -> Preference:
    """Choose the channels besides the inbox."""
    preference, _ = Preference.objects.update_or_create(user=user, defaults={"email": email, "sms": sms})
    return preference
