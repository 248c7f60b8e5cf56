"""Pinned query counts of the pages the benchmark measures (issue 4: "no page issues more than a fixed
number of queries regardless of data size"): each page is measured with a small and a larger seeded
database, both with more open applications than one page of the queue shows."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from nokor.accounts import demo
from nokor.accounts.roles import Role
from nokor.services import selectors
from nokor.services.models import Application, Status

FACTS = "NOKOR_SEED "
# Queries of each page, whatever the number of applications. Every staff page reads the session and the
# user (2); their second factor, roles and unread count come from the cache once a page has read them
# (nokor.core.userfacts). An audit event is one INSERT (sealed into the chain later by the worker).
QUEUE = 6  # + the count, the page's keys (from the index alone), its rows, the services of the filter
SEARCH = 6  # the same page, filtered by a reference
# + the application, the audit of the view, the change right, units, files, timeline (an officer's
# page: a supervisor's adds one, the assignment choices):
DETAIL = 10
VERIFY = 5  # anonymous: the document and its holder, the audit event


@pytest.fixture(params=[120, 360], ids=["small", "larger"])
def seeded(request, settings, catalogue, officer_kandal, other_citizen):
    """A seeded database where most applications are open in Kandal: several pages of the queue."""
    settings.DEMO = True
    out = io.StringIO()
    call_command("seed_scale", "--applications", str(request.param), stdout=out)
    facts = json.loads(
        next(line for line in out.getvalue().splitlines() if line.startswith(FACTS)).removeprefix(FACTS)
    )
    Application.objects.filter(status=Status.APPROVED).exclude(pk=facts["services"]["application_id"]).update(
        status=Status.IN_REVIEW
    )
    assert Application.objects.filter(status=Status.IN_REVIEW, unit__code__startswith="08").count() > 2 * 25
    return facts["services"]


@pytest.fixture
def officer(login, officer_kandal):
    client = login(officer_kandal)
    client.get("/services/queue/")  # the session's first writes (last sign-in, idle clock) are done
    return client


def test_the_queue_first_page_costs_a_fixed_number_of_queries(seeded, officer, django_assert_num_queries):
    with django_assert_num_queries(QUEUE):
        response = officer.get("/services/queue/")
    assert response.status_code == 200 and len(response.context["page_obj"].object_list) == 25
    assert response.context["page_obj"].paginator.num_pages > 2


def test_a_later_page_of_the_queue_costs_the_same(seeded, officer, django_assert_num_queries):
    with django_assert_num_queries(QUEUE):
        response = officer.get("/services/queue/", {"page": "2", "sort": "-deadline"})
    assert len(response.context["page_obj"].object_list) == 25


def test_the_search_by_reference_costs_a_fixed_number_of_queries(seeded, officer, django_assert_num_queries):
    with django_assert_num_queries(SEARCH):
        response = officer.get("/services/queue/", {"q": seeded["application_reference"]})
    assert [a.reference for a in response.context["page_obj"]] == [seeded["application_reference"]]


def test_the_application_page_costs_a_fixed_number_of_queries(seeded, officer, django_assert_num_queries):
    with django_assert_num_queries(DETAIL):
        response = officer.get(f"/services/queue/{seeded['application_id']}/")
    assert response.status_code == 200 and seeded["application_reference"] in response.content.decode()


def test_the_verify_page_costs_a_fixed_number_of_queries(seeded, client, django_assert_num_queries):
    with django_assert_num_queries(VERIFY):
        response = client.get(f"/verify/{seeded['document_code']}")
    assert response.status_code == 200 and seeded["document_display_code"] in response.content.decode()


def test_the_queue_pages_are_disjoint_and_in_deadline_order(seeded, officer):
    seen = []
    for page in ("1", "2", "3"):
        seen += list(officer.get("/services/queue/", {"page": page}).context["page_obj"].object_list)
    assert len({a.pk for a in seen}) == len(seen) == 75
    assert [a.deadline for a in seen] == sorted(a.deadline for a in seen)


def test_the_assignment_choices_are_the_office_and_those_above_in_one_query(
    submitted, officer_kandal, units, django_assert_num_queries
):
    """Officers elsewhere in the country are never read, however many there are (100,000 staff at
    benchmark scale made the application page read them all); nationwide staff are reached by e-mail."""
    elsewhere = demo.create_staff(
        demo.DemoPerson(
            "pp", "pp.officer@demo.nokor.gov.kh", "Phnom Penh officer", Role.SERVICE_OFFICER, "12"
        )
    )
    nationwide = demo.create_staff(
        demo.DemoPerson("nat", "nat.super@demo.nokor.gov.kh", "National supervisor", Role.SERVICE_SUPERVISOR)
    )
    with django_assert_num_queries(1):
        choices = dict(selectors.officers_for(submitted))
    assert str(officer_kandal.pk) in choices
    assert str(elsewhere.pk) not in choices and str(nationwide.pk) not in choices


def test_the_assignment_list_is_bounded_and_puts_the_nearest_office_first(submitted, units, monkeypatch):
    monkeypatch.setattr(selectors, "ASSIGN_CHOICES", 2)
    code = submitted.unit.code
    province = [
        demo.create_staff(
            demo.DemoPerson(f"p{i}", f"p{i}@demo.nokor.gov.kh", f"A prov {i}", Role.SERVICE_OFFICER, code[:2])
        )
        for i in range(3)
    ]
    own = demo.create_staff(
        demo.DemoPerson("own", "own@demo.nokor.gov.kh", "Z own office", Role.SERVICE_OFFICER, code)
    )
    choices = [pk for pk, _label in selectors.officers_for(submitted)][1:]
    assert len(choices) == 2 and str(own.pk) in choices and str(province[0].pk) in choices
