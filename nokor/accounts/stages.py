"""Sign-in stages of allauth, where ours differ (``AccountAdapter.get_login_stages``)."""

from __future__ import annotations

from allauth.account.app_settings import EmailVerificationMethod
from allauth.account.stages import EmailVerificationStage
from allauth.account.utils import user_email


class SignUpEmailVerificationStage(EmailVerificationStage):
    """A sign-up with an e-mail address signs in only once the address is confirmed (the link in the
    e-mail signs in). Elsewhere verification stays optional: staff and phone-only citizens sign in with
    what they have, and the account guard asks citizens for a verified address or number.

    Why: a sign-up with an address that already has an account makes no account (the owner is told by
    e-mail), so it cannot sign in; a new address answers the same "check your e-mail" page, so the answer
    does not tell whether the address is registered."""

    def handle(self):
        login = self.login
        if login.signup and (login.email or (login.user is not None and user_email(login.user))):
            login.email_verification = EmailVerificationMethod.MANDATORY
        return super().handle()
