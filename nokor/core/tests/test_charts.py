"""Server-drawn charts: the scale of an axis (empty data, one value, zero and negative values, all values
equal), the lines and bars drawn from it, and the markup (SVG numbers never localised, the figures
also as a table, a suppressed value written in words and not drawn)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from nokor.core.charts import Bar, Point, Series, bar_chart, format_number, line_chart, nice_scale


# --------------------------------------------------------------------------------------------------
# Scales
# --------------------------------------------------------------------------------------------------
def test_no_value_at_all_gives_an_axis_from_zero_to_one():
    scale = nice_scale([])
    assert (scale.low, scale.high) == (0, 1)
    assert scale.ticks[0] == 0 and scale.ticks[-1] == 1 and len(scale.ticks) > 1
    assert nice_scale([None, None]) == scale


def test_a_single_value_lies_inside_an_axis_of_round_numbers_from_zero():
    scale = nice_scale([37])
    assert scale.low == 0 and scale.high >= 37
    assert scale.ticks == (0, 10, 20, 30, 40)
    assert 0 < scale.fraction(37) < 1


def test_all_values_equal_still_give_an_axis_with_room():
    scale = nice_scale([50, 50, 50], include_zero=False)
    assert scale.low < 50 < scale.high
    assert scale.fraction(50) == pytest.approx(0.5, abs=0.25)
    zeros = nice_scale([0, 0])
    assert zeros.low == 0 and zeros.high > 0


def test_negative_values_extend_the_axis_below_zero():
    scale = nice_scale([-12, 3, 40])
    assert scale.low <= -12 and scale.high >= 40
    assert 0 in scale.ticks
    assert scale.fraction(0) > 0


def test_ticks_are_round_and_exact_for_decimal_values():
    scale = nice_scale([Decimal("0.13"), Decimal("0.71")])
    assert scale.ticks == tuple(Decimal(t) for t in ("0.0", "0.2", "0.4", "0.6", "0.8"))
    assert scale.places == 1
    big = nice_scale([1_250_000])
    assert big.ticks == (0, 500_000, 1_000_000, 1_500_000) and big.places == 0


def test_numbers_are_written_with_thousands_and_at_most_one_decimal():
    assert format_number(1250) == "1,250"
    assert format_number(Decimal("87.46")) == "87.5"
    assert format_number(87.0) == "87"
    assert format_number(Decimal("87.04")) == "87"
    assert format_number(Decimal("-0.01")) == "0"
    assert format_number(3, places=1) == "3.0"


# --------------------------------------------------------------------------------------------------
# Lines and bars
# --------------------------------------------------------------------------------------------------
def _points(*values):
    return [Point(2023 + index, value, str(2023 + index)) for index, value in enumerate(values)]


def test_a_missing_value_breaks_the_line_and_a_lone_value_is_a_dot():
    chart = line_chart(
        key="t",
        title="Share",
        series=[Series("Actual", _points(10, 20, None, 40))],
        x_ticks=[(2023, "2023"), (2026, "2026")],
    )
    (line,) = chart.lines
    assert len(line.segments) == 1 and len(line.segments[0].split()) == 2
    assert len(line.dots) == 3  # 40 stands alone: drawn as a dot, not lost
    assert not chart.empty


def test_higher_values_are_drawn_higher_and_targets_dashed():
    with translation.override("en"):  # the legend's words are the page's language
        chart = line_chart(
            key="t",
            title="Share",
            series=[Series("Target", _points(50, 60), dashed=True), Series("Actual", _points(10, 90))],
            x_ticks=[(2023, "2023"), (2024, "2024")],
            baseline=Point(2022, 5, "2022"),
        )
    target, actual = chart.lines
    assert target.dash and not actual.dash
    (low, high) = actual.dots
    assert high[1] < low[1] and high[0] > low[0]  # SVG y grows downwards
    assert chart.baseline is not None and chart.baseline[0] < low[0]
    assert [str(entry["label"]) for entry in chart.legend] == ["Target", "Actual", "Baseline"]


def test_a_chart_without_values_says_so():
    chart = line_chart(key="t", title="Share", series=[Series("Actual", _points(None))], x_ticks=[])
    assert chart.empty
    html = render_to_string("components/chart_line.html", {"chart": chart})
    assert "<svg" not in html and "<figcaption" in html


def test_bars_start_at_zero_and_negative_bars_go_left():
    chart = bar_chart(
        key="b", title="Change", bars=[Bar("Kandal", 30), Bar("Siem Reap", -10), Bar("Takeo", None)]
    )
    kandal, siem_reap, takeo = chart.bars
    assert kandal.x == chart.zero and kandal.width > 0
    assert siem_reap.x < chart.zero and siem_reap.x + siem_reap.width == pytest.approx(chart.zero)
    assert takeo.width == 0 and takeo.value_text == "—"
    assert kandal.label_y < siem_reap.label_y < takeo.label_y


# --------------------------------------------------------------------------------------------------
# Markup
# --------------------------------------------------------------------------------------------------
NUMBER = r"-?[0-9]+(?:\.[0-9]+)?%?"


@pytest.mark.parametrize("language", ["km", "en"])
def test_the_svg_numbers_are_never_written_with_a_decimal_comma(language):
    """Khmer formats write 10,5 for ten and a half: the drawing's coordinates must not follow them."""
    chart = line_chart(
        key="t",
        title="Share",
        series=[Series("Actual", _points(Decimal("10.5"), Decimal("20.25"), 1234))],
        x_ticks=[(2023, "2023")],
        unit="%",
    )
    with translation.override(language):
        html = render_to_string("components/chart_line.html", {"chart": chart})
    svg = html[html.index("<svg") : html.index("</svg>")]
    coordinates = re.findall(r' (x|y|x1|x2|y1|y2|cx|cy|width|height|points)="([^"]*)"', svg)
    assert len(coordinates) > 20
    for name, value in coordinates:
        pattern = f"{NUMBER},{NUMBER}(?: {NUMBER},{NUMBER})*" if name == "points" else NUMBER
        assert re.fullmatch(pattern, value), (name, value)
    assert 'viewBox="0 0 360 200"' in html and 'role="img"' in html
    assert 'aria-labelledby="chart-t-title"' in html and 'id="chart-t-title"' in html


