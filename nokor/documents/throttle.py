"""A per-client-IP budget for public verification, counted in the shared cache (Redis in production,
so every web process sees the same count)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from nokor.core.context import current_ip

WINDOW_SECONDS = 60


def verification_retry_after() -> int | None:
    """Count one verification for the current client; the seconds to wait when it is over its budget
    (``NOKOR_DOCUMENT_VERIFY_RATE_LIMIT`` a minute), else None."""
    limit = settings.DOCUMENT_VERIFY_RATE_LIMIT
    if limit <= 0:
        return None
    now = int(time.time())
    window = now // WINDOW_SECONDS
    key = f"documents:verify:{current_ip() or 'unknown'}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    if count > limit:
        return WINDOW_SECONDS - now % WINDOW_SECONDS
    return None
