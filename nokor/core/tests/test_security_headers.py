"""Security headers on every kind of answer (ASVS 5.0 V3.4): a public page, a citizen page, a staff page,
the API and an error page carry a strict Content-Security-Policy (no 'unsafe-inline' for scripts or
styles, frame-ancestors 'none'), Referrer-Policy, Permissions-Policy and X-Content-Type-Options; with the
production settings (NOKOR_HTTPS) every HTTPS answer also carries HSTS and the cookies are __Host- ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION_ENV = {
    "NOKOR_SECRET_KEY": "x" * 20 + "a-production-like-secret-key-of-sufficient-length-0123456789",
    "NOKOR_HTTPS": "1",
    "NOKOR_ALLOWED_HOSTS": "nokor.example.gov.kh,testserver",
}


def production_settings(*names: str) -> dict:
    """The values of ``names`` in nokor.settings loaded in a fresh process with the documented production
    environment (settings are read once at start, so they cannot be re-read inside this process)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NOKOR_", "PYTEST"))}
    env |= PRODUCTION_ENV | {"DJANGO_SETTINGS_MODULE": "nokor.settings"}
    script = (
        "import json, sys; from django.conf import settings; "
        "print(json.dumps({n: getattr(settings, n) for n in sys.argv[1:]}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, *names],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.splitlines()[-1])


def csp(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in policy.split(";")) if d}


def assert_secure_headers(response) -> None:
    directives = csp(response)
    for directive in ("script-src", "style-src", "default-src"):
        assert "'unsafe-inline'" not in directives.get(directive, []), (directive, directives)
        assert "'unsafe-eval'" not in directives.get(directive, []), (directive, directives)
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in response["Permissions-Policy"]
    assert "Access-Control-Allow-Origin" not in response  # no cross-origin reads (ASVS 5.0 3.4.2)


@pytest.fixture
def pages(client, login, citizen, officer_kandal):
    """One answer of each kind: (label, response, expected status)."""

    def get():
        public = client.get("/")
        api = client.get("/api/v1/scam-check", {"q": "012 345 678"})
        error = client.get("/no-such-page/")
        citizen_page = login(citizen).get("/me/")
        staff_page = login(officer_kandal).get("/services/queue/")
        return [
            ("public page", public, 200),
            ("API", api, 200),
            ("error page", error, 404),
            ("citizen page", citizen_page, 200),
            ("staff page", staff_page, 200),
        ]

    return get


def test_every_kind_of_answer_carries_the_security_headers(pages):
    for label, response, status in pages():
        assert response.status_code == status, label
        assert_secure_headers(response)


def test_a_page_with_htmx_allows_only_its_own_nonce(client, db):
    response = client.get("/cyber/check/")
    directives = csp(response)
    nonces = [source for source in directives["script-src"] if source.startswith("'nonce-")]
    assert len(nonces) <= 1 and set(directives["script-src"]) - set(nonces) == {"'self'"}
    if nonces:  # every inline script on the page carries it
        nonce = nonces[0][len("'nonce-") : -1]
        body = response.content.decode()
        assert body.count("<script") == body.count(f'nonce="{nonce}"')


def test_production_settings_send_hsts_and_prefixed_secure_cookies(client, settings, db):
    production = production_settings(
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "LANGUAGE_COOKIE_SECURE",
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_NAME",
        "LANGUAGE_COOKIE_NAME",
    )
    assert production["SECURE_HSTS_SECONDS"] >= 31536000
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["LANGUAGE_COOKIE_SECURE"]
    for name, value in production.items():
        setattr(settings, name, value)
    plain = client.get("/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    response = client.get("/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert_secure_headers(response)
    # Cookies carry the __Host- prefix over HTTPS: Secure, Path=/, no Domain (ASVS 5.0 3.3.1, 3.3.3).
    form = client.get("/accounts/login/", secure=True)
    cookie = form.cookies["__Host-csrftoken"]
    assert cookie["secure"] and cookie["path"] == "/" and not cookie["domain"]
    assert cookie["samesite"] == "Lax"
    client.cookies["__Host-nokor_language"] = "en"
    assert client.get("/", secure=True).headers["Content-Language"] == "en"


def test_development_settings_send_no_hsts(client, db):
    assert "Strict-Transport-Security" not in client.get("/", secure=True)
