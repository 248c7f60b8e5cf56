"""Personal data: export holds the user's data and only theirs; deletion keeps what the law requires;
'who viewed my data' shows offices by role and unit; language is remembered."""

import json

from django.conf import settings

from nokor.accounts.models import User
from nokor.audit.models import AuditEvent
from nokor.audit.services import audit_view
from nokor.notifications.services import notify


def test_export_holds_my_data_and_only_mine(login, citizen, other_citizen):
    notify(user=citizen, event="account.welcome", context={}, key="w1")
    notify(user=other_citizen, event="account.welcome", context={}, key="w2")
    response = login(citizen).get("/me/data/?format=json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"]["email"] == citizen.email
    assert data["account"]["consents"][0]["document"] == "terms"
    assert {m["to"] for m in data["messages"]} <= {"", citizen.email}
    assert other_citizen.email not in response.content.decode()
    assert AuditEvent.objects.filter(action="personal_data.export", subject=citizen).exists()


def test_export_page_is_readable(login, citizen):
    response = login(citizen).get("/me/data/")
    assert response.status_code == 200
    assert citizen.email in response.content.decode()


def test_export_needs_sign_in(client, db):
    response = client.get("/me/data/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_delete_account_anonymises_and_signs_out(login, citizen):
    client = login(citizen)
    notify(user=citizen, event="account.welcome", context={}, key="w1")
    assert client.post("/me/delete/", {}).status_code == 200  # confirmation box not ticked
    response = client.post("/me/delete/", {"confirm": "on"})
    assert response.status_code == 200
    citizen.refresh_from_db()
    assert citizen.email is None and citizen.full_name == "" and not citizen.is_active
    assert not citizen.messages.exists()
    assert client.get("/me/").status_code == 302


def test_staff_cannot_use_the_citizen_deletion(login, officer_kandal):
    assert login(officer_kandal).get("/me/delete/").status_code == 403


def test_who_viewed_my_data_shows_role_and_unit_not_name(login, citizen, officer_kandal, units):
    audit_view(actor=officer_kandal, obj=citizen, subject=citizen, unit=units["08"])
    response = login(citizen).get("/audit/my-data/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Service officer" in body or "មន្ត្រី" in body
    assert "Kandal" in body or "កណ្តាល" in body
    assert officer_kandal.full_name not in body


def test_language_switch_is_remembered_on_the_account_and_in_the_browser(login, citizen):
    client = login(citizen)
    response = client.post("/language/", {"language": "en", "next": "/me/"})
    assert response.status_code == 302 and response.url == "/me/"
    assert response.cookies["nokor_language"].value == "en"
    assert User.objects.get(pk=citizen.pk).preferred_language == "en"


def test_language_switch_refuses_foreign_redirects(client, db):
    response = client.post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert response.url == "/"


def test_language_switch_rejects_get(client, db):
    assert client.get("/language/").status_code == 405


def test_language_switch_from_another_site_is_refused(client):
    response = client.post("/language/", {"language": "en"}, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_language_switch_needs_no_csrf_token_from_the_same_site(client):
    client = type(client)(enforce_csrf_checks=True)
    response = client.post(
        "/language/", {"language": "en", "next": "/"}, headers={"Origin": "http://testserver"}
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
