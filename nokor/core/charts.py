"""Charts drawn on the server as inline SVG: a line chart (targets against actual values over time) and a
bar chart (one figure per province, per category…).

No JavaScript and no chart library: a view builds a chart with :func:`line_chart` or :func:`bar_chart`
and the page includes ``components/chart_line.html`` or ``components/chart_bar.html`` with
``chart=chart``. Every colour and dash is an SVG presentation attribute (allowed by the strict CSP, and
understood by WeasyPrint, so the same chart goes into a PDF). The SVG scales with its container
(``viewBox``, width 100%) and is sized for a 360 px phone. Each chart is a ``<figure>`` with its
``<figcaption>``, and carries its figures as a table (the table component, in a ``<details>``) for
screen readers and for anyone who wants the numbers; a value the caller must not show (a suppressed
small count) has a ``text`` written in the table instead, and no mark in the drawing.

Labels come from the caller, already translated; numbers are written by :func:`format_number` (Latin
digits, comma thousands, as in the project's tables) unless the caller gives its own ``value_format``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.utils.html import format_html
from django.utils.translation import gettext as _

Number = Decimal | int | float

# The drawing's own units (the SVG viewBox): one unit is about one CSS pixel on a 360 px phone.
WIDTH = 360
LINE_HEIGHT = 200
FONT_SIZE = 13
CHAR_WIDTH = 8  # the width of a digit at FONT_SIZE (wide fonts too), to leave room for the longest tick label
BAR_ROW = 44  # a label line above each bar (Khmer needs the height), the bar, and a gap
TICKS = 5

# Colours (DESIGN.md): the flag's blue for what happened, dark grey for what was planned; every pair
# with white at WCAG AA or better. Colour never carries meaning alone: targets are also dashed, the
# baseline is a square, and the legend says so in words.
ACTUAL_COLOUR = "#032ea1"
TARGET_COLOUR = "#4a4f55"
BASELINE_COLOUR = "#005a30"
GRID_COLOUR = "#d6d8da"
AXIS_COLOUR = "#6f777b"
TEXT_COLOUR = "#0b0c0c"
TARGET_DASH = "6 4"


# --------------------------------------------------------------------------------------------------
# Numbers and scales
# --------------------------------------------------------------------------------------------------
def format_number(value: Number, places: int | None = None) -> str:
    """A number as tables write it: "1,250", "87.5" (at most one decimal unless ``places`` says)."""
    number = _decimal(value)
    if places is None:
        tenths = number.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        places = 0 if tenths == tenths.to_integral_value() else 1
    quantum = Decimal(1).scaleb(-places)
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never "-0"
    return f"{rounded:,.{places}f}"


@dataclass(frozen=True)
class Scale:
    """The range an axis shows, from ``low`` to ``high``, and its tick values (round numbers)."""

    low: Decimal
    high: Decimal
    ticks: tuple[Decimal, ...]
    places: int  # decimals the tick labels need

    def fraction(self, value: Number) -> float:
        """Where ``value`` lies on the axis: 0 at ``low``, 1 at ``high``."""
        return float((_decimal(value) - self.low) / (self.high - self.low))


def nice_scale(
    values: Iterable[Number | None], *, ticks: int = TICKS, include_zero: bool = True, whole: bool = False
) -> Scale:
    """An axis that holds every value, with about ``ticks`` round tick values (steps of 1, 2 or 5 times a
    power of ten). Missing values (None) are skipped; no value at all gives 0 to 1; a single value, or
    all values equal, get room around them; ``include_zero`` starts bars and counts at zero (negative
    values extend below it); ``whole`` keeps the ticks on whole numbers (counts: no "0.5 people")."""
    numbers = [_decimal(value) for value in values if value is not None]
    low = min(numbers, default=Decimal(0))
    high = max(numbers, default=Decimal(1))
    if include_zero:
        low, high = min(low, Decimal(0)), max(high, Decimal(0))
    if low == high:  # all zero, or all the same value on an axis that need not start at zero
        padding = abs(low) / 10 or Decimal(1)
        low, high = (low, low + padding) if include_zero and low == 0 else (low - padding, high + padding)
    step = _nice(_nice(high - low, rounded=False) / (ticks - 1), rounded=True)
    if whole:
        step = max(step, Decimal(1))
    first = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
    last = (high / step).to_integral_value(rounding=ROUND_CEILING) * step
    places = max(0, -step.normalize().as_tuple().exponent)
    quantum = Decimal(1).scaleb(-places)
    count = int((last - first) / step)
    tick_values = tuple((first + index * step).quantize(quantum) for index in range(count + 1))
    return Scale(low=tick_values[0], high=tick_values[-1], ticks=tick_values, places=places)


def _nice(value: Decimal, *, rounded: bool) -> Decimal:
    """1, 2, 5 or 10 times the power of ten of ``value``: the nearest (``rounded``) or the next above."""
    exponent = value.adjusted()
    fraction = value.scaleb(-exponent)
    limits = (Decimal("1.5"), Decimal(3), Decimal(7)) if rounded else (Decimal(1), Decimal(2), Decimal(5))
    nice = next((n for n, limit in zip((1, 2, 5), limits, strict=True) if fraction <= limit), 10)
    return Decimal(nice).scaleb(exponent)


def _decimal(value: Number) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


# --------------------------------------------------------------------------------------------------
# What the templates draw
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Point:
    """One value of a line: where it lies on the horizontal axis (``x``, e.g. 2025.5 for mid-2025), its
    label in the table ("2025 Q2"), and ``text`` to write in the table instead of the value."""

    x: float
    value: Number | None
    label: str
    text: str = ""


@dataclass(frozen=True)
class Series:
    """One line: its name in the legend and the table, its points; ``dashed`` for what was planned."""

    label: str
    points: Sequence[Point]
    dashed: bool = False


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value (None: no bar), ``text`` written instead of the value (e.g. a
    suppressed count), and ``href``, a page the label links to in the table (drill-down)."""

    label: str
    value: Number | None
    text: str = ""
    href: str = ""


