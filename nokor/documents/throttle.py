"""The per-client-IP budget for public verification (page and API share it)."""

from __future__ import annotations

from django.conf import settings

from nokor.core.throttle import retry_after


def verification_retry_after() -> int | None:
    """Count one verification for the current client; the seconds to wait when it is over its budget
    (``NOKOR_DOCUMENT_VERIFY_RATE_LIMIT`` a minute), else None."""
    return retry_after("documents:verify", limit=settings.DOCUMENT_VERIFY_RATE_LIMIT)
