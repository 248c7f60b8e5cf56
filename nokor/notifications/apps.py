from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "nokor.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from nokor.notifications import facts, personal_data  # noqa: F401  (registers its section)

        facts.connect()
