"""Forms of the partner pages: an organisation, an API key, a webhook subscription."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nokor.integrations import webhooks
from nokor.integrations.events import event_choices
from nokor.integrations.models import Organisation
from nokor.integrations.scopes import scope_choices


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name_km", "name_en", "kind", "contact_name", "contact_email", "contact_phone"]
        error_messages = {
            "name_km": {"required": _("Enter the name in Khmer.")},
            "kind": {"required": _("Choose the kind of organisation.")},
        }


class ApiKeyForm(forms.Form):
    """A new key: what it is for, what it may do, until when, and how fast."""

    label = forms.CharField(
        label=_("Label"),
        max_length=100,
        help_text=_("What the key is for, e.g. the system using it."),
        error_messages={"required": _("Enter a label.")},
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=scope_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one scope.")},
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        help_text=_("The key stops working at the start of this day. Leave empty for no expiry."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    rate_limit = forms.IntegerField(
        label=_("Calls a minute"),
        min_value=1,
        max_value=100_000,
        initial=600,
        help_text=_("Over this, calls are refused with 429 until the next minute."),
    )

    def clean_expires_on(self) -> dt.date | None:
        expires_on = self.cleaned_data["expires_on"]
        if expires_on is not None and expires_on <= timezone.localdate():
            raise ValidationError(_("Choose a day after today."))
        return expires_on

    def expires_at(self) -> dt.datetime | None:
        expires_on = self.cleaned_data["expires_on"]
        if expires_on is None:
            return None
        return timezone.make_aware(dt.datetime.combine(expires_on, dt.time.min))


class SubscriptionForm(forms.Form):
    """Where to send which events."""

    url = forms.URLField(
        label=_("Address (URL)"),
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "The address of the organisation's system that receives the events, starting with https://."
        ),
        error_messages={"required": _("Enter the address."), "invalid": _("Enter a valid address.")},
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=event_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        webhooks.check_url(url)
        return url
