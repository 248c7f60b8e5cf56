"""The administrative tree of the Kingdom: province/capital > district/municipality/khan >
commune/sangkat > village, loaded from the NCDD gazetteer."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nokor.core.text import current_language, normalize_for_search


class Level(models.IntegerChoices):
    PROVINCE = 1, _("Province or capital")
    DISTRICT = 2, _("District, municipality or khan")
    COMMUNE = 3, _("Commune or sangkat")
    VILLAGE = 4, _("Village")


CODE_LENGTH = {Level.PROVINCE: 2, Level.DISTRICT: 4, Level.COMMUNE: 6, Level.VILLAGE: 8}


class AdministrativeUnitQuerySet(models.QuerySet):
    def current(self, on=None) -> AdministrativeUnitQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day)
        )

    def under(self, unit: AdministrativeUnit, *, include_self: bool = True) -> AdministrativeUnitQuerySet:
        """Every unit in `unit`'s subtree: one indexed prefix query on the hierarchical code."""
        qs = self.filter(code__startswith=unit.code)
        return qs if include_self else qs.exclude(pk=unit.pk)

    def search(self, text: str) -> AdministrativeUnitQuerySet:
        needle = normalize_for_search(text)
        if not needle:
            return self.none()
        return self.filter(Q(search_name__contains=needle) | Q(code__startswith=needle))


class AdministrativeUnit(models.Model):
    """One unit of the administrative tree; its code embeds its ancestors' codes (08 > 0801 > 080101)."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name_km = models.CharField(_("name in Khmer"), max_length=200)
    name_latin = models.CharField(_("name in Latin script"), max_length=200)
    type_km = models.CharField(_("type in Khmer"), max_length=50, blank=True)
    type_en = models.CharField(_("type in English"), max_length=50, blank=True)
    search_name = models.CharField(max_length=420, editable=False, db_index=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)

    objects = AdministrativeUnitQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        indexes = [
            # LIKE 'prefix%' on PostgreSQL uses a btree only with the pattern operator class.
            models.Index(
                fields=["code"], name="adminunit_code_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_latin if current_language() == "en" else self.name_km

    @property
    def type_name(self) -> str:
        return self.type_en if current_language() == "en" else self.type_km

    @property
    def is_current(self) -> bool:
        return self.valid_to is None or self.valid_to > timezone.localdate()

    def ancestor_codes(self) -> list[str]:
        """Codes from the province down to this unit."""
        return [self.code[:n] for n in (2, 4, 6, 8) if n <= len(self.code)]

    def ancestors(self) -> list[AdministrativeUnit]:
        by_code = {u.code: u for u in AdministrativeUnit.objects.filter(code__in=self.ancestor_codes())}
        return [by_code[c] for c in self.ancestor_codes() if c in by_code]

    def full_name(self) -> str:
        """'Village, Commune, District, Province' in the active language."""
        chain = getattr(self, "_ancestors", None) or self.ancestors()
        return ", ".join(f"{u.type_name} {u.name}".strip() for u in reversed(chain))

    @staticmethod
    def with_ancestors(units: list[AdministrativeUnit]) -> list[AdministrativeUnit]:
        """Load the ancestors of many units in one query (for lists that show full names)."""
        codes = {code for unit in units for code in unit.ancestor_codes()}
        by_code = {u.code: u for u in AdministrativeUnit.objects.filter(code__in=codes)}
        for unit in units:
            unit._ancestors = [by_code[c] for c in unit.ancestor_codes() if c in by_code]
        return units

    @staticmethod
    def make_search_name(name_km: str, name_latin: str) -> str:
        return f"{normalize_for_search(name_km)} {normalize_for_search(name_latin)}"
