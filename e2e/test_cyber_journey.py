"""Cybercrime, in a real browser (issue 5 acceptance): an anonymous visitor reports a fake-bank scam on a
phone, in Khmer, with two identifiers (a phone number in Khmer digits and a defanged link), a payment and
a screenshot, and follows the report with its reference and tracking code; a second report names the
same phone number written differently. The investigator of Phnom Penh triages the first report (the
queue shows it linked to one other report), opens a case, links the second report, downloads the
screenshot (a reason is required, and the chain of custody shows the download with the reason and the
investigator's name) and confirms the number; the public scam check finds the number written a third
way, "reported 2 times"; the investigator asks the bank to freeze the account and records its answer,
and the case timeline shows both. The investigator of another province gets 404 on all of it.

Public pages are checked at 360 px (no sideways scrolling), every page with axe; the findings are
collected and reported together at the end, so one does not hide the rest of the journey. Texts are
matched through the app's own translations (`t`, `nt`), so the test holds in Khmer and in English.
Screenshots: docs/screenshots/cyber-<nn>-<step>.png."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone, translation
from PIL import Image, ImageDraw
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from e2e.helpers import Checks, main_text, sign_in, t
from nokor.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from nokor.audit.models import AuditEvent
from nokor.cyber import reference_data, reports
from nokor.cyber.models import Case, CaseEvent, EvidenceFile, FreezeRequest, Institution, Report, Verdict

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),  # pytest-playwright's base_url
]

REFERENCE = re.compile(r"CY-\d{4}-\d{6}-\d")
CASE_PATH = re.compile(r"/cyber/staff/cases/([^/]+)/$")
FREEZE_PATH = re.compile(r"/cyber/staff/freezes/([^/]+)/$")
PHNOM_PENH = "12"
PHONE_KHMER = "០១២ ៣៤៥ ៦៧៨"  # as the victim types it: Khmer digits
PHONE_SECOND = "+855 12 345 678"  # as the second victim wrote it
PHONE_THIRD = "855-12-345-678"  # as someone pastes it in the scam check
PHONE = "+85512345678"
LINK = "hxxps://aba-secure-login[.]com/verify"
ACCOUNT = "000 123 456"
AMOUNT = "150"
DESCRIPTION = (
    "ខ្ញុំទទួលបានសារ SMS ថាគណនីធនាគាររបស់ខ្ញុំត្រូវបានបិទ និងតំណភ្ជាប់មួយ។ បន្ទាប់មក មានអ្នកហៅពីលេខ "
    "០១២ ៣៤៥ ៦៧៨ ប្រាប់ឱ្យខ្ញុំផ្ទេរប្រាក់ ១៥០ ដុល្លារ ទៅគណនី «សុវត្ថិភាព»។"
)
REASON = "Attach the screenshot of the fake SMS to the case file for the prosecutor."
KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")


# --------------------------------------------------------------------------------------------------
# Set-up: reference data (categories, banks), the small tree of units, private media
# --------------------------------------------------------------------------------------------------
@pytest.fixture
def cyber_site(settings, tmp_path, live_server, units):
    """The live server (same process: settings changed here apply to it) with the cyber reference data."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url
    reference_data.load()
    return live_server


# --------------------------------------------------------------------------------------------------
# Helpers of this journey
# --------------------------------------------------------------------------------------------------
def follow(page, locator) -> None:
    """Click a link or button that loads a new page, and wait for it."""
    assert locator.count() >= 1, f"nothing to click on {page.url}: {locator}"
    with page.expect_navigation():
        locator.first.click()


def send(page, button) -> None:
    """Press a form's button and wait for the page it leads to."""
    with page.expect_navigation():
        button.click()


def next_question(page, expected_step: str) -> None:
    """Press the question page's visible "Continue" (the form's button group; "Add another" is not in it)
    and check the page it leads to ("check": the check-answers page)."""
    send(page, page.locator("main form .button-group button[type=submit]").first)
    expected = "/cyber/report/check/" if expected_step == "check" else f"/cyber/report/new/{expected_step}/"
    assert page.url.endswith(expected), f"stayed on {page.url}:\n{main_text(page)}"


