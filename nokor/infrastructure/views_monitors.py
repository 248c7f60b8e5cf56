"""Staff pages of the uptime monitors: the dashboard (one query on the monitors' latest state, fast with
thousands of monitors), a monitor's page with its incidents and recent checks, creating (by hand or with
one click from a system in the registry) and editing, incident updates for the public, and maintenance
windows."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nokor.core.access import CHANGE, get_for_user, rule, staff_with
from nokor.core.formatting import format_datetime
from nokor.infrastructure import monitoring
from nokor.infrastructure.forms_monitoring import IncidentUpdateForm, MaintenanceForm, MonitorForm
from nokor.infrastructure.models import INFRA_CHANGE, INFRA_VIEW, DigitalSystem, Incident, Monitor

VIEW_RULE = staff_with(*INFRA_VIEW)
CHANGE_RULE = staff_with(*INFRA_CHANGE)
PAGE_SIZE = 50
STATE_TONES = {"up": "green", "down": "red", "unknown": "grey"}


def _state_rows(page_obj) -> list[list]:
    from django.utils.html import format_html

    rows = []
    states = {value: str(label) for value, label in Monitor.State.choices}  # once, not per row
    for monitor in page_obj:
        rows.append(
            [
                format_html(
                    '<a href="{}">{}</a>',
                    reverse("infrastructure:monitor_detail", args=[monitor.pk]),
                    monitor,
                ),
                format_html(
                    '<strong class="tag tag--{}">{}</strong>',
                    STATE_TONES[monitor.last_state],
                    states[monitor.last_state],
                ),
                format_datetime(monitor.last_checked_at) if monitor.last_checked_at else _("Never"),
                _("%(ms)s ms") % {"ms": monitor.last_response_ms}
                if monitor.last_response_ms is not None
                else "—",
                f"{monitor.uptime_24h}%" if monitor.uptime_24h is not None else "—",
                f"{monitor.uptime_30d}%" if monitor.uptime_30d is not None else "—",
            ]
        )
    return rows


@rule(VIEW_RULE)
def monitor_list(request: HttpRequest) -> HttpResponse:
    """Every monitor with its state, last check, response time and uptime (24 hours, 30 days)."""
    monitors = Monitor.objects.visible_to(request.user).only(
        "pk",
        "name",
        "last_state",
        "last_checked_at",
        "last_response_ms",
        "uptime_24h",
        "uptime_30d",
    )
    state = request.GET.get("state", "")
    if state in Monitor.State.values:
        monitors = monitors.filter(last_state=state)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        monitors = monitors.filter(Q(name__icontains=query) | Q(target__icontains=query))
    # Down first, then by name: what needs attention is on the first page.
    monitors = monitors.order_by("last_state", "name", "pk") if not state else monitors.order_by("name", "pk")
    page_obj = Paginator(monitors, PAGE_SIZE).get_page(request.GET.get("page"))
    columns = [
        {"label": _("Monitor")},
        {"label": _("State")},
        {"label": _("Last check")},
        {"label": _("Response time")},
        {"label": _("Uptime, 24 hours")},
        {"label": _("Uptime, 30 days")},
    ]
    context = {
        "page_obj": page_obj,
        "columns": columns,
        "rows": _state_rows(page_obj),
        "state": state,
        "query": query,
        "states": Monitor.State.choices,
        "down": Monitor.objects.visible_to(request.user).filter(last_state=Monitor.State.DOWN).count(),
    }
    return render(request, "infrastructure/monitors/list.html", context)


@rule(VIEW_RULE)
def monitor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One monitor: its settings, latest state, incidents with their updates, the last checks."""
    monitor = get_for_user(Monitor.objects.select_related("system"), request.user, pk=pk)
    can_change = Monitor.objects.visible_to(request.user, CHANGE).filter(pk=monitor.pk).exists()
    context = _detail_context(monitor, can_change=can_change)
    return render(request, "infrastructure/monitors/detail.html", context)


