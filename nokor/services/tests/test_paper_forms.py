"""Paper forms for assisted filing: every published service's form prints with every question of its
definition, the office-use box, the documents to bring and the fee, in Khmer and in English."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from nokor.services.forms_engine import field_by_name, iter_fields, text_in

CSS = Path(django_settings.BASE_DIR) / "nokor" / "static" / "nokor" / "css" / "paper.css"


def _page(client, service, language):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("services:paper_form", args=[service.slug]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("language", ["km", "en"])
def test_every_published_service_prints_with_every_field(client, catalogue, language):
    assert len(catalogue) >= 6
    for service in catalogue.values():
        definition = service.current_version.form_definition
        page = _page(client, service, language)
        for form_page, field in iter_fields(definition):
            assert f'data-field="{field["name"]}"' in page, (service.slug, field["name"])
            assert text_in(field["label"], language) in page, (service.slug, field["name"])
            assert text_in(form_page["title"], language) in page
            for choice in field.get("choices", []):
                assert text_in(choice["label"], language) in page
        for question in definition.get("eligibility", []):
            assert text_in(question["question"], language) in page
        assert text_in(definition["declaration"], language) in page
        assert (service.documents_km if language == "km" else service.documents_en).splitlines()[0] in page
        assert (service.name_km if language == "km" else service.name_en) in page
        conditions = [p for p in definition["pages"] if p.get("show_if")]
        conditions += [f for _p, f in iter_fields(definition) if f.get("show_if")]
        assert page.count('class="paper-field__condition"') == len(conditions), service.slug


def test_the_paper_form_has_the_office_box_the_fee_and_the_print_stylesheet(client, residence):
    page = _page(client, residence, "en")
    assert "For office use only" in page
    for row in [
        "Reference number",
        "Received by (name and signature)",
        "Date received",
        "Typed into Nokor by, on",
    ]:
        assert f'<th scope="row">{row}</th>' in page
    assert ("Fee receipt number" in page) == bool(residence.fee_riel)
    assert "Signature or thumbprint" in page
    assert "/static/nokor/css/paper.css" in page
    assert 'class="paper-page"' in page
    # A question asked only after an earlier answer says when to answer it.
    purpose = field_by_name(residence.current_version.form_definition, "purpose")
    other = next(c for c in purpose["choices"] if c["value"] == "other")
    assert f"Answer only if “{purpose['label']['en']}” is “{other['label']['en']}”." in page


def test_the_print_stylesheet_prints_a4_without_the_screen_notes():
    css = CSS.read_text()
    assert "@media print" in css and "size: A4" in css
    assert ".paper-screen-only { display: none; }" in css


def test_the_service_page_links_to_its_paper_form(client, residence):
    response = client.get(reverse("services:service_detail", args=[residence.slug]))
    assert reverse("services:paper_form", args=[residence.slug]) in response.content.decode()


def test_a_closed_service_has_no_paper_form(client, residence):
    residence.is_active = False
    residence.save(update_fields=["is_active"])
    assert client.get(reverse("services:paper_form", args=[residence.slug])).status_code == 404


def test_the_paper_form_costs_a_few_queries(client, residence, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        _page(client, residence, "km")
