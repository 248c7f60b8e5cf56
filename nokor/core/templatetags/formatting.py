"""Template filters for Khmer and English formatting (the rules live in nokor.core.formatting).

Each filter writes in the active language; an empty value (None or "") gives an empty string, so a
missing date or amount leaves a blank cell instead of "None".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template

from nokor.core import formatting

register = template.Library()


@register.filter(is_safe=True)
def khmer_digits(value: object) -> str:
    """Latin digits as Khmer digits, for official documents: ``{{ reference|khmer_digits }}``."""
    return "" if value in (None, "") else formatting.khmer_digits(value)


@register.filter
def be_year(value: dt.date | None) -> int | str:
    """The Buddhist Era year of a day: ``{{ day|be_year|khmer_digits }}``."""
    return "" if value in (None, "") else formatting.buddhist_era_year(value)


@register.filter
def date_long(value: dt.date | None) -> str:
    """A day written out for people to read ("25 November 2026", "២៥ វិច្ឆិកា ២០២៦")."""
    return "" if value in (None, "") else formatting.format_date(value, style="long")


@register.filter
def date_official(value: dt.date | None) -> str:
    """A day as official documents write it, with the Buddhist Era year."""
    return "" if value in (None, "") else formatting.format_date(value, style="official")


@register.filter
def date_short(value: dt.date | None) -> str:
    """A day in Latin digits for tables ("25/11/2026")."""
    return "" if value in (None, "") else formatting.format_date(value, style="short")


@register.filter
def datetime_local(value: dt.datetime | None) -> str:
    """A stored moment as the day and time in the display time zone (Phnom Penh)."""
    return "" if value in (None, "") else formatting.format_datetime(value)


@register.filter
def money(value: int | Decimal | str | None, currency: formatting.Currency = "KHR") -> str:
    """An amount with its currency sign: ``{{ fee|money }}`` (riel) or ``{{ amount|money:"USD" }}``."""
    return "" if value in (None, "") else formatting.format_money(value, currency)
