"""API keys: created shown once and stored hashed, used with a scope, refused without it, expired,
revoked, rate-limited (429 with Retry-After), counted per day without a write per call."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from nokor.audit.models import AuditEvent
from nokor.integrations import services
from nokor.integrations.models import ApiKey, ApiKeyUsage
from nokor.integrations.tests.conftest import bearer
from nokor.integrations.usage import USAGE, UsageCounter

CHECK = "/api/v1/scam-check"


def test_a_key_is_stored_hashed_and_shown_once(make_key):
    token = make_key("scam-check:read")
    key = ApiKey.objects.get()
    assert token.startswith(f"nk_{key.prefix}_")
    secret = token.split("_", 2)[2]
    assert secret not in key.secret_hash and len(key.secret_hash) == 64
    event = AuditEvent.objects.get(action="integrations.api_key_create")
    assert secret not in str(event.details)


def test_a_key_with_the_scope_checks_a_number(client, make_key):
    response = client.get(CHECK, {"q": "012 345 678"}, **bearer(make_key("scam-check:read")))
    assert response.status_code == 200 and response.json()["normalized"] == "+85512345678"


def test_a_key_without_the_scope_is_refused_with_a_problem(client, make_key):
    response = client.get(
        CHECK, {"q": "012 345 678"}, HTTP_ACCEPT_LANGUAGE="en", **bearer(make_key("documents:verify"))
    )
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["title"] == "Forbidden" and "scam-check:read" in problem["detail"]


@pytest.mark.parametrize(
    "token",
    ["nk_000000000000_wrong", "nk_", "garbage", "nk_abc", "Bearer"],
)
def test_an_unknown_key_is_401_not_anonymous(client, db, token):
    response = client.get(CHECK, {"q": "012 345 678"}, **bearer(token))
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_key_with_a_wrong_secret_is_refused(client, make_key):
    token = make_key("scam-check:read")
    response = client.get(CHECK, {"q": "1"}, **bearer(token[:-3] + "xyz"))
    assert response.status_code == 401


def test_an_expired_key_is_refused(client, make_key):
    token = make_key("scam-check:read", expires_at=timezone.now() + dt.timedelta(days=1))
    assert client.get(CHECK, {"q": "1"}, **bearer(token)).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        response = client.get(CHECK, {"q": "1"}, HTTP_ACCEPT_LANGUAGE="en", **bearer(token))
    assert response.status_code == 401 and "expired" in response.json()["detail"]


def test_a_revoked_key_is_refused_at_once_and_the_revocation_audited(
    client, make_key, administrator, django_capture_on_commit_callbacks
):
    token = make_key("scam-check:read")
    assert client.get(CHECK, {"q": "1"}, **bearer(token)).status_code == 200  # the key is cached now
    with django_capture_on_commit_callbacks(execute=True):
        services.api_key_revoke(by=administrator, key=ApiKey.objects.get())
    response = client.get(CHECK, {"q": "1"}, HTTP_ACCEPT_LANGUAGE="en", **bearer(token))
    assert response.status_code == 401 and "revoked" in response.json()["detail"]
    assert AuditEvent.objects.filter(action="integrations.api_key_revoke", actor=administrator).exists()


def test_a_key_over_its_rate_limit_gets_429_with_retry_after(client, make_key):
    token = make_key("scam-check:read", rate_limit=2)
    for _ in range(2):
        assert client.get(CHECK, {"q": "1"}, **bearer(token)).status_code == 200
    response = client.get(CHECK, {"q": "1"}, **bearer(token))
    assert response.status_code == 429 and response["Content-Type"] == "application/problem+json"
    assert 1 <= int(response["Retry-After"]) <= 60 and response.json()["retry_after"] == int(
        response["Retry-After"]
    )
    # The page's budget per address is the key's no more: anyone else at that address still checks.
    assert client.get(CHECK, {"q": "1"}).status_code == 200


def test_a_key_uses_its_own_limit_not_the_addresss(client, make_key, settings):
    settings.CYBER_CHECK_RATE_LIMIT = 1
    token = make_key("scam-check:read", rate_limit=5)
    assert client.get(CHECK, {"q": "1"}).status_code == 200
    assert client.get(CHECK, {"q": "1"}).status_code == 429  # the address's budget is spent
    assert client.get(CHECK, {"q": "1"}, **bearer(token)).status_code == 200


def test_calls_are_counted_per_day_in_one_write_and_the_last_use_recorded(make_key, client, settings):
    settings.INTEGRATIONS_USAGE_FLUSH_SECONDS = 3600
    token = make_key("scam-check:read")
    USAGE.flush()
    for _ in range(3):
        client.get(CHECK, {"q": "1"}, **bearer(token))
    assert not ApiKeyUsage.objects.exists() and ApiKey.objects.get().last_used_at is None
    assert USAGE.flush() == 1
    key = ApiKey.objects.get()
    assert ApiKeyUsage.objects.get(key=key, day=timezone.localdate()).count == 3
    assert key.last_used_at is not None


def test_a_key_check_after_the_first_reads_nothing_from_the_database(
    make_key, client, settings, django_assert_num_queries
):
    settings.INTEGRATIONS_USAGE_FLUSH_SECONDS = 3600
    settings.CYBER_CHECK_CACHE_SECONDS = 60
    token = make_key("scam-check:read")
    client.get(CHECK, {"q": "012 345 678"}, **bearer(token))
    # The search is counted (one write: the scam check's own), never the key.
    with django_assert_num_queries(1):
        assert client.get(CHECK, {"q": "012 345 678"}, **bearer(token)).status_code == 200


def test_the_counter_keeps_calls_when_the_database_fails(db, monkeypatch):
    from django.db import DatabaseError

    from nokor.integrations import usage

    counter = UsageCounter()
    counter._pending[(999_999, timezone.localdate())] = 2

    def fail(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr(usage, "_add", fail)
    assert counter.flush() == 0 and sum(counter._pending.values()) == 2


def test_a_signed_in_person_uses_the_api_without_a_key(login, citizen, submitted):
    response = login(citizen).get("/api/v1/applications")
    assert response.status_code == 200 and [a["id"] for a in response.json()["results"]] == [
        str(submitted.pk)
    ]


def test_anonymous_without_a_key_is_401_problem(client, db):
    response = client.get("/api/v1/applications", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Unauthorized"
