"""Working days: Monday to Friday, less the public holidays of the `Holiday` table.

Deadlines of the service charter ("decided within 5 working days") and dates that must be far enough
ahead (an assembly is notified at least 5 working days before it) are counted with these functions.
The holidays come from the editable `Holiday` table, seeded from the `holidays` package's Cambodian
calendar by `seed_holidays` (run by `manage.py load_services` and `manage.py load_holidays`).
"""

from __future__ import annotations

import datetime as dt

import holidays as holiday_calendars
from django.db import transaction
from django.utils import timezone

from nokor.services.models import Holiday

SATURDAY = 5
# Holidays are read in windows of this many days past the span needed (a long run of holidays, such as
# Khmer New Year next to a weekend, must not run past the window).
_WINDOW_MARGIN = 60


def today() -> dt.date:
    """Today in Cambodia (settings.TIME_ZONE)."""
    return timezone.localdate()


def holiday_dates(start: dt.date, end: dt.date) -> set[dt.date]:
    """The public holidays from `start` to `end`, both included (one query)."""
    return set(Holiday.objects.filter(date__range=(start, end)).values_list("date", flat=True))


def is_working_day(day: dt.date, holidays: set[dt.date] | None = None) -> bool:
    """Whether offices are open on `day`: a weekday that is not a public holiday."""
    if day.weekday() >= SATURDAY:
        return False
    if holidays is None:
        holidays = holiday_dates(day, day)
    return day not in holidays


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The day that is `days` working days after `start` (`start` itself is not counted).

    `add_working_days(friday, 1)` is the next Monday when it is a working day. With `days` == 0 the
    result is `start` itself; a negative `days` counts backwards.
    """
    if days == 0:
        return start
    step = 1 if days > 0 else -1
    remaining = abs(days)
    day = start
    while True:
        span = remaining * 2 + _WINDOW_MARGIN
        window_end = day + dt.timedelta(days=span * step)
        holidays = holiday_dates(min(day, window_end), max(day, window_end))
        while day != window_end:
            day += dt.timedelta(days=step)
            if is_working_day(day, holidays):
                remaining -= 1
                if remaining == 0:
                    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """How many working days lie after `start` up to and including `end` (negative when `end` is before).

    It is the inverse of `add_working_days`: `add_working_days(a, working_days_between(a, b))` is `b`
    when `b` is a working day. Between a Friday and the next Monday there is one working day.
    """
    if end < start:
        return -working_days_between(end, start)
    holidays = holiday_dates(start, end)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays):
            count += 1
    return count


@transaction.atomic
def seed_holidays(first_year: int, last_year: int) -> int:
    """Add the Cambodian public holidays of these years (both included) to the `Holiday` table.

    English names from the `holidays` package, Khmer names from its Khmer translation. Days already in
    the table are left as they are (an administrator may have corrected them); returns how many were
    added.
    """
    years = range(first_year, last_year + 1)
    english = holiday_calendars.Cambodia(years=years, language="en_US")
    khmer = holiday_calendars.Cambodia(years=years, language="km")
    existing = set(
        Holiday.objects.filter(date__year__gte=first_year, date__year__lte=last_year).values_list(
            "date", flat=True
        )
    )
    new = [
        Holiday(date=day, name_en=name[:200], name_km=khmer.get(day, "")[:200])
        for day, name in sorted(english.items())
        if day not in existing
    ]
    Holiday.objects.bulk_create(new)
    return len(new)
