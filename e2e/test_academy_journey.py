"""The academy, in a real browser (issue 6 acceptance). A citizen takes "Spotting and stopping online
scams" on a phone, in Khmer: enrols, takes the optional pre-test, reads every lesson, fails the final
test once (and reads the feedback on each answer), passes it at the second attempt, downloads the signed
certificate, and the link in its QR code says it is genuine. Then a trainer makes "Cyber hygiene for civil
servants" mandatory for the staff of Kandal province; the Kandal officer sees it as due (in the inbox and
in My learning), reads the lessons and passes the final test (questions in random order); the manager of
Kandal sees the change in the training report, and the report's Excel file holds the same numbers as
the screen.

The quizzes are answered from the question bank in the database (the right answers are never read off
the page). The QR code is read from the PDF itself: the page is rendered (poppler's pdftoppm) and its
modules compared with the QR code of the verification address printed under it.

Citizen and learner pages are checked at 360 px (no sideways scrolling), every page with axe and for
repeated ids; the findings are collected and reported together at the end, so one does not hide the rest
of the journey. Texts are matched through the app's own translations (`t`), so the test holds in Khmer
and in English. Screenshots: docs/screenshots/academy-<nn>-<step>.png."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
import segno
from django.utils import timezone, translation
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from e2e.helpers import (
    DUPLICATE_IDS,
    Checks,
    a11y_violations,
    format_violations,
    has_horizontal_scroll,
    main_text,
    run_ready_tasks,
    sign_in,
    t,
)
from nokor.academy import reports
from nokor.academy.loader import load_courses
from nokor.academy.models import AssignmentRule, CourseCertificate, Enrolment, Question, Quiz
from nokor.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from nokor.core.formatting import format_date
from nokor.documents.models import Document
from nokor.documents.signing import SigningPaths, create_demo_ca

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),  # pytest-playwright's base_url
]

SCAMS = "spotting-online-scams"
HYGIENE = "cyber-hygiene-for-civil-servants"
KANDAL = "08"
DUE_DAYS = 30
KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")


# --------------------------------------------------------------------------------------------------
# Set-up: the three courses, private media, the demo signing CA, QR links pointing at the live server
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def demo_ca(tmp_path_factory) -> SigningPaths:
    directory = tmp_path_factory.mktemp("academy-signing")
    paths = SigningPaths(
        key=directory / "signing-key.pem", cert=directory / "signing-cert.pem", chain=directory / "chain.pem"
    )
    create_demo_ca(paths)
    return paths


@pytest.fixture
def academy_site(settings, tmp_path, demo_ca, live_server, units):
    """The live server (same process: settings changed here apply to it) with the courses of
    nokor/academy/content loaded, ready to issue signed certificates."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SIGNING_KEY_FILE = demo_ca.key
    settings.SIGNING_CERT_FILE = demo_ca.cert
    settings.SIGNING_CHAIN_FILE = demo_ca.chain
    settings.SITE_URL = live_server.url  # the QR code's link leads to this server
    load_courses()
    return live_server


# --------------------------------------------------------------------------------------------------
# Helpers of this journey
# --------------------------------------------------------------------------------------------------
def follow(page, locator) -> None:
    """Click a link or button that loads a new page, and wait for it."""
    assert locator.count() >= 1, f"nothing to click on {page.url}: {locator}"
    with page.expect_navigation():
        locator.first.click()


def inspect(checks: Checks, page, name: str, *, phone: bool = True) -> None:
    """The checks of Checks.step without a screenshot (for pages passed through many times, like the
    lessons between the first and the last)."""
    violations = a11y_violations(page)
    if violations:
        checks.problem(f"axe, {name!r}, {page.url}:\n{format_violations(violations)}")
    duplicates = page.evaluate(DUPLICATE_IDS)
    if duplicates:
        checks.problem(f"{name!r}, {page.url}: ids used more than once: {duplicates}")
    if phone and has_horizontal_scroll(page):
        checks.problem(f"{name!r}, {page.url}: scrolls sideways")


