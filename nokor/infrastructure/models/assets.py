"""Equipment: computers, printers, network gear and power supplies, each assigned to a person or to a
site, with its life dates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nokor.core.access import RecordRule, ScopedManager
from nokor.infrastructure.models.sites import INFRA_CHANGE, INFRA_VIEW, Site


class Asset(models.Model):
    """One piece of equipment, identified by its type and serial number."""

    class Type(models.TextChoices):
        DESKTOP = "desktop", _("Desktop computer")
        LAPTOP = "laptop", _("Laptop")
        PRINTER = "printer", _("Printer")
        ROUTER = "router", _("Router")
        SERVER = "server", _("Server")
        UPS = "ups", _("UPS (backup power)")
        SWITCH = "switch", _("Network switch")
        PHONE = "phone", _("Phone")
        OTHER = "other", _("Other equipment")

    class Status(models.TextChoices):
        IN_USE = "in_use", _("In use")
        SPARE = "spare", _("Spare")
        REPAIR = "repair", _("In repair")
        RETIRED = "retired", _("Retired")

    asset_type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    serial = models.CharField(_("serial number"), max_length=100)
    model = models.CharField(_("model"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.IN_USE)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="assets", verbose_name=_("office"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    # The site's unit and its code, copied: the province filter of a 200,000-row list is one indexed
    # prefix match on this table (no join), kept in step by the services that set `site`.
    unit = models.ForeignKey("geography.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    unit_code = models.CharField(max_length=8, editable=False)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    end_of_life = models.DateField(_("end of life"), null=True, blank=True)
    warranty_end = models.DateField(_("warranty ends"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = ScopedManager()
    access = RecordRule(roles={"view": INFRA_VIEW, "change": INFRA_CHANGE}, unit_field="unit")

    class Meta:
        ordering = ["unit_code", "id"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        constraints = [
            models.UniqueConstraint(fields=["asset_type", "serial"], name="infra_asset_serial_per_type"),
        ]
        indexes = [
            # In the list's order; the province filter is a range of codes (selectors.in_unit).
            models.Index(fields=["unit_code", "id"], name="infra_asset_unit_order_idx"),
            models.Index(fields=["asset_type", "status", "unit_code"], name="infra_asset_type_idx"),
            models.Index(fields=["end_of_life"], name="infra_asset_eol_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_asset_type_display()} {self.serial}"

    @property
    def is_past_end_of_life(self) -> bool:
        return self.end_of_life is not None and self.end_of_life < timezone.localdate()
