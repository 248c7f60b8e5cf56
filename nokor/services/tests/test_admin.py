"""The catalogue admin: the form definition is edited as JSON, checked on save (the typed text kept on
error), versioned when it changes, audited, and previewed in Khmer and English."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from nokor.audit.models import AuditEvent
from nokor.services.catalogue import load_catalogue
from nokor.services.models import Holiday, Service


@pytest.fixture
def service(db):
    load_catalogue()
    return Service.objects.get(slug="residence-certificate")


@pytest.fixture
def admin_client(login, administrator):
    client = login(administrator)
    client.cookies["nokor_language"] = "en"
    return client


def change_url(service: Service) -> str:
    return reverse("admin:services_service_change", args=[service.pk])


def form_data(client, url: str) -> dict:
    """What the change form would post back unchanged (its fields and the inline's management form)."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = ("on" if value else "") if isinstance(value, bool) else value
    data = {name: value for name, value in data.items() if value != ""}
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    return data


def test_the_change_page_shows_the_current_definition_as_json(admin_client, service):
    response = admin_client.get(change_url(service))
    assert response.status_code == 200
    text = response.context["adminform"].form["form_definition"].value()
    assert json.loads(text) == service.current_version.form_definition
    assert "លិខិតបញ្ជាក់ទីលំនៅ" in response.content.decode()


def test_invalid_json_shows_an_error_and_keeps_the_text(admin_client, service):
    data = form_data(admin_client, change_url(service))
    data["form_definition"] = '{"pages": [ oops'
    response = admin_client.post(change_url(service), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["form_definition"]
    assert errors[0].startswith("This is not valid JSON: Expecting value (line 1, column 13)")
    assert "{&quot;pages&quot;: [ oops" in response.content.decode()
    assert service.versions.count() == 1


def test_a_definition_breaking_a_rule_shows_where_and_keeps_the_text(admin_client, service):
    data = form_data(admin_client, change_url(service))
    definition = json.loads(data["form_definition"])
    definition["pages"][0]["fields"][0]["type"] = "colour"
    definition["routing_field"] = "house"
    data["form_definition"] = json.dumps(definition, ensure_ascii=False)
    response = admin_client.post(change_url(service), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["form_definition"] == [
        "pages[0].fields[0]: unknown type 'colour'"
    ]
    assert "colour" in response.content.decode()
    assert service.versions.count() == 1


def test_a_routing_question_too_coarse_for_the_office_is_refused(admin_client, service):
    data = form_data(admin_client, change_url(service))
    definition = json.loads(data["form_definition"])
    definition["pages"][4]["fields"][0]["levels"] = [2, 3, 4]
    data["form_definition"] = json.dumps(definition)
    response = admin_client.post(change_url(service), data)
    assert response.status_code == 200
    assert (
        "a commune office needs a unit of level 3"
        in response.context["adminform"].form.errors["form_definition"][0]
    )


def test_a_changed_definition_becomes_the_next_version(admin_client, administrator, service):
    data = form_data(admin_client, change_url(service))
    definition = json.loads(data["form_definition"])
    definition["pages"][0]["title"]["en"] = "Your name"
    data["form_definition"] = json.dumps(definition, ensure_ascii=False)
    response = admin_client.post(change_url(service), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    service.refresh_from_db()
    assert service.current_version.number == 2
    assert service.current_version.created_by == administrator
    assert service.current_version.form_definition["pages"][0]["title"]["en"] == "Your name"
    assert service.versions.get(number=1).form_definition["pages"][0]["title"]["en"] == "What is your name?"
    assert AuditEvent.objects.filter(action="service.version_create", actor=administrator).exists()
    assert AuditEvent.objects.filter(action="admin.change", actor=administrator).exists()


def test_saving_texts_only_makes_no_new_version(admin_client, service):
    data = form_data(admin_client, change_url(service))
    data["name_en"] = "Certificate of residence"
    data["form_definition"] = json.dumps(json.loads(data["form_definition"]))  # same, written differently
    response = admin_client.post(change_url(service), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    service.refresh_from_db()
    assert service.name_en == "Certificate of residence"
    assert service.versions.count() == 1


def test_a_new_service_gets_version_1(admin_client, service):
    data = form_data(admin_client, change_url(service))
    data.update(slug="residence-certificate-copy", name_en="Another residence certificate")
    for name in list(data):
        if name.startswith("versions-"):
            data[name] = 0 if name.endswith("FORMS") else data[name]
    response = admin_client.post(reverse("admin:services_service_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Service.objects.get(slug="residence-certificate-copy")
    assert created.current_version.number == 1


def test_the_preview_shows_every_page_in_khmer_and_english(admin_client, service):
    response = admin_client.get(reverse("admin:services_service_preview", args=[service.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "តើអ្នកមានឈ្មោះអ្វី?" in page and "What is your name?" in page
    assert "Asked only when" in page  # the "something else" question of the purpose page
    assert "disabled" in page
    assert "ខ្ញុំសូមធានាអះអាងថា" in page


def test_an_older_version_can_be_previewed_and_a_missing_one_is_404(admin_client, service):
    url = reverse("admin:services_service_preview", args=[service.pk])
    assert admin_client.get(url, {"version": 1}).status_code == 200
    assert admin_client.get(url, {"version": 9}).status_code == 404


def test_the_preview_is_for_staff_with_access_to_the_admin_only(login, citizen, service):
    response = login(citizen).get(reverse("admin:services_service_preview", args=[service.pk]))
    assert response.status_code in (302, 403, 404)


def test_holidays_are_listed_and_edited_in_the_admin(admin_client, db):
    holiday = Holiday.objects.create(date="2026-04-14", name_en="Khmer New Year", name_km="ចូលឆ្នាំ")
    assert admin_client.get(reverse("admin:services_holiday_changelist")).status_code == 200
    response = admin_client.post(
        reverse("admin:services_holiday_change", args=[holiday.pk]),
        {"date": "2026-04-14", "name_en": "Khmer New Year's Day", "name_km": "ចូលឆ្នាំ"},
    )
    assert response.status_code == 302
    holiday.refresh_from_db()
    assert holiday.name_en == "Khmer New Year's Day"
    assert AuditEvent.objects.filter(action="admin.change", object_type__icontains="holiday").exists()
