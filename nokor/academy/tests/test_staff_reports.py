"""Training reports: the pre-aggregated figures, drill-down province > district > commune, exports
that hold exactly the numbers of the screen, the reader's scope, and pinned query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.utils import timezone, translation

from nokor.academy import reports
from nokor.academy.models import CourseUnitStats, Enrolment
from nokor.academy.tests.test_staff_assignments import make_staff
from nokor.accounts.models import User
from nokor.accounts.roles import Role
from nokor.audit.models import AuditEvent
from nokor.geography.models import AdministrativeUnit

_people = itertools.count(1)


def enrol(course, unit_code, *, status="enrolled", passed=False, pre=None, post=None, overdue=False):
    user = User.objects.create_user(email=f"learner{next(_people)}@example.gov.kh", is_staff=bool(unit_code))
    unit = AdministrativeUnit.objects.get(code=unit_code) if unit_code else None
    today = timezone.localdate()
    return Enrolment.objects.create(
        user=user,
        course=course,
        unit=unit,
        unit_code=unit_code,
        status=status,
        completed_at=timezone.now() if status == "completed" else None,
        post_passed=passed,
        pre_score=pre,
        post_score=post,
        due_on=today - dt.timedelta(days=2) if overdue else today + dt.timedelta(days=20),
    )


@pytest.fixture
def figures(staff_course, course, units):
    done = {"status": "completed", "passed": True}
    enrol(staff_course, "0801", **done, pre=Decimal(40), post=Decimal(90))
    enrol(staff_course, "0801", status="in_progress", overdue=True, post=Decimal(50))  # failed the final
    enrol(staff_course, "080101", **done, pre=Decimal(60), post=Decimal(80))
    enrol(staff_course, "08")
    enrol(staff_course, "17", **done, pre=Decimal(50), post=Decimal(70))
    enrol(staff_course, "1701")
    enrol(staff_course, "")  # a nationwide staff member
    enrol(course, "")  # a citizen in the public course
    enrol(staff_course, "0801", status="withdrawn")  # not counted
    reports.stats_refresh()
    return {"staff": staff_course, "public": course}


def cell(course, code):
    return CourseUnitStats.objects.get(course=course, unit_code=code)


def test_the_figures_count_each_unit_and_everything_under_it(figures):
    staff = figures["staff"]
    country = cell(staff, "")
    assert (country.enrolled, country.completed, country.final_taken, country.passed) == (7, 3, 4, 3)
    assert country.overdue == 1
    assert (country.gain_sum, country.gain_count) == (Decimal(90), 3)
    kandal = cell(staff, "08")
    assert (kandal.enrolled, kandal.completed, kandal.overdue, kandal.level) == (4, 2, 1, 1)
    assert (kandal.final_taken, kandal.passed) == (3, 2)
    assert cell(staff, "0801").enrolled == 3 and cell(staff, "0801").level == 2
    assert cell(staff, "080101").enrolled == 1
    assert cell(figures["public"], "").enrolled == 1


def test_the_report_drills_down_from_the_country_to_provinces_districts_and_communes(trainer, figures):
    staff = figures["staff"]
    with translation.override("en"):
        country = reports.completion_report(user=trainer, course=staff, unit_code="")
        kandal = reports.completion_report(user=trainer, course=staff, unit_code="08")
    # Pass rate: passed out of those who took the final test (nobody took it: no rate, not 0 %).
    assert [row.cells() for row in country.all_rows()] == [
        ["Kandal", 4, 2, Decimal("50.0"), 3, 2, Decimal("66.7"), 1, Decimal("35.0")],
        ["Siem Reap", 2, 1, Decimal("50.0"), 1, 1, Decimal("100.0"), 0, Decimal("20.0")],
        ["Without a unit (the public and nationwide staff)", 1, 0, Decimal("0.0"), 0, 0, None, 0, None],
        ["Total, whole country", 7, 3, Decimal("42.9"), 4, 3, Decimal("75.0"), 1, Decimal("30.0")],
    ]
    with translation.override("en"):
        assert country.columns[4:7] == ["Took the final test", "Passed the final test", "Pass rate (%)"]
    assert country.rows[0].drill_url == "?course=staff-basics&unit=08"
    assert [(row.label, row.figures.enrolled) for row in kandal.rows] == [
        ("Kandal Stueng", 3),
        ("Directly at Kandal", 1),
    ]
    with translation.override("en"):
        district = reports.completion_report(user=trainer, course=staff, unit_code="0801")
    assert [(row.label, row.figures.enrolled, row.drill_url) for row in district.rows] == [
        ("Ampov Prey", 1, ""),
        ("Directly at Kandal Stueng", 2, ""),
    ]
    assert district.total.figures.enrolled == 3 and district.total.label == "Total, Kandal Stueng"
    assert [label for label, _url in district.breadcrumbs] == ["Whole country", "Kandal"]


def test_by_course_the_report_lists_every_course_of_the_unit(trainer, figures):
    table = reports.completion_report(user=trainer, unit_code="")
    assert {row.figures.enrolled for row in table.rows} == {7, 1}
    assert table.total is None


class _Table(HTMLParser):
    """The text of every cell of the first table of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._tables = 0

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._tables += 1
        if self._tables == 1 and tag == "tr":
            self.rows.append([])
        if self._tables == 1 and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def screen_rows(html: str) -> list[list[str]]:
    parser = _Table()
    parser.feed(html)
    return parser.rows


