"""Service performance figures, computed in the background into PerformanceAggregate and read by the
public page, open data and the strategy indicators (never computed on a page view)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from nokor.services.models import Application, Feedback, PerformanceAggregate, Status

DONE = (Status.APPROVED, Status.REFUSED)


def _scopes(unit_code: str | None) -> set[str]:
    """The cells an application counts in: the country (''), and its province when it has one."""
    return {"", unit_code[:2]} if unit_code else {""}


def _new_cell() -> dict:
    return {"received": 0, "completed": 0, "on_time": 0, "days": [], "rating_count": 0, "rating_sum": 0}


def compute(today: dt.date | None = None) -> int:
    """Recompute every (service, country or province, period) cell of the last twelve months."""
    today = today or timezone.localdate()
    first_month = (today.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    start = dt.datetime.combine(first_month, dt.time.min, tzinfo=dt.UTC)
    cells: dict[tuple[int, str, str], dict] = defaultdict(_new_cell)

    def cells_of(service_id: int, code: str | None, submitted_at: dt.datetime):
        month = timezone.localdate(submitted_at).strftime("%Y-%m")
        for province in _scopes(code):
            yield cells[(service_id, province, month)]
            yield cells[(service_id, province, PerformanceAggregate.LAST_12_MONTHS)]

    rows = Application.objects.filter(submitted_at__gte=start).values_list(
        "service_id", "unit__code", "submitted_at", "status", "decided_at", "deadline"
    )
    for service_id, code, submitted_at, status, decided_at, deadline in rows.iterator(chunk_size=20000):
        done = status in DONE and decided_at is not None
        for cell in cells_of(service_id, code, submitted_at):
            cell["received"] += 1
            if done:
                cell["completed"] += 1
                cell["days"].append((decided_at - submitted_at).total_seconds() / 86400)
                if deadline is None or timezone.localdate(decided_at) <= deadline:
                    cell["on_time"] += 1
    ratings = Feedback.objects.filter(application__submitted_at__gte=start).values_list(
        "application__service_id", "application__unit__code", "application__submitted_at", "rating"
    )
    for service_id, code, submitted_at, rating in ratings.iterator(chunk_size=20000):
        for cell in cells_of(service_id, code, submitted_at):
            cell["rating_count"] += 1
            cell["rating_sum"] += rating
    now = timezone.now()
    objects = [
        PerformanceAggregate(
            service_id=service_id,
            province_code=province,
            period=period,
            received=c["received"],
            completed=c["completed"],
            completed_on_time=c["on_time"],
            median_days=round(statistics.median(c["days"]), 1) if c["days"] else None,
            rating_count=c["rating_count"],
            rating_sum=c["rating_sum"],
            computed_at=now,
        )
        for (service_id, province, period), c in cells.items()
    ]
    with transaction.atomic():
        PerformanceAggregate.objects.all().delete()
        PerformanceAggregate.objects.bulk_create(objects, batch_size=2000)
    return len(objects)
