"""The scam check API: ``GET /api/v1/scam-check?q=…`` — the contract, errors, rate limit, OpenAPI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from nokor.api import api
from nokor.cyber.models import Verdict
from nokor.cyber.tests.factories_check import (  # noqa: F401 (fixtures)
    categories_fixture,
    fresh_rate_limit_fixture,
    make_report_fixture,
)

URL = "/api/v1/scam-check"
ALWAYS = {"query", "kind", "normalized", "listed", "searched"}
WHEN_LISTED = {"report_count", "first_reported", "last_reported", "categories", "confirmed"}


def test_a_listed_number_answers_exactly_the_contract(client, make_report):
    first = timezone.now() - dt.timedelta(days=40)
    make_report("012 345 678", at=first, category="impersonation")
    make_report("012 345 678")
    make_report("+855 12 345 678")
    response = client.get(URL, {"q": "(012) 345-678"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert set(data) == ALWAYS | WHEN_LISTED
    assert data == {
        "query": "(012) 345-678",
        "kind": "phone",
        "normalized": "+85512345678",
        "listed": True,
        "report_count": 3,
        "first_reported": timezone.localtime(first).date().isoformat(),
        "last_reported": timezone.localdate().isoformat(),
        "categories": ["impersonation", "investment-scam"],
        "confirmed": False,
        "searched": 1,
    }


def test_an_unlisted_number_gives_no_counts(client, make_report):
    make_report("012 345 678")
    make_report("012 345 678")
    data = client.get(URL, {"q": "012345678"}).json()
    assert set(data) == ALWAYS and data["listed"] is False and data["searched"] == 1


def test_a_confirmed_number_with_one_report_is_listed_and_says_so(client, make_report, investigator):
    make_report("012 345 678")
    Verdict.objects.create(
        kind="phone", value="+85512345678", outcome=Verdict.Outcome.CONFIRMED, decided_by=investigator
    )
    data = client.get(URL, {"q": "012 345 678"}).json()
    assert data["listed"] is True and data["confirmed"] is True and data["report_count"] == 1


def test_an_identifier_confirmed_before_any_report_has_no_dates(client, db, cyber_supervisor):
    Verdict.objects.create(
        kind="bakong", value="scam.agent@wing", outcome=Verdict.Outcome.CONFIRMED, decided_by=cyber_supervisor
    )
    data = client.get(URL, {"q": "scam.agent@wing"}).json()
    assert data["listed"] is True and data["report_count"] == 0
    assert data["first_reported"] is None and data["last_reported"] is None and data["categories"] == []


def test_a_web_address_gives_its_domain_and_whether_it_is_listed(client, make_report):
    for page in ("a", "b", "c"):
        make_report(f"https://scam-shop.com/{page}")
    data = client.get(URL, {"q": "hxxps://login.scam-shop[.]com/verify"}).json()
    assert set(data) == ALWAYS | WHEN_LISTED | {"domain", "domain_listed", "domain_report_count"}
    assert data["kind"] == "url" and data["normalized"] == "https://login.scam-shop.com/verify"
    assert data["domain"] == "scam-shop.com" and data["domain_listed"] is True
    assert data["listed"] is True and data["report_count"] == data["domain_report_count"] == 3
    unlisted = client.get(URL, {"q": "https://example.org/"}).json()
    assert set(unlisted) == ALWAYS | {"domain", "domain_listed"}
    assert unlisted["domain"] == "example.org" and unlisted["domain_listed"] is False


@pytest.mark.parametrize(
    ("query", "kind", "normalized"),
    [
        ("០១២ ៣៤៥ ៦៧៨", "phone", "+85512345678"),
        ("WWW.Example.COM/Path", "url", "http://www.example.com/Path"),
        ("example[.]com", "domain", "example.com"),
        ("Sokha[at]Example.com", "email", "sokha@example.com"),
        ("ABA 000 123 456", "bank_account", "ABA:000123456"),
        ("Sokha@ACLB", "bakong", "sokha@aclb"),
        (
            "0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED",
            "crypto",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        ),
        ("@Scam.Agent", "handle", "scam.agent"),
        ("my neighbour Dara", "unknown", "my neighbour Dara"),
    ],
)
def test_every_kind_is_recognised_and_normalised(client, db, query, kind, normalized):
    data = client.get(URL, {"q": query}).json()
    assert (data["kind"], data["normalized"], data["listed"]) == (kind, normalized, False)


def test_no_reporter_data_is_ever_returned(client, make_report, citizen):
    make_report("012 345 678", contact_phone="+85570123456", contact_email="victim@example.com")
    make_report("012 345 678", reporter=citizen, contact_email="other.victim@example.com")
    make_report("012 345 678", anonymous=True)
    body = client.get(URL, {"q": "012 345 678"}).content.decode()
    assert '"listed": true' in body.replace('"listed":true', '"listed": true')
    for private in (
        "+85570123456",
        "victim@example.com",
        citizen.email,
        citizen.full_name,
        "CY-TEST-",
        "send money",
        "reporter",
        "contact",
    ):
        assert private not in body


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "  \u200b "}])
def test_a_missing_or_empty_query_is_a_problem(client, db, params):
    response = client.get(URL, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and problem["title"] == "Bad Request" and "q" in problem["detail"]


def test_too_many_checks_are_refused_with_retry_after(client, db, settings):
    settings.CYBER_CHECK_RATE_LIMIT = 2
    assert client.get(URL, {"q": "012 345 678"}).status_code == 200
    assert client.get("/cyber/check/", {"q": "012 345 678"}).status_code == 200  # one shared budget
    response = client.get(URL, {"q": "012 345 678"})
    assert response.status_code == 429 and response["Content-Type"] == "application/problem+json"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["retry_after"] == int(response["Retry-After"])
    assert client.get(URL, {"q": "012 345 678"}, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_the_api_needs_no_account_and_sets_no_cookie(client, db):
    response = client.get(URL, {"q": "012 345 678"})
    assert response.status_code == 200 and not response.cookies


def test_searches_are_counted_across_written_forms(client, db):
    assert client.get(URL, {"q": "012 345 678"}).json()["searched"] == 1
    assert client.get(URL, {"q": "+85512345678"}).json()["searched"] == 2


def test_a_check_through_the_api_costs_a_fixed_number_of_queries(
    client, make_report, django_assert_max_num_queries
):
    for _ in range(20):
        make_report("https://scam-shop.com/pay")
    client.get(URL, {"q": "https://scam-shop.com/pay"})
    with django_assert_max_num_queries(6):
        assert client.get(URL, {"q": "https://scam-shop.com/pay"}).json()["report_count"] == 20


def test_the_operation_is_documented_for_openapi(db):
    # As served (JSON: the status codes become strings).
    schema = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"), cls=DjangoJSONEncoder))
    operation = schema["paths"]["/api/v1/scam-check"]["get"]
    assert operation["summary"].startswith("Check a phone number")
    assert "listed" in operation["description"] and "429" in operation["description"]
    assert {} in operation["security"]  # public: an API key is optional
    assert set(operation["responses"]) == {"200", "400", "429", "default"}
    assert "application/problem+json" in operation["responses"]["400"]["content"]
    assert "application/problem+json" in operation["responses"]["429"]["content"]
    assert [p["name"] for p in operation["parameters"]] == ["q"]
    fields = schema["components"]["schemas"]["ScamCheckOut"]["properties"]
    assert ALWAYS | WHEN_LISTED | {"domain", "domain_listed", "domain_report_count"} == set(fields)
    assert fields["kind"]["enum"] == [
        "phone",
        "url",
        "domain",
        "email",
        "bank_account",
        "bakong",
        "crypto",
        "handle",
        "unknown",
    ]