def choose_language(page, language: str) -> None:
    """The language switch in the header (a signed-in person's choice is kept on the account)."""
    with page.expect_navigation():
        page.locator(f"form.language-switch button[value={language}]").click()
    assert page.evaluate("document.documentElement.lang") == language


def khmer(number) -> str:
    return str(number).translate(KHMER_DIGITS)


def answer_quiz(page, quiz: Quiz, *, right: bool) -> int:
    """Answer every question on the quiz page from the question bank: all right, or all wrong. The
    fields are found by name (q<question id>), so the order the page shows them in does not matter.
    Returns how many questions were answered."""
    form = page.locator("main form[method=post]")
    names = set(form.locator("input[name^=q]").evaluate_all("els => els.map(e => e.name)"))
    questions = Question.objects.filter(pk__in=[int(name[1:]) for name in names]).prefetch_related("choices")
    for question in questions:
        name = f"q{question.pk}"
        if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            choices = list(question.choices.all())
            picked = (
                [c for c in choices if c.is_correct]
                if right
                else [next(c for c in choices if not c.is_correct)]
            )
            for choice in picked:
                form.locator(f"input[name={name}][value='{choice.pk}']").check()
        elif question.kind == Question.Kind.TRUE_FALSE:
            value = question.answer_bool if right else not question.answer_bool
            form.locator(f"input[name={name}][value={'true' if value else 'false'}]").check()
        elif question.kind == Question.Kind.SHORT:
            accepted = question.accepted_km or question.accepted_en
            form.locator(f"input[name={name}]").fill(accepted[0] if right else "មិនដឹង")
        else:  # numeric, typed in Khmer digits as on a Khmer keyboard
            number = question.answer_number if right else question.answer_number + question.tolerance + 1000
            form.locator(f"input[name={name}]").fill(khmer(f"{number.normalize():f}"))
    assert len(questions) == len(names) > 0, f"questions on the page: {sorted(names)}"
    return len(questions)


def send_quiz(page) -> None:
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").click()
    assert "/academy/attempts/" in page.url, f"the answers were not taken:\n{main_text(page)}"


def read_all_lessons(checks: Checks, page, slug: str, prefix: str) -> int:
    """From the course page: start, then "Next lesson" to the last one and back to the course. The first
    and the last lessons are screenshots; every lesson is checked."""
    follow(page, page.locator(f"main a.button[href='/academy/courses/{slug}/continue/']"))
    count = 1
    checks.step(page, f"{prefix}lesson-1")
    while True:
        next_link = page.locator("main nav.pager a[rel=next]")
        if not next_link.count():
            break
        follow(page, next_link)
        count += 1
        if page.locator("main nav.pager a[rel=next]").count():
            inspect(checks, page, f"{prefix}lesson-{count}")
        else:
            checks.step(page, f"{prefix}lesson-{count}-last")
    follow(page, page.locator(f"main nav.pager a.button[href='/academy/courses/{slug}/']"))
    return count


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


