"""The unit picker: one form field every address or jurisdiction question uses.

Type-ahead in Khmer or Latin script narrows the choice with htmx; without JavaScript the typed text is
submitted with the form and the field offers the matching units to choose from, keeping what was typed.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nokor.core.text import name_order
from nokor.geography.models import AdministrativeUnit, Level

MAX_MATCHES = 20


class UnitPickerWidget(forms.Widget):
    template_name = "geography/unit_picker.html"

    def __init__(self, levels: tuple[int, ...] = (), attrs=None) -> None:
        super().__init__(attrs)
        self.levels = levels
        self.matches: list[AdministrativeUnit] = []
        self.query = ""

    def value_from_datadict(self, data, files, name):
        return {"code": data.get(name, ""), "q": data.get(f"{name}_q", "")}

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_q" not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        selected = value if isinstance(value, AdministrativeUnit) else None
        if selected is None and value:
            code = value.get("code") if isinstance(value, dict) else value
            selected = AdministrativeUnit.objects.filter(code=str(code)).first() if code else None
        if isinstance(value, dict):
            self.query = value.get("q", "")
        context["widget"].update(
            {
                "selected": selected,
                "matches": self.matches,
                "query": self.query,
                "levels": ",".join(str(level) for level in self.levels),
            }
        )
        return context


class UnitField(forms.Field):
    """Choose one current administrative unit, optionally only of some levels."""

    default_error_messages = {
        "required": _("Choose a place."),
        "not_found": _("No place matches “%(query)s”. Check the spelling or type fewer letters."),
        "choose": _("Several places match “%(query)s”. Choose one below."),
        "invalid_level": _("Choose a %(levels)s."),
    }

    def __init__(self, *, levels: tuple[int, ...] = (), **kwargs) -> None:
        self.levels = tuple(levels)
        kwargs.setdefault("widget", UnitPickerWidget(levels=self.levels))
        super().__init__(**kwargs)

    def candidates(self):
        qs = AdministrativeUnit.objects.current()
        return qs.filter(level__in=self.levels) if self.levels else qs

    def search(self, query: str):
        """Units of the levels asked matching `query` by their own name, or by the name of a unit above
        them (a commune's name offers its villages, as the hints promise)."""
        found = AdministrativeUnit.objects.current().search(query)
        if not self.levels:
            return found.order_by("level", name_order("name_km", "name_latin"), "code")
        condition = Q(pk__in=found.filter(level__in=self.levels).values("pk"))
        above = found.filter(level__lt=max(self.levels)).exclude(level__in=self.levels)
        for code in above.values_list("code", flat=True)[:MAX_MATCHES]:
            condition |= Q(code__startswith=code)
        return (
            self.candidates().filter(condition).order_by("level", name_order("name_km", "name_latin"), "code")
        )

    def to_python(self, value):
        if isinstance(value, AdministrativeUnit) or value in (None, ""):
            return value or None
        if isinstance(value, str):
            value = {"code": value, "q": ""}
        code, query = (value.get("code") or "").strip(), (value.get("q") or "").strip()
        if code:
            unit = self.candidates().filter(code=code).first()
            if unit is not None:
                return unit
        if not query:
            return None
        matches = list(self.search(query)[: MAX_MATCHES + 1])
        if len(matches) == 1:
            return matches[0]
        self.widget.query = query
        self.widget.matches = AdministrativeUnit.with_ancestors(matches[:MAX_MATCHES])
        if not matches:
            raise ValidationError(self.error_messages["not_found"], code="not_found", params={"query": query})
        raise ValidationError(self.error_messages["choose"], code="choose", params={"query": query})

    def validate(self, value):
        super().validate(value)
        if value is not None and self.levels and value.level not in self.levels:
            names = ", ".join(str(Level(level).label) for level in self.levels)
            raise ValidationError(self.error_messages["invalid_level"], params={"levels": names})

    def prepare_value(self, value):
        return value.code if isinstance(value, AdministrativeUnit) else value