def as_screen(value) -> str:
    return "—" if value in (None, "") else str(value)


def same_number(value) -> object:
    """Compare figures as numbers (a spreadsheet keeps 50.0 as the number 50, shown as 50.0)."""
    try:
        return Decimal(str(value).replace("—", "x"))
    except ArithmeticError:
        return value


@pytest.mark.parametrize("query", ["", "?course=staff-basics", "?course=staff-basics&unit=08", "?unit=08"])
def test_the_exports_hold_exactly_the_numbers_on_the_screen(login, trainer, figures, query):
    client = login(trainer)
    client.cookies["nokor_language"] = "en"
    page = client.get(f"/academy/staff/reports/{query}")
    assert page.status_code == 200
    on_screen = screen_rows(page.content.decode())
    assert len(on_screen) > 1

    csv_text = client.get(f"/academy/staff/reports/export.csv{query}").content.decode("utf-8-sig")
    in_csv = [[as_screen(value) for value in row] for row in csv.reader(io.StringIO(csv_text))]
    assert in_csv == on_screen

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(client.get(f"/academy/staff/reports/export.xlsx{query}").content))
    in_xlsx = [[as_screen(value) for value in row] for row in workbook.active.iter_rows(values_only=True)]
    assert [[same_number(v) for v in row] for row in in_xlsx] == [
        [same_number(v) for v in row] for row in on_screen
    ]
    assert workbook.active["D2"].number_format == "0.0"  # rates shown with one decimal, as on the screen
    assert AuditEvent.objects.filter(action="academy.report_export", actor=trainer).count() == 2


def test_a_kandal_trainer_sees_only_kandal(login, figures, units):
    trainer_kandal = make_staff(Role.TRAINER, "08", key="trainer_kandal")
    client = login(trainer_kandal)
    client.cookies["nokor_language"] = "en"
    html = client.get("/academy/staff/reports/?course=staff-basics").content.decode()
    assert "Kandal Stueng" in html and "Siem Reap" not in html and "Angkor Chum" not in html
    assert client.get("/academy/staff/reports/?course=staff-basics&unit=17").status_code == 404
    assert client.get("/academy/staff/reports/?course=staff-basics&unit=").status_code == 404
    assert client.get("/academy/staff/reports/export.csv?course=staff-basics&unit=1701").status_code == 404
    table = reports.completion_report(user=trainer_kandal, course=figures["staff"])
    assert table.unit_code == "08" and "Whole country" not in [label for label, _ in table.breadcrumbs]


def test_a_manager_reads_reports_and_a_citizen_or_an_officer_does_not(
    login, supervisor_kandal, officer_kandal, citizen, figures
):
    assert login(supervisor_kandal).get("/academy/staff/reports/").status_code == 200
    assert login(officer_kandal).get("/academy/staff/reports/").status_code == 403
    assert login(citizen).get("/academy/staff/reports/").status_code == 403


def test_the_report_page_runs_a_small_constant_number_of_queries(
    login, trainer, figures, django_assert_max_num_queries
):
    client = login(trainer)
    client.get("/academy/staff/reports/?course=staff-basics&unit=08")  # warm the session and caches
    for _extra in range(2):  # more units and enrolments do not add queries
        enrol(figures["staff"], "1701", status="completed", passed=True)
        reports.stats_refresh()
        # session, user, second factor, roles; course list (the course asked for among them), figures,
        # unit names; inbox badge
        with django_assert_max_num_queries(8):
            assert client.get("/academy/staff/reports/?course=staff-basics").status_code == 200
        with django_assert_max_num_queries(8):
            assert client.get("/academy/staff/reports/?unit=08").status_code == 200


def test_a_refresh_replaces_the_figures(figures):
    staff = figures["staff"]
    Enrolment.objects.filter(course=staff, unit_code__startswith="17").update(status="withdrawn")
    reports.stats_refresh()
    assert not CourseUnitStats.objects.filter(course=staff, unit_code="17").exists()
    assert cell(staff, "").enrolled == 5


def test_a_failed_final_test_lowers_the_pass_rate_after_the_next_refresh(trainer, figures):
    staff = figures["staff"]
    Enrolment.objects.filter(course=staff, unit_code="1701").update(post_score=Decimal(40))
    assert reports.stats_refresh() == 3  # the commune's district, its province and the country
    assert (cell(staff, "17").final_taken, cell(staff, "17").passed) == (2, 1)
    siem_reap = reports.completion_report(user=trainer, course=staff, unit_code="17")
    assert siem_reap.total.figures.pass_rate == Decimal("50.0")
    assert siem_reap.total.figures.completion_rate == Decimal("50.0")
