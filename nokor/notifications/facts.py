"""The number of unread inbox messages as a cached fact (``nokor.core.userfacts``): dropped when a
message of the person is saved or deleted, and by ``inbox_mark_read`` (a bulk update)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from nokor.core import userfacts
from nokor.notifications.models import Message
from nokor.notifications.selectors import UNREAD, count_unread


def _forget(sender, instance, **kwargs) -> None:
    if instance.user_id is not None:
        userfacts.forget(instance.user_id, UNREAD)


def connect() -> None:
    userfacts.register(UNREAD, count_unread)
    for signal in (post_save, post_delete):
        signal.connect(_forget, sender=Message, dispatch_uid=f"nokor-unread-{id(signal)}")