def _detail_context(
    monitor: Monitor,
    *,
    can_change: bool,
    update_form: IncidentUpdateForm | None = None,
    maintenance_form: MaintenanceForm | None = None,
) -> dict:
    """A monitor's page: settings, incidents with their updates, maintenance, its last checks."""
    return {
        "monitor": monitor,
        "incidents": list(Incident.objects.filter(monitor=monitor).prefetch_related("updates")[:20]),
        "checks": monitoring.recent_checks(monitor),
        "windows": monitor.maintenance_windows.order_by("-starts_at")[:10],
        "update_form": update_form or IncidentUpdateForm(),
        "maintenance_form": maintenance_form or MaintenanceForm(),
        "can_change": can_change,
    }


def _form_page(request: HttpRequest, form: MonitorForm, monitor: Monitor | None) -> HttpResponse:
    return render(request, "infrastructure/monitors/form.html", {"form": form, "monitor": monitor})


@rule(CHANGE_RULE)
def monitor_create(request: HttpRequest) -> HttpResponse:
    """Add a monitor by hand."""
    form = MonitorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        monitor = monitoring.monitor_create(by=request.user, **form.cleaned_data)
        messages.success(request, _("Monitor added: it is checked within a minute."))
        return redirect("infrastructure:monitor_detail", pk=monitor.pk)
    return _form_page(request, form, None)


@rule(CHANGE_RULE)
def monitor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a monitor's settings (refused if someone else saved it meanwhile)."""
    monitor = get_for_user(Monitor.objects.all(), request.user, action=CHANGE, pk=pk)
    form = MonitorForm(request.POST or None, instance=monitor)
    if request.method == "POST" and form.is_valid():
        try:
            version = int(request.POST.get("lock_version", ""))
        except ValueError:
            version = None
        try:
            monitoring.monitor_update(
                by=request.user, monitor=monitor, expected_version=version, **form.cleaned_data
            )
        except monitoring.MonitorError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Monitor saved."))
            return redirect("infrastructure:monitor_detail", pk=monitor.pk)
    return _form_page(request, form, Monitor.objects.get(pk=monitor.pk))


@rule(CHANGE_RULE)
@require_POST
def monitor_create_for_system(request: HttpRequest, pk: int) -> HttpResponse:
    """One click from the registry: monitor the system's web address."""
    system = get_for_user(DigitalSystem.objects.all(), request.user, action=CHANGE, pk=pk)
    try:
        monitor = monitoring.monitor_create_for_system(by=request.user, system=system)
    except monitoring.MonitorError as error:
        messages.error(request, str(error))
        return redirect("infrastructure:system_detail", pk=system.pk)
    messages.success(request, _("Monitor added: it is checked within a minute."))
    return redirect("infrastructure:monitor_detail", pk=monitor.pk)


@rule(CHANGE_RULE)
@require_POST
def incident_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Post an update on an incident for the public status page."""
    incident = get_for_user(Incident.objects.select_related("monitor"), request.user, action=CHANGE, pk=pk)
    form = IncidentUpdateForm(request.POST)
    if form.is_valid():
        monitoring.incident_update_post(by=request.user, incident=incident, **form.cleaned_data)
        messages.success(request, _("Update posted."))
        return redirect("infrastructure:monitor_detail", pk=incident.monitor_id)
    monitor = incident.monitor
    context = _detail_context(monitor, update_form=form, can_change=True)
    return render(request, "infrastructure/monitors/detail.html", context, status=400)


@rule(CHANGE_RULE)
@require_POST
def maintenance_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Plan a maintenance window for a monitor: no incident opens and no alert is sent during it."""
    monitor = get_for_user(Monitor.objects.all(), request.user, action=CHANGE, pk=pk)
    form = MaintenanceForm(request.POST)
    if form.is_valid():
        monitoring.maintenance_create(by=request.user, monitor=monitor, **form.cleaned_data)
        messages.success(request, _("Maintenance planned."))
        return redirect("infrastructure:monitor_detail", pk=monitor.pk)
    context = _detail_context(monitor, maintenance_form=form, can_change=True)
    return render(request, "infrastructure/monitors/detail.html", context, status=400)
