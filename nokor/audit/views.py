"""'Who viewed my data' for citizens, and the trail for auditors."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render

from nokor.accounts.roles import Role
from nokor.audit.models import AuditEvent
from nokor.core.access import SIGNED_IN, rule, staff_with


@rule(SIGNED_IN)
def who_viewed(request):
    """Which office viewed or changed the user's records, and when (staff shown as role and unit)."""
    events = (
        AuditEvent.objects.visible_to(request.user)
        .filter(subject=request.user)
        .exclude(actor=request.user)
        .select_related("unit")
        .order_by("-occurred_at")
    )
    page = Paginator(events, 25).get_page(request.GET.get("page"))
    return render(request, "audit/who_viewed.html", {"page_obj": page})


@rule(staff_with(Role.AUDITOR, Role.ADMINISTRATOR))
def events(request):
    qs = AuditEvent.objects.visible_to(request.user).select_related("unit").order_by("-id")
    action = request.GET.get("action", "").strip()
    if action:
        qs = qs.filter(action__startswith=action)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/events.html", {"page_obj": page, "action": action})
