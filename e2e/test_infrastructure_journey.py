"""Infrastructure, in a real browser (issue 7 acceptance): the infrastructure officer imports 500 assets
from a spreadsheet (a first file with one bad row is reported with that row and nothing is imported; the
fixed file is imported whole), registers a public-facing digital system whose web address is a test
server on loopback, creates its monitor with one click and lowers its thresholds, the test server goes
down, an incident opens and the public status page shows it, the server comes back and the incident
closes.

Monitor checks run through `monitoring.run_checks` between steps (as the worker's periodic job would);
the import runs as the background task it is (`run_ready_tasks`). Every page is checked with axe; the
findings are collected and reported together at the end. Screenshots:
docs/screenshots/infrastructure-<nn>-<step>.png."""

from __future__ import annotations

import http.server
import re
import threading

import pytest
from django.utils import timezone, translation
from openpyxl import Workbook

from e2e.helpers import Checks, main_text, run_ready_tasks, sign_in, t
from nokor.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from nokor.audit.models import AuditEvent
from nokor.infrastructure import monitoring
from nokor.infrastructure.models import Asset, DigitalSystem, Incident, Monitor, Site
from nokor.infrastructure.tests.monitoring_servers import LoopbackServer, _Handler

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),  # pytest-playwright's base_url
]

ROWS = 500
BAD_ROW = 137  # the data row (1-based) whose office does not exist; the sheet's row number is one more
HEADER = ["type", "serial number", "model", "status", "office", "purchase date", "end of life"]
IMPORT_STATUS = re.compile(r"/infrastructure/assets/import/([^/]+)/$")
MONITOR_PATH = re.compile(r"/infrastructure/monitors/(\d+)/$")
SYSTEM_PATH = re.compile(r"/infrastructure/systems/(\d+)/$")
SYSTEM_NAME = "Civil registration online"


# --------------------------------------------------------------------------------------------------
# Set-up: the live server with private media, two offices, a test server on loopback
# --------------------------------------------------------------------------------------------------
@pytest.fixture
def infra_site(settings, tmp_path, live_server, units):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url
    return live_server


@pytest.fixture
def offices(units):
    def office(code: str, name: str, kind) -> Site:
        unit = units[code]
        return Site.objects.create(name_km=name, name_en=name, kind=kind, unit=unit, unit_code=unit.code)

    return [
        office("12", "Phnom Penh hall", Site.Kind.PROVINCIAL_HALL),
        office("080101", "Ampov Prey commune office", Site.Kind.COMMUNE_OFFICE),
    ]


@pytest.fixture
def test_server():
    server = LoopbackServer()
    yield server
    server.stop()


def restart(server: LoopbackServer) -> http.server.ThreadingHTTPServer:
    """The test server back on the same port (same handler, same answer)."""
    handler = type("Handler", (_Handler,), {"page": server.page})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", server.port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    server.httpd = httpd  # stopped by the fixture
    return httpd


