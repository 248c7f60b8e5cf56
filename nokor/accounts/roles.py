"""Every staff role, listed in one place."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SERVICE_OFFICER = "service_officer", _("Service officer")
    SERVICE_SUPERVISOR = "service_supervisor", _("Service supervisor")
    CYBER_INVESTIGATOR = "cyber_investigator", _("Cyber investigator")
    CYBER_SUPERVISOR = "cyber_supervisor", _("Cyber supervisor")
    CYBER_SENSITIVE_MEDIA = "cyber_sensitive_media", _("Cyber investigator cleared for intimate images")
    TRAINER = "trainer", _("Trainer")
    INFRASTRUCTURE_OFFICER = "infrastructure_officer", _("Infrastructure officer")
    STRATEGY_FOCAL_POINT = "strategy_focal_point", _("Strategy focal point")
    STRATEGY_APPROVER = "strategy_approver", _("Strategy approver")
    AUDITOR = "auditor", _("Auditor")
    ADMINISTRATOR = "administrator", _("Administrator")
