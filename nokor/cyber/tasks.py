"""Background work of the cyber app."""

from __future__ import annotations

import datetime as dt

from nokor.core.tasks import background, periodic


@periodic(every=dt.timedelta(days=1), name="cyber.purge_draft_files")
@background()
def purge_draft_files() -> int:
    """Delete the evidence files of report drafts abandoned for more than 15 days."""
    from nokor.cyber.views_report import purge_draft_files as purge

    return purge()
