"""Rate limits on sign-in, sign-up and password reset (ACCOUNT_RATE_LIMITS in nokor/settings.py), hit for
real with the configured budgets: over a budget the answer is allauth's refusal in the visitor's language
(a form error for failed sign-ins, otherwise the 429 page), the same for an address with an account and
one without, and the budget comes back when its window has passed."""

from __future__ import annotations

import time_machine
from django.test import Client

from nokor.accounts.demo import DEMO_PASSWORD
from nokor.core.tests.test_security_headers import production_settings

LOGIN, SIGNUP, RESET = "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"
# Khmer (the default language) of "Too many failed login attempts. Try again later." and of the 429 page.
TOO_MANY_FAILURES = "ការព្យាយាមចូលគណនីមិនបានសម្រេចច្រើនដងពេក"
TOO_MANY_REQUESTS = "សំណើច្រើនពេក។ សូមព្យាយាមម្តងទៀតនៅពេលក្រោយ។"


def assert_refused(response) -> None:
    """allauth's 429 page, from our template, in Khmer."""
    assert response.status_code == 429
    assert "429.html" in [t.name for t in response.templates]
    assert TOO_MANY_REQUESTS in response.content.decode()


def test_five_failed_sign_ins_lock_the_account_for_fifteen_minutes(client, citizen, other_citizen):
    with time_machine.travel("2026-03-02 09:00 +07:00", tick=False) as clock:
        for _ in range(5):
            response = client.post(LOGIN, {"login": citizen.email, "password": "not-the-password"})
            assert response.status_code == 200 and TOO_MANY_FAILURES not in response.content.decode()
        # Now even the right password is refused, without saying whether it was right.
        response = client.post(LOGIN, {"login": citizen.email, "password": DEMO_PASSWORD})
        assert response.status_code == 200 and TOO_MANY_FAILURES in response.content.decode()
        assert "_auth_user_id" not in client.session
        # An address without an account is refused in the same way (no enumeration through the lock).
        for _ in range(5):
            client.post(LOGIN, {"login": "nobody@example.com", "password": "not-the-password"})
        unknown = client.post(LOGIN, {"login": "nobody@example.com", "password": "not-the-password"})
        assert TOO_MANY_FAILURES in unknown.content.decode()
        # Other accounts are not locked (the per-address budget is 10 a minute: 11 failures so far).
        clock.shift(61)
        other = client.post(LOGIN, {"login": other_citizen.email, "password": DEMO_PASSWORD})
        assert other.status_code == 302
        client.logout()
        clock.shift(15 * 60)
        assert client.post(LOGIN, {"login": citizen.email, "password": DEMO_PASSWORD}).status_code == 302


def test_ten_failed_sign_ins_a_minute_from_one_address_are_refused(client, citizen):
    with time_machine.travel("2026-03-02 09:00 +07:00", tick=False) as clock:
        for n in range(10):
            response = client.post(LOGIN, {"login": f"person{n}@example.com", "password": "wrong-password"})
            assert TOO_MANY_FAILURES not in response.content.decode()
        response = client.post(LOGIN, {"login": citizen.email, "password": DEMO_PASSWORD})
        assert response.status_code == 200 and TOO_MANY_FAILURES in response.content.decode()
        other_address = Client(REMOTE_ADDR="10.1.2.3")
        response = other_address.post(LOGIN, {"login": citizen.email, "password": DEMO_PASSWORD})
        assert response.status_code == 302
        clock.shift(61)
        assert client.post(LOGIN, {"login": citizen.email, "password": DEMO_PASSWORD}).status_code == 302


def test_thirty_sign_in_attempts_a_minute_from_one_address_get_the_429_page(client, db):
    with time_machine.travel("2026-03-02 09:00 +07:00", tick=False) as clock:
        for _ in range(30):
            assert client.post(LOGIN, {"login": "", "password": ""}).status_code == 200
        assert_refused(client.post(LOGIN, {"login": "", "password": ""}))
        assert client.get(LOGIN).status_code == 200  # reading the form costs nothing
        clock.shift(61)
        assert client.post(LOGIN, {"login": "", "password": ""}).status_code == 200


def test_twenty_sign_ups_an_hour_from_one_address(client, db):
    with time_machine.travel("2026-03-02 09:00 +07:00", tick=False) as clock:
        for _ in range(20):
            assert client.post(SIGNUP, {"full_name": "x"}).status_code == 200
        assert_refused(client.post(SIGNUP, {"full_name": "x"}))
        assert Client(REMOTE_ADDR="10.1.2.3").post(SIGNUP, {"full_name": "x"}).status_code == 200
        clock.shift(3601)
        assert client.post(SIGNUP, {"full_name": "x"}).status_code == 200


def test_five_resets_a_minute_for_one_address_known_or_not(client, citizen):
    with time_machine.travel("2026-03-02 09:00 +07:00", tick=False) as clock:
        for email in (citizen.email, "nobody@example.com"):
            for _ in range(5):
                assert client.post(RESET, {"email": email}).status_code == 302
            assert_refused(client.post(RESET, {"email": email}))
        clock.shift(61)
        assert client.post(RESET, {"email": citizen.email}).status_code == 302


def test_twenty_resets_a_minute_from_one_client(client, db):
    with time_machine.travel("2026-03-02 09:00 +07:00", tick=False):
        for n in range(20):
            assert client.post(RESET, {"email": f"person{n}@example.com"}).status_code == 302
        assert_refused(client.post(RESET, {"email": "person99@example.com"}))


def test_behind_the_proxy_each_client_has_its_own_budget(client, settings, db):
    """Production (NOKOR_HTTPS) sits behind our reverse proxy: the limits count the client address it
    appended to X-Forwarded-For, so one abusive client does not lock everyone else out."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = production_settings("ALLAUTH_TRUSTED_PROXY_COUNT")[
        "ALLAUTH_TRUSTED_PROXY_COUNT"
    ]
    with time_machine.travel("2026-03-02 09:00 +07:00", tick=False):
        for _ in range(20):
            client.post(SIGNUP, {"full_name": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.5")
        assert_refused(client.post(SIGNUP, {"full_name": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.5"))
        other = client.post(SIGNUP, {"full_name": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.5, 198.51.100.7")
        assert other.status_code == 200
