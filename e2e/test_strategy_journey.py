"""The Digital Strategy Plan, in a real browser (issue 8 acceptance): Kandal's focal point submits the
quarterly report on the awareness campaign in Khmer, the approver returns it with a comment, it is
corrected and approved; the plan dashboard shows the new values and traffic lights (on a phone and on a
desktop); an auditor drills from "applications completed within the charter time" to a province and to
the applications behind its number; the public page shows the approved values only.

Applications decided this quarter are seeded in Kandal and Phnom Penh, and the aggregate table is
refreshed first, as the nightly job would; the refresh queued by the approval runs as the background task
it is (`run_ready_tasks`). Every page is checked with axe; the findings are collected and reported
together at the end. Screenshots: docs/screenshots/strategy-<nn>-<step>.png."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from e2e.helpers import Checks, main_text, run_ready_tasks, sign_in, t
from nokor.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from nokor.geography.models import AdministrativeUnit
from nokor.strategy import aggregation
from nokor.strategy.loader import load_plan
from nokor.strategy.models import Indicator, IndicatorAggregate, ProgressReport
from nokor.strategy.reporting import current_period

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),  # pytest-playwright's base_url
]

AWARENESS = "3.3.a"  # people reached by awareness sessions: manual, by province and sex, public
WITHIN_CHARTER = "5.2.a"  # applications completed within the charter time: automatic, public
REPORT_PATH = re.compile(r"/plan/reports/(\d+)/")
NARRATIVE = "វគ្គផ្សព្វផ្សាយអំពីការឆបោកតាមអនឡាញ នៅតាមឃុំចំនួន ១២ ក្នុងខេត្តកណ្តាល។"
COMMENT = "តួលេខបុរសហាក់ដូចជាខុស (៣៨)។ សូមពិនិត្យបញ្ជីវត្តមានឡើងវិញ។"


# --------------------------------------------------------------------------------------------------
# Set-up: the plan, applications decided this quarter, the aggregate table
# --------------------------------------------------------------------------------------------------
@pytest.fixture
def strategy_site(settings, tmp_path, live_server, units):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url
    return live_server


@pytest.fixture
def plan(units):
    return load_plan()


@pytest.fixture
def decided_applications(plan, citizen):
    """Applications decided in the running quarter: 6 in Kandal (one after its deadline), 5 in Phnom Penh."""
    from nokor.services.catalogue import load_catalogue
    from nokor.services.models import Application, Service, Status

    load_catalogue()
    service = Service.objects.filter(current_version__isnull=False).order_by("slug").first()
    period = current_period()
    decided_at = max(
        timezone.now() - dt.timedelta(days=1),
        dt.datetime.combine(period.start, dt.time(3), tzinfo=dt.UTC) + dt.timedelta(hours=1),
    )
    made = []
    for index, code in enumerate(["080101"] * 6 + ["12"] * 5):
        late = index == 0
        made.append(
            Application.objects.create(
                reference=f"E2E-{code[:2]}-{index:03d}",
                service=service,
                service_version=service.current_version,
                applicant=citizen,
                unit=AdministrativeUnit.objects.get(code=code),
                status=Status.APPROVED,
                submitted_at=decided_at - dt.timedelta(days=5),
                deadline=(decided_at - dt.timedelta(days=3 if late else -2)).date(),
                decided_at=decided_at,
            )
        )
    return made


def follow(page, locator) -> None:
    assert locator.count() >= 1, f"nothing to click on {page.url}: {locator}"
    with page.expect_navigation():
        locator.first.click()


def send(page, button) -> None:
    with page.expect_navigation():
        button.click()


def staff_page(new_page, user, viewport: str = "desktop"):
    page = new_page(viewport)
    sign_in(page, user.email, DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    page.wait_for_url("**/me/")
    return page


def value_field(page, indicator: Indicator, sex: str):
    return page.locator(f"main input[name='v-{indicator.pk}-08-{sex}']")


# --------------------------------------------------------------------------------------------------
# The journey
# --------------------------------------------------------------------------------------------------
def test_report_returned_corrected_approved_then_dashboard_drill_through_and_public_page(
    new_page, strategy_site, decided_applications, focal_point, approver, auditor
):
    checks = Checks("strategy")
    aggregation.refresh()  # the nightly job: the automatic indicators measure the seeded applications
    awareness = Indicator.objects.get(code=AWARENESS)
    period = current_period()

    # ---- 1. Kandal's focal point starts the quarter's report on the awareness campaign, in Khmer ----
    focal = staff_page(new_page, focal_point, "mobile")
    focal.goto("/plan/reports/")
    checks.step(focal, "reports-of-my-units")
    start = focal.locator("main form[action='/plan/reports/new/']").filter(
        has=focal.locator(f"input[name=activity][value='{awareness.activity_id}']")
    )
    send(focal, start.locator("button[type=submit]"))
    match = REPORT_PATH.search(focal.url)
    assert match and focal.url.endswith("/edit/"), f"stayed on {focal.url}:\n{main_text(focal)}"
    report = ProgressReport.objects.get(pk=int(match.group(1)))
    assert report.unit.code == "08" and report.period == period
    focal.fill("main textarea[name=narrative]", NARRATIVE)
    focal.fill("main textarea[name=risks]", "ភ្លៀងធ្លាក់ខ្លាំងនៅខែតុលា។")
    value_field(focal, awareness, "female").fill("៤២០")  # Khmer digits are accepted
    value_field(focal, awareness, "male").fill("38")  # a typing mistake: 380 were reached
    checks.step(focal, "report-filled-in-khmer")
    send(focal, focal.locator("main button[name=submit]"))
    assert REPORT_PATH.search(focal.url) and not focal.url.endswith("/edit/"), main_text(focal)
    report.refresh_from_db()
    assert report.state == ProgressReport.State.SUBMITTED
    checks.step(focal, "report-submitted")

    # The public page shows nothing of a report that is not approved.
    public = new_page("mobile")
    public.goto("/plan/public/")
    assert "458" not in main_text(public)

    # ---- 2. The approver returns it with a comment -------------------------------------------------
    boss = staff_page(new_page, approver)
    boss.goto("/plan/approvals/")
    checks.step(boss, "approvals", phone=False)
    follow(boss, boss.locator(f"main a[href='/plan/reports/{report.pk}/']"))
    returning = boss.locator(f"main form[action='/plan/reports/{report.pk}/return/']")
    returning.locator("textarea").fill(COMMENT)
    checks.step(boss, "return-with-comment", phone=False)
    send(boss, returning.locator("button[type=submit]"))
    report.refresh_from_db()
    assert report.state == ProgressReport.State.RETURNED, main_text(boss)

    # ---- 3. The focal point reads the comment, corrects the figure and submits again -------------
    focal.goto(f"/plan/reports/{report.pk}/edit/")
    assert COMMENT in main_text(focal), main_text(focal)
    checks.step(focal, "returned-comment-shown")
    value_field(focal, awareness, "male").fill("380")
    send(focal, focal.locator("main button[name=submit]"))
    report.refresh_from_db()
    assert report.state == ProgressReport.State.SUBMITTED, main_text(focal)

    # ---- 4. The approver approves: the values are locked and the aggregates refreshed -------------
    boss.goto(f"/plan/reports/{report.pk}/")
    approving = boss.locator(f"main form[action='/plan/reports/{report.pk}/approve/']")
    send(boss, approving.locator("button[type=submit]"))
    report.refresh_from_db()
    assert report.state == ProgressReport.State.APPROVED, main_text(boss)
    checks.step(boss, "approved", phone=False)
    run_ready_tasks()  # the refresh queued by the approval
    national = IndicatorAggregate.objects.get(
        indicator=awareness, year=period.year, quarter=period.quarter, unit_code="", sex=""
    )
    assert national.value == 800

    # ---- 5. The plan dashboard shows the new values and the traffic lights ------------------------
    boss.goto("/plan/dashboard/")
    board = main_text(boss)
    assert "800" in board, board
    for light in ("On track", "Off track"):
        assert t(boss, light) in board, f"{light!r} missing:\n{board}"
    checks.step(boss, "dashboard-desktop", phone=False)
    phone = new_page("mobile")
    phone.context.add_cookies(boss.context.cookies())
    phone.goto("/plan/dashboard/")
    assert "800" in main_text(phone)
    checks.step(phone, "dashboard-phone")

    # ---- 6. Drill-through: charter time > a province > the applications behind its number -------
    reader = staff_page(new_page, auditor)
    reader.goto("/plan/dashboard/")
    follow(reader, reader.locator("main a[href='/plan/dashboard/strategy/5/']"))
    checks.step(reader, "strategy-5", phone=False)
    follow(reader, reader.locator("main a[href='/plan/dashboard/objective/5.2/']"))
    follow(reader, reader.locator(f"main a[href='/plan/dashboard/indicator/{WITHIN_CHARTER}/']"))
    assert reader.locator("main figure svg[role=img]").count() >= 1
    checks.step(reader, "indicator-charter-time", phone=False)
    follow(reader, reader.locator(f"main a[href='/plan/dashboard/indicator/{WITHIN_CHARTER}/provinces/']"))
    provinces = main_text(reader)
    assert "83.3%" in provinces and "100%" in provinces, provinces  # Kandal 5 of 6, Phnom Penh 5 of 5
    checks.step(reader, "charter-time-by-province", phone=False)
    follow(reader, reader.locator("main table a[href*='/provinces/08/']"))
    records = main_text(reader)
    kandal = sorted(a.reference for a in decided_applications if a.unit.code.startswith("08"))
    for reference in kandal:
        assert reference in records, records
    assert "E2E-12-" not in records, "only Kandal's applications"
    checks.step(reader, "charter-time-kandal-applications", phone=False)

    # ---- 7. The public page: approved values only, the same charts -------------------------------
    public = new_page("mobile")  # another visitor (the first one's browser may keep its copy 5 minutes)
    public.goto("/plan/public/")
    shown = main_text(public)
    assert "800" in shown and "458" not in shown, shown
    assert public.locator("main figure svg[role=img]").count() >= 2
    checks.step(public, "public-page")

    assert not checks.problems, "\n\n".join(checks.problems)
