"""When the database cannot be reached (restarting, failing over), every page answers 503 with
Retry-After and a page that says to try again, rendered without the database; other failures keep the
500 page."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.db.utils import ConnectionHandler
from django.test import RequestFactory

from nokor.core.views import RETRY_AFTER_SECONDS, server_error


def _unreachable_database(tmp_path) -> OperationalError:
    """A real connection error: a database file in a folder that does not exist."""
    handler = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "gone" / "db.sqlite3")}}
    )
    try:
        handler["default"].cursor()
    except OperationalError as error:
        return error
    finally:
        handler.close_all()
    raise AssertionError("the connection should have failed")


@pytest.mark.django_db
def test_a_database_that_cannot_be_reached_gives_a_try_again_page(tmp_path, django_assert_num_queries):
    error = _unreachable_database(tmp_path)
    request = RequestFactory().post("/services/my/42/check/?change=1")
    request.request_id = "req-12345678"
    with django_assert_num_queries(0):
        try:
            raise error
        except OperationalError:
            response = server_error(request)
    assert response.status_code == 503 and response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    body = response.content.decode()
    assert 'href="/services/my/42/check/?change=1"' in body and "req-12345678" in body
    assert "Traceback" not in body and "OperationalError" not in body


@pytest.mark.django_db
def test_other_failures_keep_the_500_page():
    request = RequestFactory().get("/")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500 and not response.has_header("Retry-After")


@pytest.mark.django_db
def test_the_api_answers_503_problem_details_when_the_database_is_down(tmp_path):
    from nokor.api import api

    request = RequestFactory().post("/api/v1/cyber/reports")
    response = api.on_exception(request, _unreachable_database(tmp_path))
    assert response.status_code == 503 and response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Content-Type"] == "application/problem+json"
    assert b"OperationalError" not in response.content
