from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "nokor.integrations"
    label = "integrations"
    verbose_name = _("Partner integrations")

    def ready(self) -> None:
        from nokor.core.navigation import MenuEntry, register

        register(MenuEntry("integrations:organisations", _("Partners and API keys"), position=90))
