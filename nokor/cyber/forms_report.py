"""Forms of reporting a cybercrime: one small form per question page, the one-page report of an
attempt, the status check and adding information later.

Each page form knows how to read its initial values from the draft (``initial_from``) and how to
write its cleaned answers back (``save_to``); the draft is a plain dict of JSON values kept in the
session (see views_report.py). Typed text goes through the same cleaners as the services forms
(zero-width characters removed, Khmer digits accepted).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from nokor.core.formatting import parse_number
from nokor.core.uploads import formats_phrase, validate_upload
from nokor.cyber import reports
from nokor.cyber.models import Category, IdentifierKind, Institution, Report, Transfer
from nokor.geography.forms import UnitField
from nokor.services.forms_engine import (
    DateAnswerField,
    LongTextAnswerField,
    PhoneAnswerField,
    TextAnswerField,
)

YES, NO = "yes", "no"
YES_NO = [(YES, _("Yes")), (NO, _("No"))]
FILE_ACCEPT = ",".join(reports.EVIDENCE_TYPES)
KIND_CHOICES = [("", _("I don't know"))] + [
    (value, label) for value, label in IdentifierKind.choices if value != IdentifierKind.UNKNOWN
]


def _radios(label, choices, *, required_message, help_text="", initial=None) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        help_text=help_text,
        initial=initial,
        error_messages={"required": required_message},
    )


def _yes_no(value: Any) -> str | None:
    if value is None:
        return None
    return YES if value in (True, YES) else NO


class AmountField(forms.Field):
    """An amount of money typed in Latin or Khmer digits ("1,250.50", "១២៥០"), above zero, in cents."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"})

    def to_python(self, value):
        if isinstance(value, Decimal):
            return value
        text = (value or "").strip()
        if not text:
            return None
        try:
            amount = parse_number(text)
        except ValueError:
            raise ValidationError(
                _("Enter the amount as a number, like 150 or 1,250.50."), code="invalid"
            ) from None
        if amount <= 0:
            raise ValidationError(_("Enter an amount greater than zero."), code="min_value")
        if amount > reports.MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
            raise ValidationError(_("Enter the amount with at most two decimals."), code="invalid")
        return amount


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files at once. Each is checked by the form (type from its bytes, size), so that the good
    ones are kept while a bad one is refused with its name."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": FILE_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [item for item in items if item]


def check_files(files: list) -> tuple[list, list[str]]:
    """The acceptable files (each with ``sniffed_content_type``) and a message for each refused one."""
    accepted, refused = [], []
    for upload in files:
        try:
            upload.sniffed_content_type = validate_upload(
                upload, reports.EVIDENCE_TYPES, reports.EVIDENCE_MAX_MB
            )
        except ValidationError as error:
            refused.append(
                _("“%(name)s” was not added: %(reason)s")
                % {"name": upload.name, "reason": " ".join(error.messages)}
            )
            continue
        accepted.append(upload)
    return accepted, refused


def files_hint() -> str:
    """The hint of a file field, in the language of the request."""
    return _(
        "Screenshots of the messages, the profile or the payment, receipts, bank statements: %(formats)s, "
        "up to %(size)s MB each. You can choose several files at once."
    ) % {"formats": formats_phrase(reports.EVIDENCE_TYPES), "size": reports.EVIDENCE_MAX_MB}


# --------------------------------------------------------------------------------------------------
# The question pages of the report
# --------------------------------------------------------------------------------------------------
class StepForm(forms.Form):
    """A question page: reads its initial values from the draft and writes its answers back."""

    @classmethod
    def initial_from(cls, draft: dict[str, Any], user: Any = None) -> dict[str, Any]:
        return {name: draft[name] for name in cls.base_fields if name in draft}

    def save_to(self, draft: dict[str, Any]) -> None:
        draft.update(self.cleaned_data)


