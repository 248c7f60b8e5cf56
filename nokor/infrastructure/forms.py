"""Forms of the infrastructure pages. They parse what was typed; the rules live in ``services``, whose
errors come back on the field at fault."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nokor.core.text import khmer_order, strip_invisible
from nokor.geography.models import AdministrativeUnit
from nokor.infrastructure.models import Asset, Connectivity, DigitalSystem, Site
from nokor.infrastructure.models.systems import PersonalDataCategory
from nokor.infrastructure.services import InfrastructureError

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ServiceErrorsMixin:
    """Show a service error on the field at fault (or at the top)."""

    def add_service_error(self, error: InfrastructureError) -> None:
        field = error.field if error.field in self.fields else None  # type: ignore[attr-defined]
        self.add_error(field, error.message)  # type: ignore[attr-defined]


def _clean_texts(form: forms.BaseForm) -> None:
    for name, value in list(form.cleaned_data.items()):
        if isinstance(value, str):
            form.cleaned_data[name] = strip_invisible(value).strip()


class UnitCodeField(forms.CharField):
    """An administrative unit typed as its code (0801); only units in the user's scope are accepted."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 8)
        super().__init__(**kwargs)
        self.prefixes: set[str] | None = None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, AdministrativeUnit):
            return value.code
        if isinstance(value, int):
            unit = AdministrativeUnit.objects.filter(pk=value).first()
            return unit.code if unit else value
        return value

    def clean(self, value: Any) -> AdministrativeUnit | None:
        code = "".join(ch for ch in super().clean(value) or "" if ch.isdigit())
        if not code:
            if self.required:
                raise forms.ValidationError(_("Enter the code of the administrative unit."), code="required")
            return None
        unit = AdministrativeUnit.objects.current().filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(_("There is no administrative unit with this code."), code="unknown")
        if self.prefixes is not None and "" not in self.prefixes:
            if not any(code.startswith(prefix) for prefix in self.prefixes):
                raise forms.ValidationError(_("This unit is outside the units you manage."), code="outside")
        return unit


class SiteForm(ServiceErrorsMixin, forms.ModelForm):
    unit = UnitCodeField(
        label=_("Administrative unit (code)"), help_text=_("For example 08 (Kandal) or 080101 (a commune).")
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Site
        fields = [
            "name_km",
            "name_en",
            "kind",
            "unit",
            "address",
            "phone",
            "email",
            "opening_hours",
            "is_active",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, prefixes: set[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].prefixes = prefixes
        if self.instance.pk:
            self.fields["lock_version"].initial = self.instance.lock_version

    def clean(self) -> dict[str, Any]:
        super().clean()
        _clean_texts(self)
        return self.cleaned_data

    def _post_clean(self) -> None:  # the service saves; the form only parses
        pass


class LinkForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = Connectivity
        fields = [
            "provider",
            "link_type",
            "contracted_mbps",
            "measured_mbps",
            "measured_at",
            "monthly_cost",
            "currency",
            "contract_end",
            "is_primary",
        ]
        widgets = {
            "contract_end": DATE,
            "measured_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        _clean_texts(self)
        data = self.cleaned_data
        for name in ("contracted_mbps", "measured_mbps", "monthly_cost"):
            if data.get(name) is not None and data[name] < 0:
                self.add_error(name, _("Enter a number of zero or more."))
        if data.get("measured_mbps") is not None and not data.get("measured_at"):
            self.add_error("measured_at", _("Give the date of the measurement."))
        return data

    def _post_clean(self) -> None:
        pass


class AssetForm(ServiceErrorsMixin, forms.ModelForm):
    site = forms.ModelChoiceField(queryset=Site.objects.none(), label=_("Office"), widget=forms.NumberInput)
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Asset
        fields = [
            "asset_type",
            "serial",
            "model",
            "status",
            "site",
            "purchase_date",
            "end_of_life",
            "warranty_end",
            "notes",
        ]
        widgets = {"purchase_date": DATE, "end_of_life": DATE, "warranty_end": DATE}

    def __init__(self, *args: Any, sites: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites if sites is not None else Site.objects.none()
        self.fields["site"].help_text = _("The office's number, as shown on its page.")
        self.fields["site"].error_messages["invalid_choice"] = _(
            "There is no office with this number in your units."
        )
        if self.instance.pk:
            self.fields["lock_version"].initial = self.instance.lock_version

    def clean(self) -> dict[str, Any]:
        super().clean()
        _clean_texts(self)
        return self.cleaned_data

    def _post_clean(self) -> None:
        pass


class SystemForm(ServiceErrorsMixin, forms.ModelForm):
    url = forms.URLField(label=_("Web address"), required=False, assume_scheme="https", max_length=200)
    personal_data_categories = forms.MultipleChoiceField(
        label=_("Categories of personal data"),
        choices=PersonalDataCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = DigitalSystem
        fields = [
            "name",
            "purpose",
            "owner_department",
            "accountable_person",
            "users",
            "hosting",
            "hosting_site",
            "url",
            "is_public_facing",
            "classification",
            "holds_personal_data",
            "personal_data_categories",
            "criticality",
            "dependencies",
            "lifecycle",
            "last_security_review",
            "next_review_due",
            "backups_tested_on",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "hosting_site": forms.NumberInput,
            "dependencies": forms.CheckboxSelectMultiple,
            "last_security_review": DATE,
            "next_review_due": DATE,
            "backups_tested_on": DATE,
        }

    def __init__(self, *args: Any, sites: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from nokor.accounts.models import User

        self.fields["accountable_person"].queryset = User.objects.filter(
            is_staff=True, is_active=True
        ).order_by(khmer_order("full_name"))
        self.fields["hosting_site"].queryset = sites if sites is not None else Site.objects.none()
        self.fields["hosting_site"].help_text = _("For systems on premises: the office's number.")
        others = DigitalSystem.objects.exclude(lifecycle=DigitalSystem.Lifecycle.RETIRED)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
            self.fields["lock_version"].initial = self.instance.lock_version
        self.fields["dependencies"].queryset = others.order_by("name")
        for name in ("users", "hosting", "classification", "criticality"):
            self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        _clean_texts(self)
        data = self.cleaned_data
        if not data.get("holds_personal_data"):
            data["personal_data_categories"] = []
        if data.get("hosting") != DigitalSystem.Hosting.ON_PREMISES:
            data["hosting_site"] = None
        review, due = data.get("last_security_review"), data.get("next_review_due")
        if review and due and due < review:
            self.add_error("next_review_due", _("The next review must come after the last one."))
        return data

    def _post_clean(self) -> None:
        pass
