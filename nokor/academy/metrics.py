"""Indicators the academy offers the strategy app (through nokor.core.indicators).

* ``academy.staff_cyber_trained`` — percent of civil servants (active staff accounts holding a role on
  the last day of the period, in the unit's subtree by the unit of that role) who had completed the
  mandatory cybersecurity course ``cyber-hygiene-for-civil-servants`` (any cycle) by the end of the
  period. One course, not "all mandatory courses": it is what the plan's indicator names, and it stays
  comparable from year to year when other mandatory courses come and go.
* ``academy.citizens_literacy`` — number of citizens (accounts that are not staff) who completed a
  public course (every public course is a digital-literacy course: scams, online services) in the
  period. Citizens have no unit, so the figure exists for the whole country only (None for a unit).
* ``academy.learning_gain`` — average learning gain, in percentage points (best final test − first
  pre-test), of the enrolments completed in the period that took both tests; by the learner's unit.

Periods are days of Phnom Penh time, both included.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nokor.academy.models import Audience, Enrolment
from nokor.accounts.models import RoleAssignment, User
from nokor.core.indicators import IndicatorSource, register

CYBER_COURSE = "cyber-hygiene-for-civil-servants"


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Midnight before ``start`` and midnight after ``end``, Phnom Penh time (an indexed range)."""
    return (
        timezone.make_aware(dt.datetime.combine(start, dt.time.min)),
        timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)),
    )


def staff_cyber_trained(start: dt.date, end: dt.date, unit_code: str) -> float | None:
    """Percent of the staff in post at the end of the period who had completed the cybersecurity course."""
    _first, after = _bounds(start, end)
    roles = RoleAssignment.objects.filter(user=OuterRef("pk"), valid_from__lt=after).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=after)
    )
    if unit_code:
        roles = roles.filter(unit__code__startswith=unit_code)
    completed = Enrolment.objects.filter(
        user=OuterRef("pk"),
        course__slug=CYBER_COURSE,
        status=Enrolment.Status.COMPLETED,
        completed_at__lt=after,
    )
    counts = (
        User.objects.filter(is_staff=True, is_active=True, date_joined__lt=after)
        .filter(Exists(roles))
        .aggregate(total=Count("pk"), trained=Count("pk", filter=Q(Exists(completed))))
    )
    if not counts["total"]:
        return None
    return round(100 * counts["trained"] / counts["total"], 1)


def staff_cyber_trained_by_province(start: dt.date, end: dt.date) -> dict[str, float]:
    """The same percent for every province at once: staff counted in each province where they hold a
    role (one grouped query over the role assignments)."""
    _first, after = _bounds(start, end)
    completed = Enrolment.objects.filter(
        user=OuterRef("user"),
        course__slug=CYBER_COURSE,
        status=Enrolment.Status.COMPLETED,
        completed_at__lt=after,
    )
    rows = (
        RoleAssignment.objects.filter(valid_from__lt=after, unit__isnull=False)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=after))
        .filter(user__is_staff=True, user__is_active=True, user__date_joined__lt=after)
        .annotate(province=Substr("unit__code", 1, 2), trained=Exists(completed))
        .values("province")
        .annotate(
            total=Count("user", distinct=True), done=Count("user", distinct=True, filter=Q(trained=True))
        )
        .order_by()
    )
    return {row["province"]: round(100 * row["done"] / row["total"], 1) for row in rows if row["total"]}


def citizens_literacy(start: dt.date, end: dt.date, unit_code: str) -> int | None:
    """Number of citizens who completed a public (digital-literacy) course in the period."""
    if unit_code:
        return None
    first, after = _bounds(start, end)
    return (
        Enrolment.objects.filter(
            course__audience=Audience.PUBLIC,
            status=Enrolment.Status.COMPLETED,
            completed_at__gte=first,
            completed_at__lt=after,
            user__is_staff=False,
        )
        .values("user_id")
        .distinct()
        .count()
    )


def average_learning_gain(start: dt.date, end: dt.date, unit_code: str) -> Decimal | None:
    """Average (final − pre-test) in percentage points of the enrolments completed in the period."""
    first, after = _bounds(start, end)
    completed = Enrolment.objects.filter(
        status=Enrolment.Status.COMPLETED,
        completed_at__gte=first,
        completed_at__lt=after,
        pre_score__isnull=False,
        post_score__isnull=False,
    )
    if unit_code:
        completed = completed.filter(unit_code__startswith=unit_code)
    gain = ExpressionWrapper(
        F("post_score") - F("pre_score"), output_field=DecimalField(max_digits=7, decimal_places=2)
    )
    average = completed.aggregate(gain=Avg(gain))["gain"]
    if average is None:
        return None
    return Decimal(average).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


register(
    IndicatorSource(
        "academy.staff_cyber_trained",
        "academy",
        _("Civil servants who completed the mandatory cybersecurity training"),
        "percent",
        staff_cyber_trained,
        measure_by_province=staff_cyber_trained_by_province,
    )
)
register(
    IndicatorSource(
        "academy.citizens_literacy",
        "academy",
        _("Citizens who completed a digital-literacy course"),
        "count",
        citizens_literacy,
    )
)
register(
    IndicatorSource(
        "academy.learning_gain",
        "academy",
        _("Average learning gain (final test minus pre-test)"),
        "points",
        average_learning_gain,
    )
)
