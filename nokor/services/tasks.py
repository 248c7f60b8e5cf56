"""Background work of the services app: deadline warnings and escalation, performance aggregation."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from nokor.core.tasks import background, periodic
from nokor.notifications.services import notify
from nokor.services import performance
from nokor.services import services as ops
from nokor.services.calendar import add_working_days
from nokor.services.models import OPEN_STATUSES, Application

WARN_WORKING_DAYS = 2


@periodic(every=dt.timedelta(hours=1), name="services.deadlines")
@background()
def check_deadlines() -> dict[str, int]:
    """Warn officers of applications due soon; escalate overdue ones to the supervisors (once each)."""
    today = timezone.localdate()
    open_running = Application.objects.filter(status__in=OPEN_STATUSES, paused_at__isnull=True)
    warned = 0
    due_soon = open_running.filter(
        deadline__gte=today,
        deadline__lte=add_working_days(today, WARN_WORKING_DAYS),
        assigned_to__isnull=False,
    ).select_related("assigned_to")
    for application in due_soon.iterator():
        notify(
            user=application.assigned_to,
            event="application.due_soon",
            context={"reference": application.reference, "deadline": application.deadline},
            key=f"due-soon:{application.pk}:{application.deadline}",
            link=f"/services/queue/{application.pk}/",
        )
        warned += 1
    escalated = 0
    for application in open_running.filter(deadline__lt=today, escalated_at__isnull=True).iterator():
        from nokor.services import events

        events.overdue(application)
        ops.application_escalate(application=application, reason="deadline passed")
        escalated += 1
    return {"warned": warned, "escalated": escalated}


@periodic(every=dt.timedelta(hours=1), name="services.performance")
@background()
def aggregate_performance() -> int:
    """Refresh the public performance figures (hourly; the page reads only the aggregate table)."""
    return performance.compute()
