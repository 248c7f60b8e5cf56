"""Forms of the monitors, incidents, maintenance windows and risks."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nokor.infrastructure.checks import split_host_port
from nokor.infrastructure.models import DigitalSystem, MaintenanceWindow, Monitor, Risk, Site
from nokor.infrastructure.monitoring import MONITOR_FIELDS


class MonitorForm(forms.ModelForm):
    """A monitor's settings; the target is checked against its kind."""

    class Meta:
        model = Monitor
        fields = list(MONITOR_FIELDS)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = DigitalSystem.objects.order_by("name")
        self.fields["interval_seconds"].min_value = 60
        self.fields["interval_seconds"].widget.attrs["min"] = 60
        self.fields["timeout_seconds"].widget.attrs.update(min=1, max=60)
        for name in ("failure_threshold", "success_threshold"):
            self.fields[name].widget.attrs.update(min=1, max=20)

    def clean_interval_seconds(self) -> int:
        value = self.cleaned_data["interval_seconds"]
        if value < 60:
            raise forms.ValidationError(_("Check at most once a minute (60 seconds or more)."))
        return value

    def clean_timeout_seconds(self) -> int:
        value = self.cleaned_data["timeout_seconds"]
        if not 1 <= value <= 60:
            raise forms.ValidationError(_("Give a timeout from 1 to 60 seconds."))
        return value

    def clean(self) -> dict:
        data = super().clean()
        kind, target = data.get("kind"), (data.get("target") or "").strip()
        if kind and target:
            if kind == Monitor.Kind.HTTP and not target.lower().startswith(("http://", "https://")):
                self.add_error("target", _("Give a web address that starts with https:// or http://."))
            elif kind == Monitor.Kind.TCP:
                try:
                    split_host_port(target)
                except ValueError:
                    self.add_error("target", _("Give a host and a port, for example mail.example.gov.kh:25."))
            elif kind == Monitor.Kind.DNS and ("/" in target or ":" in target or " " in target):
                self.add_error("target", _("Give only a host name, for example www.example.gov.kh."))
        for name in ("failure_threshold", "success_threshold"):
            if data.get(name) is not None and not 1 <= data[name] <= 20:
                self.add_error(name, _("Give a number from 1 to 20."))
        if data.get("is_public") and not (data.get("public_name_km") or data.get("public_name_en")):
            self.add_error("public_name_km", _("Give the name the public will see."))
        data["target"] = target
        return data


class IncidentUpdateForm(forms.Form):
    text_km = forms.CharField(label=_("Message in Khmer"), widget=forms.Textarea(attrs={"rows": 3}))
    text_en = forms.CharField(
        label=_("Message in English"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MaintenanceForm(forms.ModelForm):
    """A maintenance window of one monitor (the monitor comes from the page)."""

    class Meta:
        model = MaintenanceWindow
        fields = ["starts_at", "ends_at", "reason"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def clean(self) -> dict:
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The end must be after the start."))
        return data

    def _post_clean(self) -> None:
        # The monitor is set by the view; the model's own checks run in the service.
        pass


class NumbersInput(forms.TextInput):
    """Record numbers typed in one box, separated by commas or spaces: a choice among too many records to
    list (16,000 offices), as the other forms of the app take an office by its number."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        return [part for part in re.split(r"[\s,;]+", data.get(name, "")) if part]

    def format_value(self, value: Any) -> str | None:
        if not value:
            return None
        return ", ".join(str(getattr(item, "pk", item)) for item in value)


class RiskForm(forms.ModelForm):
    """A risk of the register."""

    class Meta:
        model = Risk
        fields = [
            "title",
            "description",
            "systems",
            "sites",
            "likelihood",
            "impact",
            "owner",
            "treatment_plan",
            "controls",
            "status",
            "review_date",
        ]
        widgets = {
            "review_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "sites": NumbersInput(attrs={"inputmode": "numeric"}),
        }

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["systems"].queryset = DigitalSystem.objects.order_by("name")
        sites = Site.objects.visible_to(user) if user is not None else Site.objects.none()
        self.fields["sites"].queryset = sites
        self.fields["sites"].required = False
        self.fields["sites"].help_text = _(
            "The numbers of the offices concerned, as shown on their pages, separated by commas."
        )
        self.fields["sites"].error_messages.update(
            invalid_choice=_("There is no office number %(value)s among yours."),
            invalid_pk_value=_("“%(pk)s” is not an office number."),
        )
        self.fields["systems"].required = False
        self.fields["owner"].queryset = get_user_model().objects.filter(is_staff=True, is_active=True)
        for name in ("likelihood", "impact"):
            self.fields[name].widget = forms.Select(choices=[(n, str(n)) for n in range(1, 6)])


class RiskFilterForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    overdue = forms.BooleanField(label=_("Review overdue"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", _("Any level")), *Risk.Level.choices]
        self.fields["status"].choices = [("", _("Any status")), *Risk.Status.choices]
