from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeographyConfig(AppConfig):
    name = "nokor.geography"
    label = "geography"
    verbose_name = _("Administrative tree")
