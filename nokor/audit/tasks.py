"""The worker seals the audit events written since its last run into the chain (see services)."""

from __future__ import annotations

import datetime as dt

from nokor.audit.services import seal_pending
from nokor.core.tasks import background, periodic


@periodic(every=dt.timedelta(minutes=1), name="audit.seal")
@background()
def seal_audit_chain() -> int:
    """Chain the audit events committed since the last sealing (every minute)."""
    return seal_pending()
