"""Staff menu entries of the monitors and the risk register (imported by the app's ready())."""

from django.utils.translation import gettext_lazy as _

from nokor.core.navigation import MenuEntry, register

register(MenuEntry("infrastructure:monitors", _("Monitors"), position=43))
register(MenuEntry("infrastructure:risks", _("Risk register"), position=44))
