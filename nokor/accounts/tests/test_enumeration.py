"""Account enumeration (ASVS 5.0 V6.3): sign-in, password reset and sign-up answer the same whether or not
an e-mail address or phone number has an account — the same status, redirect and page (apart from the
security token and what was typed) — and take the same time: the password hash (Argon2) is computed as
often for an unknown login as for a known one, and the measured medians agree.

bench/attacks.py enumeration measures the same over HTTP against the production-like server
(docs/security.md has the figures)."""

from __future__ import annotations

import re
import statistics
import time

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.cache import cache

from nokor.accounts.models import User
from nokor.notifications.models import Message

LOGIN, SIGNUP, RESET = "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"
PASSWORD = "a-long-passphrase-2026"
SIGNUP_FORM = {
    "full_name": "ចាន់ សុភា",
    "password1": PASSWORD,
    "password2": PASSWORD,
    "preferred_language": "km",
    "accept_terms": "on",
}
KNOWN_PHONE, UNKNOWN_PHONE = "+85512345678", "+85512345679"


class CountingArgon2Hasher(Argon2PasswordHasher):
    """The real Argon2 hasher, counting each hash it computes (to set a password or to check one)."""

    computed = 0

    def encode(self, password, salt):
        CountingArgon2Hasher.computed += 1
        return super().encode(password, salt)

    def verify(self, password, encoded):
        CountingArgon2Hasher.computed += 1
        return super().verify(password, encoded)


@pytest.fixture
def known(citizen, settings):
    """The demo citizen with an Argon2 password (the tests' fast default is MD5) and a verified phone."""
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingArgon2Hasher"]
    citizen.set_password("the-citizens-own-password")
    citizen.phone, citizen.phone_verified = KNOWN_PHONE, True
    citizen.save()
    return citizen


def page(response, *typed: str) -> str:
    """The page without what differs between two requests anyway: the security token and what was typed."""
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    for value in typed:
        body = body.replace(value, "TYPED")
    return body


def hashes(client, url: str, data: dict) -> tuple[object, int]:
    cache.clear()  # no rate limit in the way
    CountingArgon2Hasher.computed = 0
    response = client.post(url, data)
    return response, CountingArgon2Hasher.computed


@pytest.mark.parametrize(
    ("known_login", "unknown_login"),
    [("sokha@demo.nokor.gov.kh", "nobody@example.com"), ("012 345 678", "012 345 679")],
    ids=["e-mail", "phone"],
)
def test_failed_sign_in_looks_and_costs_the_same_for_known_and_unknown_logins(
    client, known, known_login, unknown_login
):
    assert known.email == "sokha@demo.nokor.gov.kh"
    a, known_hashes = hashes(client, LOGIN, {"login": known_login, "password": "not-the-password"})
    b, unknown_hashes = hashes(client, LOGIN, {"login": unknown_login, "password": "not-the-password"})
    assert a.status_code == b.status_code == 200
    assert page(a, known_login) == page(b, unknown_login)
    assert known_hashes == unknown_hashes >= 1


def test_password_reset_looks_and_costs_the_same_for_known_and_unknown_addresses(client, known):
    a, known_hashes = hashes(client, RESET, {"email": known.email})
    b, unknown_hashes = hashes(client, RESET, {"email": "nobody@example.com"})
    assert a.status_code == b.status_code == 302 and a["Location"] == b["Location"]
    assert page(client.get(a["Location"])) == page(client.get(b["Location"]))
    assert known_hashes == unknown_hashes