# --------------------------------------------------------------------------------------------------
# Helpers of this journey
# --------------------------------------------------------------------------------------------------
def spreadsheet(path, offices, *, bad_row: int | None = None):
    """A 500-row Excel file of laptops, desktops and printers spread over the two offices; `bad_row`
    names an office that does not exist."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Assets"
    sheet.append(HEADER)
    kinds = ["laptop", "desktop", "printer", "router", "ups"]
    for n in range(1, ROWS + 1):
        office = 999_999 if n == bad_row else offices[n % 2].pk
        sheet.append(
            [kinds[n % len(kinds)], f"MOI-{n:05d}", "Model X", "in use", office, "2024-03-01", "2029-03-01"]
        )
    book.save(path)
    return path


def nt(page, singular: str, plural: str, count: int) -> str:
    """A plural message in the language of the page shown, with its count."""
    language = page.evaluate("document.documentElement.lang") or "km"
    with translation.override(language):
        return translation.ngettext(singular, plural, count) % {"counter": count}


def follow(page, locator) -> None:
    assert locator.count() >= 1, f"nothing to click on {page.url}: {locator}"
    with page.expect_navigation():
        locator.first.click()


def send(page, button) -> None:
    with page.expect_navigation():
        button.click()


def upload(page, path) -> str:
    """Send the file to the import form; the id of the import from the page it leads to."""
    page.goto("/infrastructure/assets/import/")
    page.set_input_files("main form input[type=file]", str(path))
    send(page, page.locator("main form button[type=submit]").first)
    match = IMPORT_STATUS.search(page.url)
    assert match, f"stayed on {page.url}:\n{main_text(page)}"
    return match.group(1)


def finish_background_work(page) -> None:
    """Run the queued import task, then load the status page again."""
    run_ready_tasks()
    page.reload()


def check_now() -> monitoring.RunReport:
    """One run of the periodic check job, with every monitor due."""
    Monitor.objects.update(next_check_at=timezone.now())
    return monitoring.run_checks()


# --------------------------------------------------------------------------------------------------
# The journey
# --------------------------------------------------------------------------------------------------
def test_import_assets_register_system_monitor_outage_on_status_page(
    new_page, infra_site, offices, infrastructure_officer, test_server, tmp_path
):
    checks = Checks("infrastructure")
    bad_file = spreadsheet(tmp_path / "assets-bad.xlsx", offices, bad_row=BAD_ROW)
    good_file = spreadsheet(tmp_path / "assets.xlsx", offices)

    # ---- 1. The officer signs in (password and authenticator code) ------------------------------
    staff = new_page("desktop")
    sign_in(staff, infrastructure_officer.email, DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    staff.wait_for_url("**/me/")

    # ---- 2. Import: the file with one bad row is reported, nothing is imported ------------------
    staff.goto("/infrastructure/assets/import/")
    checks.step(staff, "import-start", phone=False)
    import_id = upload(staff, bad_file)
    finish_background_work(staff)
    summary = staff.locator("main .error-summary")
    assert summary.count() == 1, main_text(staff)
    one_error = nt(
        staff,
        "%(counter)s row has an error. Correct the file and upload it again: nothing was imported.",
        "%(counter)s rows have errors. Correct the file and upload it again: nothing was imported.",
        1,
    )
    assert one_error in summary.inner_text(), summary.inner_text()
    checks.step(staff, "import-one-bad-row", phone=False)
    follow(staff, summary.locator("a[href='?only=errors']"))  # the error summary leads to the bad row
    rows = staff.locator("main table tbody tr")
    assert rows.count() == 1, main_text(staff)
    row_text = rows.first.inner_text()
    assert str(BAD_ROW + 1) in row_text and f"MOI-{BAD_ROW:05d}" in row_text, row_text
    checks.step(staff, "import-bad-row-shown", phone=False)
    assert staff.locator("main form button[type=submit]").count() == 0, "a file with errors is not importable"
    assert not Asset.objects.filter(serial__startswith="MOI-").exists(), "nothing imported"

    # ---- 3. The fixed file: checked (dry run writes nothing), then imported whole ---------------
    import_id_good = upload(staff, good_file)
    assert import_id_good != import_id
    finish_background_work(staff)
    checks.step(staff, "import-checked", phone=False)
    assert not Asset.objects.filter(serial__startswith="MOI-").exists(), "the dry run writes nothing"
    send(staff, staff.locator("main form button[type=submit]").first)
    finish_background_work(staff)
    assert Asset.objects.filter(serial__startswith="MOI-").count() == ROWS, main_text(staff)
    checks.step(staff, "import-done", phone=False)
    assert AuditEvent.objects.filter(action="infrastructure.asset_import").exists()
    staff.goto(f"/infrastructure/assets/?q=MOI-{BAD_ROW:05d}")
    checks.step(staff, "assets-list", phone=False)

    # ---- 4. A public-facing system is registered, its address is the test server ----------------
    staff.goto("/infrastructure/systems/new/")
    staff.fill("input[name=name]", SYSTEM_NAME)
    staff.fill("textarea[name=purpose]", "Citizens request birth and marriage certificates online.")
    staff.fill("input[name=owner_department]", "General Department of Identification")
    staff.fill("input[name=url]", test_server.url)
    staff.check("input[name=is_public_facing]")
    checks.step(staff, "system-form", phone=False)
    send(staff, staff.locator("main form button[type=submit]").last)
    assert SYSTEM_PATH.search(staff.url), f"stayed on {staff.url}:\n{main_text(staff)}"
    system = DigitalSystem.objects.get(name=SYSTEM_NAME)
    assert system.url == test_server.url and system.is_public_facing
    checks.step(staff, "system-registered", phone=False)

    # ---- 5. Its monitor: one click from the system, then thresholds lowered ----------------------
    button = staff.locator(
        f"main form[action='/infrastructure/systems/{system.pk}/monitor/'] button[type=submit]"
    )
    send(staff, button)
    match = MONITOR_PATH.search(staff.url)
    assert match, f"stayed on {staff.url}:\n{main_text(staff)}"
    monitor = Monitor.objects.get(pk=int(match.group(1)))
    assert monitor.system == system and monitor.target == test_server.url and monitor.is_public
    follow(staff, staff.locator(f"main a[href='/infrastructure/monitors/{monitor.pk}/edit/']"))
    staff.fill("input[name=failure_threshold]", "2")
    staff.fill("input[name=success_threshold]", "1")
    checks.step(staff, "monitor-thresholds", phone=False)
    send(staff, staff.locator("main form button[type=submit]").last)
    assert staff.url.endswith(f"/infrastructure/monitors/{monitor.pk}/"), main_text(staff)
    monitor.refresh_from_db()
    assert (monitor.failure_threshold, monitor.success_threshold) == (2, 1)

    # The worker checks it: up.
    check_now()
    monitor.refresh_from_db()
    assert monitor.last_state == Monitor.State.UP
    staff.reload()
    checks.step(staff, "monitor-up", phone=False)

    # ---- 6. The test server goes down: one failure is not yet an incident, two are ---------------
    test_server.stop()
    check_now()
    assert not Incident.objects.filter(monitor=monitor).exists(), "one failure does not open an incident"
    check_now()
    incident = Incident.objects.get(monitor=monitor)
    assert incident.resolved_at is None and incident.is_public
    staff.reload()
    checks.step(staff, "monitor-down-incident", phone=False)

    # The public status page (a citizen, on a phone, in Khmer) shows it.
    public = new_page("mobile")
    public.goto("/infrastructure/status/")
    down_text = main_text(public)
    assert SYSTEM_NAME in down_text, down_text
    assert t(public, "Some services are not working. We are working on it.") in down_text, down_text
    assert t(public, "Current problems") in down_text and t(public, "Not working") in down_text
    checks.step(public, "status-page-incident")
    public_en = new_page("mobile", language="en")
    public_en.goto("/infrastructure/status/")
    assert "Some services are not working." in main_text(public_en), main_text(public_en)
    checks.step(public_en, "status-page-incident-en")

    # ---- 7. The server comes back: the incident closes ------------------------------------------
    restart(test_server)
    check_now()
    incident.refresh_from_db()
    assert incident.resolved_at is not None, "one good check (threshold 1) closes the incident"
    monitor.refresh_from_db()
    assert monitor.last_state == Monitor.State.UP
    staff.reload()
    checks.step(staff, "monitor-back-up", phone=False)
    public.reload()
    up_text = main_text(public)
    assert t(public, "All services are working.") in up_text, up_text
    assert t(public, "Current problems") not in up_text, "no open incident is shown any more"
    assert t(public, "Incidents of the last 90 days") in up_text and SYSTEM_NAME in up_text
    checks.step(public, "status-page-resolved")

    assert not checks.problems, "\n\n".join(checks.problems)
