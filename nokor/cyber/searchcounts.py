"""How often each identifier is looked up in the public scam check, counted without making a check wait.

A check is the platform's most frequent request and must not wait for a write: every check of the same
popular number would otherwise queue on one row. So each process adds its searches to a small buffer in
memory and writes them at most every ``CYBER_SEARCH_COUNT_FLUSH_SECONDS`` (or when the buffer holds
``PENDING_MAX`` identifiers), one ``INSERT … ON CONFLICT DO UPDATE SET count = count + n`` per
identifier. With the setting at 0 every search is written at once (the tests, and any installation that
prefers exact counts to speed).

What this costs, plainly: a process that is killed loses the searches of its last few seconds (search
statistics only, never a report, a listing or an audit event); a normal exit writes them. The count a
person is shown ("searched N times, this search included") is the stored total as this process last
read or wrote it, plus its own searches not written yet: other processes' searches of the last seconds
appear after their next write.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import Counter, OrderedDict

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from nokor.cyber.models import SearchCount

logger = logging.getLogger(__name__)

PENDING_MAX = 1_000  # identifiers waiting before a write, whatever the time
KNOWN_MAX = 10_000  # stored totals remembered (least recently searched forgotten first)

Key = tuple[str, str]


class SearchCounter:
    """One process's buffer of searches (thread-safe: granian may run several threads)."""

    def __init__(self, flush_seconds: float | None = None) -> None:
        self._flush_seconds = flush_seconds
        self._lock = threading.Lock()
        self._pending: Counter[Key] = Counter()
        self._known: OrderedDict[Key, int] = OrderedDict()
        self._last_flush = time.monotonic()

    @property
    def flush_seconds(self) -> float:
        if self._flush_seconds is not None:
            return self._flush_seconds
        return float(getattr(settings, "CYBER_SEARCH_COUNT_FLUSH_SECONDS", 10))

    def count(self, kind: str, value: str) -> int:
        """Count one search of ``(kind, value)`` (a stored value); return the total as this process
        knows it, this search included."""
        key = (kind, value)
        if self.flush_seconds <= 0:
            return _add(key, 1)
        with self._lock:
            self._pending[key] += 1
            waited = time.monotonic() - self._last_flush
            due = len(self._pending) >= PENDING_MAX or waited >= self.flush_seconds
        if due:
            self.flush()
        with self._lock:
            known = self._known.get(key)
            if known is not None:
                self._known.move_to_end(key)
        if known is None:
            known = stored_count(kind, value)
            self._remember(key, known)
        with self._lock:
            return self._known.get(key, known) + self._pending.get(key, 0)

    def flush(self) -> int:
        """Write the buffered searches; returns how many identifiers were written. On a database error
        the searches go back into the buffer for the next write (and the error is logged, not raised:
        a check never fails because its statistics could not be written)."""
        with self._lock:
            pending, self._pending = self._pending, Counter()
            self._last_flush = time.monotonic()
        remaining = Counter(pending)
        try:
            for key, searches in pending.items():
                with transaction.atomic():  # a savepoint inside a caller's transaction: it survives an error
                    total = _add(key, searches)
                del remaining[key]
                self._remember(key, total)
        except DatabaseError:
            logger.exception("Scam-check search counts not written; kept for the next write")
            with self._lock:
                self._pending.update(remaining)
        return len(pending) - len(remaining)

    def _remember(self, key: Key, total: int) -> None:
        with self._lock:
            self._known[key] = total
            self._known.move_to_end(key)
            while len(self._known) > KNOWN_MAX:
                self._known.popitem(last=False)


def _add(key: Key, searches: int) -> int:
    """Add ``searches`` to the stored count of ``key`` (creating it) and return the new total: one
    statement, race-safe without a lock (PostgreSQL and SQLite both know ``ON CONFLICT``)."""
    table = connection.ops.quote_name(SearchCount._meta.db_table)
    now = SearchCount._meta.get_field("last_searched_at").get_db_prep_value(timezone.now(), connection)
    statement = (
        f'INSERT INTO {table} ("kind", "value", "count", "last_searched_at") VALUES (%s, %s, %s, %s) '  # noqa: S608
        f'ON CONFLICT ("kind", "value") DO UPDATE SET "count" = {table}."count" + excluded."count", '
        '"last_searched_at" = excluded."last_searched_at" RETURNING "count"'
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [key[0], key[1], searches, now])
        return int(cursor.fetchone()[0])


def stored_count(kind: str, value: str) -> int:
    """The stored count of an identifier (without counting this read)."""
    return SearchCount.objects.filter(kind=kind, value=value).values_list("count", flat=True).first() or 0


COUNTER = SearchCounter()


@atexit.register
def _flush_at_exit() -> None:
    if COUNTER._pending:
        try:
            COUNTER.flush()
        except Exception:  # the database may be gone already; nothing else to do at exit
            logger.exception("Scam-check search counts lost at exit")
