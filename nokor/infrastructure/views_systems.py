"""Staff pages of the registry of digital systems: the list with its filters, a system's page (with what
it depends on and what depends on it), the forms, and the completeness view — the governance
dashboard's core."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from nokor.core.access import get_for_user, rule
from nokor.core.templatetags.formatting import date_short
from nokor.infrastructure import selectors, services
from nokor.infrastructure.forms import SystemForm
from nokor.infrastructure.models import INFRA_CHANGE, DigitalSystem, Site
from nokor.infrastructure.models.systems import PersonalDataCategory
from nokor.infrastructure.views_sites import CHANGE_RULE, VIEW_RULE, private, version_of


@rule(VIEW_RULE)
def system_list(request: HttpRequest) -> HttpResponse:
    """Every system in the registry, filtered by lifecycle, classification, criticality, overdue review."""
    params = {
        "lifecycle": request.GET.get("lifecycle", ""),
        "classification": request.GET.get("classification", ""),
        "criticality": request.GET.get("criticality", ""),
        "overdue": request.GET.get("overdue") == "1",
    }
    rows = selectors.systems_for(request.user, **params)
    page_obj = selectors.CappedPaginator(rows, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page_obj,
        "params": params,
        "lifecycles": DigitalSystem.Lifecycle.choices,
        "classifications": DigitalSystem.Classification.choices,
        "criticalities": DigitalSystem.Criticality.choices,
        "can_change": request.user.has_any_role(INFRA_CHANGE),
    }
    return private(render(request, "infrastructure/systems/list.html", context))


@rule(VIEW_RULE)
def system_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A system's registry entry, its dependencies both ways."""
    system = get_for_user(
        DigitalSystem.objects.select_related("accountable_person", "hosting_site"), request.user, pk=pk
    )
    categories = dict(PersonalDataCategory.choices)
    hosting = system.get_hosting_display()
    if system.hosting_site_id:
        hosting = f"{hosting} · {system.hosting_site.name}"
    personal = _("No")
    if system.holds_personal_data:
        personal = ", ".join(str(categories.get(value, value)) for value in system.personal_data_categories)
        personal = _("Yes: %(categories)s") % {"categories": personal} if personal else _("Yes")
    summary = [
        {"key": _("Purpose"), "value": system.purpose},
        {"key": _("Owner department"), "value": system.owner_department},
        {"key": _("Accountable person"), "value": str(system.accountable_person or "")},
        {"key": _("Used by"), "value": system.get_users_display()},
        {"key": _("Hosting"), "value": hosting},
        {"key": _("Web address"), "value": system.url},
        {"key": _("Public-facing"), "value": _("Yes") if system.is_public_facing else _("No")},
        {"key": _("Data classification"), "value": system.get_classification_display()},
        {"key": _("Holds personal data"), "value": personal},
        {"key": _("Criticality"), "value": system.get_criticality_display()},
        {"key": _("Lifecycle"), "value": system.get_lifecycle_display()},
        {"key": _("Last security review"), "value": date_short(system.last_security_review)},
        {"key": _("Next review due"), "value": date_short(system.review_due)},
        {"key": _("Backups last tested on"), "value": date_short(system.backups_tested_on)},
    ]
    context = {
        "system": system,
        "summary": summary,
        "dependencies": list(system.dependencies.order_by("name")),
        "dependents": list(system.dependents.order_by("name")),
        "can_change": request.user.has_any_role(INFRA_CHANGE),
    }
    return private(render(request, "infrastructure/systems/detail.html", context))


def _sites(request: HttpRequest):
    return Site.objects.visible_to(request.user, "view")


@rule(CHANGE_RULE)
def system_create(request: HttpRequest) -> HttpResponse:
    """Register a system."""
    form = SystemForm(request.POST or None, sites=_sites(request))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version"}
        system = services.system_create(by=request.user, data=data)
        messages.success(request, _("The system was registered."))
        return redirect("infrastructure:system_detail", pk=system.pk)
    return private(render(request, "infrastructure/systems/form.html", {"form": form, "system": None}))


@rule(CHANGE_RULE)
def system_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a system's registry entry."""
    system = get_for_user(DigitalSystem.objects.all(), request.user, action="change", pk=pk)
    form = SystemForm(request.POST or None, instance=system, sites=_sites(request))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version"}
        try:
            services.system_update(
                system=system, by=request.user, data=data, expected_version=version_of(form)
            )
        except services.InfrastructureError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The system was saved."))
            return redirect("infrastructure:system_detail", pk=system.pk)
    return private(render(request, "infrastructure/systems/form.html", {"form": form, "system": system}))


@rule(VIEW_RULE)
def system_completeness(request: HttpRequest) -> HttpResponse:
    """Systems missing required fields or overdue for a security review, with the counts per rule."""
    return private(
        render(
            request,
            "infrastructure/systems/completeness.html",
            {"report": selectors.completeness(request.user)},
        )
    )
