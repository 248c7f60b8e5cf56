"""Khmer and English formatting: digits, Buddhist Era years, dates, money, typed numbers and the filters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import engines
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from nokor.core.formatting import (
    buddhist_era_year,
    format_date,
    format_datetime,
    format_money,
    khmer_digits,
    parse_number,
)
from nokor.core.models import BuddhistEraNewYear
from nokor.core.text import latin_digits

NBSP = "\u00a0"
UTC = dt.UTC


# --- Khmer digits -------------------------------------------------------------------------------------


def test_khmer_digits_replaces_only_digits():
    assert khmer_digits("លេខយោង A-2026/0789") == "លេខយោង A-២០២៦/០៧៨៩"
    assert khmer_digits(1234567890) == "១២៣៤៥៦៧៨៩០"
    assert khmer_digits("no digits") == "no digits"


@given(st.text())
def test_khmer_digits_round_trips_through_latin_digits(text):
    assert latin_digits(khmer_digits(text)) == latin_digits(text)


# --- Buddhist Era year ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2024, 5, 21), 2567),
        (dt.date(2024, 5, 22), 2568),
        (dt.date(2024, 5, 23), 2568),
        (dt.date(2025, 5, 10), 2568),
        (dt.date(2025, 5, 11), 2569),
        (dt.date(2025, 5, 12), 2569),
        (dt.date(2026, 4, 30), 2569),
        (dt.date(2026, 5, 1), 2570),
        (dt.date(2026, 5, 2), 2570),
        (dt.date(2026, 1, 1), 2569),
        (dt.date(2026, 12, 31), 2570),
    ],
)
def test_be_year_from_the_seeded_days(db, day, expected):
    assert buddhist_era_year(day) == expected


def test_the_migration_seeded_2020_to_2040(db):
    years = list(BuddhistEraNewYear.objects.values_list("year", flat=True))
    assert years == list(range(2020, 2041))
    assert BuddhistEraNewYear.boundary_for(2024) == dt.date(2024, 5, 22)


def test_be_year_follows_a_row_an_administrator_entered(db):
    # The holidays package puts Visakha Bochea 2045 on 30 April: the table wins.
    BuddhistEraNewYear.objects.create(year=2045, date=dt.date(2045, 5, 29))
    assert buddhist_era_year(dt.date(2045, 5, 28)) == 2588
    assert buddhist_era_year(dt.date(2045, 5, 29)) == 2589
    assert buddhist_era_year(dt.date(2045, 5, 30)) == 2589


def test_an_edited_row_applies_at_once(db):
    assert buddhist_era_year(dt.date(2025, 5, 20)) == 2569
    BuddhistEraNewYear.objects.filter(year=2025).update(date=dt.date(2025, 5, 21))
    assert buddhist_era_year(dt.date(2025, 5, 20)) == 2568


def test_be_year_without_a_row_uses_the_holidays_calendar(db):
    assert not BuddhistEraNewYear.objects.filter(year=2050).exists()
    assert buddhist_era_year(dt.date(2050, 5, 4)) == 2593
    assert buddhist_era_year(dt.date(2050, 5, 5)) == 2594


def test_be_year_outside_the_holidays_calendar_changes_on_15_may(db):
    assert buddhist_era_year(dt.date(1980, 5, 14)) == 2523
    assert buddhist_era_year(dt.date(1980, 5, 15)) == 2524
    assert buddhist_era_year(dt.date(2120, 5, 15)) == 2664


def test_be_year_of_a_moment_is_that_of_its_day_in_phnom_penh(db):
    # 21 May 2024, 18:00 UTC is already 22 May, 01:00 in Phnom Penh.
    assert buddhist_era_year(dt.datetime(2024, 5, 21, 18, tzinfo=UTC)) == 2568
    assert buddhist_era_year(dt.datetime(2024, 5, 21, 16, tzinfo=UTC)) == 2567


# --- Dates ----------------------------------------------------------------------------------------------

DAY = dt.date(2026, 11, 25)


def test_long_dates():
    assert format_date(DAY, "en") == "25 November 2026"
    assert format_date(DAY, "km") == "២៥ វិច្ឆិកា ២០២៦"
    assert format_date(dt.date(2026, 2, 3), "km") == "៣ កុម្ភៈ ២០២៦"
    assert format_date(dt.date(2026, 2, 3), "en") == "3 February 2026"


def test_every_khmer_month_name():
    names = [format_date(dt.date(2026, month, 1), "km").split()[1] for month in range(1, 13)]
    assert names == "មករា កុម្ភៈ មីនា មេសា ឧសភា មិថុនា កក្កដា សីហា កញ្ញា តុលា វិច្ឆិកា ធ្នូ".split()


def test_short_dates_use_latin_digits_in_both_languages():
    assert format_date(DAY, "en", style="short") == "25/11/2026"
    assert format_date(DAY, "km", style="short") == "25/11/2026"
    assert format_date(dt.date(2026, 1, 5), "km", style="short") == "05/01/2026"


def test_official_dates_carry_the_buddhist_era_year(db):
    assert format_date(DAY, "km", style="official") == "ថ្ងៃទី២៥ ខែវិច្ឆិកា ឆ្នាំ២០២៦ ព.ស.២៥៧០"
    assert format_date(DAY, "en", style="official") == "25 November 2026 (B.E. 2570)"
    assert format_date(dt.date(2026, 4, 30), "km", style="official").endswith("ព.ស.២៥៦៩")


def test_the_language_defaults_to_the_active_one():
    with translation.override("km"):
        assert format_date(DAY) == "២៥ វិច្ឆិកា ២០២៦"
    with translation.override("en"):
        assert format_date(DAY) == "25 November 2026"


def test_english_month_names_do_not_follow_the_active_language():
    with translation.override("km"):
        assert format_date(DAY, "en") == "25 November 2026"


def test_a_datetime_is_dated_in_phnom_penh():
    late_evening_utc = dt.datetime(2026, 11, 24, 20, 30, tzinfo=UTC)
    assert format_date(late_evening_utc, "en", style="short") == "25/11/2026"


def test_an_unknown_style_is_refused():
    with pytest.raises(ValueError, match="style"):
        format_date(DAY, "en", style="medium")


# --- Date and time --------------------------------------------------------------------------------------


def test_datetimes_are_shown_in_phnom_penh_time():
    moment = dt.datetime(2026, 11, 25, 7, 5, tzinfo=UTC)
    assert format_datetime(moment, "en") == "25 November 2026, 14:05"
    assert format_datetime(moment, "km") == "២៥ វិច្ឆិកា ២០២៦ ម៉ោង ១៤:០៥"


def test_a_datetime_after_17_utc_falls_on_the_next_day():
    assert format_datetime(dt.datetime(2026, 12, 31, 17, 0, tzinfo=UTC), "en") == "1 January 2027, 00:00"


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="naive"):
        format_datetime(dt.datetime(2026, 11, 25, 7, 5), "en")  # noqa: DTZ001


# --- Money ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "language", "expected"),
    [
        (40000, "KHR", "km", f"40,000{NBSP}៛"),
        (40000, "KHR", "en", "៛40,000"),
        (Decimal("12.5"), "USD", "en", "$12.50"),
        (Decimal("12.5"), "USD", "km", "$12.50"),
        (0, "KHR", "km", f"0{NBSP}៛"),
        (0, "USD", "en", "$0.00"),
        (-40000, "KHR", "km", f"-40,000{NBSP}៛"),
        (-40000, "KHR", "en", "-៛40,000"),
        (Decimal("-12.5"), "USD", "en", "-$12.50"),
        (Decimal("1234.5"), "KHR", "km", f"1,235{NBSP}៛"),
        (Decimal("1234.49"), "KHR", "km", f"1,234{NBSP}៛"),
        (Decimal("-0.5"), "KHR", "en", "-៛1"),
        (Decimal("2.675"), "USD", "en", "$2.68"),
        (Decimal("0.004"), "USD", "en", "$0.00"),
        (Decimal("-0.004"), "USD", "en", "$0.00"),
        (Decimal("1E+3"), "KHR", "en", "៛1,000"),
        (123456789012345678, "KHR", "km", f"123,456,789,012,345,678{NBSP}៛"),
        (Decimal("9876543210.999"), "USD", "en", "$9,876,543,211.00"),
        ("1,250.5", "USD", "en", "$1,250.50"),
        ("៤០០០០", "KHR", "km", f"40,000{NBSP}៛"),
    ],
)
def test_money(amount, currency, language, expected):
    assert format_money(amount, currency, language) == expected


def test_money_in_khmer_digits_for_official_documents():
    assert format_money(40000, "KHR", "km", khmer=True) == f"៤០,០០០{NBSP}៛"
    assert format_money(Decimal("12.5"), "USD", "km", khmer=True) == "$១២.៥០"


def test_money_defaults_to_riel_in_the_active_language():
    with translation.override("km"):
        assert format_money(5000) == f"5,000{NBSP}៛"
    with translation.override("en"):
        assert format_money(5000) == "៛5,000"


@pytest.mark.parametrize("amount", [12.5, True, None, [1]])
def test_money_refuses_floats_and_other_types(amount):
    with pytest.raises(TypeError):
        format_money(amount, "USD", "en")


@pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("Infinity"), "twelve", Decimal("1E+40")])
def test_money_refuses_what_is_not_an_amount(amount):
    with pytest.raises(ValueError, match="amount|number"):
        format_money(amount, "USD", "en")


def test_money_refuses_an_unknown_currency():
    with pytest.raises(ValueError, match="currency"):
        format_money(1, "EUR", "en")


# --- Numbers typed by users -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("123", Decimal(123)),
        ("១២៣", Decimal(123)),
        ("១២៣.៤៥", Decimal("123.45")),
        ("1,250.50", Decimal("1250.50")),
        ("១,២៥០", Decimal(1250)),
        ("1,000,000", Decimal(1000000)),
        ("  -12.5 ", Decimal("-12.5")),
        ("+7", Decimal(7)),
        ("0", Decimal(0)),
        ("00012", Decimal(12)),
        ("៤\u200b០០០", Decimal(4000)),  # a zero-width space typed between digits
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "abc",
        "12a",
        "1,00",
        "1,0000",
        ",100",
        "1,,000",
        "1.2.3",
        "1.",
        ".5",
        "--1",
        "1 000",
        "1e5",
        "NaN",
        "Infinity",
        "៛100",
        "٣",
        "๑๒",
    ],
)
def test_parse_number_rejects_garbage(text):
    with pytest.raises(ValueError, match="not a number"):
        parse_number(text)


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**12), max_value=10**12))
def test_parse_number_reads_back_khmer_digits(number):
    assert parse_number(khmer_digits(f"{number:f}")) == number
    assert parse_number(khmer_digits(f"{number:,f}")) == number


@given(st.integers())
def test_parse_number_reads_back_integers_with_separators(number):
    assert parse_number(f"{number:,}") == number


# --- Template filters -----------------------------------------------------------------------------------


def _render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_filters_in_english(db):
    with translation.override("en"):
        assert _render("{{ d|date_long }}", d=DAY) == "25 November 2026"
        assert _render("{{ d|date_short }}", d=DAY) == "25/11/2026"
        assert _render("{{ d|date_official }}", d=DAY) == "25 November 2026 (B.E. 2570)"
        assert _render("{{ d|be_year }}", d=DAY) == "2570"
        moment = dt.datetime(2026, 11, 25, 7, 5, tzinfo=UTC)
        assert _render("{{ m|datetime_local }}", m=moment) == "25 November 2026, 14:05"
        assert _render('{{ a|money:"USD" }} {{ a|money }}', a=Decimal("12.5")) == "$12.50 ៛13"


def test_filters_in_khmer(db):
    with translation.override("km"):
        assert _render("{{ d|date_long }}", d=DAY) == "២៥ វិច្ឆិកា ២០២៦"
        assert _render("{{ d|date_official }}", d=DAY) == "ថ្ងៃទី២៥ ខែវិច្ឆិកា ឆ្នាំ២០២៦ ព.ស.២៥៧០"
        assert _render("{{ d|be_year|khmer_digits }}", d=DAY) == "២៥៧០"
        assert _render("{{ a|money|khmer_digits }}", a=40000) == f"៤០,០០០{NBSP}៛"


def test_filters_leave_empty_values_blank():
    names = ["khmer_digits", "be_year", "date_long", "date_official", "date_short", "datetime_local", "money"]
    for name in names:
        assert _render(f"[{{{{ v|{name} }}}}][{{{{ e|{name} }}}}]", v=None, e="") == "[][]"


def test_khmer_digits_filter_keeps_escaping():
    assert _render("{{ v|khmer_digits }}", v="<b>1</b>") == "&lt;b&gt;១&lt;/b&gt;"
