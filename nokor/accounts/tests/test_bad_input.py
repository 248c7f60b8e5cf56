"""Bad input gets a clear message: expired reset links, tampered sessions, wrong codes."""

import pytest
from django.core.cache import cache

from nokor.accounts.demo import DEMO_PASSWORD


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()


def test_expired_or_tampered_reset_link_says_so(client, citizen):
    response = client.get("/accounts/password/reset/key/1-set-password-tampered/", follow=True)
    assert response.status_code == 200
    assert response.context["token_fail"] is True


def test_password_reset_does_not_reveal_whether_an_account_exists(client, citizen):
    known = client.post("/accounts/password/reset/", {"email": citizen.email})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url


def test_tampered_session_cookie_is_just_signed_out(client, citizen):
    client.cookies["sessionid"] = "tampered-value"
    response = client.get("/me/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_form_sent_without_a_valid_security_token_gets_a_clear_page(citizen):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"login": citizen.email, "password": DEMO_PASSWORD})
    assert response.status_code == 403
    assert "errors/csrf.html" in [t.name for t in response.templates]


def test_wrong_password_keeps_the_login_typed(client, citizen):
    response = client.post("/accounts/login/", {"login": citizen.email, "password": "wrong"})
    assert response.status_code == 200
    body = response.content.decode()
    assert f'value="{citizen.email}"' in body and "error-summary" in body
