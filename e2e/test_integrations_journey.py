"""Partner API keys, in a real browser (issue 9 acceptance): an administrator adds a bank and creates it a
key with the scope scam-check:read, copied from the page that shows it once; a script of the bank (urllib,
nothing else) checks a phone number with the key, and the same key is refused another scope with a 403
problem; the key's page then shows its use. The API's interactive docs load without any outside address.
Every page is checked with axe (the docs page is Swagger UI's own: screenshot only). Screenshots:
docs/screenshots/integrations-<nn>-<step>.png."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from e2e.helpers import Checks, main_text, sign_in
from nokor.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from nokor.integrations.models import ApiKey, Organisation

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),  # pytest-playwright's base_url
]

BANK_KM = "ធនាគារអភិវឌ្ឍន៍ជនបទ"
BANK_EN = "A bank"


def call(url: str, token: str) -> tuple[int, str, dict]:
    """What the bank's script does: one GET with the key, the answer's status, media type and JSON."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (the live test server)
            return answer.status, answer.headers["Content-Type"], json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers["Content-Type"], json.loads(refused.read())


def send(page, button) -> None:
    with page.expect_navigation():
        button.click()


def test_an_administrator_gives_a_bank_a_key_that_checks_numbers_and_nothing_else(
    new_page, live_server, administrator
):
    checks = Checks("integrations")
    page = new_page("mobile")
    sign_in(page, administrator.email, DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    page.wait_for_url("**/me/")

    # ---- 1. The partner pages, from the menu ----
    page.goto("/partners/")
    checks.step(page, "partners")
    send(page, page.locator("main a[href='/partners/new/']"))

    # ---- 2. The bank ----
    page.fill("main input[name=name_km]", BANK_KM)
    page.fill("main input[name=name_en]", BANK_EN)
    page.select_option("main select[name=kind]", "bank")
    page.fill("main input[name=contact_email]", "it-security@bank.example.kh")
    checks.step(page, "new-organisation")
    send(page, page.locator("main button[type=submit]"))
    bank = Organisation.objects.get(name_en=BANK_EN)
    assert page.url.endswith(f"/partners/{bank.pk}/"), main_text(page)
    checks.step(page, "organisation")

    # ---- 3. A key with the scope scam-check:read, shown once ----
    send(page, page.locator(f"main a[href='/partners/{bank.pk}/keys/new/']"))
    page.fill("main input[name=label]", "Fraud desk")
    page.check("main input[name=scopes][value='scam-check:read']")
    checks.step(page, "new-key")
    send(page, page.locator("main button[type=submit]"))
    token = page.input_value("#api-key")
    key = ApiKey.objects.get(organisation=bank)
    assert token.startswith(f"nk_{key.prefix}_") and key.scopes == ["scam-check:read"]
    checks.step(page, "key-shown-once")

    # ---- 4. The bank's script checks a number with the key ----
    status, media_type, body = call(f"{live_server.url}/api/v1/scam-check?q=012%20345%20678", token)
    assert status == 200 and media_type.startswith("application/json"), body
    assert body["normalized"] == "+85512345678" and body["kind"] == "phone"

    # ---- 5. … and is refused another scope ----
    status, media_type, body = call(f"{live_server.url}/api/v1/applications", token)
    assert status == 403 and media_type == "application/problem+json", body
    assert body["status"] == 403 and "applications:read-own-org" in body["detail"]

    # ---- 6. The key's use is listed; the secret is not ----
    send(page, page.locator(f"main a[href='/partners/{bank.pk}/']").first)
    text = main_text(page)
    assert f"nk_{key.prefix}_" in page.content() and token not in page.content()
    assert "scam-check:read" in text
    key.refresh_from_db()
    assert key.last_used_at is not None
    checks.step(page, "key-used")

    # ---- 7. The interactive docs: Swagger UI from the site itself, under the site's CSP ----
    docs = new_page("desktop")
    blocked: list[str] = []
    docs.on("requestfailed", lambda request: blocked.append(request.url))
    docs.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security" in message.text else None,
    )
    docs.goto("/api/v1/docs")
    docs.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
    assert docs.locator(".opblock-summary-path", has_text="/api/v1/scam-check").count() == 1
    assert not blocked, blocked
    checks.step(docs, "api-docs", a11y=False, phone=False)

    assert not checks.problems, "\n\n".join(checks.problems)
