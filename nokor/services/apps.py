from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "nokor.services"
    label = "services"
    verbose_name = _("Public services")

    def ready(self) -> None:
        from nokor.services.document_types import register_all

        register_all()
