"""Reads of the services app, each starting from a scoped queryset."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Length
from django.utils import timezone

from nokor.accounts.roles import Role
from nokor.core.text import khmer_order, name_order, normalize_for_search
from nokor.geography.models import Level
from nokor.services.models import OPEN_STATUSES, STAFF_VIEW, Application, Service, Status
from nokor.services.reference import normalize_reference

# The primary key last: a total order, so a row never shows on two pages.
QUEUE_SORTS = {
    "deadline": ("deadline", "submitted_at", "pk"),
    "-deadline": ("-deadline", "-submitted_at", "-pk"),
    "submitted": ("submitted_at", "pk"),
    "-submitted": ("-submitted_at", "-pk"),
}


def catalogue(user: Any) -> QuerySet[Service]:
    return (
        Service.objects.visible_to(user)
        .filter(current_version__isnull=False)
        .order_by(name_order("name_km", "name_en"))
    )


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
    """The officer's work queue: submitted applications in their scope, filtered and sorted.

    Only the offices of the staff member's scope: not their own applications as a citizen, which the
    access layer also lets them see (nobody handles their own case). The offices are named by a
    subquery on their ids, so PostgreSQL reads the open applications by office or in deadline order
    from the partial indexes of open applications, instead of joining every application to its office
    to test the office's code (a queue page reads a few hundred rows whatever the number of
    applications; its query count is pinned in the tests)."""
    qs = Application.objects.visible_to(user).exclude(status=Status.DRAFT)
    offices = _offices_in_scope(user)
    if offices is not None:
        qs = qs.filter(offices)
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


def _offices_in_scope(user: Any) -> Q | None:
    """Applications handled by an office (a unit above the village: applications are routed to a
    commune, a district or a province) where ``user`` holds a staff role of the services; None for a
    nationwide role."""
    prefixes = user.unit_prefixes_for(STAFF_VIEW) if getattr(user, "is_staff", False) else None
    if not prefixes or "" in prefixes:
        return None
    in_scope = reduce(or_, (Q(unit__code__startswith=prefix) for prefix in sorted(prefixes)))
    return in_scope & Q(unit__level__lt=Level.VILLAGE)


class KeysThenRows:
    """A queryset to paginate, read in two steps: the keys of a page from the narrowest query (for the
    queue, from its index alone, however many rows match), then those rows with their related records
    by primary key. ``count()`` is the queryset's. Both steps run the same scoped queryset."""

    ordered = True  # the queryset is; Paginator checks

    def __init__(self, queryset: QuerySet) -> None:
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, window: slice) -> list:
        keys = list(self.queryset.values_list("pk", flat=True)[window])
        rows = {row.pk: row for row in self.queryset.filter(pk__in=keys).order_by()}
        return [rows[key] for key in keys if key in rows]


def visible_events(application: Application, *, for_staff: bool) -> QuerySet:
    qs = application.events.select_related("actor")
    return qs if for_staff else qs.filter(visible_to_applicant=True)


ASSIGN_CHOICES = 100  # the list offers at most this many officers; anyone else in scope by e-mail


def officers_for(application: Application) -> list[tuple[str, str]]:
    """The assignment choices: the service officers and supervisors of the application's office and of
    the offices above it, the nearest office first, at most ASSIGN_CHOICES of them, sorted by name. One
    query whatever the number of staff. Nationwide staff and anyone past the limit are reached by e-mail
    (``officer_by_email``)."""
    from nokor.accounts.models import RoleAssignment

    code = application.unit.code if application.unit_id else ""
    offices = [code[:n] for n in (2, 4, 6, 8) if n <= len(code)]  # the office and the ones above it
    rows = (
        RoleAssignment.objects.active()
        .filter(role__in=[Role.SERVICE_OFFICER, Role.SERVICE_SUPERVISOR], unit__code__in=offices)
        .order_by(Length("unit__code").desc(), khmer_order("user__full_name"), "pk")
        .select_related("user")[: ASSIGN_CHOICES * 2]  # a person may hold both roles
    )
    seen: dict[str, str] = {}
    for row in rows:
        if len(seen) == ASSIGN_CHOICES:
            break
        seen.setdefault(str(row.user_id), f"{row.user.full_name} ({row.get_role_display()})")
    return [("", "—"), *sorted(seen.items(), key=lambda kv: kv[1])]


def officer_by_email(email: str):
    """The staff member with this e-mail, or None (whether they work for the office is the service's
    check, with its own message)."""
    from nokor.accounts.models import User

    return User.objects.filter(is_staff=True, is_active=True, email__iexact=email.strip()).first()
