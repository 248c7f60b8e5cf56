"""Rate limits on cybercrime reporting and the scam check, hit for real with the configured budgets
(CYBER_REPORT_RATE_LIMIT reports an hour, CYBER_CHECK_RATE_LIMIT checks a minute, per client address):
over the budget a page answers 429 in the visitor's language with Retry-After, the API 429 problem
details with Retry-After; the budget comes back with the next window, and other addresses keep theirs."""

from __future__ import annotations

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from nokor.cyber import reference_data
from nokor.cyber.models import Report

ATTEMPT = {
    "category": "phishing",
    "identifier": "hxxps://aba-secure-login[.]com/verify",
    "kind": "",
    "more_identifiers": "",
    "channel": "sms",
    "description": "",
    "contact_email": "",
    "contact_phone": "",
}
NOON = "2026-03-02 12:00:05 +07:00"


@pytest.fixture(autouse=True)
def _reference_data(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    reference_data.load()


def test_reports_over_the_hourly_budget_get_a_page_with_retry_after(client):
    limit = settings.CYBER_REPORT_RATE_LIMIT
    with time_machine.travel(NOON, tick=False) as clock:
        for _ in range(limit):
            assert client.post("/cyber/report/attempt/", ATTEMPT).status_code == 302
        response = client.post("/cyber/report/attempt/", ATTEMPT)
        assert response.status_code == 429 and int(response["Retry-After"]) == 3600 - 5
        body = response.content.decode()
        assert "មានការព្យាយាមច្រើនពេកពីការតភ្ជាប់របស់លោកអ្នក" in body  # "Too many attempts came from…"
        assert "ប៉ូលីសលេខ ១១៧" in body  # and where to call when in danger
        assert Report.objects.count() == limit  # the refused one is not filed
        assert Client(REMOTE_ADDR="10.1.2.3").post("/cyber/report/attempt/", ATTEMPT).status_code == 302
        clock.shift(3600)
        assert client.post("/cyber/report/attempt/", ATTEMPT).status_code == 302


def test_the_report_api_shares_the_budget_of_the_pages(client):
    with time_machine.travel(NOON, tick=False):
        for _ in range(settings.CYBER_REPORT_RATE_LIMIT):
            client.post("/cyber/report/attempt/", ATTEMPT)
        response = client.post("/api/v1/cyber/reports", {}, content_type="application/json")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["retry_after"] == int(response["Retry-After"])


def test_scam_checks_over_the_budget_get_a_page_and_the_api_a_problem(client):
    limit = settings.CYBER_CHECK_RATE_LIMIT
    with time_machine.travel(NOON, tick=False) as clock:
        for n in range(limit - 1):
            assert client.get("/cyber/check/", {"q": f"012 345 {n:03d}"}).status_code == 200
        assert client.get("/api/v1/scam-check", {"q": "012 345 999"}).status_code == 200
        page = client.get("/cyber/check/", {"q": "012 345 678"})
        assert page.status_code == 429 and int(page["Retry-After"]) == 55
        assert "លោកអ្នកបានពិនិត្យច្រើនដងក្នុងរយៈពេលខ្លី" in page.content.decode()  # "You made many checks…"
        api = client.get("/api/v1/scam-check", {"q": "012 345 678"})
        assert api.status_code == 429 and api["Retry-After"] == "55"
        assert api.json()["detail"] == "មានការពិនិត្យច្រើនពេកពីអាសយដ្ឋាននេះ។ សូមព្យាយាមម្តងទៀតនៅពេលក្រោយ។"
        assert Client(REMOTE_ADDR="10.1.2.3").get("/cyber/check/", {"q": "012 345 678"}).status_code == 200
        clock.shift(60)
        assert client.get("/cyber/check/", {"q": "012 345 678"}).status_code == 200
