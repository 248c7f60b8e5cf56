"""Filters for bilingual document templates: each writes in one fixed language, whatever is active.

The issuing app passes dates in ``context`` as ISO strings (the context is stored as JSON), so these
filters accept a date or "YYYY-MM-DD"; anything else is shown as it is.
"""

from __future__ import annotations

import datetime as dt

from django import template

from nokor.core.formatting import format_date, khmer_digits

register = template.Library()


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


@register.filter
def date_km(value: object) -> str:
    """A day as Khmer official documents write it: "ថ្ងៃទី២៥ ខែវិច្ឆិកា ឆ្នាំ២០២៦ ព.ស.២៥៧០"."""
    if value in (None, ""):
        return ""
    day = _as_date(value)
    return format_date(day, "km", style="official") if day else khmer_digits(value)


@register.filter
def date_km_long(value: object) -> str:
    """A day in Khmer without the Buddhist Era year (dates of birth): "២៥ វិច្ឆិកា ១៩៩០"."""
    if value in (None, ""):
        return ""
    day = _as_date(value)
    return format_date(day, "km", style="long") if day else khmer_digits(value)


@register.filter
def date_en(value: object) -> str:
    """A day in English without the Buddhist Era year: "25 November 1990"."""
    if value in (None, ""):
        return ""
    day = _as_date(value)
    return format_date(day, "en", style="long") if day else str(value)