class WhoForm(StepForm):
    ME, SOMEONE = "me", "someone"
    who = _radios(
        _("Who are you reporting for?"),
        [(ME, _("For myself")), (SOMEONE, _("For someone else (a relative, a friend, a client…)"))],
        required_message=_("Choose who you are reporting for."),
    )
    on_behalf_of = TextAnswerField(
        label=_("Their name and how you know them"),
        required=False,
        max_length=200,
        help_text=_("For example: “Sokha Chan, my mother”."),
    )
    vulnerable_victim = forms.BooleanField(
        required=False,
        label=_(
            "The victim is a child, an older person, or has an illness or disability that made them easier "
            "to deceive"
        ),
    )
    trafficking_flag = forms.BooleanField(
        required=False,
        label=_("Someone is held against their will or forced to work, for example in a scam compound"),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("who") == self.SOMEONE and not cleaned.get("on_behalf_of"):
            self.add_error("on_behalf_of", _("Write the name of the person you are reporting for."))
        if cleaned.get("who") == self.ME:
            cleaned["on_behalf_of"] = ""
        return cleaned


class CategoryForm(StepForm):
    category = forms.ModelChoiceField(
        label=_("What happened?"),
        queryset=Category.objects.none(),
        to_field_name="slug",
        widget=forms.RadioSelect,
        empty_label=None,
        help_text=_("Choose the closest. If several happened, choose the one that hurt you most."),
        error_messages={
            "required": _("Choose what happened."),
            "invalid_choice": _("Choose what happened."),
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)

    def save_to(self, draft):
        draft["category"] = self.cleaned_data["category"].slug


class ChannelForm(StepForm):
    channel = _radios(
        _("How did they first contact you?"),
        Report.Channel.choices,
        required_message=_("Choose how they contacted you."),
    )
    ongoing_contact = _radios(
        _("Are you still in contact with them?"),
        YES_NO,
        required_message=_("Say whether you are still in contact with them."),
        help_text=_("Do not tell them that you are reporting them."),
    )

    @classmethod
    def initial_from(cls, draft, user=None):
        initial = super().initial_from(draft)
        if "ongoing_contact" in draft:
            initial["ongoing_contact"] = _yes_no(draft["ongoing_contact"])
        return initial

    def save_to(self, draft):
        draft["channel"] = self.cleaned_data["channel"]
        draft["ongoing_contact"] = self.cleaned_data["ongoing_contact"] == YES


class WhenForm(StepForm):
    incident_date = DateAnswerField(
        label=_("When did it happen?"),
        not_in_future=True,
        help_text=_(
            "The day it started. If you are not sure, give the closest date, for example 25/11/2026."
        ),
        error_messages={"required": _("Enter the date it happened, or the closest date you remember.")},
    )

    def save_to(self, draft):
        draft["incident_date"] = self.cleaned_data["incident_date"].isoformat()


class MoneyForm(StepForm):
    lost_money = _radios(
        _("Did you lose money or pay them anything?"),
        YES_NO,
        required_message=_("Say whether you lost money."),
        help_text=_("Include payments by bank, e-wallet, cash, phone top-up or crypto-currency."),
    )


class DescriptionForm(StepForm):
    description = LongTextAnswerField(
        label=_("Tell us what happened"),
        max_length=reports.MAX_DESCRIPTION,
        help_text=_(
            "In your own words: who contacted you, what they said or promised, what you did and what "
            "happened next. Never write passwords or PIN codes."
        ),
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": _("Tell us what happened.")},
    )


class EvidenceForm(forms.Form):
    files = MultipleFileField(label=_("Screenshots or documents"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = files_hint()


class WhereForm(StepForm):
    unit = UnitField(
        levels=(1, 2, 3, 4),
        required=False,
        label=_("Where does the victim live?"),
        help_text=_(
            "Type the village, commune, district or province. It sends your report to the team nearest "
            "to the victim."
        ),
    )

    def save_to(self, draft):
        unit = self.cleaned_data["unit"]
        draft["unit"] = unit.code if unit else ""


class ContactForm(StepForm):
    contact_email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={"invalid": _("Enter an e-mail address like name@example.com.")},
    )
    contact_phone = PhoneAnswerField(label=_("Phone number"), required=False, max_length=30)
    consent = _radios(
        _(
            "May investigators contact you, and share your report with banks and other authorities "
            "to investigate it?"
        ),
        YES_NO,
        required_message=_("Say whether investigators may contact you and share your report."),
    )

    @classmethod
    def initial_from(cls, draft, user=None):
        initial = super().initial_from(draft)
        if "consent" in draft:
            initial["consent"] = _yes_no(draft["consent"])
        if user is not None and getattr(user, "is_authenticated", False):
            initial.setdefault("contact_email", user.email or "")
            initial.setdefault("contact_phone", user.phone or "")
        return initial

    def save_to(self, draft):
        draft["contact_email"] = (self.cleaned_data["contact_email"] or "").lower()
        draft["contact_phone"] = self.cleaned_data["contact_phone"] or ""
        draft["consent"] = self.cleaned_data["consent"] == YES


# --------------------------------------------------------------------------------------------------
# Lists on one page: payments and identifiers ("add another" without JavaScript)
# --------------------------------------------------------------------------------------------------
class TransferForm(forms.Form):
    OTHER = "other"
    institution = forms.ChoiceField(label=_("Bank or e-wallet the money went to"), required=False)
    institution_text = TextAnswerField(
        label=_("Name of the bank or e-wallet, if it is not in the list"), required=False, max_length=100
    )
    to_account = TextAnswerField(
        label=_("Account number or phone number you paid to"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    transaction_id = TextAnswerField(
        label=_("Transaction number (on the receipt)"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    paid_on = DateAnswerField(label=_("Date of the payment"), required=False, not_in_future=True)
    amount = AmountField(label=_("Amount"), error_messages={"required": _("Enter the amount you paid.")})
    currency = forms.ChoiceField(
        label=_("Currency"), choices=Transfer.Currency.choices, initial=Transfer.Currency.USD
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].choices = [
            ("", _("Choose…")),
            *[(institution.code, str(institution)) for institution in Institution.objects.all()],
            (self.OTHER, _("Another bank or e-wallet, or I don't know")),
        ]

    def as_draft(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "institution": data["institution"] if data["institution"] != self.OTHER else "",
            "institution_text": data["institution_text"],
            "to_account": data["to_account"],
            "transaction_id": data["transaction_id"],
            "paid_on": data["paid_on"].isoformat() if data["paid_on"] else "",
            "amount": str(data["amount"]),
            "currency": data["currency"],
        }

    @staticmethod
    def initial_of(row: dict[str, Any]) -> dict[str, Any]:
        return {
            **row,
            "institution": row.get("institution")
            or (TransferForm.OTHER if row.get("institution_text") else ""),
        }


class IdentifierForm(forms.Form):
    text = forms.CharField(
        label=_("Phone number, link, account or user name"),
        max_length=512,
        error_messages={
            "required": _("Write the phone number, link, account or user name, or remove the row.")
        },
        widget=forms.TextInput(
            attrs={"spellcheck": "false", "autocomplete": "off", "autocapitalize": "none"}
        ),
    )
    kind = forms.ChoiceField(label=_("What is it?"), choices=KIND_CHOICES, required=False)

    def clean_text(self):
        return " ".join((self.cleaned_data.get("text") or "").split())

    def as_draft(self) -> dict[str, str]:
        return {"text": self.cleaned_data["text"], "kind": self.cleaned_data["kind"]}

    @staticmethod
    def initial_of(row: dict[str, Any]) -> dict[str, Any]:
        return dict(row)


class _ListFormSet(forms.BaseFormSet):
    """The rows of a list page; a row left empty is ignored (it needs no answer), a row begun must be
    complete."""

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "empty_permitted": True}

    def filled(self) -> list[forms.Form]:
        return [form for form in self.forms if form.has_changed()]


class _TransferFormSet(_ListFormSet):
    def clean(self):
        super().clean()
        if not any(self.errors) and not self.filled():
            raise ValidationError(
                _("Give at least one payment, or go back and answer that you lost no money.")
            )


TransferFormSet = formset_factory(
    TransferForm,
    formset=_TransferFormSet,
    extra=0,
    max_num=reports.MAX_TRANSFERS,
    validate_max=True,
)
IdentifierFormSet = formset_factory(
    IdentifierForm,
    formset=_ListFormSet,
    extra=0,
    max_num=reports.MAX_IDENTIFIERS,
    validate_max=True,
)


# --------------------------------------------------------------------------------------------------
# One-page report of an attempt, the status check, adding information
# --------------------------------------------------------------------------------------------------
class AttemptForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("What did they try to do?"),
        queryset=Category.objects.none(),
        to_field_name="slug",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose what they tried to do."),
            "invalid_choice": _("Choose what they tried to do."),
        },
    )
    identifier = forms.CharField(
        label=_("The phone number, link, account or user name they used"),
        max_length=512,
        help_text=_("Copy it exactly as you received it, for example 012 345 678 or a web address."),
        widget=forms.TextInput(
            attrs={"spellcheck": "false", "autocomplete": "off", "autocapitalize": "none"}
        ),
        error_messages={"required": _("Write the phone number, link, account or user name they used.")},
    )
    kind = forms.ChoiceField(label=_("What is it?"), choices=KIND_CHOICES, required=False)
    more_identifiers = LongTextAnswerField(
        label=_("Other numbers, links or accounts they used"),
        required=False,
        max_length=4000,
        help_text=_("One on each line."),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )
    channel = forms.ChoiceField(
        label=_("How did they contact you?"),
        choices=[("", _("Choose…")), *Report.Channel.choices],
        required=False,
    )
    description = LongTextAnswerField(
        label=_("What did they say or ask for?"),
        required=False,
        max_length=reports.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    contact_email = ContactForm.base_fields["contact_email"]
    contact_phone = ContactForm.base_fields["contact_phone"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)

    def identifiers(self) -> list[reports.IdentifierInput]:
        data = self.cleaned_data
        found = [reports.IdentifierInput(" ".join(data["identifier"].split()), data["kind"] or None)]
        found += [
            reports.IdentifierInput(line) for line in data["more_identifiers"].splitlines() if line.strip()
        ]
        return found


class StatusForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference number"),
        max_length=40,
        help_text=_("It looks like CY-2026-000123-7."),
        widget=forms.TextInput(
            attrs={"spellcheck": "false", "autocomplete": "off", "autocapitalize": "characters"}
        ),
        error_messages={"required": _("Enter the reference number of your report.")},
    )
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=40,
        help_text=_("The secret code shown when you sent the report, like ABCD-EFGH-JKLM."),
        widget=forms.TextInput(
            attrs={"spellcheck": "false", "autocomplete": "off", "autocapitalize": "characters"}
        ),
        error_messages={"required": _("Enter the tracking code of your report.")},
    )

    def clean_reference(self):
        reference = reports.normalize_reference(self.cleaned_data["reference"])
        if reference is None:
            raise ValidationError(
                _(
                    "This is not a reference number: check it against the one you were given, "
                    "like CY-2026-000123-7."
                )
            )
        return reference


class AddInformationForm(forms.Form):
    text = LongTextAnswerField(
        label=_("What do you want to add?"),
        required=False,
        max_length=reports.MAX_DESCRIPTION,
        help_text=_("For example: new messages, another payment, something you remembered."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    identifiers = LongTextAnswerField(
        label=_("Other phone numbers, links, accounts or user names they used"),
        required=False,
        max_length=4000,
        help_text=_("One on each line."),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )
    files = MultipleFileField(label=_("More screenshots or documents"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = files_hint()

    def clean(self):
        cleaned = super().clean()
        self.accepted, self.refused = check_files(cleaned.get("files") or [])
        if not (cleaned.get("text") or cleaned.get("identifiers") or self.accepted):
            if self.refused:
                self.add_error("files", " ".join(str(message) for message in self.refused))
                self.refused = []
            elif not self.errors:
                raise ValidationError(_("Write something, give an identifier or choose a file to add."))
        return cleaned

    def identifier_inputs(self) -> list[reports.IdentifierInput]:
        lines = (self.cleaned_data.get("identifiers") or "").splitlines()
        return [reports.IdentifierInput(line.strip()) for line in lines if line.strip()]
