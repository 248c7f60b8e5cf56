"""Forms of the evidence pages: adding a file, the reason for opening or downloading one, handing it
over, a legal hold and a deletion. They only parse what was typed; the rules are in ``custody.py``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nokor.accounts.models import User
from nokor.core.uploads import formats_phrase
from nokor.cyber import custody, reports


def _reason_field(label: str, required_message: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=custody.MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text or _("Written in the chain of custody with your name and the time."),
        error_messages={
            "required": required_message,
            "max_length": _("Write at most %(limit_value)s characters."),
        },
    )


class EvidenceAddForm(forms.Form):
    """A file of evidence an investigator collected, with where it comes from."""

    file = forms.FileField(
        label=_("File"),
        error_messages={"required": _("Choose the file to add."), "empty": _("The selected file is empty.")},
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=custody.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the file shows and how it was obtained."),
        error_messages={"max_length": _("Write at most %(limit_value)s characters.")},
    )
    collected_where = forms.CharField(
        label=_("Where it was collected"),
        required=False,
        max_length=custody.MAX_WHERE,
        help_text=_("For example: the victim's phone, at the Phnom Penh cybercrime office."),
        error_messages={"max_length": _("Write at most %(limit_value)s characters.")},
    )
    sensitive = forms.BooleanField(
        label=_("Intimate image (sextortion, image abuse): hide it from normal views"),
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("%(formats)s, up to %(size)s MB.") % {
            "formats": formats_phrase(reports.EVIDENCE_TYPES),
            "size": reports.EVIDENCE_MAX_MB,
        }
        self.fields["file"].widget.attrs["accept"] = ",".join(reports.EVIDENCE_TYPES)


class OpenForm(forms.Form):
    """Why the investigator opens or downloads the file (required to download)."""

    reason = _reason_field(
        _("Why do you need this file?"),
        _("Give the reason for opening this file: it is written in its chain of custody."),
    )


class TransferForm(forms.Form):
    """Hand the evidence over to another investigator, or to an outside agency."""

    recipient = forms.ModelChoiceField(
        label=_("Investigator"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Choose an investigator"),
    )
    agency = forms.CharField(
        label=_("Or an outside agency"),
        required=False,
        max_length=200,
        help_text=_("For example: the prosecutor's office of Phnom Penh, INTERPOL NCB Phnom Penh."),
        error_messages={"max_length": _("Write at most %(limit_value)s characters.")},
    )
    reason = _reason_field(_("Why is it handed over?"), _("Give the reason for handing over this evidence."))

    def __init__(self, *args, recipients=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if recipients is not None:
            self.fields["recipient"].queryset = recipients

    def clean(self):
        data = super().clean()
        if data.get("recipient") and data.get("agency"):
            self.add_error("agency", _("Choose an investigator or name an agency, not both."))
        elif not data.get("recipient") and not data.get("agency") and "agency" not in self.errors:
            self.add_error("recipient", _("Choose the investigator, or name the agency, who receives it."))
        return data


class LegalHoldForm(forms.Form):
    """A supervisor places or lifts a legal hold."""

    hold = forms.TypedChoiceField(
        choices=[("1", _("Place")), ("0", _("Lift"))],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
    )
    reason = _reason_field(
        _("Why?"), _("Give the reason for the legal hold: it is written in the chain of custody.")
    )


class DeleteForm(forms.Form):
    """Why the evidence is deleted (after its case and report are closed, without legal hold)."""

    reason = _reason_field(
        _("Why is it deleted?"),
        _("Give the reason for deleting this evidence."),
        help_text=_("For example: the retention period ended. The chain of custody is kept."),
    )
