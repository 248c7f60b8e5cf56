from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "nokor.core"
    label = "core"
    verbose_name = _("Platform core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from nokor.core import indicators, text

        indicators.autodiscover()  # fills the indicator registry from every app's metrics.py
        connection_created.connect(text.register_sqlite_collation, dispatch_uid="nokor_khmer_collation")
