"""The pages: applying one question at a time, check answers, my applications; the officer queue and
actions with their access rules; uploads served only to who may see them."""

import re

import pytest

from nokor.services.models import Application, Status
from nokor.services.tests.conftest import png_upload

PAGE_DATA = {
    "name": {"full_name": "សុខា ចាន់", "latin_name": "Sokha Chan"},
    "personal": {"sex": "female", "date_of_birth": "17/04/1990"},
    "identity": {"national_id": "០១០ ២៣៤ ៥៦៧"},  # Khmer digits and spaces, as typed
    "contact": {"phone": "012 345 678"},
    "address": {"village": "08010101", "house": "No. 12"},
    "living_since": {"living_since": "2015-01-01"},
    "purpose": {"purpose": "bank"},
}


def test_citizen_applies_page_by_page_and_submits(login, citizen, residence):
    client = login(citizen)
    assert client.get(f"/services/{residence.slug}/").status_code == 200
    response = client.post(
        f"/services/{residence.slug}/eligibility/", {"citizen_adult": "yes", "lives_there": "yes"}
    )
    assert response.url == f"/services/{residence.slug}/start/"
    response = client.post(response.url, {"who": "me"})
    application = Application.objects.get(applicant=citizen)
    assert response.url == f"/services/my/{application.pk}/page/name/"
    for page_id, data in PAGE_DATA.items():
        response = client.post(f"/services/my/{application.pk}/page/{page_id}/", data)
        assert response.status_code == 302, (page_id, response.context["form"].errors)
    response = client.post(f"/services/my/{application.pk}/page/document/", {"id_document": png_upload()})
    assert response.url == f"/services/my/{application.pk}/check/"
    check = client.get(response.url)
    assert "Sokha Chan" in check.content.decode()
    response = client.post(f"/services/my/{application.pk}/check/", {"confirm": "on"})
    assert response.url == f"/services/my/{application.pk}/confirmation/"
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED and application.answers["national_id"] == "010234567"
    assert application.reference in client.get(response.url).content.decode()


def test_not_eligible_gets_a_clear_exit_page(client, residence):
    response = client.post(
        f"/services/{residence.slug}/eligibility/", {"citizen_adult": "no", "lives_there": "yes"}
    )
    assert response.status_code == 200
    assert "services/not_eligible.html" in [t.name for t in response.templates]


