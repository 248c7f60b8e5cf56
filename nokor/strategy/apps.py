from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    name = "nokor.strategy"
    label = "strategy"
    verbose_name = _("Digital Strategy Plan")

    def ready(self) -> None:
        from nokor.core.navigation import MenuEntry, register

        register(MenuEntry("strategy:dashboard", _("Plan dashboard"), position=5))
        register(MenuEntry("strategy:reports", _("Progress reports"), position=40))
        register(MenuEntry("strategy:approvals", _("Reports to approve"), position=41))
