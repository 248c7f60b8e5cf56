"""What every operation of /api/v1/ shares: problem+json errors with translated titles, cursor pages
with filters, ETags, the OpenAPI document and its interactive docs served without a CDN."""

import json

import pytest
from django.test import RequestFactory
from django.utils import translation
from openapi_spec_validator import validate

from nokor.api import api
from nokor.audit.models import AuditEvent
from nokor.integrations.problems import PROBLEM_JSON
from nokor.integrations.tests.conftest import bearer
from nokor.services import services as ops
from nokor.services.models import Application
from nokor.services.tests.conftest import RESIDENCE_ANSWERS, png_upload


def _problem(response, status):
    assert response.status_code == status and response["Content-Type"] == PROBLEM_JSON
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    return body


def test_the_openapi_document_validates(client, db):
    validate(client.get("/api/v1/openapi.json").json())


def test_every_operation_declares_its_errors_as_problems(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status", "detail"]
    for operations in schema["paths"].values():
        for operation in operations.values():
            assert PROBLEM_JSON in operation["responses"]["default"]["content"]


def test_the_scopes_of_an_operation_are_documented(client, db):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/applications"]["get"]
    assert operation["security"] == [{"ApiKeyAuth": ["applications:read-own-org"]}, {"SessionAuth": []}]


def test_the_interactive_docs_load_swagger_from_the_site_itself(client, db):
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert "<script>" not in page.replace(" ", "")  # no inline script (CSP)


def test_an_invalid_parameter_is_422_naming_it(login, citizen):
    body = _problem(login(citizen).get("/api/v1/applications", {"page_size": 0}), 422)
    assert [error["field"] for error in body["errors"]] == ["page_size"]
    assert body["errors"][0]["in"] == "query"


def test_an_unknown_address_under_the_api_is_a_404_problem(client, db):
    body = _problem(client.get("/api/v1/nothing/here", HTTP_ACCEPT_LANGUAGE="en"), 404)
    assert body["title"] == "Not Found"


def test_a_wrong_method_is_a_405_problem_with_allow(client, db):
    response = client.delete("/api/v1/scam-check")
    _problem(response, 405)
    assert response["Allow"] == "GET"


def test_titles_are_translated(client, db):
    english = client.get("/api/v1/nothing", HTTP_ACCEPT_LANGUAGE="en").json()["title"]
    khmer = client.get("/api/v1/nothing", HTTP_ACCEPT_LANGUAGE="km").json()["title"]
    assert english == "Not Found" and khmer  # Khmer once the catalogue is compiled


def test_a_crash_is_a_500_problem_without_details(db):
    request = RequestFactory().get("/api/v1/x")
    response = api.on_exception(request, RuntimeError("secret internals"))
    assert response.status_code == 500 and response["Content-Type"] == PROBLEM_JSON
    assert b"secret internals" not in response.content


def test_a_read_sends_an_etag_and_answers_304_when_unchanged(client, db):
    first = client.get("/api/v1/services")
    assert first.status_code == 200 and first["ETag"]
    again = client.get("/api/v1/services", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert client.get("/api/v1/services", HTTP_IF_NONE_MATCH='"other"').status_code == 200


# --------------------------------------------------------------------------------------------------
# Applications: pages, filters, and a partner's members
# --------------------------------------------------------------------------------------------------
@pytest.fixture
def many(submitted, residence, citizen):
    """Five applications of the citizen: the submitted one and four drafts."""
    for _ in range(4):
        ops.application_start(service=residence, applicant=citizen)
    return Application.objects.filter(applicant=citizen)


def test_pages_follow_the_cursor_without_repeats_or_gaps(login, citizen, many):
    client = login(citizen)
    seen, url = [], "/api/v1/applications?page_size=2"
    while url:
        page = client.get(url).json()
        assert len(page["results"]) <= 2
        seen += [item["id"] for item in page["results"]]
        url = page["next"]
    expected = [str(pk) for pk in many.order_by("-created_at", "-pk").values_list("pk", flat=True)]
    assert seen == expected


def test_a_filter_is_kept_on_the_next_page(login, citizen, many):
    page = login(citizen).get("/api/v1/applications", {"status": "draft", "page_size": 1}).json()
    assert page["results"][0]["status"] == "draft" and "status=draft" in page["next"]


def test_an_unknown_status_is_422(login, citizen, db):
    _problem(login(citizen).get("/api/v1/applications", {"status": "nonsense"}), 422)


@pytest.mark.parametrize("cursor", ["%%%", "bm90IGpzb24", "WzFd", "WyJ4IiwgInkiXQ"])
def test_a_broken_cursor_is_400_not_a_crash(login, citizen, db, cursor):
    _problem(login(citizen).get("/api/v1/applications", {"cursor": cursor}), 400)


def test_the_list_reads_a_fixed_number_of_queries(login, citizen, many, django_assert_max_num_queries):
    client = login(citizen)
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/applications").json()["results"]) == 5


def test_a_key_reads_the_applications_of_its_members_only(
    client, make_key, bank, citizen, submitted, residence
):
    other = ops.application_start(service=residence, applicant=submitted.applicant)  # a draft: not filed
    bank.members.add(citizen)
    token = make_key("applications:read-own-org")
    page = client.get("/api/v1/applications", **bearer(token)).json()
    assert [item["id"] for item in page["results"]] == [str(submitted.pk)]
    assert client.get(f"/api/v1/applications/{submitted.pk}", **bearer(token)).status_code == 200
    _problem(client.get(f"/api/v1/applications/{other.pk}", **bearer(token)), 404)
    reads = AuditEvent.objects.filter(action="personal_data.view", object_id=str(submitted.pk))
    assert reads.count() == 2 and reads.first().subject_id == citizen.pk
    # In the citizen's "who viewed my data": the bank, not "a citizen" (its service account).
    from nokor.audit.templatetags.audit_tags import actor_display

    assert reads.first().actor_label == f"partner:{bank.name_en or bank.name_km}"
    with translation.override("en"):
        assert actor_display(reads.first()).startswith(
            f"{bank.name_en or bank.name_km}, a partner organisation"
        )


def test_a_key_sees_nothing_of_people_who_are_not_members(client, make_key, submitted):
    token = make_key("applications:read-own-org")
    assert client.get("/api/v1/applications", **bearer(token)).json()["results"] == []
    _problem(client.get(f"/api/v1/applications/{submitted.pk}", **bearer(token)), 404)


def test_a_key_for_another_scope_cannot_list_applications(client, make_key, db):
    _problem(client.get("/api/v1/applications", **bearer(make_key("scam-check:read"))), 403)


def test_an_application_filed_for_a_member_by_someone_else_is_seen(
    client, make_key, bank, citizen, other_citizen, residence
):
    application = ops.application_start(
        service=residence, applicant=other_citizen, filed_by=citizen, mandate="For my sister, who is abroad."
    )
    upload = png_upload()
    upload.sniffed_content_type = "image/png"
    ops.application_save_page(
        application=application, by=citizen, page_answers=RESIDENCE_ANSWERS, files={"id_document": upload}
    )
    ops.application_submit(application=application, by=citizen)
    bank.members.add(citizen)
    page = client.get("/api/v1/applications", **bearer(make_key("applications:read-own-org"))).json()
    assert [item["id"] for item in page["results"]] == [str(application.pk)]
    assert json.dumps(page).count(str(application.pk)) == 1


def test_the_cursor_keeps_microseconds(login, citizen, many):
    """Items created within the same millisecond as a page's last one are not skipped."""
    import datetime as dt

    base = dt.datetime(2026, 11, 2, 8, 0, 0, 123000, tzinfo=dt.UTC)
    for offset, pk in enumerate(many.values_list("pk", flat=True)):
        Application.objects.filter(pk=pk).update(created_at=base + dt.timedelta(microseconds=offset * 100))
    client = login(citizen)
    seen, url = [], "/api/v1/applications?page_size=1"
    while url:
        page = client.get(url).json()
        seen += [item["id"] for item in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == many.count()