def test_the_figures_are_also_a_table_and_a_suppressed_value_is_words_not_a_bar():
    chart = bar_chart(
        key="p",
        title="Applications by province",
        bars=[Bar("Kandal", 120, href="/p/08/"), Bar("Siem Reap", None, text="Fewer than 5")],
        label_heading="Province",
    )
    html = render_to_string("components/chart_bar.html", {"chart": chart, "open_table": True})
    assert "<details open>" in html
    table = html[html.index("<table") :]
    assert '<a href="/p/08/">Kandal</a>' in table and "120" in table
    assert "Fewer than 5" in table
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count("<rect") == 1  # Kandal's bar only
    assert "Fewer than 5" in svg  # written where the bar would be


def test_khmer_labels_pass_through_escaped():
    chart = line_chart(
        key="km",
        title="ពាក្យស្នើសុំ <b>",
        series=[Series("គោលដៅ", _points(1, 2), dashed=True)],
        x_ticks=[(2023, "២០២៣")],
    )
    html = render_to_string("components/chart_line.html", {"chart": chart})
    assert "ពាក្យស្នើសុំ &lt;b&gt;" in html and "គោលដៅ" in html and "២០២៣" in html


def test_counts_get_whole_number_ticks():
    assert nice_scale([0, 1], whole=True).ticks == (0, 1)
    assert nice_scale([3], whole=True).places == 0
    assert nice_scale([0, 1]).places == 1  # a share may well be 0.4
