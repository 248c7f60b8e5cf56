"""Every page of the foundation, in Khmer and English, on a phone (360 px) and on a desktop (1280 px):
it opens with the right status and language, has a heading, passes axe-core with no serious or
critical violation, and (on the phone) needs no sideways scrolling.

Screenshots: docs/screenshots/foundation-<nn>-<page>-<km|en>-<mobile|desktop>.png.
Khmer is the default (no cookie: a Khmer browser on a site whose default is Khmer); English is chosen
with the language cookie the header switch sets (the switch itself is exercised in the journeys)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from e2e.helpers import a11y_violations, format_violations, scroll_width, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),  # pytest-playwright's base_url
]


@dataclass(frozen=True)
class Page:
    nn: int
    name: str
    url: str
    who: str | None = None  # None: signed out; else a persona fixture
    status: int = 200


PAGES = [
    Page(1, "home", "/"),
    Page(2, "about", "/about/"),
    Page(3, "sign-in", "/accounts/login/"),
    Page(4, "sign-up", "/accounts/signup/"),
    Page(5, "password-reset", "/accounts/password/reset/"),
    Page(6, "account-home", "/me/", "citizen"),
    Page(7, "my-data", "/me/data/", "citizen"),
    Page(8, "delete-account", "/me/delete/", "citizen"),
    Page(9, "who-viewed-my-data", "/audit/my-data/", "citizen"),
    Page(10, "inbox", "/inbox/", "citizen"),
    Page(11, "preferences", "/inbox/preferences/", "citizen"),
    Page(12, "staff-home", "/me/", "officer_kandal"),
    Page(13, "team", "/me/team/08/", "officer_kandal"),
    Page(14, "not-found", "/this-page-does-not-exist/", None, 404),
    Page(15, "unit-search", "/units/search/?q=kandal"),
]
LANGUAGES = ["km", "en"]
VIEWPORTS = ["mobile", "desktop"]
MOBILE_WIDTH = 360


@pytest.fixture
def realistic_data(citizen, officer_kandal, supervisor_kandal, units):
    """Enough content that lists are not empty: a welcome message, an office that viewed the citizen's
    record, a colleague in the officer's team."""
    from nokor.audit.services import audit_view
    from nokor.notifications.services import notify

    notify(user=citizen, event="account.welcome", context={}, key=f"welcome:{citizen.pk}")
    audit_view(actor=officer_kandal, obj=citizen, subject=citizen, unit=units["08"], what="account")
    return {"citizen": citizen, "officer_kandal": officer_kandal}


@pytest.mark.parametrize("spec", PAGES, ids=[f"{p.nn:02d}-{p.name}" for p in PAGES])
def test_page_in_both_languages_and_widths(spec: Page, new_page, realistic_data):
    problems: list[str] = []
    user = realistic_data[spec.who] if spec.who else None
    for language in LANGUAGES:
        for viewport in VIEWPORTS:
            where = f"{spec.url} [{language}, {viewport}]"
            page = new_page(viewport, language=None if language == "km" else language, user=user)
            response = page.goto(spec.url)
            if response.status != spec.status:
                problems.append(f"{where}: status {response.status}, expected {spec.status} (at {page.url})")
            if not page.url.endswith(spec.url):
                problems.append(f"{where}: redirected to {page.url}")
            lang = page.evaluate("document.documentElement.lang")
            if lang != language:
                problems.append(f"{where}: <html lang={lang!r}>, expected {language!r}")
            if page.locator("h1").count() != 1:
                problems.append(f"{where}: {page.locator('h1').count()} <h1> (one expected)")
            shot(page, "foundation", spec.nn, f"{spec.name}-{language}-{viewport}")
            violations = a11y_violations(page)
            if violations:
                problems.append(
                    f"{where}: axe found serious/critical violations:\n{format_violations(violations)}"
                )
            if viewport == "mobile":
                width = scroll_width(page)
                if width > MOBILE_WIDTH:
                    problems.append(f"{where}: scrolls sideways (scrollWidth {width} > {MOBILE_WIDTH})")
            page.context.close()
    assert not problems, "\n".join(problems)
