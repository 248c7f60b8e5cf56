"""How many calls each API key makes a day, and when it was last used, counted without a write per call.

The same trade as the scam check's search counts (nokor.cyber.searchcounts): each process adds its calls
to a small buffer in memory and writes it at most every ``INTEGRATIONS_USAGE_FLUSH_SECONDS`` (default 60,
so a key's last-used time is written at most once a minute by each process), one ``INSERT … ON CONFLICT
DO UPDATE SET count = count + n`` per key and day, and one ``UPDATE`` of the keys' last-used time. With
the setting at 0 every call is written at once. A killed process loses the counts of its last minute
(statistics only; every read of personal data is audited on its own, at once); a normal exit writes them.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import threading
import time
from collections import Counter

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from nokor.integrations.models import ApiKey, ApiKeyUsage

logger = logging.getLogger(__name__)

PENDING_MAX = 1_000  # (key, day) pairs waiting before a write, whatever the time

Key = tuple[int, dt.date]


class UsageCounter:
    """One process's buffer of key calls (thread-safe: the server may run several threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: Counter[Key] = Counter()
        self._last_flush = time.monotonic()

    def count(self, key_id: int) -> None:
        """Count one call of the key ``key_id``, today."""
        with self._lock:
            self._pending[(key_id, timezone.localdate())] += 1
            waited = time.monotonic() - self._last_flush
            flush_seconds = float(getattr(settings, "INTEGRATIONS_USAGE_FLUSH_SECONDS", 60))
            due = len(self._pending) >= PENDING_MAX or waited >= flush_seconds
        if due:
            self.flush()

    def flush(self) -> int:
        """Write the buffered calls; returns how many (key, day) counts were written. On a database error
        they go back into the buffer (logged, not raised: a call never fails for its statistics)."""
        with self._lock:
            pending, self._pending = self._pending, Counter()
            self._last_flush = time.monotonic()
        if not pending:
            return 0
        try:
            with transaction.atomic():
                for (key_id, day), calls in pending.items():
                    _add(key_id, day, calls)
                ApiKey.objects.filter(pk__in={key_id for key_id, _ in pending}).update(
                    last_used_at=timezone.now()
                )
        except DatabaseError:
            logger.exception("API key usage not written; kept for the next write")
            with self._lock:
                self._pending.update(pending)
            return 0
        return len(pending)


def _add(key_id: int, day: dt.date, calls: int) -> None:
    """Add ``calls`` to the stored count of the key on ``day``: one statement, race-safe without a lock."""
    table = connection.ops.quote_name(ApiKeyUsage._meta.db_table)
    statement = (
        f'INSERT INTO {table} ("key_id", "day", "count") VALUES (%s, %s, %s) '  # noqa: S608
        f'ON CONFLICT ("key_id", "day") DO UPDATE SET "count" = {table}."count" + excluded."count"'
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [key_id, day, calls])


USAGE = UsageCounter()


@atexit.register
def _flush_at_exit() -> None:
    if USAGE._pending:
        try:
            USAGE.flush()
        except Exception:  # the database may be gone already; nothing else to do at exit
            logger.exception("API key usage lost at exit")
