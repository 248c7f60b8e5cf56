from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "nokor.services"
    label = "services"
    verbose_name = _("Public services")

    def ready(self) -> None:
        from nokor.core.navigation import MenuEntry, register
        from nokor.services.document_types import register_all

        register_all()
        register(MenuEntry("services:queue", _("Applications"), position=10))
