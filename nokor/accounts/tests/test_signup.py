"""Citizen sign-up with e-mail or phone, verification, consent, and clear errors that keep input."""

import html
import re

import pytest
from allauth.account.models import EmailAddress

from nokor.accounts.models import Consent, User
from nokor.notifications.models import Message

GOOD = {
    "full_name": "ចាន់ សុភា",
    "password1": "a-long-passphrase-2026",
    "password2": "a-long-passphrase-2026",
    "preferred_language": "km",
    "accept_terms": "on",
}


@pytest.fixture
def signup(client, db):
    def post(**fields):
        return client.post("/accounts/signup/", {**GOOD, **fields})

    return post


def test_citizen_signs_up_with_email_and_is_signed_in_by_its_confirmation_link(client, signup):
    response = signup(email="sophea@example.com")
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session  # not before the address is confirmed (enumeration)
    user = User.objects.get(email="sophea@example.com")
    assert user.full_name == "ចាន់ សុភា" and user.preferred_language == "km" and not user.is_staff
    assert Consent.objects.filter(user=user, document="terms").exists()
    mail = Message.objects.get(to="sophea@example.com", channel="email")
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.body).group(1)
    assert client.post(link).status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)


def test_citizen_signs_up_with_phone_in_local_form(signup):
    response = signup(phone="012 345 678")
    assert response.status_code == 302
    user = User.objects.get(phone="+85512345678")
    sms = Message.objects.get(to="+85512345678", channel="sms")
    assert re.search(r"\d{4,}", sms.body)
    assert user.email is None


@pytest.mark.parametrize("typed", ["012 345 678", "012345678", "+855 12 345 678", "+85512345678"])
def test_citizen_signs_in_with_the_phone_number_written_any_common_way(client, signup, typed):
    signup(phone="012 345 678")
    User.objects.filter(phone="+85512345678").update(phone_verified=True)
    client.logout()
    response = client.post("/accounts/login/", {"login": typed, "password": GOOD["password1"]})
    assert response.status_code == 302 and response["Location"] == "/me/"


def test_signup_needs_email_or_phone_and_keeps_what_was_typed(signup):
    response = signup(full_name="សុភា")
    assert response.status_code == 200
    body = response.content.decode()
    assert "error-summary" in body
    assert 'value="សុភា"' in body
    assert not User.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("email", "not-an-email"), ("phone", "12")])
def test_bad_email_or_phone_is_refused_with_a_message(signup, field, value):
    response = signup(**{field: value}, full_name="Keep me")
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert 'value="Keep me"' in response.content.decode()
    assert not User.objects.exists()


def test_terms_must_be_accepted(signup):
    response = signup(email="x@example.com", accept_terms="")
    assert "accept_terms" in response.context["form"].errors


def test_unverified_citizen_is_sent_to_verify_before_account_pages(client, signup):
    signup(email="late@example.com")  # the link is never followed; the citizen signs in with the password
    client.post("/accounts/login/", {"login": "late@example.com", "password": GOOD["password1"]})
    assert "_auth_user_id" in client.session
    response = client.get("/me/data/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/email/")


@pytest.mark.parametrize("language", ["km", "en"])
def test_sign_up_prints_as_a_paper_form_without_a_password(client, db, language):
    client.cookies["nokor_language"] = language
    assert 'href="/accounts/signup/paper-form/"' in client.get("/accounts/signup/").content.decode()
    response = client.get("/accounts/signup/paper-form/")
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    for name in ["full_name", "email", "phone", "preferred_language", "accept_terms"]:
        assert f'data-field="{name}"' in page
    assert 'data-field="password1"' not in page and 'data-field="password2"' not in page
    phone = page[page.index('data-field="phone"') :]
    assert phone[: phone.index('data-field="preferred_language"')].count('class="paper-box"') == 10


def test_the_paper_sign_up_tells_never_to_write_a_password(client, db):
    client.cookies["nokor_language"] = "en"
    page = html.unescape(client.get("/accounts/signup/paper-form/").content.decode())
    assert "Never write a password on this form" in page
    assert "I accept the terms of use and the privacy notice" in page
