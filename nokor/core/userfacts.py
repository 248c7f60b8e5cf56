"""Facts about the signed-in person that every page asks for (their active roles, whether they have a
second factor, how many inbox messages they have not read), from the shared cache instead of one query
each on every page.

Apps register a fact with :func:`register` (a name and how to compute it from the database) and drop it
with :func:`forget` whenever what it is computed from changes (their signals, and any bulk update). A page
reads all of a person's facts in one ``cache.get_many`` and computes only the missing ones. Each fact also
expires after ``USER_FACTS_CACHE_SECONDS`` (default 60) whatever happens: in production the cache is
Redis, shared by every worker, so a change is seen at once; with the per-process memory cache of the
embedded default, another process may use a fact up to that many seconds old, and so may a page that was
computing a fact at the very moment it changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache

FACTS: dict[str, Callable[[Any], Any]] = {}
_MEMO = "_nokor_user_facts"  # on the request's user object: read once per request


def register(name: str, compute: Callable[[Any], Any]) -> None:
    """Declare a fact: ``compute(user)`` reads it from the database (a picklable value)."""
    FACTS[name] = compute


def _key(user_id: Any, name: str) -> str:
    return f"user-facts:{user_id}:{name}"


def fact(user: Any, name: str) -> Any:
    """The fact ``name`` of a signed-in ``user``: from this request's memo, else the cache, else the
    database (and then cached)."""
    memo = user.__dict__.get(_MEMO)
    if memo is None:
        keys = {_key(user.pk, known): known for known in FACTS}
        memo = {keys[key]: value for key, value in cache.get_many(list(keys)).items()}
        user.__dict__[_MEMO] = memo
    if name not in memo:
        value = FACTS[name](user)
        seconds = int(getattr(settings, "USER_FACTS_CACHE_SECONDS", 60))
        if seconds > 0:
            cache.set(_key(user.pk, name), value, seconds)
        memo[name] = value
    return memo[name]


def forget(user_id: Any, *names: str) -> None:
    """Drop facts of a person (all of them when no name is given) after a change they are computed from."""
    cache.delete_many([_key(user_id, name) for name in (names or FACTS)])
