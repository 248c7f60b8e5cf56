"""Delivery channels: one class per channel with `deliver(message) -> provider id`. To add one, write
a module here with a class like these, add it to CHANNELS and to `Channel` in models.py."""

from __future__ import annotations

from nokor.notifications.channels.email import EmailChannel
from nokor.notifications.channels.inbox import InboxChannel
from nokor.notifications.channels.sms import SmsChannel

CHANNELS = {"email": EmailChannel(), "sms": SmsChannel(), "inbox": InboxChannel()}
