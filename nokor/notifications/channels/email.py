from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives


class EmailChannel:
    """E-mail through Django's configured backend (SMTP in production, console by default)."""

    def deliver(self, message) -> str:
        mail = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers={
                "Message-ID": f"<{message.id}@nokor>",
                "X-Nokor-Idempotency-Key": message.idempotency_key,
            },
        )
        if message.html:
            mail.attach_alternative(message.html, "text/html")
        mail.send(fail_silently=False)
        return f"<{message.id}@nokor>"
