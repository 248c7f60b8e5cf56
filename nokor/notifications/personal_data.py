from django.utils.translation import gettext_lazy as _

from nokor.accounts.personal_data import Section, register
from nokor.notifications.models import Message


def _export(user):
    return [
        {
            "channel": m.channel,
            "to": m.to,
            "subject": m.subject,
            "body": m.body,
            "status": m.status,
            "created_at": m.created_at.isoformat(),
            "sent_at": m.sent_at.isoformat() if m.sent_at else None,
        }
        for m in Message.objects.filter(user=user).order_by("created_at")
    ]


def _erase(user):
    Message.objects.filter(user=user).delete()


register(Section("messages", _("Messages sent to you"), _export, _erase))
