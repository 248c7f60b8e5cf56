"""Forms of the documents pages: typing a verification code, revoking a document."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nokor.documents.codes import CODE_LENGTH, normalize_code


class VerifyForm(forms.Form):
    """The verification code as printed under the QR code."""

    code = forms.CharField(
        label=_("Verification code"),
        max_length=64,
        help_text=_("17 letters and digits, printed under the QR code, for example 7K2M-9QXD-4HRT-B6WN-6."),
        error_messages={"required": _("Enter the verification code printed on the document.")},
    )

    def clean_code(self) -> str:
        code = normalize_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _(
                    "This is not a valid verification code. Check each character: a code has "
                    "%(length)s letters and digits."
                ),
                params={"length": CODE_LENGTH},
            )
        return code


class RevokeForm(forms.Form):
    """Why a document is revoked (kept for staff and auditors, never shown to the public)."""

    reason = forms.CharField(
        label=_("Reason for revoking"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Staff and auditors see this reason. The public only sees that the document was revoked."
        ),
        error_messages={"required": _("Enter the reason for revoking this document.")},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Enter the reason for revoking this document."))
        return reason
