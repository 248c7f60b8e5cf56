"""Background work of the infrastructure app's assets: imports and the purge of their files."""

from __future__ import annotations

import datetime as dt

from nokor.core.tasks import background, periodic
from nokor.infrastructure import imports


@background(max_attempts=1)
def asset_import_run(import_id: str, dry_run: bool) -> str:
    """Check (dry run) or carry out an asset import; its progress and result go to its status file."""
    return imports.import_run(import_id=import_id, dry_run=dry_run)


@periodic(every=dt.timedelta(days=1), name="infrastructure.imports_purge")
@background()
def imports_purge() -> int:
    """Delete uploaded asset files and their reports after a week."""
    return imports.imports_purge()


# The monitors' periodic jobs (checks every minute, roll-up and purge) live beside their code; importing
# them here lets the worker's autodiscovery of `tasks` modules register them.
from nokor.infrastructure import tasks_monitoring  # noqa: E402,F401
