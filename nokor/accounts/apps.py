from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "nokor.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        # allauth owns the password and sign-in views; these signals are how it tells us.
        from allauth.account.signals import password_changed, password_reset, password_set
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from nokor.accounts import facts, services

        facts.connect()

        def on_password(sender, request, user, **kwargs):
            services.password_changed(user=user)

        def on_login(sender, request, user, **kwargs):
            services.signed_in(user=user)

        def on_login_failed(sender, credentials, request=None, **kwargs):
            services.sign_in_failed(credentials=credentials)

        for signal in (password_changed, password_set, password_reset):
            signal.connect(on_password, dispatch_uid=f"nokor-{id(signal)}", weak=False)
        user_logged_in.connect(on_login, dispatch_uid="nokor-login", weak=False)
        user_login_failed.connect(on_login_failed, dispatch_uid="nokor-login-failed", weak=False)
