"""Per-client-IP budgets for public forms and API operations, counted in the shared cache (Redis in
production, so every web process sees the same count).

A fixed window: each scope has ``limit`` attempts per client IP in each window of ``window_seconds``;
over the budget the caller answers 429 with the seconds to wait (``Retry-After``).
"""

from __future__ import annotations

import time

from django.core.cache import cache

from nokor.core.context import current_ip


def retry_after(scope: str, *, limit: int, window_seconds: int = 60, client: str | None = None) -> int | None:
    """Count one attempt of the current client (or ``client``) in ``scope``; the seconds to wait when
    it is over ``limit`` for the current window, else None. A limit of 0 or less means no limit."""
    if limit <= 0:
        return None
    now = int(time.time())
    window = now // window_seconds
    key = f"throttle:{scope}:{client or current_ip() or 'unknown'}:{window}"
    cache.add(key, 0, timeout=window_seconds * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds * 2)
        count = 1
    if count > limit:
        return window_seconds - now % window_seconds
    return None
