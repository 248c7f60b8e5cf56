"""The staff menu offers each person the pages their roles open, and no other."""

import pytest

from nokor.core.navigation import STAFF_MENU, staff_menu

pytestmark = pytest.mark.django_db


def paths(user):
    return [path for path, _label in staff_menu(user)]


def test_every_entry_leads_to_a_view_with_a_declared_rule(administrator):
    assert {"services:queue", "cyber:triage"} <= set(STAFF_MENU)
    assert len(paths(administrator)) <= len(STAFF_MENU)


def test_officer_sees_the_applications_queue_not_the_cyber_pages(officer_kandal):
    assert "/services/queue/" in paths(officer_kandal)
    assert not any(p.startswith("/cyber/") for p in paths(officer_kandal))


def test_investigator_sees_the_cyber_pages_not_the_applications(investigator):
    shown = paths(investigator)
    assert any(p.startswith("/cyber/staff/") for p in shown)
    assert not any(p.startswith("/services/") for p in shown)


def test_menu_is_in_the_page(login, investigator, officer_kandal):
    page = login(investigator).get("/me/").content.decode()
    assert 'href="/cyber/staff/reports/"' in page
    page = login(officer_kandal).get("/me/").content.decode()
    assert 'href="/cyber/staff/reports/"' not in page


def test_citizens_and_visitors_get_no_staff_menu(citizen, anonymous):
    assert paths(anonymous) == []
    assert paths(citizen) == []
