"""Forms of the scam check: the lookup, the dispute of a listing, and an investigator's verdict."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nokor.core.text import strip_invisible
from nokor.cyber.models import IdentifierKind, Verdict
from nokor.cyber.normalize import MAX_LENGTH
from nokor.cyber.scamcheck import LISTABLE_KINDS


class CheckForm(forms.Form):
    """Anything a person was given: a phone number, a web address, an account, a user name."""

    q = forms.CharField(
        label=_("Phone number, web address, account or user name"),
        max_length=MAX_LENGTH,
        help_text=_(
            "Copy it exactly as you received it, for example 012 345 678, www.example.com, "
            "ABA 000 123 456, sokha@aclb or @username."
        ),
        error_messages={
            "required": _("Enter the phone number, web address, account or user name to check."),
            "max_length": _("This is too long to be a phone number, address, account or user name."),
        },
    )

    def clean_q(self) -> str:
        text = strip_invisible(self.cleaned_data["q"])
        if not text:
            raise forms.ValidationError(
                _("Enter the phone number, web address, account or user name to check.")
            )
        return self.cleaned_data["q"]


class DisputeForm(forms.Form):
    """The owner of a listed number, account or site asks for a review."""

    q = forms.CharField(widget=forms.HiddenInput, max_length=MAX_LENGTH)
    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        error_messages={"required": _("Enter your name.")},
    )
    contact = forms.CharField(
        label=_("How to contact you"),
        max_length=200,
        help_text=_("A phone number or e-mail address where an investigator can reach you."),
        error_messages={"required": _("Enter a phone number or e-mail address where we can reach you.")},
    )
    reason = forms.CharField(
        label=_("Why the listing is wrong"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "For example: this number has been yours since 2019 and you use it for your shop. "
            "Do not send documents now: an investigator will ask if they are needed."
        ),
        error_messages={"required": _("Explain why the listing is wrong.")},
    )

    def clean_name(self) -> str:
        return _required_text(self.cleaned_data["name"], _("Enter your name."))

    def clean_contact(self) -> str:
        return _required_text(
            self.cleaned_data["contact"], _("Enter a phone number or e-mail address where we can reach you.")
        )

    def clean_reason(self) -> str:
        # Line breaks are kept: a reason may be a few paragraphs.
        _required_text(self.cleaned_data["reason"], _("Explain why the listing is wrong."))
        return self.cleaned_data["reason"].strip()


class VerdictForm(forms.Form):
    """An investigator's verdict on one identifier, from the indicators page."""

    kind = forms.ChoiceField(
        choices=[(kind, label) for kind, label in IdentifierKind.choices if kind in LISTABLE_KINDS]
    )
    value = forms.CharField(max_length=512)
    outcome = forms.ChoiceField(label=_("Verdict"), choices=Verdict.Outcome.choices)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


def _required_text(value: str, message) -> str:
    value = strip_invisible(value).strip()
    if not value:
        raise forms.ValidationError(message)
    return value
