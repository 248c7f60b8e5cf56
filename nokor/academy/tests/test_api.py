"""The academy API: certificate verification and the catalogue for anyone; the completion report and
each person's mandatory training for trainers and managers, in their unit scope (as the pages)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.urls import path
from django.utils import timezone

from nokor.academy import reports, services
from nokor.academy.api import router
from nokor.academy.models import CourseCertificate, Enrolment
from nokor.academy.tests.test_learning import see_all, take
from nokor.academy.tests.test_staff_assignments import make_staff
from nokor.accounts.models import User
from nokor.accounts.roles import Role
from nokor.api import NokorAPI
from nokor.audit.models import AuditEvent
from nokor.core.access import API, guard
from nokor.geography.models import AdministrativeUnit
from nokor.integrations import services as integrations
from nokor.urls import urlpatterns as site_urls

# The router on an API of its own (with the platform's error handling), so these tests do not depend
# on nokor/api.py mounting it.
_api = NokorAPI(urls_namespace="academy-api-test")
_api.add_router("/academy/", router)
urlpatterns = [path("api/v1/", guard(API, _api.urls)), *site_urls]
pytestmark = pytest.mark.urls(__name__)

BASE = "/api/v1/academy"
_people = itertools.count(1)


def assigned(course, unit_code, *, status="enrolled", overdue=False, name=""):
    """A staff member of `unit_code` enrolled in `course` by an assignment rule."""
    number = next(_people)
    user = User.objects.create_user(
        email=f"learner{number}@example.gov.kh", is_staff=True, full_name=name or f"Learner {number}"
    )
    today = timezone.localdate()
    return Enrolment.objects.create(
        user=user,
        course=course,
        source=Enrolment.Source.ASSIGNMENT,
        unit=AdministrativeUnit.objects.get(code=unit_code),
        unit_code=unit_code,
        status=status,
        completed_at=timezone.now() if status == "completed" else None,
        due_on=today + dt.timedelta(days=-3 if overdue else 20),
    )


# --------------------------------------------------------------------------------------------------
# Certificates
# --------------------------------------------------------------------------------------------------
@pytest.fixture
def certificate(citizen, course):
    enrolment = services.enrolment_create(user=citizen, course=course)
    see_all(enrolment)
    take(enrolment, course.quizzes.get(slug="final"))
    return CourseCertificate.objects.select_related("document").get(enrolment=enrolment)


def test_anyone_verifies_a_certificate_and_sees_what_the_page_shows(client, citizen, certificate):
    code = certificate.document.code
    response = client.get(f"{BASE}/certificates/{code}/verify")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "genuine" and body["code"] == code
    assert body["holder_name"] == citizen.full_name
    assert body["course"] == "មូលដ្ឋានសុវត្ថិភាព / Safety basics"
    assert body["issuer_unit"]["code"] == "12"
    assert citizen.email not in response.content.decode()  # nothing the page does not show
    assert AuditEvent.objects.filter(action="document.verify", subject=citizen).count() == 1


def test_a_superseded_certificate_gives_no_personal_data(client, certificate):
    document = certificate.document
    document.status = document.Status.SUPERSEDED
    document.superseded_at = timezone.now()
    document.save(update_fields=["status", "superseded_at"])
    body = client.get(f"{BASE}/certificates/{document.code}/verify").json()
    assert body["status"] == "superseded" and body["status_changed_on"] is not None
    assert body["holder_name"] is None and body["course"] is None


def test_a_mistyped_code_is_unknown(client, db):
    body = client.get(f"{BASE}/certificates/ABCD-EFGH-JKLM/verify").json()
    assert body == {
        "status": "unknown",
        "code": None,
        "issued_on": None,
        "issuer_unit": None,
        "status_changed_on": None,
        "holder_name": None,
        "course": None,
        "completed_on": None,
    }


def test_verifications_share_the_pages_rate_limit_unless_a_key_brings_its_own(
    client, settings, administrator, certificate
):
    settings.DOCUMENT_VERIFY_RATE_LIMIT = 1
    url = f"{BASE}/certificates/{certificate.document.code}/verify"
    assert client.get(url).status_code == 200
    refused = client.get(url)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused["Content-Type"] == "application/problem+json"
    partner = integrations.organisation_create(by=administrator, name_km="ធនាគារ", kind="bank")
    _key, token = integrations.api_key_create(
        by=administrator, organisation=partner, label="HR system", scopes=["academy:verify"]
    )
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").json()["status"] == "genuine"


# --------------------------------------------------------------------------------------------------
# Catalogue
# --------------------------------------------------------------------------------------------------
def test_the_public_sees_public_courses_and_staff_also_staff_courses(client, login, courses, trainer):
    body = client.get(f"{BASE}/courses").json()
    assert [c["slug"] for c in body["results"]] == ["safe-basics"] and body["next"] is None
    assert body["results"][0]["title_en"] == "Safety basics" and body["results"][0]["audience"] == "public"
    staff = login(trainer).get(f"{BASE}/courses", {"audience": "staff"}).json()
    assert [c["slug"] for c in staff["results"]] == ["staff-basics"]


def test_the_catalogue_pages_with_a_cursor(login, courses, trainer):
    client = login(trainer)
    first = client.get(f"{BASE}/courses", {"page_size": 1}).json()
    second = client.get(first["next"]).json()
    assert [c["slug"] for c in first["results"] + second["results"]] == ["safe-basics", "staff-basics"]
    assert second["next"] is None


def test_the_catalogue_reads_in_two_queries(client, courses, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert client.get(f"{BASE}/courses", {"page_size": 1}).status_code == 200


def test_an_unknown_audience_is_refused_as_invalid_input(client, courses):
    assert client.get(f"{BASE}/courses", {"audience": "secret"}).status_code == 422


# --------------------------------------------------------------------------------------------------
# Completion report
# --------------------------------------------------------------------------------------------------
@pytest.fixture
def figures(staff_course):
    assigned(staff_course, "0801", status="completed")
    assigned(staff_course, "080101", overdue=True)
    assigned(staff_course, "1701")
    reports.stats_refresh()
    return staff_course


def test_a_trainer_reads_the_report_by_province_as_the_page(login, trainer, figures):
    body = login(trainer).get(f"{BASE}/reports/completion", {"course": figures.slug}).json()
    assert body["course"] == figures.slug and body["unit_code"] == ""
    by_unit = {row["key"]: row["figures"] for row in body["rows"]}
    assert by_unit["08"]["enrolled"] == 2 and by_unit["08"]["completed"] == 1
    assert by_unit["08"]["completion_rate"] == 50.0 and by_unit["08"]["overdue"] == 1
    assert by_unit["17"]["enrolled"] == 1
    assert body["total"]["figures"]["enrolled"] == 3


def test_a_kandal_supervisor_reads_kandal_and_gets_404_for_siem_reap(login, supervisor_kandal, figures):
    client = login(supervisor_kandal)
    body = client.get(f"{BASE}/reports/completion", {"course": figures.slug}).json()
    assert body["unit_code"] == "08" and [row["key"] for row in body["rows"]] == ["0801"]
    assert client.get(f"{BASE}/reports/completion", {"unit": "17"}).status_code == 404
    assert client.get(f"{BASE}/reports/completion", {"unit": ""}).status_code == 404  # the country
    assert client.get(f"{BASE}/reports/completion", {"course": "no-such"}).status_code == 404


def test_the_report_is_refused_to_citizens_other_staff_and_the_anonymous(
    client, login, citizen, officer_siem_reap, figures
):
    assert client.get(f"{BASE}/reports/completion").status_code == 401
    assert login(citizen).get(f"{BASE}/reports/completion").status_code == 403
    assert login(officer_siem_reap).get(f"{BASE}/reports/completion").status_code == 403


def test_a_bad_unit_code_is_invalid_input(login, trainer, figures):
    assert login(trainer).get(f"{BASE}/reports/completion", {"unit": "08x"}).status_code == 422


# --------------------------------------------------------------------------------------------------
# Mandatory training of people
# --------------------------------------------------------------------------------------------------
def test_a_supervisor_reads_the_status_of_each_person_in_their_units_audited(
    login, supervisor_kandal, staff_course
):
    late = assigned(staff_course, "080101", overdue=True, name="Late Learner")
    done = assigned(staff_course, "0801", status="completed")
    assigned(staff_course, "1701")  # Siem Reap: not theirs
    body = login(supervisor_kandal).get(f"{BASE}/mandatory-training").json()
    assert [item["person_id"] for item in body["results"]] == [done.user_id, late.user_id]  # by unit
    first = body["results"][1]
    assert first["person_name"] == "Late Learner" and first["overdue"] is True
    assert first["course"] == staff_course.slug and first["unit_code"] == "080101"
    assert "email" not in first and late.user.email not in str(body)
    viewed = AuditEvent.objects.filter(action="personal_data.view", actor=supervisor_kandal)
    assert set(viewed.values_list("subject_id", flat=True)) == {late.user_id, done.user_id}


def test_filters_by_person_status_and_overdue(login, trainer, staff_course):
    late = assigned(staff_course, "080101", overdue=True)
    assigned(staff_course, "0801", status="completed")
    client = login(trainer)
    overdue = client.get(f"{BASE}/mandatory-training", {"overdue": "true"}).json()
    assert [item["person_id"] for item in overdue["results"]] == [late.user_id]
    done = client.get(f"{BASE}/mandatory-training", {"status": "completed"}).json()
    assert [item["status"] for item in done["results"]] == ["completed"]
    one = client.get(f"{BASE}/mandatory-training", {"person": late.user_id}).json()
    assert [item["person_id"] for item in one["results"]] == [late.user_id]


def test_a_person_of_another_province_is_not_in_the_list(login, staff_course, units):
    stranger = assigned(staff_course, "0801")
    siem_reap = make_staff(Role.SERVICE_SUPERVISOR, "17")
    client = login(siem_reap)
    assert client.get(f"{BASE}/mandatory-training", {"person": stranger.user_id}).json()["results"] == []
    assert client.get(f"{BASE}/mandatory-training", {"unit": "08"}).status_code == 404
    assert not AuditEvent.objects.filter(action="personal_data.view").exists()


def test_the_people_list_is_refused_to_citizens_and_the_anonymous(client, login, citizen, staff_course):
    assert client.get(f"{BASE}/mandatory-training").status_code == 401
    assert login(citizen).get(f"{BASE}/mandatory-training").status_code == 403


def test_the_people_list_pages_in_a_fixed_number_of_queries(
    login, trainer, staff_course, django_assert_max_num_queries
):
    for _number in range(6):
        assigned(staff_course, "0801")
    client = login(trainer)
    first = client.get(f"{BASE}/mandatory-training", {"page_size": 3}).json()
    # session, user, roles, the page; then one audit event per person shown
    with django_assert_max_num_queries(4 + 3):
        second = client.get(first["next"]).json()
    assert len(second["results"]) == 3 and second["next"] is None
    assert not {r["person_id"] for r in first["results"]} & {r["person_id"] for r in second["results"]}