@dataclass(frozen=True)
class Tick:
    """A tick of an axis: where it is along the axis, its label, and where the label is written."""

    position: float
    label: str
    label_x: float
    label_y: float


@dataclass(frozen=True)
class DrawnLine:
    label: str
    colour: str
    dash: str
    segments: tuple[str, ...]  # SVG `points` of each unbroken run of values
    dots: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class DrawnBar:
    label: str
    label_y: float
    x: float
    y: float
    width: float
    value_text: str
    value_x: float
    value_y: float


@dataclass(frozen=True)
class Chart:
    """Everything a chart template needs; built by :func:`line_chart` and :func:`bar_chart`."""

    key: str  # makes the ids of the page unique
    title: str
    empty: bool
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    value_ticks: tuple[Tick, ...]
    category_ticks: tuple[Tick, ...] = ()
    lines: tuple[DrawnLine, ...] = ()
    baseline: tuple[float, float] | None = None  # the top left corner of the baseline's 10-unit square
    bars: tuple[DrawnBar, ...] = ()
    zero: float | None = None  # where the zero line is drawn (when zero lies inside the scale)
    columns: tuple[dict, ...] = ()
    rows: tuple[tuple, ...] = ()
    legend: tuple[dict, ...] = ()
    font_size: int = FONT_SIZE
    colours: dict | None = None


def _colours() -> dict:
    return {
        "actual": ACTUAL_COLOUR,
        "target": TARGET_COLOUR,
        "baseline": BASELINE_COLOUR,
        "grid": GRID_COLOUR,
        "axis": AXIS_COLOUR,
        "text": TEXT_COLOUR,
        "dash": TARGET_DASH,
    }


def _round(value: float) -> float:
    return round(value, 1)


def line_chart(
    *,
    key: str,
    title: str,
    series: Sequence[Series],
    x_ticks: Sequence[tuple[float, str]],
    baseline: Point | None = None,
    unit: str = "",
    whole: bool = False,
    value_format: Callable[[Number], str] | None = None,
    period_heading: str = "",
    baseline_label: str = "",
) -> Chart:
    """Lines over time: each series' values (dashed for targets), an optional baseline marker (a square),
    the time axis labelled at ``x_ticks`` (position, label) and the value axis in round numbers with
    ``unit`` after them ("%"; ``whole`` for counts). Missing values break a line; a lone value is still
    drawn as a dot."""
    write = value_format or (lambda value: format_number(value) + unit)
    values = [point.value for line in series for point in line.points]
    if baseline is not None:
        values.append(baseline.value)
    shown = [value for value in values if value is not None]
    scale = nice_scale(shown, include_zero=all(value >= 0 for value in shown) if shown else True, whole=whole)
    tick_labels = [format_number(tick, scale.places) + unit for tick in scale.ticks]
    left = _round(10 + CHAR_WIDTH * max(len(label) for label in tick_labels))
    right, top, bottom = WIDTH - 14, 12.0, LINE_HEIGHT - 28
    xs = [x for x, _label in x_ticks] + [point.x for line in series for point in line.points]
    if baseline is not None:
        xs.append(baseline.x)
    x_low, x_high = (min(xs), max(xs)) if xs else (0.0, 1.0)
    if x_low == x_high:
        x_low, x_high = x_low - 0.5, x_high + 0.5
    inset = 10  # keeps the first and last dots off the axes

    def x_at(x: float) -> float:
        return _round(left + inset + (x - x_low) / (x_high - x_low) * (right - left - 2 * inset))

    def y_at(value: Number) -> float:
        return _round(bottom - scale.fraction(value) * (bottom - top))

    drawn = []
    for line in series:
        runs: list[list[tuple[float, float]]] = [[]]
        for point in sorted(line.points, key=lambda p: p.x):
            if point.value is None:
                if runs[-1]:
                    runs.append([])
                continue
            runs[-1].append((x_at(point.x), y_at(point.value)))
        colour = TARGET_COLOUR if line.dashed else ACTUAL_COLOUR
        drawn.append(
            DrawnLine(
                label=line.label,
                colour=colour,
                dash=TARGET_DASH if line.dashed else "",
                segments=tuple(" ".join(f"{x},{y}" for x, y in run) for run in runs if len(run) > 1),
                dots=tuple(dot for run in runs for dot in run),
            )
        )
    baseline_label = baseline_label or _("Baseline")
    columns, rows = _line_table(series, baseline, baseline_label, write, period_heading or _("Period"))
    legend = [{"label": line.label, "colour": line.colour, "dash": line.dash} for line in drawn]
    if baseline is not None and baseline.value is not None:
        legend.append({"label": baseline_label, "colour": BASELINE_COLOUR, "square": True})
    return Chart(
        key=key,
        title=title,
        empty=not shown,
        width=WIDTH,
        height=LINE_HEIGHT,
        plot_left=left,
        plot_right=right,
        plot_top=top,
        plot_bottom=bottom,
        value_ticks=tuple(
            Tick(y_at(tick), label, left - 6, y_at(tick) + 4)
            for tick, label in zip(scale.ticks, tick_labels, strict=True)
        ),
        category_ticks=tuple(Tick(x_at(x), label, x_at(x), bottom + 19) for x, label in x_ticks),
        lines=tuple(drawn),
        baseline=(
            (x_at(baseline.x) - 5, y_at(baseline.value) - 5)
            if baseline is not None and baseline.value is not None
            else None
        ),
        zero=y_at(0) if scale.low < 0 < scale.high else None,
        columns=tuple(columns),
        rows=tuple(rows),
        legend=tuple(legend),
        colours=_colours(),
    )