def test_bad_answer_shows_the_error_and_keeps_the_rest(login, citizen, residence):
    client = login(citizen)
    client.post(f"/services/{residence.slug}/start/", {"who": "me"})
    application = Application.objects.get(applicant=citizen)
    response = client.post(
        f"/services/my/{application.pk}/page/personal/", {"sex": "female", "date_of_birth": "31/02/2099"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "error-summary" in body and response.context["form"].errors["date_of_birth"]
    assert re.search(r'value="female"[^>]*checked', body)  # the other answer on the page is kept


def test_wrong_file_type_is_refused_and_nothing_stored(login, citizen, residence):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(citizen)
    client.post(f"/services/{residence.slug}/start/", {"who": "me"})
    application = Application.objects.get(applicant=citizen)
    fake = SimpleUploadedFile("id.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(f"/services/my/{application.pk}/page/document/", {"id_document": fake})
    assert response.status_code == 200 and response.context["form"].errors["id_document"]
    assert not application.attachments.exists()


def test_save_and_come_back_later(login, citizen, residence):
    client = login(citizen)
    client.post(f"/services/{residence.slug}/start/", {"who": "me"})
    application = Application.objects.get(applicant=citizen)
    response = client.post(
        f"/services/my/{application.pk}/page/name/", {**PAGE_DATA["name"], "save_and_exit": "1"}
    )
    assert response.url == f"/services/my/{application.pk}/"
    application.refresh_from_db()
    assert application.answers["latin_name"] == "Sokha Chan"


@pytest.mark.parametrize(
    "url", ["/services/my/{pk}/", "/services/my/{pk}/page/name/", "/services/my/{pk}/check/"]
)
def test_another_citizen_gets_404(login, other_citizen, submitted, url):
    assert login(other_citizen).get(url.format(pk=submitted.pk)).status_code == 404


def test_officer_of_another_province_gets_404_on_application_and_upload(login, officer_siem_reap, submitted):
    client = login(officer_siem_reap)
    attachment = submitted.attachments.get()
    assert client.get(f"/services/queue/{submitted.pk}/").status_code == 404
    assert client.get(f"/services/applications/{submitted.pk}/files/{attachment.pk}/").status_code == 404
    assert client.post(f"/services/queue/{submitted.pk}/claim/").status_code == 404


def test_other_citizen_gets_404_on_the_upload(login, other_citizen, submitted):
    attachment = submitted.attachments.get()
    assert (
        login(other_citizen).get(f"/services/applications/{submitted.pk}/files/{attachment.pk}/").status_code
        == 404
    )


def test_owner_downloads_the_upload_as_an_attachment(login, citizen, submitted):
    attachment = submitted.attachments.get()
    response = login(citizen).get(f"/services/applications/{submitted.pk}/files/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_officer_works_the_application(login, officer_kandal, submitted):
    client = login(officer_kandal)
    assert client.get(f"/services/queue/{submitted.pk}/").status_code == 200
    response = client.post(
        f"/services/queue/{submitted.pk}/request-info/",
        {"message": "Photo unreadable", "fields": ["id_document"], "version": submitted.lock_version},
    )
    assert response.status_code == 302
    assert Application.objects.get(pk=submitted.pk).status == Status.INFO_REQUESTED


def test_actions_reject_get(login, officer_kandal, submitted):
    assert login(officer_kandal).get(f"/services/queue/{submitted.pk}/claim/").status_code == 405


def test_read_only_role_gets_403_on_actions(login, auditor, submitted):
    client = login(auditor)
    assert client.get(f"/services/queue/{submitted.pk}/").status_code == 200  # may read
    assert client.post(f"/services/queue/{submitted.pk}/claim/").status_code == 403


def test_refusal_without_reasons_keeps_the_application_open(login, officer_kandal, submitted):
    client = login(officer_kandal)
    response = client.post(
        f"/services/queue/{submitted.pk}/refuse/",
        {"reason": "", "version": submitted.lock_version},
        follow=True,
    )
    assert response.status_code == 200
    assert Application.objects.get(pk=submitted.pk).status == Status.SUBMITTED


def test_queue_page_issues_a_fixed_number_of_queries(
    login, officer_kandal, submitted, residence, citizen, django_assert_max_num_queries
):
    from nokor.services import services as ops

    for _ in range(5):
        draft = ops.application_start(service=residence, applicant=citizen)
        ops.application_save_page(application=draft, by=citizen, page_answers=dict(submitted.answers))
        ops.application_submit(application=draft, by=citizen)
    client = login(officer_kandal)
    with django_assert_max_num_queries(12):
        response = client.get("/services/queue/")
    assert response.status_code == 200 and len(response.context["page_obj"]) == 6


def test_citizen_pages_are_not_for_anonymous(client, submitted):
    response = client.get(f"/services/my/{submitted.pk}/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_unofficial_payment_report_is_confidential(
    login, citizen, submitted, supervisor_kandal, officer_kandal
):
    response = login(citizen).post(
        f"/services/applications/{submitted.pk}/report-payment/",
        {"description": "The clerk asked for 20,000 riel", "amount_asked": "20000"},
    )
    assert response.status_code == 302
    assert "20,000" in login(supervisor_kandal).get("/services/integrity/").content.decode()
    assert login(officer_kandal).get("/services/integrity/").status_code == 403


def test_public_performance_page(client, submitted):
    from nokor.services.performance import compute

    compute()
    response = client.get("/services/performance/?service=residence-certificate")
    assert response.status_code == 200


def test_api_shows_own_application_and_404_to_others(
    login, citizen, other_citizen, officer_siem_reap, officer_kandal, submitted
):
    url = f"/api/v1/applications/{submitted.pk}"
    assert login(citizen).get(url).json()["reference"] == submitted.reference
    assert login(other_citizen).get(url).status_code == 404
    assert login(officer_siem_reap).get(url).status_code == 404
    assert login(officer_kandal).get(url).status_code == 200
    assert login(other_citizen).get("/api/v1/applications").json()["results"] == []


def test_api_needs_a_session(client, submitted):
    assert client.get(f"/api/v1/applications/{submitted.pk}").status_code == 401
    assert client.get("/api/v1/services").status_code == 200


def test_supervisor_assigns_from_the_list_or_by_email(
    login, supervisor_kandal, officer_kandal, officer_siem_reap, submitted
):
    client = login(supervisor_kandal)
    client.cookies["nokor_language"] = "en"  # the messages are compared in English
    page = client.get(f"/services/queue/{submitted.pk}/")
    assert str(officer_kandal.pk) in dict(page.context["assign_form"].fields["officer"].choices)
    url = f"/services/queue/{submitted.pk}/assign/"

    both = client.post(url, {"officer": str(officer_kandal.pk), "email": officer_kandal.email}, follow=True)
    assert "Choose an officer from the list, or enter one e-mail." in both.content.decode()
    unknown = client.post(url, {"email": "nobody@example.org"}, follow=True)
    assert "No officer has this e-mail address." in unknown.content.decode()
    elsewhere = client.post(url, {"email": officer_siem_reap.email.upper()}, follow=True)
    assert "This officer does not work for this office." in elsewhere.content.decode()
    assert Application.objects.get(pk=submitted.pk).assigned_to is None

    client.post(url, {"email": officer_kandal.email, "version": submitted.lock_version})
    assert Application.objects.get(pk=submitted.pk).assigned_to == officer_kandal


def test_an_officer_page_does_not_read_the_assignment_choices(login, officer_kandal, submitted):
    page = login(officer_kandal).get(f"/services/queue/{submitted.pk}/")
    assert page.context["is_supervisor"] is False
    assert page.context["assign_form"].fields["officer"].choices == []
