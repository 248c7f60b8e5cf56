"""The foundation's journeys in a real browser (issue acceptance): a citizen signs up and verifies the
e-mail address (with and without JavaScript), a new staff member meets the first-sign-in rules, an
officer stays inside the own province, and wrong input gets a clear answer that keeps what was typed.

Screenshots of the citizen journey: docs/screenshots/accounts-<nn>-<step>.png."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache

from e2e.helpers import (
    check_a11y,
    confirmation_path,
    outbox,
    session_user_id,
    shot,
    sign_in,
    sign_out,
    submit,
    totp_code,
)
from nokor.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from nokor.accounts.models import Consent, User

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),  # pytest-playwright's base_url
]

NEW_PASSWORD = "a-long-passphrase-2026"


def html_lang(page) -> str:
    return page.evaluate("document.documentElement.lang")


def switch_language(page, language: str) -> None:
    """The switch in the header: one button, the other language."""
    with page.expect_navigation():
        page.locator(f"header form button[name=language][value={language}]").click()


def fill_signup(page, *, full_name: str, email: str, password: str = NEW_PASSWORD) -> None:
    page.fill("input[name=full_name]", full_name)
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", password)
    page.fill("input[name=password2]", password)
    page.check("input[name=accept_terms]")


# --------------------------------------------------------------------------------------------------
# a. A citizen signs up on a phone, in Khmer, verifies the e-mail address, switches to English,
#    signs out and signs in again.
# --------------------------------------------------------------------------------------------------
def test_citizen_signs_up_verifies_email_switches_language_and_signs_in_again(page):
    email, full_name = "sophea.chan@example.com", "ចាន់ សុភា"

    page.goto("/")
    assert html_lang(page) == "km", "Khmer is the default language"
    assert page.evaluate("typeof window.htmx") == "object", "scripts load (CSP allows our own)"
    shot(page, "accounts", 1, "home")
    assert not page.locator("header nav").is_visible(), "on a phone the menu is folded"
    page.locator("header .site-menu-button").click()
    page.locator("header nav a[href='/accounts/signup/']").click()
    page.wait_for_url("**/accounts/signup/")
    assert html_lang(page) == "km"
    check_a11y(page)
    shot(page, "accounts", 2, "signup-form")

    fill_signup(page, full_name=full_name, email=email)
    assert page.locator("select[name=preferred_language]").input_value() == "km"
    shot(page, "accounts", 3, "signup-filled")
    submit(page)
    page.wait_for_load_state()
    assert "/accounts/signup/" not in page.url, page.locator("main").inner_text()
    user = User.objects.get(email=email)
    assert (user.full_name, user.preferred_language, user.is_staff) == (full_name, "km", False)
    assert Consent.objects.filter(user=user, document="terms").exists()
    assert page.url.endswith("/accounts/confirm-email/"), "told to check the e-mail"
    assert session_user_id(page) is None, "signed in only once the address is confirmed (no enumeration)"
    shot(page, "accounts", 4, "signed-up-check-your-email")

    # The verification e-mail is in the outbox; its link opens a page with a button (no change on GET).
    mails = outbox(email)
    assert len(mails) == 1, [m.subject for m in mails]
    page.goto(confirmation_path(mails[0].body))
    assert not EmailAddress.objects.get(email=email).verified
    check_a11y(page)
    shot(page, "accounts", 5, "confirm-email")
    submit(page)
    page.wait_for_load_state()
    assert EmailAddress.objects.get(email=email).verified
    assert session_user_id(page) == str(user.pk), "the confirmation signs in"
    page.goto("/me/")
    assert page.url.endswith("/me/"), "a verified citizen reaches the account home"
    assert full_name in page.locator("main").inner_text()
    assert html_lang(page) == "km"
    shot(page, "accounts", 6, "account-home-km")

    switch_language(page, "en")
    assert page.url.endswith("/me/"), "the switch comes back to the same page"
    assert html_lang(page) == "en"
    user.refresh_from_db()
    assert user.preferred_language == "en", "the choice is remembered on the account"
    check_a11y(page)
    shot(page, "accounts", 7, "account-home-en")

    sign_out(page)
    assert session_user_id(page) is None
    assert html_lang(page) == "en", "the language cookie outlives the session"
    shot(page, "accounts", 8, "signed-out")

    page.goto("/accounts/login/")
    shot(page, "accounts", 9, "sign-in")
    sign_in(page, email, NEW_PASSWORD)
    page.wait_for_url("**/me/")
    assert session_user_id(page) == str(user.pk)
    assert html_lang(page) == "en"
    check_a11y(page)
    shot(page, "accounts", 10, "signed-in-again")


# --------------------------------------------------------------------------------------------------
# b. Sign-up works without JavaScript.
# --------------------------------------------------------------------------------------------------
def test_signup_and_email_confirmation_work_without_javascript(new_page):
    page = new_page("mobile", js=False)
    email = "dara.no-js@example.com"
    page.goto("/accounts/signup/")
    assert page.evaluate("typeof window.htmx") == "undefined", "the page's own scripts must not have run"
    fill_signup(page, full_name="Dara Sok", email=email)
    submit(page)
    page.wait_for_load_state()
    assert "/accounts/signup/" not in page.url, page.locator("main").inner_text()
    user = User.objects.get(email=email)
    assert session_user_id(page) is None

    page.goto(confirmation_path(outbox(email)[0].body))
    submit(page)
    page.wait_for_load_state()
    assert EmailAddress.objects.get(email=email).verified
    assert session_user_id(page) == str(user.pk)
    page.goto("/me/")
    assert page.url.endswith("/me/")
    assert "Dara Sok" in page.locator("main").inner_text()


# --------------------------------------------------------------------------------------------------
# c. A new staff member: first password change, then two-factor enrolment, then the staff home.
# --------------------------------------------------------------------------------------------------
def test_new_staff_changes_password_enrols_totp_then_signs_in_with_it(page, new_staff):
    sign_in(page, new_staff.email, DEMO_PASSWORD)
    page.wait_for_url("**/accounts/password/change/")
    shot(page, "accounts", 11, "staff-must-change-password")
    page.fill("input[name=oldpassword]", DEMO_PASSWORD)
    page.fill("input[name=password1]", NEW_PASSWORD)
    page.fill("input[name=password2]", NEW_PASSWORD)
    submit(page)
    page.wait_for_load_state()
    new_staff.refresh_from_db()
    assert not new_staff.must_change_password

    # Any staff page now leads to the two-factor set-up (allauth first asks for the password again).
    page.goto("/me/")
    if "/accounts/reauthenticate/" in page.url:
        page.fill("input[name=password]", NEW_PASSWORD)
        submit(page)
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    check_a11y(page)
    # Each GET of this page makes a new secret (allauth keeps it in the session), the English check's too:
    # show the one the session now holds.
    page.reload()
    shot(page, "accounts", 12, "staff-must-enrol-totp")
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}=*", secret), secret
    page.fill("input[name=code]", totp_code(secret))
    submit(page)
    page.wait_for_load_state()
    assert new_staff.authenticator_set.filter(type="totp").exists()

    page.goto("/me/")
    assert page.url.endswith("/me/"), "enrolled staff reach the staff home"
    assert page.locator("main a[href='/me/team/08/']").count() == 1
    shot(page, "accounts", 13, "staff-home")
    sign_out(page)
    assert session_user_id(page) is None

    # Second sign-in: password, then a code from the authenticator. allauth refuses a code used twice;
    # the enrolment code may still be the current one, so forget used codes (as 30 s passing would).
    cache.clear()
    sign_in(page, new_staff.email, NEW_PASSWORD, totp_secret=secret)
    page.wait_for_url("**/me/")
    assert session_user_id(page) == str(new_staff.pk)


# --------------------------------------------------------------------------------------------------
# d. An officer of Kandal sees the own province's team, and a 404 for another province's.
# --------------------------------------------------------------------------------------------------
def test_officer_sees_own_province_team_and_404_for_another(
    page, officer_kandal, supervisor_kandal, officer_siem_reap
):
    sign_in(page, officer_kandal.email, DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    page.wait_for_url("**/me/")
    switch_language(page, "en")

    response = page.goto("/me/team/08/")
    assert response.status == 200
    team = page.locator("main").inner_text()
    assert supervisor_kandal.full_name in team and officer_siem_reap.full_name not in team
    shot(page, "accounts", 14, "staff-team-kandal")

    response = page.goto("/me/team/17/")
    assert response.status == 404
    assert page.locator("h1").inner_text().strip() == "Page not found"
    assert officer_siem_reap.full_name not in page.content()
    shot(page, "accounts", 15, "staff-team-other-province-404")


# --------------------------------------------------------------------------------------------------
# e. Bad input: a clear error, the typed values kept.
# --------------------------------------------------------------------------------------------------
def test_signup_with_a_bad_email_shows_the_error_summary_and_keeps_the_name(new_page):
    page = new_page("mobile", language="en")
    page.goto("/accounts/signup/")
    fill_signup(page, full_name="ចាន់ សុភា", email="not-an-email")
    submit(page)
    page.wait_for_load_state()
    assert page.url.endswith("/accounts/signup/")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    link = summary.locator("a[href='#id_email']")
    assert link.count() == 1, summary.inner_html()
    assert page.title().startswith("Error:")
    assert page.locator("#id_email").get_attribute("aria-invalid") == "true"
    assert page.locator("#id_email-error").is_visible()
    assert "id_email-error" in page.locator("#id_email").get_attribute("aria-describedby").split()
    assert page.input_value("input[name=full_name]") == "ចាន់ សុភា"
    assert page.input_value("input[name=email]") == "not-an-email"
    assert page.evaluate("document.activeElement.classList.contains('error-summary')"), "focus on the summary"
    check_a11y(page)
    shot(page, "accounts", 16, "signup-error")
    link.click()
    assert page.evaluate("document.activeElement.id") == "id_email"
    assert not User.objects.filter(full_name="ចាន់ សុភា").exists()


def test_signup_labels_say_optional_once_and_every_hint_is_announced(new_page):
    """Screen readers read a field's hint through aria-describedby: the element it names must hold the
    hint (the password rules are a list, which a <p> cannot contain: the browser empties the <p>)."""
    page = new_page("mobile", language="en")
    page.goto("/accounts/signup/")
    for name in ("email", "phone"):
        label = page.locator(f"label[for=id_{name}]").inner_text()
        assert label.lower().count("optional") == 1, f"label of {name}: {label!r}"
    empty = page.evaluate(
        """() => [...document.querySelectorAll('main [aria-describedby]')].flatMap(el =>
               el.getAttribute('aria-describedby').split(/\\s+/)
                 .filter(id => !(document.getElementById(id)?.textContent.trim()))
                 .map(id => `${el.name} -> #${id}`))"""
    )
    assert not empty, f"aria-describedby pointing at an empty or missing element: {empty}"
    assert "10 characters" in page.locator("#id_password1-hint").inner_text()


def test_a_wrong_totp_code_shows_an_error(new_page, officer_kandal):
    page = new_page("mobile", language="en")
    sign_in(page, officer_kandal.email, DEMO_PASSWORD)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    right = totp_code(DEMO_TOTP_SECRET)
    page.fill("input[name=code]", "000000" if right != "000000" else "111111")
    submit(page)
    page.wait_for_load_state()
    assert "/accounts/2fa/authenticate/" in page.url
    assert page.locator(".error-summary").is_visible() or page.locator(".field__error").count()
    assert page.title().startswith("Error:")
    assert session_user_id(page) is None
    check_a11y(page)
    shot(page, "accounts", 17, "wrong-totp-code")
