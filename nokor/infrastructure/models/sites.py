"""Offices (sites) of the ministry and its administration, tied to an administrative unit, and the
internet links that serve them."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Collate
from django.utils.translation import gettext_lazy as _

from nokor.accounts.roles import Role
from nokor.core.access import RecordRule, ScopedManager
from nokor.core.text import KHMER_COLLATION, in_language, normalize_for_search

# Who works with sites and assets: an infrastructure officer within the units where the role is held
# (a role with no unit is nationwide); administrators (nationwide) too; auditors read.
INFRA_CHANGE = frozenset({Role.INFRASTRUCTURE_OFFICER, Role.ADMINISTRATOR})
INFRA_VIEW = INFRA_CHANGE | {Role.AUDITOR}


def usable_min_mbps() -> Decimal:
    """Below this bandwidth a link does not count as usable (setting NOKOR_USABLE_MIN_MBPS, default 2)."""
    return Decimal(str(settings.INFRA_USABLE_MIN_MBPS))


class Site(models.Model):
    """An office: a ministry department, a provincial hall, a district or commune office, a police post."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry department")
        PROVINCIAL_HALL = "provincial_hall", _("Provincial hall")
        DISTRICT_OFFICE = "district_office", _("District office")
        COMMUNE_OFFICE = "commune_office", _("Commune office")
        POLICE_POST = "police_post", _("Police post")
        OTHER = "other", _("Other office")

    name_km = models.CharField(_("name in Khmer"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    # Both names in their search form (nokor/core/text.py): found however a Khmer name is typed.
    search_name = models.CharField(max_length=401, blank=True, editable=False)
    kind = models.CharField(_("kind of office"), max_length=20, choices=Kind.choices, db_index=True)
    unit = models.ForeignKey(
        "geography.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("administrative unit"),
    )
    # The unit's code, copied: the province filter of a 16,000-row list is then one indexed prefix
    # match on this table, without a join (kept in step by the services that set `unit`).
    unit_code = models.CharField(max_length=8, editable=False, db_index=True)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = ScopedManager()
    access = RecordRule(roles={"view": INFRA_VIEW, "change": INFRA_CHANGE}, unit_field="unit")

    class Meta:
        ordering = ["unit_code", "name_km", "id"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        indexes = [
            # In the list's order; the province filter is a range of codes (selectors.in_unit).
            models.Index(fields=["unit_code", "name_km", "id"], name="infra_site_unit_order_idx"),
            # The office list's order: Khmer names in Khmer order (nokor.core.text.khmer_order); the index
            # above keeps the API's cursor order (plain comparisons).
            models.Index(
                F("unit_code"), Collate("name_km", KHMER_COLLATION), F("id"), name="infra_site_unit_khmer_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Derived column kept in step with its sources; not business logic.
        self.search_name = self.make_search_name(self.name_km, self.name_en)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name_km", "name_en"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        return in_language(self.name_km, self.name_en or self.name_km)

    @staticmethod
    def make_search_name(name_km: str, name_en: str) -> str:
        return normalize_for_search(f"{name_km} {name_en}")


class Connectivity(models.Model):
    """One internet link of a site: provider, kind of link, bandwidth contracted and measured, cost.

    A link is *usable* when its type is not "none" and its bandwidth reaches ``usable_min_mbps()``:
    the measured bandwidth when there is one (a measurement beats a contract), otherwise the contracted
    one. A site has usable connectivity when one of its links is usable.
    """

    class LinkType(models.TextChoices):
        FIBRE = "fibre", _("Fibre")
        DSL = "dsl", _("DSL")
        MOBILE = "4g", _("4G")
        SATELLITE = "satellite", _("Satellite")
        NONE = "none", _("None")

    class Currency(models.TextChoices):
        KHR = "KHR", _("Riel")
        USD = "USD", _("US dollar")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="links", verbose_name=_("office"))
    provider = models.CharField(_("provider"), max_length=100, blank=True)
    link_type = models.CharField(_("type of link"), max_length=10, choices=LinkType.choices)
    contracted_mbps = models.DecimalField(
        _("contracted bandwidth (Mbps)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    measured_mbps = models.DecimalField(
        _("measured bandwidth (Mbps)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    measured_at = models.DateTimeField(_("measured on"), null=True, blank=True)
    monthly_cost = models.DecimalField(
        _("monthly cost"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.USD)
    contract_end = models.DateField(_("contract ends"), null=True, blank=True)
    is_primary = models.BooleanField(_("main link"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    access = RecordRule(roles={"view": INFRA_VIEW, "change": INFRA_CHANGE}, unit_field="site__unit")

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("internet link")
        verbose_name_plural = _("internet links")

    def __str__(self) -> str:
        return f"{self.provider or self.get_link_type_display()} ({self.site_id})"

    @property
    def effective_mbps(self) -> Decimal | None:
        return self.measured_mbps if self.measured_mbps is not None else self.contracted_mbps

    @property
    def is_usable(self) -> bool:
        """The rule of the class docstring, for one row (``usable_q`` is the same rule for a query)."""
        if self.link_type == self.LinkType.NONE:
            return False
        mbps = self.effective_mbps
        return mbps is not None and mbps >= usable_min_mbps()

    @staticmethod
    def usable_q(prefix: str = "") -> Q:
        """The usable rule as a filter on Connectivity (``prefix`` e.g. "links__" from Site)."""
        minimum = usable_min_mbps()
        measured = Q(**{f"{prefix}measured_mbps__gte": minimum})
        contracted = Q(**{f"{prefix}measured_mbps__isnull": True, f"{prefix}contracted_mbps__gte": minimum})
        return ~Q(**{f"{prefix}link_type": Connectivity.LinkType.NONE}) & (measured | contracted)
