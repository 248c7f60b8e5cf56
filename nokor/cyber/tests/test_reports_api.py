"""The reporting API: POST /api/v1/cyber/reports — 201 with the reference and tracking code, 400 problem
details naming the bad fields, 415 for a body that is not JSON, 429 with Retry-After, no CSRF token
needed, never tied to a browser session, and documented in the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from nokor.cyber import reference_data, reports
from nokor.cyber.models import Report
from nokor.notifications.models import Message

URL = "/api/v1/cyber/reports"


@pytest.fixture(autouse=True)
def _reference_data(db):
    cache.clear()  # the rate limits count in the cache
    reference_data.load()


def post(client, body, **extra):
    return client.post(URL, data=json.dumps(body), content_type="application/json", **extra)


def test_an_anonymous_report_is_created(client):
    incident = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    response = post(
        client,
        {
            "category": "online-fraud",
            "description": "A fake investment site took 500 dollars.",
            "incident_date": incident,
            "identifiers": [
                "012 345 678",
                {"kind": "phone", "value": "+855 12 345 678"},
                {"value": "hxxps://kh-crypto-profit[.]com"},
                "not an identifier at all",
            ],
            "contact": {"email": "victim@example.com"},
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    report = Report.objects.get(reference=data["reference"])
    assert report.reporter is None and report.category.slug == "online-fraud"
    assert report.incident_date.isoformat() == incident and report.contact_email == "victim@example.com"
    assert set(report.sightings.values_list("kind", "value", "recognized")) == {
        ("phone", "+85512345678", True),
        ("url", "https://kh-crypto-profit.com/", True),
        ("unknown", "not an identifier at all", False),
    }
    assert {item["value"] for item in data["identifiers"]} == {
        "+85512345678",
        "https://kh-crypto-profit.com/",
        "not an identifier at all",
    }
    assert data["status"] == "received" and data["status_url"].endswith("/cyber/report/status/")
    assert reports.report_for_tracking(reference=data["reference"], code=data["tracking_code"]) == report
    assert Message.objects.filter(to="victim@example.com", subject__contains=report.reference).exists()


def test_the_tracking_code_from_the_api_works_on_the_status_page(client):
    data = post(client, {"category": "phishing", "attempt_only": True, "identifiers": ["012 345 678"]}).json()
    response = client.post(
        "/cyber/report/status/", {"reference": data["reference"], "code": data["tracking_code"]}, follow=True
    )
    assert response.status_code == 200 and response.context["report"].reference == data["reference"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"description": "no category"}, {"category"}),
        ({"category": "no-such-category", "description": "x"}, {"category"}),
        ({"category": "phishing"}, {"description"}),
        ({"category": "phishing", "attempt_only": True}, {"identifiers"}),
        ({"category": "phishing", "description": "x", "incident_date": "20-11-2026"}, {"incident_date"}),
        ({"category": "phishing", "description": "x", "incident_date": "2999-01-01"}, {"incident_date"}),
        (
            {"category": "phishing", "description": "x", "identifiers": [{"kind": "planet", "value": "x"}]},
            {"identifiers[0]"},
        ),
        ({"category": "phishing", "description": "x", "identifiers": ["ok", 42]}, {"identifiers[1]"}),
        ({"category": "phishing", "description": "x", "contact": {"email": "nope"}}, {"contact.email"}),
        ({"category": "phishing", "description": "x", "contact": {"phone": "12"}}, {"contact.phone"}),
        ({"category": "phishing", "description": "x", "colour": "blue"}, {"colour"}),
        ({"category": "phishing", "description": "x", "channel": "pigeon"}, {"channel"}),
    ],
)
def test_invalid_input_is_a_problem_naming_the_fields(client, body, fields):
    response = post(client, body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and problem["type"] == "urn:nokor:problem:invalid-report"
    assert problem["title"] and problem["detail"]
    assert {error["field"] for error in problem["errors"]} == fields
    assert all(error["pointer"].startswith("/") and error["detail"] for error in problem["errors"])
    assert not Report.objects.exists()


def test_a_body_that_is_not_json_is_refused(client):
    response = client.post(URL, data="{not json", content_type="application/json")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    response = client.post(URL, data="[1, 2]", content_type="application/json")
    assert response.status_code == 400
    response = client.post(URL, data={"category": "phishing", "description": "form post"})
    assert response.status_code == 415 and response.json()["status"] == 415
    assert not Report.objects.exists()


def test_reports_are_rate_limited_per_ip(client, settings):
    settings.CYBER_REPORT_RATE_LIMIT = 2
    body = {"category": "phishing", "attempt_only": True, "identifiers": ["012 345 678"]}
    assert [post(client, body).status_code for _ in range(2)] == [201, 201]
    response = post(client, body)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert response["Content-Type"] == "application/problem+json" and response.json()["status"] == 429
    other = post(client, body, REMOTE_ADDR="10.0.0.9")  # another client has its own budget
    assert other.status_code == 201


def test_the_pages_and_the_api_share_the_budget(client, settings):
    settings.CYBER_REPORT_RATE_LIMIT = 1
    body = {"category": "phishing", "attempt_only": True, "identifiers": ["012 345 678"]}
    assert post(client, body).status_code == 201
    response = client.post(
        "/cyber/report/attempt/", {"category": "phishing", "identifier": "012 345 678", "kind": ""}
    )
    assert response.status_code == 429


def test_no_csrf_token_is_needed_and_the_session_is_ignored(citizen):
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    response = post(client, {"category": "phishing", "attempt_only": True, "identifiers": ["012 345 678"]})
    assert response.status_code == 201
    assert Report.objects.get().reporter is None  # an API report is anonymous, whoever's browser sent it


def test_the_operation_is_documented_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/cyber/reports"]["post"]
    assert operation["summary"] == "Report a cybercrime or a scam attempt"
    assert "problem+json" in operation["description"] and "Retry-After" in operation["description"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert {"category", "description", "incident_date", "identifiers", "contact"} <= set(body["properties"])
    assert "$ref" not in json.dumps(body)
    assert {"201", "400", "429"} <= set(operation["responses"])
