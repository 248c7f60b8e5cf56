"""The paper versions of the cybercrime report and of the request to review a scam-check listing: every
question of the online form, in both languages."""

from __future__ import annotations

import html

import pytest
from django.conf import settings
from django.urls import reverse

from nokor.cyber import reference_data
from nokor.cyber.forms_check import DisputeForm
from nokor.cyber.models import Category
from nokor.cyber.views_paper import report_sections
from nokor.cyber.views_report import STEP_FORMS, STEPS

URL = "/cyber/report/paper-form/"


@pytest.fixture(autouse=True)
def _reference_data(db):
    reference_data.load()


def test_the_url_is_named():
    assert reverse("cyber:report_paper_form") == URL


@pytest.mark.parametrize("language", ["km", "en"])
def test_the_report_prints_with_every_question_of_every_step(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(URL)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    sections = report_sections()
    assert len(sections) == len(STEPS)
    for step, section in zip(STEPS, sections, strict=True):
        assert section.title in page
        if step in STEP_FORMS:
            assert [f.name for f in section.fields] == list(STEP_FORMS[step].base_fields)
        for field in section.fields:
            assert f'data-field="{field.name}"' in page and field.label in page
    for category in Category.objects.filter(is_active=True):
        assert (category.name_km if language == "km" else category.name_en) in page
    assert "/static/nokor/css/paper.css" in page


def test_the_place_question_asks_every_level_and_the_payments_say_when(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = html.unescape(client.get(URL).content.decode())
    for level in ["Village", "Commune or sangkat", "District, municipality or khan", "Province or capital"]:
        assert f'<p class="paper-unit">{level}</p>' in page
    assert "Answer only if you lost money or paid them anything." in page
    assert "For office use only" in page and "Fee receipt number" not in page


def test_the_report_start_page_links_to_the_paper_form(client):
    assert URL in client.get(reverse("cyber:report_start")).content.decode()


DISPUTE_URL = "/cyber/check/dispute/paper-form/"


@pytest.mark.parametrize("language", ["km", "en"])
def test_the_review_request_prints_with_the_listed_value_and_every_question(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(DISPUTE_URL)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    form = DisputeForm()
    # Online the hidden "q" carries the checked value; on paper it is a line of its own, first.
    assert page.index('data-field="q"') < page.index('data-field="name"')
    assert page.count('data-field="q"') == 1 and 'name="q"' not in page
    for name in ["name", "contact", "reason"]:
        assert f'data-field="{name}"' in page and str(form.fields[name].label) in page
        assert str(form.fields[name].help_text) in page
    assert 'class="paper__office"' in page
    assert "/static/nokor/css/paper.css" in page


def test_the_review_request_reads_in_english_and_leads_back_to_the_check(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = html.unescape(client.get(DISPUTE_URL).content.decode())
    assert "The phone number, account or website that is listed" in page
    assert "We use your name and contact details only to review this listing." in page
    assert 'href="/cyber/check/"' in page
