"""Dates, Buddhist Era years, money and numbers written for Khmer and English readers.

Used by templates (through the filters in ``nokor.core.templatetags.formatting``), PDFs and e-mails.
The rules follow DESIGN.md, "Khmer typography": Latin digits in tables and inputs (Khmer digits typed
into inputs are accepted), Khmer digits on official documents, dates written out in words in Khmer where
people read them.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal

import holidays
from django.conf import settings
from django.utils import formats, timezone, translation

from nokor.core.models import BuddhistEraNewYear
from nokor.core.text import KHMER_DIGITS, latin_digits, strip_invisible

DateStyle = Literal["long", "short", "official"]
Currency = Literal["KHR", "USD"]

# The month names of the solar calendar as the ministry writes them (glossary data, not translations:
# they must not change with a translation catalogue).
KHMER_MONTHS = (
    "មករា",
    "កុម្ភៈ",
    "មីនា",
    "មេសា",
    "ឧសភា",
    "មិថុនា",
    "កក្កដា",
    "សីហា",
    "កញ្ញា",
    "តុលា",
    "វិច្ឆិកា",
    "ធ្នូ",
)
RIEL_SIGN = "៛"
_NBSP = "\u00a0"  # keeps a currency sign on the same line as its amount
_LATIN_TO_KHMER_DIGITS = str.maketrans("0123456789", KHMER_DIGITS)
# Used when neither the table nor the holidays package knows a year: Visakha Bochea falls between
# 23 April and 30 May in 1993-2100, so 15 May puts at most about three weeks of days in the wrong year.
_FALLBACK_BOUNDARY = (5, 15)
_NUMBER = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
_MONEY_PLACES = {"KHR": Decimal(1), "USD": Decimal("0.01")}


def khmer_digits(value: object) -> str:
    """Write the Latin digits of a value as Khmer digits (០-៩), leaving every other character as it is."""
    return str(value).translate(_LATIN_TO_KHMER_DIGITS)


def buddhist_era_year(day: dt.date) -> int:
    """The Buddhist Era year of a day: CE + 544 from that year's Visakha Bochea day on, CE + 543 before it.

    The day the year changes comes from the ``BuddhistEraNewYear`` table that administrators edit (one
    query per call: a primary-key lookup, and every process sees an edit at once). For a year without a
    row it is computed from the ``holidays`` package's Cambodian calendar ("Visaka Bochea Day", known
    from 1993 to 2100); outside those years the change is assumed to happen on 15 May. A datetime is
    first converted to the display time zone.
    """
    day = _local_date(day)
    boundary = BuddhistEraNewYear.boundary_for(day.year) or _computed_boundary(day.year)
    return day.year + (544 if day >= boundary else 543)


def format_date(day: dt.date, language: str | None = None, *, style: DateStyle = "long") -> str:
    """Write a day for people to read, in Khmer or English (the active language unless one is given).

    - ``long``: "25 November 2026"; in Khmer "២៥ វិច្ឆិកា ២០២៦" (Khmer digits, month in words).
    - ``short``: "25/11/2026" in both languages, Latin digits, for tables.
    - ``official``: "25 November 2026 (B.E. 2570)"; in Khmer "ថ្ងៃទី២៥ ខែវិច្ឆិកា ឆ្នាំ២០២៦ ព.ស.២៥៧០", the
      solar date as official letters write it followed by the Buddhist Era year (no lunar date).

    A datetime is first converted to the display time zone.
    """
    day = _local_date(day)
    if style == "short":
        return f"{day:%d/%m/%Y}"
    if style not in ("long", "official"):
        raise ValueError(f"unknown date style: {style!r}")
    khmer = _is_khmer(language)
    if style == "long":
        if khmer:
            return khmer_digits(f"{day.day} {KHMER_MONTHS[day.month - 1]} {day.year}")
        return _english_date(day)
    be_year = buddhist_era_year(day)
    if khmer:
        return khmer_digits(f"ថ្ងៃទី{day.day} ខែ{KHMER_MONTHS[day.month - 1]} ឆ្នាំ{day.year} ព.ស.{be_year}")
    return f"{_english_date(day)} (B.E. {be_year})"


def format_datetime(value: dt.datetime, language: str | None = None) -> str:
    """Write a stored (aware, UTC) moment as the day and 24-hour time in the display time zone.

    English "25 November 2026, 14:05"; Khmer "២៥ វិច្ឆិកា ២០២៦ ម៉ោង ១៤:០៥". A naive datetime is refused
    (ValueError): its time zone is unknown.
    """
    local = timezone.localtime(value)
    day = format_date(local.date(), language)
    if _is_khmer(language):
        return f"{day} ម៉ោង {khmer_digits(f'{local:%H:%M}')}"
    return f"{day}, {local:%H:%M}"


def format_money(
    amount: int | Decimal | str,
    currency: Currency = "KHR",
    language: str | None = None,
    *,
    khmer: bool = False,
) -> str:
    """Write an amount of riel or US dollars, rounded half up to whole riel or to cents.

    Riel carry the riel sign where each language puts it: after the amount in Khmer, as Cambodian
    price lists and bank statements do ("40,000 ៛"), before it in English ("៛40,000"); dollars are
    "$12.50" in both. The space before the riel sign does not break (U+00A0). Thousands are separated
    by commas and digits stay Latin, as in tables, unless ``khmer`` asks for Khmer digits (official
    documents). Floats are refused (TypeError): they cannot hold cents exactly.
    """
    if currency not in _MONEY_PLACES:
        raise ValueError(f"unknown currency: {currency!r}")
    value = _decimal(amount)
    try:
        value = value.quantize(_MONEY_PLACES[currency], rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(f"amount too large: {amount!r}") from None
    sign = "-" if value < 0 else ""  # a negative amount that rounds to zero is written "0"
    number = f"{abs(value):,}"
    if currency == "USD":
        text = f"{sign}${number}"
    elif _is_khmer(language):
        text = f"{sign}{number}{_NBSP}{RIEL_SIGN}"
    else:
        text = f"{sign}{RIEL_SIGN}{number}"
    return khmer_digits(text) if khmer else text


def parse_number(text: str) -> Decimal:
    """Read a number a user typed in Latin or Khmer digits ("1,250.50", "១២៥០"); ValueError if it is not one.

    Accepted: an optional sign, digits, comma thousands separators in groups of three, a point before
    decimals; spaces around the number and zero-width characters are ignored.
    """
    cleaned = latin_digits(strip_invisible(text))
    if not _NUMBER.fullmatch(cleaned):
        raise ValueError(f"not a number: {text!r}")
    return Decimal(cleaned.replace(",", ""))


def _is_khmer(language: str | None) -> bool:
    code = language or translation.get_language() or settings.LANGUAGE_CODE
    return code.split("-")[0].lower() == "km"


def _local_date(day: dt.date) -> dt.date:
    if isinstance(day, dt.datetime):
        return timezone.localtime(day).date()
    return day


def _english_date(day: dt.date) -> str:
    with translation.override("en"):
        return formats.date_format(day, "j F Y")


@lru_cache(maxsize=64)
def _computed_boundary(year: int) -> dt.date:
    found = holidays.Cambodia(years=year, language="en_US").get_named("Visaka Bochea", lookup="icontains")
    return found[0] if found else dt.date(year, *_FALLBACK_BOUNDARY)


def _decimal(amount: int | Decimal | str) -> Decimal:
    if isinstance(amount, bool | float) or not isinstance(amount, int | Decimal | str):
        raise TypeError(f"an amount must be an int, a Decimal or a string, not {type(amount).__name__}")
    value = parse_number(amount) if isinstance(amount, str) else Decimal(amount)
    if not value.is_finite():
        raise ValueError(f"not an amount: {amount!r}")
    return value
