"""Sign-up and account forms."""

from __future__ import annotations

from allauth.account.forms import SignupForm
from django import forms
from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext_lazy as _

from nokor.accounts import services
from nokor.accounts.models import User


class CitizenSignupForm(SignupForm):
    """Self sign-up for citizens, with an e-mail address or a phone number (or both)."""

    full_name = forms.CharField(label=_("Full name"), max_length=200)
    preferred_language = forms.ChoiceField(
        label=_("Language for messages"), choices=User.Language.choices, initial=User.Language.KHMER
    )
    accept_terms = forms.BooleanField(
        label=_("I accept the terms of use and the privacy notice"),
        error_messages={"required": _("You must accept the terms of use to create an account.")},
    )

    field_order = [
        "full_name",
        "email",
        "phone",
        "password1",
        "password2",
        "preferred_language",
        "accept_terms",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Our field component marks optional fields itself: plain labels here.
        if "email" in self.fields:
            self.fields["email"].label = _("E-mail address")
            self.fields["email"].help_text = _("We send a link to check it is yours.")
        if "phone" in self.fields:
            self.fields["phone"].label = _("Phone number")
            self.fields["phone"].help_text = _("For example 012 345 678. We send a code by SMS to check it.")

    def clean(self):
        cleaned = super().clean()
        if (
            not cleaned.get("email")
            and not cleaned.get("phone")
            and not self.has_error("email")
            and not self.has_error("phone")
        ):
            raise forms.ValidationError(_("Give an e-mail address or a phone number, so you can sign in."))
        return cleaned

    def validate_unique_email(self, value):
        """A taken address is answered like a new one: no account is made, its owner is told by e-mail and
        the page says "check your e-mail" either way (no account enumeration; stages.py makes confirming
        the address come before signing in, so both answers are the same)."""
        try:
            return super().validate_unique_email(value)
        except forms.ValidationError as error:
            if error.code != "email_taken":
                raise
            self.account_already_exists = True
            return value

    def try_save(self, request):
        if self.account_already_exists:
            # A taken address or number creates no account; hash the password anyway, so the answer takes
            # as long as a real sign-up's (no account enumeration by timing).
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)

    def save(self, request):
        user = super().save(request)
        if user is not None:
            services.citizen_signup_complete(
                user=user,
                language=self.cleaned_data["preferred_language"],
                full_name=self.cleaned_data["full_name"],
                accepted_terms=self.cleaned_data["accept_terms"],
            )
        return user


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my account will be deleted and I will be signed out"),
        error_messages={"required": _("Tick the box to confirm you want to delete your account.")},
    )