def nt(page, singular: str, plural: str, count: int) -> str:
    """A plural message in the language of the page shown, with its count."""
    language = page.evaluate("document.documentElement.lang") or "km"
    with translation.override(language):
        return translation.ngettext(singular, plural, count) % {"counter": count}


def latin(text: str) -> str:
    """Khmer digits as Latin ones, and no non-breaking hyphens (references are shown unbroken)."""
    return " ".join(text.translate(KHMER_DIGITS).replace("\u2011", "-").split())


def screenshot_png() -> bytes:
    """A small screenshot of the fake SMS, as a phone saves it."""
    image = Image.new("RGB", (360, 220), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 350, 120), outline="black")
    draw.text((20, 20), "ABA: your account is blocked.", fill="black")
    draw.text((20, 45), "Verify now: aba-secure-login.com/verify", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def a_few_days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


# --------------------------------------------------------------------------------------------------
# The journey
# --------------------------------------------------------------------------------------------------
def test_scam_report_to_case_evidence_listing_and_freeze(
    new_page, cyber_site, units, investigator, investigator_kandal
):
    checks = Checks("cyber")
    evidence_bytes = screenshot_png()

    # ---- 1. An anonymous visitor reports the scam, on a phone, in Khmer -------------------------
    me = new_page("mobile")
    me.goto("/cyber/report/")
    assert me.evaluate("document.documentElement.lang") == "km", "Khmer is the default language"
    checks.step(me, "report-start")
    follow(me, me.locator("main a.button[href='/cyber/report/new/who/']"))

    me.check("input[name=who][value=me]")
    checks.step(me, "report-who")
    next_question(me, "category")

    me.check("input[name=category][value=phishing]")
    checks.step(me, "report-category")
    next_question(me, "channel")

    me.check("input[name=channel][value=sms]")
    me.check("input[name=ongoing_contact][value=no]")
    checks.step(me, "report-channel")
    next_question(me, "when")

    me.fill("input[name=incident_date]", a_few_days_ago(2).isoformat())
    checks.step(me, "report-when")
    next_question(me, "money")

    me.check("input[name=lost_money][value=yes]")
    next_question(me, "transfers")

    me.fill("input[name=transfers-0-amount]", AMOUNT)
    me.select_option("select[name=transfers-0-currency]", "USD")
    me.select_option("select[name=transfers-0-institution]", "ABA")
    me.fill("input[name=transfers-0-to_account]", ACCOUNT)
    me.fill("input[name=transfers-0-transaction_id]", "FT26112500123")
    me.fill("input[name=transfers-0-paid_on]", a_few_days_ago(2).isoformat())
    checks.step(me, "report-payment")
    next_question(me, "identifiers")

    # Two identifiers: "Add another" (without JavaScript: the page comes back with one more row, and
    # says what the first was recognised as).
    me.fill("input[name=identifiers-0-text]", PHONE_KHMER)
    send(me, me.locator("main form button[name=add]"))
    assert me.input_value("input[name=identifiers-0-text]") == PHONE_KHMER, "what was typed is kept"
    assert PHONE in main_text(me), "the phone number in Khmer digits is recognised"
    me.fill("input[name=identifiers-1-text]", LINK)
    checks.step(me, "report-identifiers")
    next_question(me, "description")

    me.fill("textarea[name=description]", DESCRIPTION)
    checks.step(me, "report-description")
    next_question(me, "evidence")

    me.set_input_files(
        "input[name=files]", {"name": "sms-aba.png", "mimeType": "image/png", "buffer": evidence_bytes}
    )
    send(me, me.locator("main form button[name=add]"))
    assert me.url.endswith("/cyber/report/new/evidence/"), main_text(me)
    assert "sms-aba.png" in main_text(me), "the file added is listed"
    checks.step(me, "report-screenshot-added")
    next_question(me, "where")

    # The place: typing narrows the choice (htmx); without it the typed name is matched when sent.
    me.fill("#id_unit", "ភ្នំពេញ")
    choice = me.locator(f"#id_unit-results input[type=radio][value='{PHNOM_PENH}']")
    try:
        choice.wait_for(state="visible", timeout=5_000)
        choice.check()
    except PlaywrightTimeout:
        checks.problem("where page: typing 'ភ្នំពេញ' offered no place to choose (the typed name is sent)")
    checks.step(me, "report-where")
    next_question(me, "contact")

    # Anonymous: no contact details; investigators may share the report with the bank.
    me.check("input[name=consent][value=yes]")
    checks.step(me, "report-contact")
    next_question(me, "check")

    answers = main_text(me)
    for expected in (PHONE_KHMER, LINK, "sms-aba.png", "ភ្នំពេញ", ACCOUNT):
        assert expected in answers, f"{expected!r} not on the check-answers page:\n{answers}"
    checks.step(me, "report-check-answers")
    send(me, me.locator("main form button[type=submit]").first)
    assert me.url.endswith("/cyber/report/sent/"), main_text(me)
    shown = me.locator("main .panel .reference")
    reference, tracking_code = latin(shown.nth(0).inner_text()), latin(shown.nth(1).inner_text())
    assert REFERENCE.fullmatch(reference), reference
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", tracking_code), tracking_code
    no_promise = t(
        me,
        "Investigators look at new reports in order of urgency. A report does not guarantee an "
        "investigation, but every report helps: the numbers, links and accounts you gave are compared "
        "with other reports and help to warn others.",
    )
    assert no_promise in main_text(me), "the report page says plainly that no investigation is promised"
    checks.step(me, "report-sent")

    first = Report.objects.get(reference=reference)
    assert first.reporter_id is None and first.unit.code == PHNOM_PENH and first.category.slug == "phishing"
    assert set(first.sightings.values_list("kind", "value")) == {
        ("phone", PHONE),
        ("url", "https://aba-secure-login.com/verify"),
        ("bank_account", "ABA:000123456"),  # the account paid to is an identifier too
    }
    evidence = EvidenceFile.objects.get(report=first)
    assert evidence.original_name == "sms-aba.png" and evidence.size == len(evidence_bytes)

    # ---- 2. Later, on the same phone, the visitor follows the report with the tracking code -----
    later = new_page("mobile")
    later.goto(f"/cyber/report/status/{reference}/")
    assert later.url.endswith(f"/cyber/report/status/?reference={reference}"), "no code, no report"
    assert later.input_value("input[name=reference]") == reference
    later.fill("input[name=code]", tracking_code.lower().replace("-", " "))  # as typed from a photo
    checks.step(later, "status-check")
    send(later, later.locator("main form button[type=submit]").first)
    assert later.url.endswith(f"/cyber/report/status/{reference}/"), main_text(later)
    assert later.locator("main .tag").first.inner_text().strip() == t(later, "Received")
    status_page = main_text(later)
    assert PHONE_KHMER in status_page and "sms-aba.png" in status_page
    checks.step(later, "status-received")

    # ---- 3. A second report names the same phone number, written differently -------------------
    second = reports.report_submit(
        by=AnonymousUser(),
        category="phishing",
        description="A caller from the bank asked me for the code sent by SMS.",
        channel="phone",
        incident_date=a_few_days_ago(1),
        identifiers=[reports.IdentifierInput(PHONE_SECOND)],
        contact_email="second.victim@example.com",
        consent=True,
        unit=units[PHNOM_PENH],
    ).report
    assert second.sightings.get().value == PHONE

    # ---- 4. The investigator of Phnom Penh triages, opens a case, downloads the evidence ---------
    staff = new_page("desktop")
    sign_in(staff, investigator.email, DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    staff.wait_for_url("**/me/")
    staff.goto("/cyber/staff/reports/")
    report_link = f"a[href='/cyber/staff/reports/{reference}/']"
    row = staff.locator("main table tbody tr", has=staff.locator(report_link))
    assert row.count() == 1, main_text(staff)
    linked = nt(staff, "%(counter)s other report", "%(counter)s other reports", 1)
    assert latin(linked) in latin(row.inner_text()), f"{linked!r} not in the queue row: {row.inner_text()!r}"
    assert staff.locator(f"main table a[href='/cyber/staff/reports/{second.reference}/']").count() == 1
    checks.step(staff, "triage-queue", phone=False)

    follow(staff, row.locator(report_link))
    identifiers = staff.locator("main table", has=staff.locator("td", has_text=PHONE_KHMER))
    assert identifiers.locator(f"a[href='/cyber/staff/reports/{second.reference}/']").count() == 1, (
        "the report shows the other report naming the same phone number"
    )
    checks.step(staff, "triage-report", phone=False)
    triage_form = staff.locator("main form[action$='/triage/']")
    send(staff, triage_form.locator("button[type=submit]"))
    first.refresh_from_db()
    assert first.status == Report.Status.TRIAGED and first.triaged_by == investigator, main_text(staff)
    assert staff.locator("main .tag").first.inner_text().strip() == t(staff, "Being assessed")

    open_case = staff.locator("main form[action$='/open-case/']")
    staff.locator("main details", has=staff.locator("form[action$='/open-case/']")).locator("summary").click()
    assert staff.input_value("main form[action$='/open-case/'] input[name=title]").endswith(reference)
    open_case.locator("textarea[name=summary]").fill("Fake ABA SMS and calls from 012 345 678.")
    checks.step(staff, "triage-open-case", phone=False)
    send(staff, open_case.locator("button[type=submit]"))
    match = CASE_PATH.search(staff.url)
    assert match, f"no case page: {staff.url}\n{main_text(staff)}"
    case = Case.objects.get(reference=match.group(1))
    assert case.unit.code == PHNOM_PENH and list(case.reports.all()) == [first]

    link_form = staff.locator("main form[action$='/link/']")
    staff.locator("main details", has=staff.locator("form[action$='/link/']")).locator("summary").click()
    link_form.locator("input[name=report]").fill(second.reference)
    send(staff, link_form.locator("button[type=submit]"))
    assert set(case.reports.values_list("reference", flat=True)) == {reference, second.reference}
    reports_table = staff.locator("main table", has=staff.locator("a[href^='/cyber/staff/reports/']"))
    for shown_reference in (reference, second.reference):
        assert reports_table.locator(f"a[href='/cyber/staff/reports/{shown_reference}/']").count() == 1
    checks.step(staff, "case-two-reports", phone=False)

    follow(staff, staff.locator(f"main a[href='/cyber/staff/evidence/{evidence.pk}/']"))
    assert evidence.sha256 in main_text(staff)
    checks.step(staff, "evidence", phone=False)
    follow(staff, staff.locator(f"main a[href='/cyber/staff/evidence/{evidence.pk}/download/']"))
    download_form = staff.locator("main form[method=post]")
    send(staff, download_form.locator("button[type=submit]"))  # no reason given
    summary = staff.locator("main .error-summary")
    assert summary.is_visible(), "a download without a reason is refused"
    reason_asked = t(staff, "Give the reason for opening this file: it is written in its chain of custody.")
    assert reason_asked in summary.inner_text()
    assert not AuditEvent.objects.filter(object_id=str(evidence.pk), action__endswith="downloaded").exists()
    checks.step(staff, "evidence-download-reason-required", phone=False)
    staff.fill("main form textarea[name=reason], main form input[name=reason]", REASON)
    with staff.expect_download() as info:
        download_form.locator("button[type=submit]").click()
    download = info.value
    assert download.suggested_filename == "sms-aba.png"
    assert Path(download.path()).read_bytes() == evidence_bytes, "the file as it was collected"

    staff.goto(f"/cyber/staff/evidence/{evidence.pk}/")
    entries = staff.locator("main ol.timeline li.timeline__item")
    downloaded = entries.filter(has_text=REASON)
    assert downloaded.count() == 1, main_text(staff)
    entry = downloaded.inner_text()
    assert t(staff, "Downloaded") in entry and str(investigator) in entry, entry
    checks.step(staff, "evidence-custody-log", phone=False)

    # The investigator confirms the phone number on the indicators page.
    staff.goto(f"/cyber/staff/indicators/?q={quote(PHONE)}")
    verdict_form = staff.locator(f"main form:has(input[name=value][value='{PHONE}'])")
    assert verdict_form.count() == 1, main_text(staff)
    checks.step(staff, "indicators", phone=False)
    send(staff, verdict_form.locator("button[name=outcome][value=confirmed]"))
    assert Verdict.objects.get(kind="phone", value=PHONE).outcome == Verdict.Outcome.CONFIRMED
    checks.step(staff, "indicator-confirmed", phone=False)

    # ---- 5. Anyone checks the number, written a third way, on the public scam check ------------
    visitor = new_page("mobile")
    visitor.goto("/cyber/check/")
    visitor.fill("input[name=q]", PHONE_THIRD)
    send(visitor, visitor.locator("main form button[type=submit]").first)
    result = visitor.locator("main .check-result")
    reported = nt(visitor, "Reported %(counter)s time", "Reported %(counter)s times", 2)
    assert latin(reported) in latin(result.inner_text()), f"{reported!r} not in:\n{result.inner_text()}"
    assert PHONE in result.inner_text()
    assert "second.victim" not in visitor.content(), "no reporter data in a result"
    checks.step(visitor, "scam-check-reported-2-times")

    # ---- 6. The investigator asks the bank to freeze the account, then records its answer -------
    staff.goto(f"/cyber/staff/cases/{case.reference}/")
    follow(staff, staff.locator(f"main a[href='/cyber/staff/cases/{case.reference}/freeze/']"))
    aba = Institution.objects.get(code="ABA")
    staff.select_option("main select[name=institution]", str(aba.pk))
    send(staff, staff.locator("main form[method=get] button[type=submit]"))
    transfer = first.transfers.get()
    assert staff.is_checked(f"main input[name=transfers][value='{transfer.pk}']"), "the ABA transfer"
    assert staff.input_value("main input[name=account]") == ACCOUNT
    staff.fill("main textarea[name=note]", "Urgent: victim transferred to this account two days ago.")
    checks.step(staff, "freeze-request", phone=False)
    send(staff, staff.locator("main form[method=post] button[type=submit]"))
    match = FREEZE_PATH.search(staff.url)
    assert match, f"no freeze request page: {staff.url}\n{main_text(staff)}"
    request = FreezeRequest.objects.get(reference=match.group(1))
    assert (request.case, request.institution, request.account, str(request.amount)) == (
        case,
        aba,
        ACCOUNT,
        "150.00",
    )
    assert list(request.transfers.all()) == [transfer]

    staff.check(f"main input[name=status][value={FreezeRequest.Status.FROZEN}]")
    staff.fill("main input[name=frozen_amount]", AMOUNT)
    staff.fill("main textarea[name=note]", "ABA froze USD 150 on the account at 10:40.")
    checks.step(staff, "freeze-answer", phone=False)
    send(staff, staff.locator("main form[method=post] button[type=submit]"))
    request.refresh_from_db()
    assert request.status == FreezeRequest.Status.FROZEN and str(request.frozen_amount) == "150.00"
    assert staff.locator("main .tag").first.inner_text().strip() == t(staff, "Frozen")
    checks.step(staff, "freeze-answered", phone=False)

    staff.goto(f"/cyber/staff/cases/{case.reference}/")
    timeline = staff.locator("main ol.timeline").inner_text()
    for title in (t(staff, "Freeze requested"), t(staff, "Bank answered")):
        assert title in timeline, f"{title!r} not in the case timeline:\n{timeline}"
    assert request.reference in timeline
    assert set(case.events.values_list("kind", flat=True)) >= {
        CaseEvent.Kind.FREEZE_REQUESTED,
        CaseEvent.Kind.FREEZE_ANSWERED,
    }
    checks.step(staff, "case-timeline-freeze", phone=False)

    # ---- Access: the investigator of another province sees none of it (404) --------------------
    kandal = new_page("desktop", user=investigator_kandal)
    for path in (
        f"/cyber/staff/reports/{reference}/",
        f"/cyber/staff/cases/{case.reference}/",
        f"/cyber/staff/evidence/{evidence.pk}/",
        f"/cyber/staff/evidence/{evidence.pk}/download/",
        f"/cyber/staff/freezes/{request.reference}/",
    ):
        assert kandal.request.get(path).status == 404, path
    kandal.goto("/cyber/staff/reports/")
    assert reference not in latin(main_text(kandal)), "another province's report is not in the queue"

    assert not checks.problems, "\n\n".join(checks.problems)
