from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CyberConfig(AppConfig):
    name = "nokor.cyber"
    label = "cyber"
    verbose_name = _("Cybercrime")

    def ready(self) -> None:
        from nokor.cyber import personal_data  # noqa: F401  (registers its section)
