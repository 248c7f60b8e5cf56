"""Cybercrime statistics: reports received by month, category, province and channel; money lost (riel
and dollars kept apart, never converted); money frozen by banks and e-wallets; cases by status and by
outcome. Read by the public statistics page and by the investigators' statistics page.

Every figure is one GROUP BY in the database over a queryset the caller chooses: staff pages start
from ``visible_to(user)`` so an investigator counts only the records of their scope; the public page
counts every record and shows only the aggregates, with small counts suppressed (:func:`hidden_cells`).
Months are months of Phnom Penh time; a report's province is the first two digits of the code of the
unit where the victim lives (a report without one is counted as "not stated").

The public figures are kept in the cache for a few minutes (:data:`PUBLIC_CACHE_SECONDS`): the page is
open to everyone, and reading every report of a year on each visit would let anyone load the database.
What is cached holds no label, so one entry serves both languages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Left, TruncMonth
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from nokor.core.formatting import KHMER_MONTHS
from nokor.core.text import current_language, in_language, latin_digits
from nokor.cyber.models import Case, FreezeRequest, Report, Transfer

# A count from 1 to 4 is never shown to the public: a rare category in a small province could point at
# the victim. Staff see exact numbers.
SMALL_COUNT = 5
SMALL, COMPLEMENT = "small", "complement"  # why a public cell is hidden
NOT_STATED = ""  # the key of reports without a province or a channel, of closed cases without outcome
DEFAULT_MONTHS = 12
MAX_MONTHS = 60
PUBLIC_CACHE_SECONDS = 300
FROZEN = (FreezeRequest.Status.FROZEN, FreezeRequest.Status.PARTIAL)
# The tables of the pages, in the order they are shown (also the names of their CSV downloads).
TABLES = (
    "month",
    "category",
    "province",
    "channel",
    "money_lost",
    "money_frozen",
    "case_status",
    "case_outcome",
)


# --------------------------------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------------------------------
def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    """The first day of the month ``count`` months after (or before) the month of ``month``."""
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_month(text: str) -> dt.date | None:
    """``2026-03`` (Khmer digits accepted) as the first day of that month; None when it is not one."""
    text = latin_digits(text or "").strip()
    year, sep, month = text.partition("-")
    if not (sep and year.isdigit() and month.isdigit() and len(year) == 4 and 1 <= len(month) <= 2):
        return None
    if not 1 <= int(month) <= 12 or int(year) < 1990:
        return None
    return dt.date(int(year), int(month), 1)


def month_label(month: dt.date) -> str:
    """A month for a table, in the active language: "March 2026", "មីនា 2026" (Latin digits in tables)."""
    if current_language() == "en":
        return formats.date_format(month, "F Y")
    return f"{KHMER_MONTHS[month.month - 1]} {month.year}"


@dataclass(frozen=True)
class Period:
    """Whole months, from the month of ``first`` to the month of ``last`` (both included)."""

    first: dt.date
    last: dt.date

    def __post_init__(self) -> None:
        object.__setattr__(self, "first", month_start(self.first))
        object.__setattr__(self, "last", month_start(self.last))

    @classmethod
    def last_months(cls, count: int = DEFAULT_MONTHS, today: dt.date | None = None) -> Period:
        """The current month and the ``count - 1`` before it."""
        this_month = month_start(today or timezone.localdate())
        return cls(add_months(this_month, 1 - count), this_month)

    @property
    def start(self) -> dt.datetime:
        """Midnight, Phnom Penh time, on the first day."""
        return timezone.make_aware(dt.datetime.combine(self.first, dt.time.min))

    @property
    def end(self) -> dt.datetime:
        """Midnight, Phnom Penh time, after the last day (excluded)."""
        return timezone.make_aware(dt.datetime.combine(add_months(self.last, 1), dt.time.min))

    @property
    def months(self) -> list[dt.date]:
        count = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1
        return [add_months(self.first, index) for index in range(count)]

    def __str__(self) -> str:
        return f"{self.first:%Y-%m}..{self.last:%Y-%m}"


# --------------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """One group: its key (month ``2026-03``, category slug, province code, channel, status, currency…),
    how many records it holds and, depending on the table, names and sums."""

    key: str
    count: int
    name_km: str = ""
    name_en: str = ""
    loss_khr: int = 0
    loss_usd_cents: int = 0
    with_loss_khr: int = 0  # reports with money lost in riel (the riel sum is shown only from 5)
    with_loss_usd: int = 0
    amount: Decimal = Decimal(0)


@dataclass(frozen=True)
class Figures:
    """Every figure of the statistics pages for one period and one province ('' = all)."""

    period: Period
    province: str
    computed_at: dt.datetime
    by_month: tuple[Row, ...]
    by_category: tuple[Row, ...]
    by_province: tuple[Row, ...]
    by_channel: tuple[Row, ...]
    frozen: tuple[Row, ...]
    cases_by_status: tuple[Row, ...]
    cases_by_outcome: tuple[Row, ...]

    @property
    def reports(self) -> int:
        return sum(row.count for row in self.by_month)

    @property
    def loss(self) -> Row:
        """Money lost over the whole period (riel and dollars apart)."""
        return Row(
            key="total",
            count=self.reports,
            loss_khr=sum(row.loss_khr for row in self.by_month),
            loss_usd_cents=sum(row.loss_usd_cents for row in self.by_month),
            with_loss_khr=sum(row.with_loss_khr for row in self.by_month),
            with_loss_usd=sum(row.with_loss_usd for row in self.by_month),
        )

    @property
    def cases_closed(self) -> int:
        return sum(row.count for row in self.cases_by_outcome)


def _by_month(reports: QuerySet, period: Period) -> tuple[Row, ...]:
    """Reports and money lost per month of Phnom Penh time; every month of the period, empty or not."""
    rows = (
        reports.annotate(month=TruncMonth("created_at", tzinfo=timezone.get_default_timezone()))
        .values("month")
        .annotate(
            count=Count("pk"),
            lost_khr=Sum("loss_khr"),
            lost_usd_cents=Sum("loss_usd_cents"),
            with_loss_khr=Count("pk", filter=Q(loss_khr__gt=0)),
            with_loss_usd=Count("pk", filter=Q(loss_usd_cents__gt=0)),
        )
        .order_by("month")
    )
    found = {}
    for row in rows:
        month = timezone.localtime(row["month"]).date()
        found[month] = Row(
            key=f"{month:%Y-%m}",
            count=row["count"],
            loss_khr=row["lost_khr"],
            loss_usd_cents=row["lost_usd_cents"],
            with_loss_khr=row["with_loss_khr"],
            with_loss_usd=row["with_loss_usd"],
        )
    return tuple(found.get(month) or Row(key=f"{month:%Y-%m}", count=0) for month in period.months)


def _by_category(reports: QuerySet) -> tuple[Row, ...]:
    rows = (
        reports.values("category__slug", "category__name_km", "category__name_en", "category__position")
        .annotate(count=Count("pk"))
        .order_by("-count", "category__position", "category__slug")
    )
    return tuple(
        Row(
            key=row["category__slug"],
            count=row["count"],
            name_km=row["category__name_km"],
            name_en=row["category__name_en"],
        )
        for row in rows
    )


def _by_province(reports: QuerySet) -> tuple[Row, ...]:
    rows = (
        reports.annotate(province=Left("unit__code", 2))
        .values("province")
        .annotate(count=Count("pk"))
        .order_by("province")
    )
    found: dict[str, int] = {}
    for row in rows:  # a NULL province (no unit) and an empty one are both "not stated"
        key = row["province"] or NOT_STATED
        found[key] = found.get(key, 0) + row["count"]
    return tuple(Row(key=key, count=count) for key, count in sorted(found.items(), key=_not_stated_last))


def _by_choice(
    queryset: QuerySet, field_name: str, order: Sequence[str], *, largest_first: bool = False
) -> tuple[Row, ...]:
    """Counts per value of a field with choices, in the order of the choices (or the largest first),
    "not stated" last."""
    found: dict[str, int] = {}
    for row in queryset.values(field_name).annotate(count=Count("pk")).order_by():
        key = row[field_name] or NOT_STATED
        found[key] = found.get(key, 0) + row["count"]
    position = {value: index for index, value in enumerate(order)}
    keys = sorted(
        found,
        key=lambda key: (
            key == NOT_STATED,
            -found[key] if largest_first else 0,
            position.get(key, len(position)),
            key,
        ),
    )
    return tuple(Row(key=key, count=found[key]) for key in keys)


def _frozen(freezes: QuerySet) -> tuple[Row, ...]:
    rows = freezes.values("currency").annotate(count=Count("pk"), amount=Sum("frozen_amount")).order_by()
    found = {row["currency"]: row for row in rows}
    return tuple(
        Row(key=currency, count=found[currency]["count"], amount=_cents(found[currency]["amount"]))
        for currency in Transfer.Currency.values
        if currency in found
    )


def _cents(amount: Decimal | None) -> Decimal:
    """A sum of amounts with the two decimals of the column (SQLite's sums lose them)."""
    return Decimal(amount or 0).quantize(Decimal("0.01"))


def _not_stated_last(item: tuple[str, int]) -> tuple[bool, str]:
    return item[0] == NOT_STATED, item[0]


def compute(
    *,
    reports: QuerySet,
    cases: QuerySet,
    freezes: QuerySet,
    period: Period,
    province: str = "",
) -> Figures:
    """The figures of a period (and of a province, by the first digits of unit codes) over the given
    querysets of reports, cases and freeze requests: seven grouped queries."""
    reports = reports.filter(created_at__gte=period.start, created_at__lt=period.end)
    opened = cases.filter(created_at__gte=period.start, created_at__lt=period.end)
    closed = cases.filter(status=Case.Status.CLOSED, closed_at__gte=period.start, closed_at__lt=period.end)
    freezes = freezes.filter(status__in=FROZEN, answered_at__gte=period.start, answered_at__lt=period.end)
    if province:
        reports = reports.filter(unit__code__startswith=province)
        opened = opened.filter(unit__code__startswith=province)
        closed = closed.filter(unit__code__startswith=province)
        freezes = freezes.filter(case__unit__code__startswith=province)
    return Figures(
        period=period,
        province=province,
        computed_at=timezone.now(),
        by_month=_by_month(reports, period),
        by_category=_by_category(reports),
        by_province=_by_province(reports),
        by_channel=_by_choice(reports, "channel", Report.Channel.values, largest_first=True),
        frozen=_frozen(freezes),
        cases_by_status=_by_choice(opened, "status", Case.Status.values),
        cases_by_outcome=_by_choice(closed, "outcome", Case.Outcome.values),
    )


def public_figures(*, period: Period, province: str = "") -> Figures:
    """The figures of every report, case and freeze request, for the public page (cached a few
    minutes; the page shows them through :func:`tables` with ``public=True``)."""
    key = f"cyber-statistics:{period}:{province}"
    figures = cache.get(key)
    if figures is None:
        figures = compute(
            reports=Report.objects.all(),
            cases=Case.objects.all(),
            freezes=FreezeRequest.objects.all(),
            period=period,
            province=province,
        )
        cache.set(key, figures, PUBLIC_CACHE_SECONDS)
    return figures


def staff_figures(*, user: Any, period: Period, province: str = "") -> Figures:
    """The exact figures of the records ``user`` may see (never cached: scopes differ)."""
    return compute(
        reports=Report.objects.visible_to(user, "view"),
        cases=Case.objects.visible_to(user, "view"),
        freezes=FreezeRequest.objects.visible_to(user, "view"),
        period=period,
        province=province,
    )


# --------------------------------------------------------------------------------------------------
# Suppression of small counts (public)
# --------------------------------------------------------------------------------------------------
def hidden_cells(counts: Sequence[int]) -> list[str]:
    """Which cells of one table the public may not see, and why: ``small`` for a count from 1 to 4;
    ``complement`` for the smallest other count when only one is small, since the total is shown
    and the small count would otherwise be the total minus the others. '' for a cell shown."""
    reasons = [SMALL if 0 < count < SMALL_COUNT else "" for count in counts]
    if reasons.count(SMALL) == 1:
        others = [index for index, count in enumerate(counts) if count >= SMALL_COUNT]
        if others:
            reasons[min(others, key=lambda index: counts[index])] = COMPLEMENT
    return reasons


# --------------------------------------------------------------------------------------------------
# Tables (what the pages and the CSV downloads show)
# --------------------------------------------------------------------------------------------------
COUNT, RIEL, DOLLARS = "count", "KHR", "USD"


@dataclass(frozen=True)
class Cell:
    """One figure: an exact value, or (public) the reason it is hidden."""

    value: int | Decimal
    kind: str = COUNT  # COUNT, RIEL or DOLLARS
    hidden: str = ""


@dataclass(frozen=True)
class TableRow:
    key: str
    label: str
    cells: tuple[Cell, ...]
    share: float | None = None  # percent of the table's total (tables of counts), None when hidden


@dataclass(frozen=True)
class Table:
    """A table of one dimension, with the labels of its columns; ``chart`` tables draw a bar for the
    first figure of each row."""

    key: str
    title: str
    label_column: str
    columns: tuple[str, ...]
    rows: tuple[TableRow, ...]
    chart: bool = True
    note: str = ""
    largest: int = 0  # the largest count shown: the full length of the bars


def _count_table(
    key: str,
    title: str,
    label_column: str,
    column: str,
    rows: Sequence[Row],
    labels: Callable[[Row], str],
    public: bool,
) -> Table:
    total = sum(row.count for row in rows)
    reasons = hidden_cells([row.count for row in rows]) if public else [""] * len(rows)
    shown = [
        TableRow(
            key=row.key,
            label=labels(row),
            cells=(Cell(row.count, hidden=reason),),
            share=None if reason or not total else round(100 * row.count / total, 1),
        )
        for row, reason in zip(rows, reasons, strict=True)
    ]
    largest = max((row.count for row, reason in zip(rows, reasons, strict=True) if not reason), default=0)
    return Table(key, title, label_column, (column,), tuple(shown), largest=largest)


def _money_table(figures: Figures, public: bool) -> Table:
    rows = [*figures.by_month, figures.loss]
    # Each currency is suppressed on its own: ten reports in a month may hold a single loss in dollars.
    months = figures.by_month
    riel = hidden_cells([row.with_loss_khr for row in months]) if public else [""] * len(months)
    dollars = hidden_cells([row.with_loss_usd for row in months]) if public else [""] * len(months)
    total = figures.loss
    riel.append(SMALL if public and 0 < total.with_loss_khr < SMALL_COUNT else "")
    dollars.append(SMALL if public and 0 < total.with_loss_usd < SMALL_COUNT else "")
    shown = []
    for row, riel_hidden, dollars_hidden in zip(rows, riel, dollars, strict=True):
        cells = [
            Cell(row.loss_khr, RIEL, riel_hidden),
            Cell(_dollars(row.loss_usd_cents), DOLLARS, dollars_hidden),
        ]
        if not public:
            cells[1:1] = [Cell(row.with_loss_khr)]
            cells.append(Cell(row.with_loss_usd))
        label = _("Whole period") if row.key == "total" else month_label(parse_month(row.key))
        shown.append(TableRow(key=row.key, label=label, cells=tuple(cells)))
    columns = (
        (_("Money lost in riel"), _("Money lost in US dollars"))
        if public
        else (
            _("Money lost in riel"),
            _("Reports of money lost in riel"),
            _("Money lost in US dollars"),
            _("Reports of money lost in US dollars"),
        )
    )
    return Table(
        "money_lost",
        _("Money lost, by month"),
        _("Month"),
        columns,
        tuple(shown),
        chart=False,
        note=_("Riel and US dollars are counted apart: an amount is never converted."),
    )


def _frozen_table(figures: Figures, public: bool) -> Table:
    rows = []
    for row in figures.frozen:
        hidden = SMALL if public and 0 < row.count < SMALL_COUNT else ""
        rows.append(
            TableRow(
                key=row.key,
                label=str(Transfer.Currency(row.key).label),
                cells=(Cell(row.count, hidden=hidden), Cell(row.amount, row.key, hidden)),
            )
        )
    return Table(
        "money_frozen",
        _("Money frozen by banks and e-wallets"),
        _("Currency"),
        (_("Requests answered with money frozen"), _("Amount frozen")),
        tuple(rows),
        chart=False,
        note=_("Freeze requests answered in the period with all or part of the money frozen."),
    )


def tables(figures: Figures, *, public: bool, provinces: dict[str, Any] | None = None) -> dict[str, Table]:
    """Every table of the statistics pages, keyed by :data:`TABLES`, labelled in the active language.
    ``public`` hides small counts; ``provinces`` maps province codes to units (for their names)."""
    provinces = provinces or {}

    def category(row: Row) -> str:
        return in_language(row.name_km, row.name_en)

    def province(row: Row) -> str:
        if row.key == NOT_STATED:
            return _("Not stated")
        unit = provinces.get(row.key)
        return unit.name if unit is not None else row.key

    def channel(row: Row) -> str:
        return _("Not stated") if row.key == NOT_STATED else _choice_label(Report.Channel, row.key)

    def status(row: Row) -> str:
        return _choice_label(Case.Status, row.key)

    def outcome(row: Row) -> str:
        return _("Not recorded") if row.key == NOT_STATED else _choice_label(Case.Outcome, row.key)

    def month(row: Row) -> str:
        return month_label(parse_month(row.key))

    reports = _("Reports")
    built = [
        _count_table("month", _("Reports by month"), _("Month"), reports, figures.by_month, month, public),
        _count_table(
            "category",
            _("Reports by kind of crime"),
            _("Kind of crime"),
            reports,
            figures.by_category,
            category,
            public,
        ),
        _count_table(
            "province",
            _("Reports by province"),
            _("Province where the victim lives"),
            reports,
            figures.by_province,
            province,
            public,
        ),
        _count_table(
            "channel",
            _("Reports by how the criminal made contact"),
            _("How contact was made"),
            reports,
            figures.by_channel,
            channel,
            public,
        ),
        _money_table(figures, public),
        _frozen_table(figures, public),
        _count_table(
            "case_status",
            _("Cases opened in the period, by status today"),
            _("Status"),
            _("Cases"),
            figures.cases_by_status,
            status,
            public,
        ),
        _count_table(
            "case_outcome",
            _("Cases closed in the period, by outcome"),
            _("Outcome"),
            _("Cases"),
            figures.cases_by_outcome,
            outcome,
            public,
        ),
    ]
    return {table.key: table for table in built}


def _dollars(cents: int) -> Decimal:
    return _cents(Decimal(cents) / 100)


def _choice_label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value
