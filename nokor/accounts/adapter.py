"""allauth adapter: phone numbers (E.164, Cambodia by default), e-mails through our outbox, language."""

from __future__ import annotations

import phonenumbers
from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from nokor.accounts.models import User

DEFAULT_REGION = "KH"


def normalize_phone(raw: str) -> str:
    """Return the number in E.164, or raise ValidationError with a message people understand."""
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise forms.ValidationError(_("Enter a phone number, like 012 345 678 or +855 12 345 678.")) from exc
    if not phonenumbers.is_valid_number(number):
        raise forms.ValidationError(_("This is not a valid phone number. Check the digits and try again."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PhoneField(forms.CharField):
    """A phone number in any common written form, cleaned to E.164."""

    widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"})

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_phone(value) if value else value


class AccountAdapter(DefaultAccountAdapter):
    def phone_form_field(self, **kwargs):
        kwargs.setdefault("label", _("Phone number"))
        return PhoneField(max_length=30, **kwargs)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.email = user.email or None  # unique, so "no e-mail" must be NULL, not ""
        if commit:
            user.save()
        return user

    def clean_phone(self, phone: str) -> str:
        return normalize_phone(phone)

    def set_phone(self, user: User, phone: str, verified: bool) -> None:
        user.phone = phone
        user.phone_verified = verified
        if user.pk:  # during sign-up the user is saved afterwards, with everything else
            user.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user: User):
        return (user.phone, user.phone_verified) if user.phone else None

    def set_phone_verified(self, user: User, phone: str) -> None:
        user.phone_verified = True
        user.save(update_fields=["phone_verified"])

    def get_user_by_phone(self, phone: str):
        """The account of a number as people write it: allauth passes the typed login on as it is, and
        "012 345 678" must find the account of +85512345678."""
        try:
            phone = normalize_phone(phone)
        except forms.ValidationError:
            return None
        return User.objects.filter(phone=phone).first()

    def send_verification_code_sms(self, user: User, phone: str, code: str, **kwargs) -> None:
        from nokor.notifications.services import sms_send

        with translation.override(getattr(user, "preferred_language", None) or settings.LANGUAGE_CODE):
            body = str(
                _("Nokor: your verification code is %(code)s. Do not share it with anyone.") % {"code": code}
            )
        sms_send(to=phone, body=body, user=user if getattr(user, "pk", None) else None)

    def send_account_already_exists_sms(self, phone: str) -> None:
        """Someone signed up with a number that already has an account: tell its owner (the page shown is
        the same as for a new number, so it reveals nothing)."""
        from nokor.notifications.services import sms_send

        owner = self.get_user_by_phone(phone)
        with translation.override(getattr(owner, "preferred_language", None) or settings.LANGUAGE_CODE):
            body = str(
                _(
                    "Nokor: someone tried to create an account with this number, which already has one. "
                    "If it was you, sign in with your password."
                )
            )
        sms_send(to=phone, body=body, user=owner)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's e-mails (verification, password reset) go through the outbox like every message,
        rendered in the recipient's language."""
        from nokor.notifications.services import email_send

        user = context.get("user") or User.objects.filter(email__iexact=email).first()
        language = getattr(user, "preferred_language", None) or translation.get_language()
        with translation.override(language):
            message = self.render_mail(template_prefix, email, {**context, "email": email})
        html = next((body for body, kind in getattr(message, "alternatives", []) if kind == "text/html"), "")
        email_send(
            to=email,
            subject=message.subject,
            body=message.body,
            html=html,
            user=user if getattr(user, "pk", None) else None,
        )

    def get_login_stages(self) -> list[str]:
        return [
            "nokor.accounts.stages.SignUpEmailVerificationStage"
            if path == "allauth.account.stages.EmailVerificationStage"
            else path
            for path in super().get_login_stages()
        ]

    def post_login(self, request, user, **kwargs):
        """After sign-in, switch to the user's language and remember it in the browser."""
        response = super().post_login(request, user, **kwargs)
        translation.activate(user.preferred_language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.preferred_language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            samesite="Lax",
        )
        return response

    def get_password_change_redirect_url(self, request) -> str:
        """After a password change, go on (a new staff member is then led to set up two-factor)."""
        return reverse("accounts:home")

    def is_open_for_signup(self, request) -> bool:
        return True  # citizens only: staff accounts are created by an administrator
