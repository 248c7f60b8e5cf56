from nokor.core import userfacts
from nokor.notifications.models import Channel, Message

UNREAD = "unread"  # the cached fact (nokor.notifications.facts)


def inbox_for(user):
    return Message.objects.visible_to(user).filter(channel=Channel.INBOX)


def count_unread(user) -> int:
    return inbox_for(user).filter(read_at__isnull=True).count()


def unread_count(user) -> int:
    """Unread inbox messages, as every page shows them (cached; see nokor.notifications.facts)."""
    return userfacts.fact(user, UNREAD)