def qr_modules_in_pdf(path: Path, size: int, *, dpi: int = 300) -> list[list[bool]]:
    """The dark (True) and light modules of the QR code printed on the PDF's first page, `size` modules a
    side. The page is rendered; the QR code is the first block at the left under the rule that opens the
    verification block (at the foot of the page), and each module is read at its centre."""
    stem = path.with_suffix("")
    first_page = ["-f", "1", "-l", "1", "-singlefile"]
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", "-png", *first_page, str(path), str(stem)], check=True
    )
    page = Image.open(stem.with_suffix(".png")).convert("L").point(lambda value: 255 if value < 128 else 0)
    area = page.crop((0, page.height // 2, page.width // 2, page.height))  # the bottom left quarter
    rules = [
        y
        for y in range(area.height)
        if area.crop((0, y, area.width, y + 1)).histogram()[255] > area.width // 2
    ]
    assert rules, "no rule above the verification block"
    below = area.crop((0, rules[-1] + 1, area.width, area.height))
    columns = [x for x in range(below.width) if below.crop((x, 0, x + 1, below.height)).getbbox()]
    assert columns, "nothing under the rule"
    end = columns[0]
    for x in columns[1:]:  # the text beside the QR code is 4 mm away; modules are under 1 mm
        if x - end > dpi // 10:
            break
        end = x
    left, top, right, bottom = below.crop((columns[0], 0, end + 1, below.height)).getbbox()
    code = below.crop((columns[0] + left, top, columns[0] + right, bottom))
    assert abs(code.width - code.height) <= 2, f"the block at the left is not square: {code.size}"
    module = code.width / size
    return [
        [
            code.getpixel((int((column + 0.5) * module), int((row + 0.5) * module))) == 255
            for column in range(size)
        ]
        for row in range(size)
    ]


def table_on_screen(page) -> list[list[str]]:
    """The report table as shown: the header and every row, cell by cell."""
    return page.locator("main table.table tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.trim().replace(/\\s+/g, ' ')))"
    )


def as_number(value) -> object:
    """A figure of the screen or of the workbook as a number (a spreadsheet keeps 50.0 as 50); "—" or an
    empty cell as None; text as text."""
    if value in (None, "", "—"):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return value


def report_figures(rows: list[list[str]], header: list[str]) -> dict[str, dict[str, object]]:
    """{row label: {column: value}} of a report table."""
    return {row[0]: dict(zip(header[1:], (as_number(v) for v in row[1:]), strict=True)) for row in rows}


# --------------------------------------------------------------------------------------------------
# The journey
# --------------------------------------------------------------------------------------------------
def test_scams_course_certificate_and_mandatory_staff_training_report(
    new_page, academy_site, citizen, trainer, officer_kandal, supervisor_kandal, officer_siem_reap
):
    checks = Checks("academy")
    scams_final = Quiz.objects.get(course__slug=SCAMS, kind=Quiz.Kind.POST)
    scams_pre = Quiz.objects.get(course__slug=SCAMS, kind=Quiz.Kind.PRE)

    # ---- 1. The citizen, on a phone, in Khmer: the catalogue, the course, enrolment ---------------
    me = new_page("mobile")
    sign_in(me, citizen.email, DEMO_PASSWORD)
    me.wait_for_url("**/me/")
    me.goto("/academy/")
    assert me.evaluate("document.documentElement.lang") == "km", "Khmer is the default language"
    catalogue = main_text(me)
    assert scams_final.course.title_km in catalogue
    assert "Cyber hygiene" not in catalogue and "អនាម័យ" not in catalogue, "staff courses are not offered"
    checks.step(me, "catalogue")

    follow(me, me.locator(f"main a[href='/academy/courses/{SCAMS}/']"))
    assert me.locator("h1").inner_text().strip() == scams_final.course.title_km
    checks.step(me, "course")
    follow(me, me.locator(f"main form[action='/academy/courses/{SCAMS}/enrol/'] button[type=submit]"))
    enrolment = Enrolment.objects.get(user=citizen, course__slug=SCAMS, is_current=True)
    assert (enrolment.source, enrolment.status, enrolment.unit_code) == ("self", "enrolled", "")
    assert me.locator("#pre-test").is_visible(), "the optional pre-test is offered first"
    checks.step(me, "enrolled-pre-test-offered")

    # ---- 2. The pre-test (optional): what the citizen knew before ----------------------------------
    follow(me, me.locator(f"main a[href='{scams_pre.get_absolute_url()}']"))
    answer_quiz(me, scams_pre, right=False)
    checks.step(me, "pre-test")
    send_quiz(me)
    enrolment.refresh_from_db()
    assert enrolment.pre_score == Decimal(0), enrolment.pre_score
    checks.step(me, "pre-test-result")
    follow(me, me.locator(f"main a[href='/academy/courses/{SCAMS}/']"))

    # ---- 3. Every lesson, one after the other; progress is saved at every step -------------------
    lessons = read_all_lessons(checks, me, SCAMS, "")
    enrolment.refresh_from_db()
    assert lessons == enrolment.course.lesson_count == enrolment.lessons_seen == 6
    assert enrolment.status == Enrolment.Status.IN_PROGRESS, "not complete before the final test"
    assert me.locator("main .outline .tag").count() == lessons, "every lesson is marked seen"
    checks.step(me, "course-all-lessons-seen")

    # ---- 4. The final test, answered wrongly: not passed, with feedback on each answer ----------
    follow(me, me.locator(f"main a[href='{scams_final.get_absolute_url()}']"))
    assert answer_quiz(me, scams_final, right=False) == 12
    checks.step(me, "final-test-wrong-answers")
    send_quiz(me)
    assert me.locator("h1").inner_text().strip() == t(me, "Not passed yet")
    result = main_text(me)
    assert me.locator("main .result").count() == 12
    assert me.locator("main .result .tag", has_text=t(me, "Not right")).count() == 12
    assert me.locator("main .result__feedback").count() >= 1, "feedback on the answers chosen"
    assert t(me, "The right answer:") not in result, "the right answers are not given while attempts are left"
    checks.step(me, "final-test-failed-feedback")

    # ---- 5. Try again, answer rightly: passed, the course is complete -----------------------------
    follow(me, me.locator(f"main a.button[href='{scams_final.get_absolute_url()}']"))
    with translation.override("km"):
        left = translation.ngettext(
            "You have %(left)s attempt left.", "You have %(left)s attempts left.", 2
        ) % {"left": 2}
    assert left in main_text(me), main_text(me)
    answer_quiz(me, scams_final, right=True)
    checks.step(me, "final-test-right-answers")
    send_quiz(me)
    assert me.locator("h1").inner_text().strip() == t(me, "You passed"), main_text(me)
    checks.step(me, "final-test-passed")
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED and enrolment.post_passed
    assert (enrolment.pre_score, enrolment.post_score) == (Decimal(0), Decimal(100))
    certificate = CourseCertificate.objects.select_related("document").get(enrolment=enrolment)
    document = certificate.document

    follow(me, me.locator(f"main a[href='/academy/courses/{SCAMS}/']"))
    assert t(me, "You completed this course") in main_text(me)
    assert not document.is_ready, "the PDF is rendered in the background"
    assert t(
        me, "Your certificate is being prepared. We will send you a message when it is ready."
    ) in main_text(me)
    checks.step(me, "certificate-being-prepared")

    # ---- 6. The certificate: rendered and signed in the background, downloaded --------------------
    assert run_ready_tasks() >= 1
    document.refresh_from_db()
    assert document.render_status == Document.RenderStatus.READY, document.render_error
    me.reload()
    download = me.locator(f"main a[href='/documents/{document.code}/download']")
    assert download.inner_text().strip() == t(me, "Download your certificate (PDF)")
    assert document.display_code in main_text(me)
    checks.step(me, "course-completed-certificate")
    with me.expect_download() as info:
        download.click()
    pdf_path = Path(info.value.path()).with_name("certificate.pdf")
    Path(info.value.path()).replace(pdf_path)
    pdf = pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF") and b"/ByteRange" in pdf, "a signed PDF"
    text = pdf_text(pdf_path)
    for expected in (citizen.full_name, scams_final.course.title_km):
        # Khmer extractable as typed (the text layer); line breaks and spaces aside
        assert "".join(expected.split()) in "".join(text.split()), (
            f"{expected!r} not in the certificate:\n{text}"
        )
    assert document.display_code in text

    # ---- 7. The QR code on the paper: its link says the certificate is genuine --------------------
    printed = re.search(r"(https?://\S+/verify/\S+)", text)
    assert printed, f"no verification address printed under the QR code:\n{text}"
    url = printed.group(1)
    assert url == document.verification_url() and url.startswith(academy_site.url)
    expected_qr = segno.make(url, error="m")
    size = expected_qr.symbol_size(border=0)[0]
    found = qr_modules_in_pdf(pdf_path, size)
    wanted = [[bool(module) for module in row] for row in expected_qr.matrix]
    assert found == wanted, (
        "the QR code printed on the certificate is not the code of its verification address"
    )

    visitor = new_page("mobile")
    visitor.goto(url)
    assert visitor.locator("main .notice .tag").inner_text().strip() == t(visitor, "Genuine") == "ត្រឹមត្រូវ"
    assert citizen.full_name in main_text(visitor) and scams_final.course.title_km in main_text(visitor)
    checks.step(visitor, "verify-genuine")

    me.goto("/academy/mine/")
    assert document.display_code in main_text(me)
    checks.step(me, "my-learning-certificate")

    # ---- 8. A trainer makes the staff course mandatory for the staff of Kandal ------------------
    hygiene_final = Quiz.objects.get(course__slug=HYGIENE, kind=Quiz.Kind.POST)
    hygiene = hygiene_final.course
    trainer_page = new_page("desktop")
    sign_in(trainer_page, trainer.email, DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    trainer_page.wait_for_url("**/me/")
    choose_language(trainer_page, "en")  # the trainer works in English
    trainer_page.goto("/academy/staff/")
    checks.step(trainer_page, "trainer-staff-pages", phone=False)
    follow(trainer_page, trainer_page.locator("main a[href='/academy/staff/rules/']"))
    follow(trainer_page, trainer_page.locator("main a[href='/academy/staff/rules/new/']"))
    trainer_page.select_option("select[name=course]", str(hygiene.pk))
    trainer_page.fill("#id_unit", "Kandal")
    choice = trainer_page.locator(f"#id_unit-results input[type=radio][value='{KANDAL}']")
    try:
        choice.wait_for(state="visible", timeout=5_000)
        choice.check()
    except PlaywrightTimeout:
        checks.problem("rule form: typing 'Kandal' in the unit box offered no unit to choose")
    trainer_page.fill("input[name=due_days]", str(DUE_DAYS))
    checks.step(trainer_page, "trainer-new-rule-kandal", phone=False)
    with trainer_page.expect_navigation():
        trainer_page.locator("main form button[type=submit]").click()
    assert trainer_page.url.endswith("/academy/staff/rules/"), main_text(trainer_page)
    rule = AssignmentRule.objects.get(course=hygiene)
    assert (rule.unit.code, rule.roles, rule.due_days) == (KANDAL, [], DUE_DAYS)
    assigned = Enrolment.objects.filter(course=hygiene, is_current=True)
    assert {e.user for e in assigned} == {officer_kandal, supervisor_kandal}, "Kandal's staff, and only them"
    saved = t(
        trainer_page, "Rule saved. %(enrolled)s people enrolled, %(assigned)s enrolments made mandatory."
    )
    assert saved % {"enrolled": 2, "assigned": 0} in main_text(trainer_page)
    assert hygiene.title_en in main_text(trainer_page)
    checks.step(trainer_page, "trainer-rule-saved", phone=False)
    due_on = timezone.localdate() + dt.timedelta(days=DUE_DAYS)
    officer_enrolment = assigned.get(user=officer_kandal)
    assert (officer_enrolment.due_on, officer_enrolment.source, officer_enrolment.unit_code) == (
        due_on,
        "assignment",
        KANDAL,
    )
    assert not Enrolment.objects.filter(user=officer_siem_reap, course=hygiene).exists()
    run_ready_tasks()  # the people enrolled are told

    # ---- 9. The manager of Kandal: the report before -----------------------------------------
    reports.stats_refresh()
    manager = new_page("desktop")
    sign_in(manager, supervisor_kandal.email, DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    manager.wait_for_url("**/me/")
    choose_language(manager, "en")
    manager.goto("/academy/staff/")
    follow(manager, manager.locator("main a[href='/academy/staff/reports/']"))
    manager.select_option("select[name=course]", HYGIENE)
    with manager.expect_navigation():
        manager.locator("main form.filters button[type=submit]").click()
    before_rows = table_on_screen(manager)
    header = before_rows[0]
    before = report_figures(before_rows[1:], header)
    total_label = t(manager, "Total, %(unit)s") % {"unit": "Kandal"}
    columns = [
        t(manager, name)
        for name in (
            "Enrolled",
            "Completed",
            "Completion rate (%)",
            "Took the final test",
            "Passed the final test",
            "Pass rate (%)",
        )
    ]
    assert [before[total_label][c] for c in columns] == [2, 0, 0, 0, 0, None], before_rows
    assert "Siem Reap" not in main_text(manager), "the manager sees only Kandal"
    checks.step(manager, "manager-report-before", phone=False)

    # ---- 10. The officer of Kandal, on a phone, in Khmer: told, sees it due, completes it -------
    officer = new_page("mobile")
    sign_in(officer, officer_kandal.email, DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    officer.wait_for_url("**/me/")
    officer.goto("/inbox/")
    message = officer.locator("main .message-list li", has_text=hygiene.title_km)
    assert message.count() == 1 and message.locator(".tag").count() == 1, main_text(officer)  # one, unread
    checks.step(officer, "officer-inbox-assigned")
    officer.goto("/academy/mine/")
    card = officer.locator("main .card", has_text=hygiene.title_km)
    with translation.override("km"):
        due_text = translation.gettext("Complete it by %(date)s.") % {"date": format_date(due_on, "km")}
    assert t(officer, "Required for your work") in card.inner_text()
    assert due_text in card.inner_text(), card.inner_text()
    assert card.locator(".tag").inner_text().strip() == t(officer, "Not started")
    checks.step(officer, "officer-my-learning-due")
    follow(officer, card.locator(f"h3 a[href='/academy/courses/{HYGIENE}/']"))
    assert due_text in main_text(officer)
    assert officer.locator("#pre-test").is_visible(), "the pre-test is offered to assigned staff too"
    checks.step(officer, "officer-course-due")
    hygiene_pre = Quiz.objects.get(course=hygiene, kind=Quiz.Kind.PRE)
    follow(officer, officer.locator(f"main a[href='{hygiene_pre.get_absolute_url()}']"))
    answer_quiz(officer, hygiene_pre, right=False)
    send_quiz(officer)
    follow(officer, officer.locator(f"main a[href='/academy/courses/{HYGIENE}/']"))
    assert read_all_lessons(checks, officer, HYGIENE, "officer-") == hygiene.lesson_count == 6
    follow(officer, officer.locator(f"main a[href='{hygiene_final.get_absolute_url()}']"))
    answer_quiz(officer, hygiene_final, right=True)
    checks.step(officer, "officer-final-test")
    send_quiz(officer)
    assert officer.locator("h1").inner_text().strip() == t(officer, "You passed"), main_text(officer)
    officer_enrolment.refresh_from_db()
    assert officer_enrolment.status == Enrolment.Status.COMPLETED
    checks.step(officer, "officer-final-test-passed")
    run_ready_tasks()
    officer.goto("/academy/mine/")
    assert t(officer, "Completed") in officer.locator("main .card", has_text=hygiene.title_km).inner_text()
    checks.step(officer, "officer-my-learning-completed")

    # ---- 11. The report after the next refresh shows the change; the Excel file the same numbers --
    reports.stats_refresh()
    manager.reload()
    after_rows = table_on_screen(manager)
    after = report_figures(after_rows[1:], header)
    assert [after[total_label][c] for c in columns] == [2, 1, Decimal("50.0"), 1, 1, Decimal("100.0")], (
        after_rows
    )
    gain = t(manager, "Average learning gain (points)")
    assert (before[total_label][gain], after[total_label][gain]) == (None, Decimal("100.0")), "0 % then 100 %"
    checks.step(manager, "manager-report-after", phone=False)
    with manager.expect_download() as info:
        manager.locator("main a[href*='/academy/staff/reports/export.xlsx']").click()
    workbook = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    in_excel = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    assert in_excel[0] == header, (in_excel[0], header)
    assert [[as_number(v) for v in row] for row in in_excel[1:]] == [
        [as_number(v) for v in row] for row in after_rows[1:]
    ], (in_excel, after_rows)

    assert not checks.problems, "\n\n".join(checks.problems)
