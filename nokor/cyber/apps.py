from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CyberConfig(AppConfig):
    name = "nokor.cyber"
    label = "cyber"
    verbose_name = _("Cybercrime")

    def ready(self) -> None:
        from nokor.core.navigation import MenuEntry, register
        from nokor.cyber import personal_data  # noqa: F401  (registers its section)

        register(MenuEntry("cyber:triage", _("Cyber reports"), position=20))
        register(MenuEntry("cyber:cases", _("Cases"), position=21))
        register(MenuEntry("cyber:indicators", _("Scam indicators"), position=22))
