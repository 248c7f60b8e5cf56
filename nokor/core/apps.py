from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "nokor.core"
    label = "core"
    verbose_name = _("Platform core")

    def ready(self) -> None:
        from nokor.core import indicators

        indicators.autodiscover()  # fills the indicator registry from every app's metrics.py
