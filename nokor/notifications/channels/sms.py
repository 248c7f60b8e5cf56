"""SMS through a gateway. The gateway is a setting (NOKOR_SMS_GATEWAY): a class with
`send(to, body, reference) -> provider id`. The default logs the message instead of sending it."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("nokor.sms")


class LoggingGateway:
    """Development and test gateway: writes each SMS to the log."""

    def send(self, to: str, body: str, reference: str) -> str:
        logger.info("SMS to %s: %s", to, body, extra={"sms_reference": reference})
        return f"log-{reference}"


class SmsChannel:
    def deliver(self, message) -> str:
        gateway = import_string(settings.SMS_GATEWAY)()
        return gateway.send(message.to, message.body, str(message.id))
