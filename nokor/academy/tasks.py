"""Background work of the academy's staff side: applying assignment rules (for one newcomer, and every
night for everybody, with recertification), reminders, the training report figures, staff imports, and
the purge of old import files."""

from __future__ import annotations

import datetime as dt
import logging

from nokor.academy import assignments, imports, reports
from nokor.core.tasks import background, periodic

logger = logging.getLogger(__name__)


@background()
def assignments_apply_for_user(user_id: int) -> int:
    """Enrol a person who was just given a role in the active rules that now match them."""
    return assignments.apply_for_user(user_id=user_id)


@background()
def assignment_notify(rule_id: int, since: str) -> int:
    """Tell the people a rule has just enrolled what to complete and by when."""
    return assignments.assignment_notify(rule_id=rule_id, since=dt.datetime.fromisoformat(since))


@periodic(every=dt.timedelta(days=1), name="academy.assignments_reconcile")
@background()
def assignments_reconcile() -> dict[str, int]:
    """Nightly: every active rule applied to everybody; recertification cycles opened; figures rebuilt."""
    totals = assignments.assignments_reconcile()
    logger.info("academy rules reconciled: %s", totals)
    reports.stats_refresh()
    return totals


# 00:00 UTC is 07:00 in Phnom Penh: reminders arrive at the start of the working day.
@periodic(every=dt.timedelta(days=1), name="academy.reminders_send")
@background()
def reminders_send() -> int:
    """Reminders of mandatory training due soon or overdue (once per threshold)."""
    return assignments.reminders_send()


@periodic(every=dt.timedelta(minutes=reports.REFRESH_MINUTES), name="academy.stats_refresh")
@background()
def stats_refresh() -> int:
    """Rebuild the pre-aggregated figures the training reports read."""
    return reports.stats_refresh()


@background(max_attempts=1)
def staff_import_run(import_id: str, dry_run: bool) -> str:
    """Check (dry run) or carry out a staff import; its progress and result go to its status file."""
    return imports.import_run(import_id=import_id, dry_run=dry_run)


@periodic(every=dt.timedelta(days=1), name="academy.imports_purge")
@background()
def imports_purge() -> int:
    """Delete uploaded staff files and their reports after a week (they hold personal data)."""
    return imports.imports_purge()
