from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfrastructureConfig(AppConfig):
    name = "nokor.infrastructure"
    label = "infrastructure"
    verbose_name = _("Infrastructure")

    def ready(self) -> None:
        from nokor.core.navigation import MenuEntry, register

        register(MenuEntry("infrastructure:sites", _("Offices"), position=40))
        register(MenuEntry("infrastructure:assets", _("Assets"), position=41))
        register(MenuEntry("infrastructure:systems", _("Digital systems"), position=42))
        register(MenuEntry("infrastructure:monitors", _("Monitors"), position=43))
        register(MenuEntry("infrastructure:risks", _("Risk register"), position=44))
