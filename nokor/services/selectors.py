"""Reads of the services app, each starting from a scoped queryset."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from nokor.core.text import normalize_for_search
from nokor.services.models import OPEN_STATUSES, Application, Service, Status
from nokor.services.reference import normalize_reference

QUEUE_SORTS = {
    "deadline": ("deadline", "submitted_at"),
    "-deadline": ("-deadline", "-submitted_at"),
    "submitted": ("submitted_at",),
    "-submitted": ("-submitted_at",),
}


def catalogue(user: Any) -> QuerySet[Service]:
    return Service.objects.visible_to(user).filter(current_version__isnull=False).order_by("name_en")


def my_applications(user: Any) -> QuerySet[Application]:
    """A citizen's applications (their own and those they filed for someone), newest first."""
    return (
        Application.objects.visible_to(user)
        .filter(Q(applicant=user) | Q(filed_by=user))
        .exclude(status=Status.WITHDRAWN)
        .select_related("service", "unit")
        .order_by("-created_at")
    )


def queue_for(
    user: Any,
    *,
    service: str = "",
    status: str = "",
    overdue: bool = False,
    mine: bool = False,
    search: str = "",
    sort: str = "deadline",
) -> QuerySet[Application]:
    """The officer's work queue: submitted applications in their scope, filtered and sorted."""
    qs = Application.objects.visible_to(user).exclude(status=Status.DRAFT)
    qs = qs.filter(status=status) if status else qs.filter(status__in=OPEN_STATUSES)
    if service:
        qs = qs.filter(service__slug=service)
    if overdue:
        qs = qs.filter(deadline__lt=timezone.localdate(), paused_at__isnull=True)
    if mine:
        qs = qs.filter(assigned_to=user)
    if search:
        reference = normalize_reference(search)
        if reference:
            qs = qs.filter(reference=reference)
        elif search.strip().upper().startswith("NK-"):
            qs = qs.filter(reference__startswith=search.strip().upper())
        else:
            qs = qs.filter(applicant_name_search__contains=normalize_for_search(search))
    return qs.select_related("service", "unit", "assigned_to").order_by(
        *QUEUE_SORTS.get(sort, QUEUE_SORTS["deadline"])
    )


def visible_events(application: Application, *, for_staff: bool) -> QuerySet:
    qs = application.events.select_related("actor")
    return qs if for_staff else qs.filter(visible_to_applicant=True)
