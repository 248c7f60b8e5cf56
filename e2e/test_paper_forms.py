"""Paper forms in a real browser: the residence certificate form and the cybercrime report form, in
Khmer, pass axe on screen and print on A4 with nothing but the form (no header, menu or footer).
Screenshots: docs/screenshots/services-paper-<step>.png (screen at 360 px, and the print layout)."""

from __future__ import annotations

import pytest

from e2e.helpers import check_a11y, has_horizontal_scroll, shot
from nokor.cyber import reference_data
from nokor.services.catalogue import load_catalogue

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),  # pytest-playwright's base_url
]


@pytest.fixture
def forms_site(live_server, units):
    load_catalogue()
    reference_data.load()
    return live_server


def test_the_residence_certificate_paper_form_prints_on_a4_with_only_the_form(new_page, forms_site):
    page = new_page("mobile", language="km")
    page.goto("/services/residence-certificate/")
    page.locator('a[href="/services/residence-certificate/paper-form/"]').click()
    assert page.locator("h1").inner_text().endswith("លិខិតបញ្ជាក់ទីលំនៅ")
    check_a11y(page)
    assert not has_horizontal_scroll(page)
    shot(page, "services", "paper", "form-km-360")

    printed = new_page("desktop", language="km")
    printed.goto("/services/residence-certificate/paper-form/")
    printed.emulate_media(media="print")
    for hidden in [".site-header", ".site-footer", ".paper-screen-only"]:
        assert not printed.locator(hidden).is_visible()
    assert printed.locator(".paper__office").is_visible()
    shot(printed, "services", "paper", "form-km-print")
    assert printed.pdf(format="A4")[:5] == b"%PDF-"


@pytest.mark.parametrize(
    "url",
    [
        "/cyber/report/paper-form/",
        "/cyber/check/dispute/paper-form/",
        "/opendata/request/paper-form/",
        "/accounts/signup/paper-form/",
    ],
)
def test_the_other_citizen_paper_forms_pass_axe_at_360px(new_page, forms_site, url):
    page = new_page("mobile", language="km")
    page.goto(url)
    check_a11y(page)
    assert not has_horizontal_scroll(page)
