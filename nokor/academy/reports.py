"""Training reports for trainers and managers: completion and pass rates, overdue mandatory training and
learning gain, by course and by unit with drill-down province > district > commune, and their CSV and
Excel exports.

The figures come from ``CourseUnitStats``: one row per course and unit of the tree (and '' for the whole
country) that counts the current enrolments of that unit *and everything under it*, rebuilt from
``Enrolment`` by :func:`stats_refresh` (a periodic job every ``REFRESH_MINUTES``, one GROUP BY on
(course, unit code) rolled up to every ancestor in Python). A report page therefore reads a handful of
rows whatever the number of staff or of lesson-progress rows.

One function, :func:`completion_report`, builds the table; the page shows it and the exports write it
(:func:`report_rows`), so a file always holds exactly the numbers of the screen.

Scope: the unit prefixes where the reader holds a role that may view enrolments — the same rule data as
``Enrolment.access`` (the access layer), matched on the unit codes the figures are keyed by. A unit
outside them is a 404, as for a record.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nokor.academy.models import Course, CourseUnitStats, Enrolment
from nokor.core.bulk import update_in_bulk
from nokor.geography.models import AdministrativeUnit

REFRESH_MINUTES = 10
DEEPEST = 6  # communes: the reports' finest level
ONE_DECIMAL = Decimal("0.1")


# --------------------------------------------------------------------------------------------------
# Building the figures
# --------------------------------------------------------------------------------------------------
def _prefixes_of(code: str) -> list[str]:
    """The cells an enrolment of unit `code` counts in: the country and each ancestor down to communes."""
    return [""] + [code[:n] for n in (2, 4, 6) if len(code) >= n]


FIGURES = ("enrolled", "completed", "final_taken", "passed", "overdue", "gain_sum", "gain_count")
COUNTS = ("enrolled", "completed", "final_taken", "passed", "overdue", "gain_count")
CENT = Decimal("0.01")


def _new_cell() -> dict[str, Any]:
    return {**dict.fromkeys(COUNTS, 0), "gain_sum": Decimal(0)}


def _same(stored: list[Any], cell: dict[str, Any]) -> bool:
    stored_cell = dict(zip(FIGURES, stored, strict=True))
    stored_cell["gain_sum"] = Decimal(stored_cell["gain_sum"]).quantize(CENT)
    return stored_cell == cell


def stats_refresh(*, today: dt.date | None = None) -> int:
    """Bring every CourseUnitStats row in line with the current enrolments (one aggregate query, rolled
    up to each ancestor in Python); only the cells whose figures changed are written, in one
    transaction. Returns the number of cells written or removed."""
    today = today or timezone.localdate()
    both = Q(pre_score__isnull=False, post_score__isnull=False)
    gain = ExpressionWrapper(
        F("post_score") - F("pre_score"), output_field=DecimalField(max_digits=7, decimal_places=2)
    )
    grouped = (
        Enrolment.objects.filter(is_current=True)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .order_by()
        .values("course_id", "unit_code")
        .annotate(
            enrolled=Count("pk"),
            completed=Count("pk", filter=Q(status=Enrolment.Status.COMPLETED)),
            final_taken=Count("pk", filter=Q(post_score__isnull=False)),
            passed=Count("pk", filter=Q(post_passed=True)),
            overdue=Count("pk", filter=Q(due_on__lt=today) & ~Q(status=Enrolment.Status.COMPLETED)),
            gain_sum=Sum(gain, filter=both),
            gain_count=Count("pk", filter=both),
        )
    )
    cells: dict[tuple[int, str], dict[str, Any]] = defaultdict(_new_cell)
    for row in grouped.iterator(chunk_size=5000):
        for prefix in _prefixes_of(row["unit_code"] or ""):
            cell = cells[(row["course_id"], prefix)]
            for name in COUNTS:
                cell[name] += row[name]
            cell["gain_sum"] += Decimal(row["gain_sum"] or 0)
    for cell in cells.values():
        cell["gain_sum"] = cell["gain_sum"].quantize(CENT)
    now = timezone.now()
    with transaction.atomic():
        existing = {
            (course_id, code): (pk, values)
            for pk, course_id, code, *values in CourseUnitStats.objects.values_list(
                "pk", "course_id", "unit_code", *FIGURES
            ).iterator(chunk_size=5000)
        }
        created, changed = [], []
        for key, cell in cells.items():
            found = existing.pop(key, None)
            if found is None:
                created.append(
                    CourseUnitStats(
                        course_id=key[0], unit_code=key[1], level=len(key[1]) // 2, updated_at=now, **cell
                    )
                )
            elif not _same(found[1], cell):
                changed.append(CourseUnitStats(pk=found[0], updated_at=now, **cell))
        gone = [pk for pk, _values in existing.values()]
        for start in range(0, len(gone), 500):
            CourseUnitStats.objects.filter(pk__in=gone[start : start + 500]).delete()
        CourseUnitStats.objects.bulk_create(created, batch_size=500)
        update_in_bulk(changed, [*FIGURES, "updated_at"])
    return len(created) + len(changed) + len(gone)


# --------------------------------------------------------------------------------------------------
# Figures of one cell
# --------------------------------------------------------------------------------------------------
def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@dataclass
class Figures:
    enrolled: int = 0
    completed: int = 0
    final_taken: int = 0
    passed: int = 0
    overdue: int = 0
    gain_sum: Decimal = Decimal(0)
    gain_count: int = 0

    @classmethod
    def of(cls, stats: CourseUnitStats) -> Figures:
        return cls(
            stats.enrolled,
            stats.completed,
            stats.final_taken,
            stats.passed,
            stats.overdue,
            Decimal(stats.gain_sum),
            stats.gain_count,
        )

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.enrolled + other.enrolled,
            self.completed + other.completed,
            self.final_taken + other.final_taken,
            self.passed + other.passed,
            self.overdue + other.overdue,
            self.gain_sum + other.gain_sum,
            self.gain_count + other.gain_count,
        )

    def __sub__(self, other: Figures) -> Figures:
        return Figures(
            self.enrolled - other.enrolled,
            self.completed - other.completed,
            self.final_taken - other.final_taken,
            self.passed - other.passed,
            self.overdue - other.overdue,
            self.gain_sum - other.gain_sum,
            self.gain_count - other.gain_count,
        )

    @property
    def completion_rate(self) -> Decimal | None:
        return _rate(self.completed, self.enrolled)

    @property
    def pass_rate(self) -> Decimal | None:
        """Passed the final test, out of the people who took it (at least one attempt)."""
        return _rate(self.passed, self.final_taken)

    @property
    def average_gain(self) -> Decimal | None:
        """Average of (final test − pre-test) in percentage points, over learners who took both."""
        if not self.gain_count:
            return None
        return (self.gain_sum / self.gain_count).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)

    def values(self) -> list[Any]:
        return [
            self.enrolled,
            self.completed,
            self.completion_rate,
            self.final_taken,
            self.passed,
            self.pass_rate,
            self.overdue,
            self.average_gain,
        ]


FIGURE_COLUMNS = [
    gettext_lazy("Enrolled"),
    gettext_lazy("Completed"),
    gettext_lazy("Completion rate (%)"),
    gettext_lazy("Took the final test"),
    gettext_lazy("Passed the final test"),
    gettext_lazy("Pass rate (%)"),
    gettext_lazy("Overdue"),
    gettext_lazy("Average learning gain (points)"),
]


@dataclass
class ReportRow:
    label: str
    figures: Figures
    drill_url: str = ""
    is_total: bool = False
    key: str = ""  # the course's slug or the unit's code (the API names rows by it)

    def cells(self) -> list[Any]:
        return [self.label, *self.figures.values()]


@dataclass
class Report:
    """One table of the training report, with where it sits in the tree."""

    course: Course | None
    unit_code: str
    unit: AdministrativeUnit | None
    rows: list[ReportRow]
    total: ReportRow | None
    first_column: str
    as_of: dt.datetime | None
    breadcrumbs: list[tuple[str, str]] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return [self.first_column, *(str(column) for column in FIGURE_COLUMNS)]

    def all_rows(self) -> list[ReportRow]:
        return [*self.rows, *([self.total] if self.total else [])]


def report_rows(report: Report) -> list[list[Any]]:
    """The header and the rows exactly as the page shows them: what the exports write."""
    return [report.columns, *(row.cells() for row in report.all_rows())]


# --------------------------------------------------------------------------------------------------
# Scope
# --------------------------------------------------------------------------------------------------
def report_prefixes(user: Any) -> set[str]:
    """Unit code prefixes the reader may see figures of ('' = the whole country): where they hold a role
    that may view enrolments (Enrolment's access rule)."""
    return user.unit_prefixes_for(Enrolment.access.roles["view"]) or set()


def in_scope(code: str, prefixes: set[str]) -> bool:
    return "" in prefixes or any(code.startswith(prefix) for prefix in prefixes if prefix)


def default_unit(prefixes: set[str]) -> str:
    return "" if "" in prefixes or not prefixes else sorted(prefixes)[0]


def _prefix_range(queryset: QuerySet, name: str, prefix: str) -> QuerySet:
    """Codes starting with `prefix` as an index range (codes are digits): both databases use the index,
    where LIKE 'x%' needs a pattern operator class on PostgreSQL."""
    if not prefix:
        return queryset
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return queryset.filter(**{f"{name}__gte": prefix, f"{name}__lt": upper})


# --------------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------------
def _link(course: Course | None, unit_code: str) -> str:
    query = {"unit": unit_code} if unit_code else {}
    if course is not None:
        query = {"course": course.slug, **query}
    return "?" + urlencode(query) if query else "?"


def overdue_link(course: Course | None, unit_code: str) -> str:
    """The query string of the overdue list for the same course and unit."""
    query = {**({"course": course.slug} if course else {}), **({"unit": unit_code} if unit_code else {})}
    return "?" + urlencode(query) if query else ""


def completion_report(*, user: Any, course: Course | None = None, unit_code: str | None = None) -> Report:
    """Completion, pass rate, overdue and learning gain at `unit_code` ('' = the whole country): by
    child unit for one course, or by course when none is chosen. 404 outside the reader's scope."""
    prefixes = report_prefixes(user)
    if not prefixes:
        raise Http404
    unit_code = default_unit(prefixes) if unit_code is None else unit_code
    if not in_scope(unit_code, prefixes) or len(unit_code) > DEEPEST or len(unit_code) % 2:
        raise Http404
    wanted = {unit_code[:n] for n in (2, 4, 6) if len(unit_code) >= n}
    units = {u.code: u for u in AdministrativeUnit.objects.filter(code__in=wanted)} if wanted else {}
    if unit_code and unit_code not in units:
        raise Http404
    unit = units.get(unit_code)
    breadcrumbs = []
    for code in ["", *sorted(wanted, key=len)]:
        if in_scope(code, prefixes) and code != unit_code:
            label = units[code].name if code else _("Whole country")
            breadcrumbs.append((label, _link(course, code)))
    if course is None:
        return _by_course(unit_code, unit, breadcrumbs)
    return _by_unit(course, unit_code, unit, breadcrumbs)


def _by_course(unit_code: str, unit: AdministrativeUnit | None, breadcrumbs: list) -> Report:
    cells = list(
        CourseUnitStats.objects.filter(unit_code=unit_code)
        .select_related("course")
        .order_by("course__position", "course__slug")
    )
    rows = [
        ReportRow(cell.course.title, Figures.of(cell), _link(cell.course, unit_code), key=cell.course.slug)
        for cell in cells
    ]
    return Report(
        course=None,
        unit_code=unit_code,
        unit=unit,
        rows=rows,
        total=None,
        first_column=_("Course"),
        as_of=max((cell.updated_at for cell in cells), default=None),
        breadcrumbs=breadcrumbs,
    )


def _by_unit(course: Course, unit_code: str, unit: AdministrativeUnit | None, breadcrumbs: list) -> Report:
    child_length = len(unit_code) + 2
    stats = CourseUnitStats.objects.filter(course=course)
    if child_length <= DEEPEST:
        stats = _prefix_range(stats, "unit_code", unit_code).filter(
            Q(unit_code=unit_code) | Q(level=child_length // 2)
        )
    else:
        stats = stats.filter(unit_code=unit_code)
    cells = list(stats.order_by("unit_code"))
    own = next((cell for cell in cells if cell.unit_code == unit_code), None)
    children = [cell for cell in cells if cell.unit_code != unit_code]
    names = {
        u.code: u.name
        for u in AdministrativeUnit.objects.filter(code__in=[cell.unit_code for cell in children])
    }
    rows = [
        ReportRow(
            names.get(cell.unit_code, cell.unit_code),
            Figures.of(cell),
            _link(course, cell.unit_code) if len(cell.unit_code) < DEEPEST else "",
            key=cell.unit_code,
        )
        for cell in children
    ]
    total = Figures.of(own) if own is not None else Figures()
    rest = total - sum((row.figures for row in rows), Figures())
    if rest.enrolled:
        label = (
            _("Directly at %(unit)s") % {"unit": unit.name}
            if unit is not None
            else _("Without a unit (the public and nationwide staff)")
        )
        rows.append(ReportRow(label, rest))
    total_label = (
        _("Total, %(unit)s") % {"unit": unit.name} if unit is not None else _("Total, whole country")
    )
    return Report(
        course=course,
        unit_code=unit_code,
        unit=unit,
        rows=rows,
        total=ReportRow(total_label, total, is_total=True) if own is not None else None,
        first_column=_("Unit"),
        as_of=own.updated_at if own is not None else None,
        breadcrumbs=breadcrumbs,
    )


def report_courses(user: Any) -> list[Course]:
    """The courses a reader may choose in the report's filter."""
    return list(Course.objects.visible_to(user).order_by("position", "slug"))


# --------------------------------------------------------------------------------------------------
# Exports
# --------------------------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    return "" if value is None else value


def _safe_text(value: Any) -> Any:
    """Text a spreadsheet program would run as a formula gets a leading quote (names come from data)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_csv(report: Report) -> bytes:
    """The report as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read Khmer right)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    for row in report_rows(report):
        writer.writerow([_safe_text(_plain(value)) for value in row])
    return out.getvalue().encode("utf-8")


def export_xlsx(report: Report) -> bytes:
    """The report as an Excel workbook: the same header and rows, numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Training report")[:31]
    for index, row in enumerate(report_rows(report), start=1):
        sheet.append(
            [float(value) if isinstance(value, Decimal) else _safe_text(_plain(value)) for value in row]
        )
        for value, cell in zip(row, sheet[index], strict=True):
            if index == 1:
                cell.font = Font(bold=True)
            elif isinstance(value, Decimal):
                cell.number_format = "0.0"  # as the page writes it
    sheet.column_dimensions["A"].width = 40
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------------------------------
# Overdue mandatory training (people)
# --------------------------------------------------------------------------------------------------
def overdue_enrolments(
    *, user: Any, course: Course | None = None, unit_code: str = "", today: dt.date | None = None
) -> QuerySet[Enrolment]:
    """Current mandatory-training enrolments past their due date and not completed, that the reader may
    see (the access layer), oldest due date first."""
    today = today or timezone.localdate()
    overdue = (
        Enrolment.objects.visible_to(user, "view")
        .filter(
            is_current=True,
            due_on__lt=today,
            status__in=(Enrolment.Status.ENROLLED, Enrolment.Status.IN_PROGRESS),
        )
        .filter(Q(assignment__isnull=True) | Q(assignment__is_active=True))
    )
    if course is not None:
        overdue = overdue.filter(course=course)
    overdue = _prefix_range(overdue, "unit_code", unit_code)
    return overdue.select_related("user", "course", "unit").order_by("due_on", "pk")
