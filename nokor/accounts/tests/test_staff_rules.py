"""Staff: first password change, two-factor enrolment before any staff page, idle timeout, lockout."""

import time

import pytest
from django.core.cache import cache

from nokor.accounts.demo import DEMO_PASSWORD
from nokor.accounts.middleware import _ACTIVITY_KEY


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()


def test_new_staff_must_change_password_before_any_staff_page(login, new_staff):
    client = login(new_staff)
    response = client.get("/me/")
    assert response.status_code == 302 and response.url == "/accounts/password/change/"


def test_new_staff_must_enrol_two_factor_after_changing_password(login, new_staff):
    new_staff.must_change_password = False
    new_staff.save(update_fields=["must_change_password"])
    client = login(new_staff)
    response = client.get("/me/")
    assert response.status_code == 302 and response.url == "/accounts/2fa/totp/activate/"
    assert client.get("/admin/").status_code == 302


def test_password_change_lifts_the_obligation(login, new_staff):
    from nokor.accounts.services import password_changed

    password_changed(user=new_staff)
    new_staff.refresh_from_db()
    assert not new_staff.must_change_password


def test_ready_staff_reaches_staff_pages(login, officer_kandal):
    assert login(officer_kandal).get("/me/").status_code == 200


def test_staff_are_signed_out_after_idle_time(login, officer_kandal, settings):
    client = login(officer_kandal)
    assert client.get("/me/").status_code == 200
    session = client.session
    session[_ACTIVITY_KEY] = time.time() - settings.STAFF_IDLE_TIMEOUT_MINUTES * 60 - 5
    session.save()
    response = client.get("/me/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_citizens_have_no_idle_timeout(login, citizen):
    client = login(citizen)
    session = client.session
    session[_ACTIVITY_KEY] = time.time() - 10 * 3600
    session.save()
    assert client.get("/me/").status_code == 200


def test_citizen_cannot_open_the_admin(login, citizen):
    assert login(citizen).get("/admin/", follow=True).status_code == 403


def test_staff_without_administrator_role_cannot_use_the_admin(login, officer_kandal, administrator):
    response = login(officer_kandal).get("/admin/", follow=True)
    assert response.status_code == 403
    assert login(administrator).get("/admin/").status_code == 200


def test_account_is_locked_after_repeated_failed_sign_ins(client, citizen):
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": citizen.email, "password": "wrong-password"})
        assert response.status_code == 200
    response = client.post(
        "/accounts/login/", {"login": citizen.email, "password": DEMO_PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_correct_password_signs_in_before_lockout(client, citizen):
    response = client.post("/accounts/login/", {"login": citizen.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(citizen.pk)


def test_staff_sign_in_asks_for_the_second_factor(client, officer_kandal):
    response = client.post("/accounts/login/", {"login": officer_kandal.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response.url == "/accounts/2fa/authenticate/"
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_officer_sees_the_team_of_own_province(login, officer_kandal, supervisor_kandal):
    response = login(officer_kandal).get("/me/team/08/")
    assert response.status_code == 200
    assert supervisor_kandal.full_name in response.content.decode()


def test_officer_gets_404_on_another_province(login, officer_kandal, officer_siem_reap):
    assert login(officer_kandal).get("/me/team/17/").status_code == 404
    assert login(officer_kandal).get("/me/team/99/").status_code == 404


def test_citizen_cannot_see_teams(login, citizen):
    assert login(citizen).get("/me/team/08/").status_code == 403
