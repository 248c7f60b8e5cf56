from nokor.notifications.models import Channel, Message


def inbox_for(user):
    return Message.objects.visible_to(user).filter(channel=Channel.INBOX)


def unread_count(user) -> int:
    return inbox_for(user).filter(read_at__isnull=True).count()
