"""Application reference numbers: NK-2026-000123-7 (year of submission, number, Luhn check digit), so a
mistyped reference is caught before any lookup."""

from __future__ import annotations

import re

_FORMAT = re.compile(r"^NK-(\d{4})-(\d{6,})-(\d)$")


def luhn_digit(digits: str) -> int:
    """The Luhn check digit of a string of digits."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def make_reference(year: int, number: int) -> str:
    body = f"{year:04d}{number:06d}"
    return f"NK-{year:04d}-{number:06d}-{luhn_digit(body)}"


def normalize_reference(text: str) -> str | None:
    """The canonical reference if `text` is one (any case, spaces, Khmer digits), else None."""
    from nokor.core.text import latin_digits

    candidate = re.sub(r"\s+", "", latin_digits(text or "")).upper()
    match = _FORMAT.match(candidate)
    if not match:
        return None
    year, number, check = match.groups()
    return candidate if luhn_digit(year + number) == int(check) else None
