"""update_in_bulk saves exactly the named fields of every row, with the types the fields convert, in one
statement executed for each row."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nokor.core.bulk import update_in_bulk
from nokor.infrastructure.models import Monitor


@pytest.fixture
def monitors(db):
    return [
        Monitor.objects.create(name=f"Service {n}", kind=Monitor.Kind.TCP, target=f"127.0.0.1:{9000 + n}")
        for n in range(3)
    ]


def test_saves_the_named_fields_of_every_row_and_nothing_else(monitors):
    at = dt.datetime(2026, 11, 26, 5, 30, 15, 123456, tzinfo=dt.UTC)
    for n, monitor in enumerate(monitors):
        monitor.last_checked_at = at + dt.timedelta(seconds=n)
        monitor.last_response_ms = 10 * n if n else None
        monitor.last_error = "ការតភ្ជាប់ត្រូវបានបដិសេធ" if n == 2 else ""
        monitor.uptime_30d = Decimal("99.125") - n
        monitor.name = "changed in memory only"
    with CaptureQueriesContext(connection) as queries:
        assert (
            update_in_bulk(monitors, ["last_checked_at", "last_response_ms", "last_error", "uptime_30d"]) == 3
        )
    assert len([q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]) <= 1
    for n, saved in enumerate(Monitor.objects.order_by("pk")):
        assert saved.last_checked_at == at + dt.timedelta(seconds=n)  # microseconds kept
        assert saved.last_response_ms == (10 * n if n else None)
        assert saved.last_error == ("ការតភ្ជាប់ត្រូវបានបដិសេធ" if n == 2 else "")
        assert saved.uptime_30d == Decimal("99.125") - n
        assert saved.name == f"Service {n}"  # not a named field: untouched


def test_nothing_to_save_runs_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert update_in_bulk([], ["last_error"]) == 0


def test_refuses_the_primary_key(monitors):
    with pytest.raises(ValueError):
        update_in_bulk(monitors, ["id"])
