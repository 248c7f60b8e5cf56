from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "nokor.documents"
    label = "documents"
    verbose_name = _("Issued documents")

    def ready(self) -> None:
        from nokor.documents import personal_data  # noqa: F401  (registers its section)
