"""Rules that apply before any signed-in page. Citizens: verify an e-mail address or phone number.
Staff: change the first password, enrol two-factor authentication, and sign out after idle time."""

from __future__ import annotations

import time

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from nokor.accounts.facts import SECOND_FACTOR
from nokor.core.access import PUBLIC, view_rule_of
from nokor.core.userfacts import fact

# Pages a staff member may reach before meeting the rules (to meet them, or to leave).
_ALWAYS_ALLOWED = {
    "account_logout",
    "account_change_password",
    "account_set_password",
    "account_reauthenticate",
    "mfa_reauthenticate",
    "mfa_index",
    "mfa_activate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_add_webauthn",
    "mfa_authenticate",
    "language_set",
    "healthz",
    "metrics",
    "account_login",
    "account_email",
    "account_confirm_email",
    "account_email_verification_sent",
    "account_verify_phone",
    "account_change_phone",
}
_ACTIVITY_KEY = "nokor_last_activity"
_ACTIVITY_RESOLUTION_SECONDS = 60


def has_second_factor(user) -> bool:
    return fact(user, SECOND_FACTOR)


def has_verified_contact(user) -> bool:
    return user.phone_verified or EmailAddress.objects.filter(user=user, verified=True).exists()


class AccountGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        name = request.resolver_match.url_name if request.resolver_match else None
        allowed = name in _ALWAYS_ALLOWED or request.path.startswith(settings.STATIC_URL)
        if not user.is_staff:
            if allowed or view_rule_of(view_func) == PUBLIC or has_verified_contact(user):
                return None
            messages.info(
                request, _("Confirm your e-mail address or phone number to continue. Check your messages.")
            )
            return redirect("account_email")
        now = time.time()
        last = request.session.get(_ACTIVITY_KEY)
        if last is not None and now - last > settings.STAFF_IDLE_TIMEOUT_MINUTES * 60:
            logout(request)
            messages.warning(
                request,
                _("You were signed out after %(minutes)s minutes without activity. Sign in again.")
                % {"minutes": settings.STAFF_IDLE_TIMEOUT_MINUTES},
            )
            return redirect_to_login(request.get_full_path())
        if last is None or now - last > _ACTIVITY_RESOLUTION_SECONDS:
            request.session[_ACTIVITY_KEY] = now  # not on every request: each write is a database UPDATE
        if allowed:
            return None
        if user.must_change_password:
            messages.info(request, _("Choose a new password before you continue."))
            return redirect("account_change_password")
        if not has_second_factor(user):
            messages.info(request, _("Staff accounts need two-factor authentication. Set it up to continue."))
            return redirect("mfa_activate_totp")
        return None
