"""Print session cookies (``sessionid=…``, one a line) of a demo person, for wrk to send.

Each session is built server-side the way allauth leaves it after a real sign-in: the password step and,
for staff, the TOTP step are recorded in the session's authentication records (allauth's own
``record_authentication``, the call its MFA flow makes), then ``django.contrib.auth.login`` signs the
person in, so the ``user_logged_in`` receivers run as usual (audit event, allauth user session). The
harness then checks, on every warm-up response, that the page really is the signed-in page.

Several sessions let wrk spread its connections over them, as many people would: with a single one,
every request of a page that saves the session would queue for the same database row.

Run by the harness with the benchmark's environment, from the repository root::

    PYTHONPATH=. .venv/bin/python bench/signin.py officer_kandal 32
"""

from __future__ import annotations

import importlib
import sys

import django


def signed_in_cookie(person_key: str) -> str:
    """Sign the demo person ``person_key`` (see nokor/accounts/demo.py) in; return ``name=value``."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from django.conf import settings
    from django.contrib.auth import login
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from nokor.accounts import demo
    from nokor.accounts.models import User

    person = next((p for p in demo.CITIZENS + demo.STAFF if p.key == person_key), None)
    if person is None:
        raise SystemExit(f"No demo person {person_key!r} in nokor/accounts/demo.py")
    user = User.objects.get(email=person.email)
    request = RequestFactory().get("/accounts/login/", REMOTE_ADDR="127.0.0.1", HTTP_USER_AGENT="wrk")
    request.session = importlib.import_module(settings.SESSION_ENGINE).SessionStore()
    request.user = AnonymousUser()
    record_authentication(request, user, "password", email=user.email)
    if user.is_staff:
        totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        record_authentication(request, user, "mfa", id=totp.pk, type=totp.type)
    login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
    request.session.save()
    return f"{settings.SESSION_COOKIE_NAME}={request.session.session_key}"


if __name__ == "__main__":
    django.setup()
    for _ in range(int(sys.argv[2])):
        print(signed_in_cookie(sys.argv[1]))
