"""A signed-in person's roles, second factor and unread count: cached, and dropped the moment they change."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.core.cache import cache

from nokor.accounts import services as accounts
from nokor.accounts.models import User
from nokor.accounts.roles import Role
from nokor.core import userfacts
from nokor.notifications.services import inbox_mark_read, notify

HOME = "/me/"


def fresh(user) -> User:
    """The person as the next request loads them (no per-request memo)."""
    return User.objects.get(pk=user.pk)


def test_a_page_reads_the_facts_once_then_from_the_cache(login, officer_kandal, django_assert_num_queries):
    client = login(officer_kandal)
    client.get(HOME)
    with django_assert_num_queries(2):  # the session and the user; roles, second factor, unread: cached
        assert client.get(HOME).status_code == 200


def test_an_ended_role_stops_at_once(login, officer_kandal, administrator):
    client = login(officer_kandal)
    assert client.get("/services/queue/").status_code == 200
    for assignment in fresh(officer_kandal).active_roles:
        accounts.role_end(by=administrator, assignment=assignment)
    assert fresh(officer_kandal).active_roles == []
    assert client.get("/services/queue/").status_code in (403, 404)


def test_a_new_role_applies_at_once_and_only_from_its_start(officer_kandal, administrator, units):
    assert not fresh(officer_kandal).has_any_role({Role.TRAINER})
    accounts.role_assign(by=administrator, user=officer_kandal, role=Role.TRAINER, unit=units["08"])
    assert fresh(officer_kandal).has_any_role({Role.TRAINER})
    later = fresh(officer_kandal).active_roles[0].valid_from.replace(year=2099)
    accounts.role_assign(by=administrator, user=officer_kandal, role=Role.AUDITOR, valid_from=later)
    assert not fresh(officer_kandal).has_any_role({Role.AUDITOR})  # cached, but not begun


def test_removing_the_second_factor_sends_staff_back_to_set_it_up(login, officer_kandal):
    client = login(officer_kandal)
    assert client.get(HOME).status_code == 200
    Authenticator.objects.filter(user=officer_kandal).delete()
    response = client.get(HOME)
    assert response.status_code == 302 and "totp" in response["Location"]


def test_the_unread_count_follows_new_and_read_messages(citizen):
    assert userfacts.fact(fresh(citizen), "unread") == 0
    notify(user=citizen, event="account.password_changed", context={}, key="test-1")
    assert userfacts.fact(fresh(citizen), "unread") == 1
    inbox_mark_read(user=citizen)  # a bulk update
    assert userfacts.fact(fresh(citizen), "unread") == 0


def test_nothing_is_cached_when_the_time_is_zero(settings, citizen):
    settings.USER_FACTS_CACHE_SECONDS = 0
    assert userfacts.fact(fresh(citizen), "unread") == 0
    assert cache.get(userfacts._key(citizen.pk, "unread")) is None
