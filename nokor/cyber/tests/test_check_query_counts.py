"""Pinned query counts of what the benchmark measures in the cybercrime app (issue 5): the scam check
API and page, and a report sent to the API, each with a small and a larger seeded database. The most
reported number of the seed names many reports: its check still reads a fixed number of rows' worth of
queries (an aggregate), and once its answer is cached, only its search counter."""

from __future__ import annotations

import io
import json

import pytest
from django.core.cache import cache
from django.core.management import call_command

from nokor.cyber.models import Report, SearchCount

FACTS = "NOKOR_SEED "
# The search counter: one INSERT … ON CONFLICT DO UPDATE (tests write each search at once; see
# nokor/cyber/searchcounts.py). On a cache miss, the sightings aggregate, the verdicts, the allow-list and
# the categories.
CHECK_CACHED = 1
CHECK_UNCACHED = 1 + 4
FIRST_SEARCH_UNCACHED = 1 + 3  # the counter; aggregate, verdict, allow-list (nothing listed: no categories)
PAGE_EXTRA = 1  # the page also reads the names of the categories shown (only when listed)
REPORT = 16  # see test_a_report_sent_to_the_api_costs_a_fixed_number_of_queries


@pytest.fixture(params=[60, 240], ids=["small", "larger"])
def seeded(request, settings, units, investigator):
    settings.DEMO = True
    settings.CYBER_CHECK_RATE_LIMIT = 10_000
    settings.CYBER_REPORT_RATE_LIMIT = 10_000
    cache.clear()
    out = io.StringIO()
    call_command("seed_scale", "--reports", str(request.param), "--sightings-per-report", "5", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if line.startswith(FACTS))
    facts = json.loads(line.removeprefix(FACTS))["cyber"]
    assert facts["listed_sightings"] >= 3
    yield facts
    cache.clear()


def check(client, query):
    return client.get("/api/v1/scam-check", {"q": query})


def test_a_listed_number_costs_a_fixed_number_of_queries(seeded, client, django_assert_num_queries):
    check(client, seeded["listed_phone_written"])  # its counter exists from now on
    cache.clear()
    with django_assert_num_queries(CHECK_UNCACHED):
        response = check(client, seeded["listed_phone_written"])
    assert response.json()["listed"] is True
    with django_assert_num_queries(CHECK_CACHED):
        again = check(client, seeded["listed_phone_written"])
    assert again.json()["report_count"] == response.json()["report_count"]
    assert again.json()["searched"] == response.json()["searched"] + 1


def test_an_unknown_number_costs_a_fixed_number_of_queries(seeded, client, django_assert_num_queries):
    with django_assert_num_queries(FIRST_SEARCH_UNCACHED):
        response = check(client, seeded["unknown_phone"])
    assert response.json()["listed"] is False and response.json()["searched"] == 1
    with django_assert_num_queries(CHECK_CACHED):
        assert check(client, seeded["unknown_phone"]).json()["searched"] == 2
    assert SearchCount.objects.get(value=response.json()["normalized"]).count == 2


def test_the_check_page_costs_a_fixed_number_of_queries(seeded, client, django_assert_num_queries):
    client.get("/cyber/check/", {"q": seeded["listed_phone_written"]})
    cache.clear()
    with django_assert_num_queries(CHECK_UNCACHED + PAGE_EXTRA):
        response = client.get("/cyber/check/", {"q": seeded["listed_phone_written"]})
    assert "notice--error" in response.content.decode()
    with django_assert_num_queries(CHECK_CACHED + PAGE_EXTRA):
        client.get("/cyber/check/", {"q": seeded["listed_phone_written"]})


def test_a_new_report_is_counted_at_once_by_the_process_that_received_it(seeded, client):
    before = check(client, seeded["listed_phone_written"]).json()["report_count"]
    sent = client.post(
        "/api/v1/cyber/reports",
        {
            "category": "phishing",
            "attempt_only": True,
            "identifiers": [seeded["listed_phone_written"]],
            "contact": {"email": "someone.new@example.com"},
        },
        content_type="application/json",
    )
    assert sent.status_code == 201
    assert check(client, seeded["listed_phone_written"]).json()["report_count"] == before + 1


def test_a_report_sent_to_the_api_costs_a_fixed_number_of_queries(seeded, client, django_assert_num_queries):
    body = {
        "category": "phishing",
        "channel": "sms",
        "attempt_only": True,
        "consent": True,
        "description": "SMS: your account is blocked, click the link to verify.",
        "identifiers": [seeded["listed_phone_written"], "hxxps://bank-verify12[.]com/login"],
        "contact": {"email": "bench.1@example.com"},
    }
    # The category, the allow-list, the other reports naming the identifiers, the year's number (1),
    # the report, its sightings, the audit event (one insert), the acknowledgement e-mail and its task (6).
    with django_assert_num_queries(REPORT):
        response = client.post("/api/v1/cyber/reports", body, content_type="application/json")
    assert response.status_code == 201
    assert Report.objects.get(reference=response.json()["reference"]).sightings.count() == 2
