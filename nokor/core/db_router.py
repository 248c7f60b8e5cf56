"""Reads from a PostgreSQL streaming replica for the pages that only read, when one is configured.

Everything stays on the primary ("default") unless all of these hold:

* ``DATABASE_REPLICA_URL`` is set (settings add the ``replica`` alias and this router);
* the view is marked :func:`replica_reads` (dashboards, open data, public performance and status pages:
  figures that may be a few seconds old) and the request is a GET or HEAD;
* the client has not sent a form (POST, PUT, PATCH, DELETE) in the last ``REPLICA_PIN_SECONDS``:
  :class:`PrimaryPinMiddleware` pins it to the primary with a signed cookie, so what someone just did is
  on the next page they see, across redirects, whatever the replica's lag;
* the view has not written yet in this request, and no transaction is open on the primary;
* the replica answered its last health check (at most one every ``REPLICA_CHECK_SECONDS`` per process)
  and was then less than ``REPLICA_MAX_LAG_SECONDS`` behind.

A replica that fails during a marked view (down, restarting) is marked unhealthy and the view runs again
on the primary: a marked view only reads, so running it twice is safe; one that wrote is not run again.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "nokor_primary"
_PIN_SALT = "nokor.core.db_router.pin"
SAFE_METHODS = ("GET", "HEAD")


def replica_configured() -> bool:
    return bool(getattr(settings, "DATABASE_REPLICA_URL", ""))


# --------------------------------------------------------------------------------------------------
# Replica health: lag measured on the replica itself, cached per process
# --------------------------------------------------------------------------------------------------
# Caught up (everything received is replayed): no lag, however long ago the primary last wrote. Otherwise
# the age of the last transaction replayed. NULL (never replayed anything yet) counts as caught up.
LAG_SQL = (
    "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)


@dataclass(frozen=True)
class Health:
    """The replica's state at its last check: usable or not, and how far behind (seconds)."""

    usable: bool
    lag_seconds: float | None
    checked_at: float  # time.monotonic()


class ReplicaHealth:
    """The last health check of the replica in this process; a new one when it is older than
    ``REPLICA_CHECK_SECONDS`` (one thread checks, the others use the last answer meanwhile)."""

    def __init__(self) -> None:
        self._last: Health | None = None
        self._lock = threading.Lock()

    def current(self) -> Health:
        last = self._last
        if last is not None and time.monotonic() - last.checked_at < settings.REPLICA_CHECK_SECONDS:
            return last
        if not self._lock.acquire(blocking=last is None):
            return last  # type: ignore[return-value]  # another thread is checking
        try:
            self._last = self._check()
            return self._last
        finally:
            self._lock.release()

    def record(self, *, usable: bool, lag_seconds: float | None = None) -> Health:
        """Set the state (a failure seen during a view; tests)."""
        self._last = Health(usable=usable, lag_seconds=lag_seconds, checked_at=time.monotonic())
        return self._last

    def forget(self) -> None:
        self._last = None

    def _check(self) -> Health:
        connection = connections[REPLICA]
        try:
            with connection.cursor() as cursor:
                cursor.execute(LAG_SQL)
                lag = float(cursor.fetchone()[0])
        except DatabaseError as exc:
            logger.warning("replica unreachable, reading from the primary: %s", exc)
            connection.close()
            return Health(usable=False, lag_seconds=None, checked_at=time.monotonic())
        usable = lag <= settings.REPLICA_MAX_LAG_SECONDS
        if not usable:
            logger.warning("replica %.1f s behind, reading from the primary", lag)
        return Health(usable=usable, lag_seconds=lag, checked_at=time.monotonic())


replica_health = ReplicaHealth()


# --------------------------------------------------------------------------------------------------
# The request's state, and the router
# --------------------------------------------------------------------------------------------------
@dataclass
class ReadScope:
    """A marked view being run: whether it may read from the replica, has written, has used the replica."""

    allowed: bool = True
    wrote: bool = False
    used_replica: bool = False


_scope: contextvars.ContextVar[ReadScope | None] = contextvars.ContextVar("replica_scope", default=None)


def reads_alias() -> str:
    """Where a read made now goes: the replica only inside a marked view that may use it."""
    scope = _scope.get()
    if scope is None or not scope.allowed or scope.wrote:
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:  # reads inside a transaction see its writes
        return DEFAULT_DB_ALIAS
    if not replica_health.current().usable:
        return DEFAULT_DB_ALIAS
    scope.used_replica = True
    return REPLICA


class PrimaryReplicaRouter:
    """Writes, migrations and every read outside a marked view go to "default"."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return reads_alias()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        scope = _scope.get()
        if scope is not None:
            scope.wrote = True  # from here on this request reads what it wrote: the primary
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


# --------------------------------------------------------------------------------------------------
# Marking views, pinning clients
# --------------------------------------------------------------------------------------------------
def pinned_to_primary(request: HttpRequest) -> bool:
    """Whether the client sent a form within the last ``REPLICA_PIN_SECONDS`` (signed, dated cookie)."""
    value = request.get_signed_cookie(
        PIN_COOKIE, default=None, salt=_PIN_SALT, max_age=settings.REPLICA_PIN_SECONDS
    )
    return value is not None


def replica_reads(view: Callable) -> Callable:
    """Mark a view that only reads and whose figures may be a few seconds old: its reads may go to the
    replica (see the module's docstring for when they do)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not replica_configured() or request.method not in SAFE_METHODS or pinned_to_primary(request):
            return view(request, *args, **kwargs)
        scope = ReadScope()
        token = _scope.set(scope)
        try:
            return view(request, *args, **kwargs)
        except DatabaseError:
            if not scope.used_replica or scope.wrote:
                raise
            # The replica failed half-way: stop using it until the next check, read it all again.
            logger.warning("replica failed during %s, reading from the primary", request.path)
            replica_health.record(usable=False)
            connections[REPLICA].close()
            scope.allowed = False
            return view(request, *args, **kwargs)
        finally:
            _scope.reset(token)

    wrapped.replica_reads = True  # type: ignore[attr-defined]
    return wrapped


class PrimaryPinMiddleware:
    """After a form is sent (any method but GET and HEAD), pin the client to the primary for
    ``REPLICA_PIN_SECONDS``: the pages it sees next show what it did, even through a lagging replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in SAFE_METHODS and replica_configured():
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=_PIN_SALT,
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