def test_sign_up_with_a_taken_phone_number_looks_the_same_as_a_new_one(client, known):
    a, known_hashes = hashes(client, SIGNUP, {**SIGNUP_FORM, "phone": KNOWN_PHONE})
    shown_a = client.get(a["Location"])
    client.logout()
    b, unknown_hashes = hashes(client, SIGNUP, {**SIGNUP_FORM, "phone": UNKNOWN_PHONE})
    shown_b = client.get(b["Location"])
    assert a.status_code == b.status_code == 302 and a["Location"] == b["Location"]
    assert page(shown_a, KNOWN_PHONE, "012 345 678") == page(shown_b, UNKNOWN_PHONE, "012 345 679")
    assert User.objects.filter(phone=KNOWN_PHONE).count() == 1  # no second account
    assert known_hashes == unknown_hashes == 1  # the password is hashed although no account is made
    # The number's owner is told by SMS (the new number gets its code).
    assert Message.objects.filter(to=KNOWN_PHONE, channel="sms").count() == 1
    assert Message.objects.filter(to=UNKNOWN_PHONE, channel="sms").count() == 1


def test_sign_up_with_a_taken_email_address_looks_the_same_as_a_new_one(client, known):
    a, known_hashes = hashes(client, SIGNUP, {**SIGNUP_FORM, "email": known.email})
    shown_a = client.get(a["Location"])
    b, unknown_hashes = hashes(client, SIGNUP, {**SIGNUP_FORM, "email": "new.person@example.com"})
    shown_b = client.get(b["Location"])
    assert (
        a.status_code == b.status_code == 302 and a["Location"] == b["Location"] == "/accounts/confirm-email/"
    )
    assert page(shown_a, known.email) == page(shown_b, "new.person@example.com")
    assert "_auth_user_id" not in client.session  # neither signs in before the address is confirmed
    assert User.objects.filter(email__iexact=known.email).count() == 1  # no second account
    assert known_hashes == unknown_hashes == 1  # the password is hashed although no account is made
    # The address's owner is told someone tried; the new address gets its confirmation link.
    (told,) = Message.objects.filter(to=known.email, channel="email")
    assert "/accounts/password/reset/" in told.body and "/accounts/confirm-email/" not in told.body
    (link,) = Message.objects.filter(to="new.person@example.com", channel="email")
    assert "/accounts/confirm-email/" in link.body


def test_failed_sign_in_takes_the_same_time_for_known_and_unknown_addresses(client, known):
    """Interleaved attempts with the production Argon2 cost: the medians agree within a quarter (the
    hash, tens of milliseconds, is the whole difference that could leak; load on the machine moves both
    series alike)."""
    timings: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(6):
        for is_known, login in ((True, known.email), (False, "nobody@example.com")):
            cache.clear()
            started = time.perf_counter()
            client.post(LOGIN, {"login": login, "password": "not-the-password"})
            timings[is_known].append(time.perf_counter() - started)
    known_median, unknown_median = statistics.median(timings[True]), statistics.median(timings[False])
    assert abs(known_median - unknown_median) <= 0.25 * max(known_median, unknown_median), timings


@pytest.mark.parametrize(
    ("login", "method"),
    [("sokha@demo.nokor.gov.kh", "email"), ("012 345 678", "phone")],
    ids=["e-mail", "phone"],
)
def test_a_failed_sign_in_is_audited_in_the_trail_of_the_account_it_names(client, known, login, method):
    from nokor.audit.models import AuditEvent

    client.post(LOGIN, {"login": login, "password": "not-the-password"})
    client.post(
        LOGIN, {"login": "nobody@example.com" if method == "email" else "012 345 679", "password": "x"}
    )
    named, unknown = AuditEvent.objects.filter(action="account.login_failed").order_by("occurred_at", "pk")
    assert (named.subject, named.object_id, named.actor) == (known, str(known.pk), None)
    assert named.details == {"method": method, "account_exists": True} and named.ip == "127.0.0.1"
    assert (unknown.subject, unknown.object_id) == (None, "")  # the typed login of no account is not kept
    assert unknown.details == {"method": method, "account_exists": False}
    assert not AuditEvent.objects.filter(action="account.login").exists()
    cache.clear()  # no rate limit in the way
    assert client.post(LOGIN, {"login": login, "password": "the-citizens-own-password"}).status_code == 302
    assert AuditEvent.objects.filter(action="account.login", subject=known).count() == 1
    assert AuditEvent.objects.filter(action="account.login_failed").count() == 2
