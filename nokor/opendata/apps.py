from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "nokor.opendata"
    label = "opendata"
    verbose_name = _("Open data")

    def ready(self) -> None:
        from nokor.core.navigation import MenuEntry, register

        register(MenuEntry("opendata:requests", _("Data requests"), position=70))
