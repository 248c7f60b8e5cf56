"""Staff pages of offices (sites) and their internet links, and the list of offices without usable
connectivity."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from nokor.core.access import get_for_user, rule, staff_with
from nokor.infrastructure import selectors, services
from nokor.infrastructure.forms import LinkForm, SiteForm
from nokor.infrastructure.models import INFRA_CHANGE, INFRA_VIEW, Asset, Connectivity, Site
from nokor.infrastructure.models.sites import usable_min_mbps

VIEW_RULE = staff_with(*INFRA_VIEW)
CHANGE_RULE = staff_with(*INFRA_CHANGE)


def private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def version_of(form: Any) -> int | None:
    value = form.cleaned_data.get("lock_version")
    return int(value) if value not in (None, "") else None


def change_prefixes(user: Any) -> set[str]:
    return user.unit_prefixes_for(INFRA_CHANGE) or set()


def _filters(request: HttpRequest) -> dict[str, str]:
    return {
        "unit": selectors.province_prefix(request.GET.get("unit", "")),
        "kind": request.GET.get("kind", ""),
        "connectivity": request.GET.get("connectivity", ""),
        "search": request.GET.get("q", "")[:100].strip(),
    }


@rule(VIEW_RULE)
def site_list(request: HttpRequest) -> HttpResponse:
    """Offices in the reader's units, filtered by unit, kind and connectivity."""
    params = _filters(request)
    rows = selectors.sites_for(request.user, **params)
    page_obj = selectors.CappedPaginator(rows, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.with_labels(page_obj, kind=Site.Kind)
    selectors.with_usable(page_obj)
    context = {
        "page_obj": page_obj,
        "params": params,
        "kinds": Site.Kind.choices,
        "can_change": request.user.has_any_role(INFRA_CHANGE),
        "title": _("Offices"),
    }
    return private(render(request, "infrastructure/sites/list.html", context))


@rule(VIEW_RULE)
def sites_unconnected(request: HttpRequest) -> HttpResponse:
    """Active offices without a usable internet link (the rule is on ``Connectivity``)."""
    params = _filters(request)
    rows = selectors.sites_without_usable_connectivity(request.user, unit=params["unit"], kind=params["kind"])
    page_obj = selectors.CappedPaginator(rows, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.with_labels(page_obj, kind=Site.Kind)
    selectors.with_usable(page_obj)
    context = {
        "page_obj": page_obj,
        "params": {**params, "connectivity": "none"},
        "kinds": Site.Kind.choices,
        "unconnected": True,
        "min_mbps": usable_min_mbps(),
        "title": _("Offices without usable internet"),
    }
    return private(render(request, "infrastructure/sites/list.html", context))


@rule(VIEW_RULE)
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An office with its details, internet links and assets (the first page of them)."""
    site = get_for_user(Site.objects.select_related("unit"), request.user, pk=pk)
    links = list(site.links.all())
    assets = Asset.objects.filter(site=site).order_by("asset_type", "serial")
    page_obj = selectors.CappedPaginator(assets, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    can_change = Site.objects.visible_to(request.user, "change").filter(pk=site.pk).exists()
    summary = [
        {"key": _("Number"), "value": site.pk},
        {"key": _("Name in Khmer"), "value": site.name_km},
        {"key": _("Name in English"), "value": site.name_en},
        {"key": _("Kind of office"), "value": site.get_kind_display()},
        {"key": _("Administrative unit"), "value": f"{site.unit.code} {site.unit.name}"},
        {"key": _("Address"), "value": site.address},
        {"key": _("Phone"), "value": site.phone},
        {"key": _("E-mail"), "value": site.email},
        {"key": _("Opening hours"), "value": site.opening_hours},
        {"key": _("In use"), "value": _("Yes") if site.is_active else _("No")},
    ]
    context = {
        "site": site,
        "summary": summary,
        "links": links,
        "usable": any(link.is_usable for link in links),
        "page_obj": page_obj,
        "can_change": can_change,
    }
    return private(render(request, "infrastructure/sites/detail.html", context))


@rule(CHANGE_RULE)
def site_create(request: HttpRequest) -> HttpResponse:
    """Add an office in one of the user's units."""
    form = SiteForm(request.POST or None, prefixes=change_prefixes(request.user))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version"}
        site = services.site_create(by=request.user, data=data)
        messages.success(request, _("The office was added."))
        return redirect("infrastructure:site_detail", pk=site.pk)
    return private(render(request, "infrastructure/sites/form.html", {"form": form, "site": None}))


@rule(CHANGE_RULE)
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an office's details (optimistic locking: a concurrent change is shown, not overwritten)."""
    site = get_for_user(Site.objects.select_related("unit"), request.user, action="change", pk=pk)
    form = SiteForm(request.POST or None, instance=site, prefixes=change_prefixes(request.user))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version"}
        try:
            services.site_update(site=site, by=request.user, data=data, expected_version=version_of(form))
        except services.InfrastructureError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The office was saved."))
            return redirect("infrastructure:site_detail", pk=site.pk)
    return private(render(request, "infrastructure/sites/form.html", {"form": form, "site": site}))


@rule(CHANGE_RULE)
def link_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an internet link to an office."""
    site = get_for_user(Site.objects.select_related("unit"), request.user, action="change", pk=pk)
    form = LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.link_save(site=site, by=request.user, data=form.cleaned_data)
        messages.success(request, _("The internet link was added."))
        return redirect("infrastructure:site_detail", pk=site.pk)
    return private(render(request, "infrastructure/sites/link_form.html", {"form": form, "site": site}))


@rule(CHANGE_RULE)
def link_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an internet link (for example its measured bandwidth)."""
    link = get_for_user(
        Connectivity.objects.select_related("site__unit"), request.user, action="change", pk=pk
    )
    form = LinkForm(request.POST or None, instance=link)
    if request.method == "POST" and form.is_valid():
        services.link_save(site=link.site, by=request.user, data=form.cleaned_data, link=link)
        messages.success(request, _("The internet link was saved."))
        return redirect("infrastructure:site_detail", pk=link.site_id)
    context = {"form": form, "site": link.site, "link": link}
    return private(render(request, "infrastructure/sites/link_form.html", context))