def _line_table(
    series: Sequence[Series],
    baseline: Point | None,
    baseline_label: str,
    write: Callable[[Number], str],
    period_heading: str,
) -> tuple[list[dict], list[tuple]]:
    """One row per period (in time order), one column per series; the baseline in a row of its own."""
    columns = [{"label": period_heading}, *({"label": line.label} for line in series)]
    periods: dict[str, float] = {}
    for line in series:
        for point in line.points:
            periods[point.label] = min(point.x, periods.get(point.label, point.x))
    by_series = [{point.label: point for point in line.points} for line in series]
    rows = []
    if baseline is not None:
        columns.append({"label": baseline_label})
        rows.append((baseline.label, *("" for _line in series), _cell_text(baseline, write)))
    for label in sorted(periods, key=lambda name: periods[name]):
        cells = [_cell_text(found[label], write) if label in found else "—" for found in by_series]
        rows.append((label, *cells, *([""] if baseline is not None else [])))
    return columns, rows


def _cell_text(item: Point | Bar, write: Callable[[Number], str]) -> str:
    if item.text:
        return item.text
    return "—" if item.value is None else write(item.value)


def bar_chart(
    *,
    key: str,
    title: str,
    bars: Sequence[Bar],
    unit: str = "",
    whole: bool = False,
    value_format: Callable[[Number], str] | None = None,
    label_heading: str = "",
    value_heading: str = "",
) -> Chart:
    """Horizontal bars, one row each with its label above the bar (long Khmer names need the width of a
    phone) and its value after it; bars start at zero, negative values extend to the left."""
    write = value_format or (lambda value: format_number(value) + unit)
    shown = [bar.value for bar in bars if bar.value is not None]
    scale = nice_scale(shown, include_zero=True, whole=whole)
    left, right, top = 4.0, WIDTH - 70, 4.0
    rows_bottom = top + BAR_ROW * len(bars)
    height = int(rows_bottom + 24)

    def x_at(value: Number) -> float:
        return _round(left + scale.fraction(value) * (right - left))

    zero = x_at(0)
    drawn = []
    for index, bar in enumerate(bars):
        row_top = top + index * BAR_ROW
        start, end = (zero, zero) if bar.value is None else sorted((zero, x_at(bar.value)))
        drawn.append(
            DrawnBar(
                label=bar.label,
                label_y=_round(row_top + FONT_SIZE + 3),
                x=start,
                y=_round(row_top + 22),
                width=_round(end - start),
                value_text=_cell_text(bar, write),
                value_x=_round(max(end, zero) + 4),
                value_y=_round(row_top + 33),
            )
        )
    columns = ({"label": label_heading or _("Name")}, {"label": value_heading or title})
    rows = tuple(
        (
            format_html('<a href="{}">{}</a>', bar.href, bar.label) if bar.href else bar.label,
            _cell_text(bar, write),
        )
        for bar in bars
    )
    return Chart(
        key=key,
        title=title,
        empty=not bars,
        width=WIDTH,
        height=height,
        plot_left=left,
        plot_right=right,
        plot_top=top,
        plot_bottom=rows_bottom,
        value_ticks=tuple(
            Tick(x_at(tick), format_number(tick, scale.places) + unit, x_at(tick), rows_bottom + 17)
            for tick in scale.ticks
        ),
        bars=tuple(drawn),
        zero=zero,
        columns=columns,
        rows=rows,
        colours=_colours(),
    )
