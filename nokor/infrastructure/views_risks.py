"""Staff pages of the risk register: the list (filters by level, status and overdue review) with its
5 × 5 heat map, and creating and editing a risk."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from nokor.core.access import CHANGE, get_for_user, rule, staff_with
from nokor.infrastructure import risks as ops
from nokor.infrastructure.forms_monitoring import RiskFilterForm, RiskForm
from nokor.infrastructure.models import INFRA_CHANGE, INFRA_VIEW, Risk
from nokor.infrastructure.models.risks import risk_level

VIEW_RULE = staff_with(*INFRA_VIEW)
CHANGE_RULE = staff_with(*INFRA_CHANGE)
PAGE_SIZE = 50
LEVEL_TONES = {"low": "green", "medium": "amber", "high": "red", "critical": "red"}


def heat_map(queryset) -> list[dict]:
    """Rows of the 5 × 5 map, likelihood 5 at the top: each cell with its count and level (one query)."""
    counts = {
        (row["likelihood"], row["impact"]): row["n"]
        for row in queryset.order_by().values("likelihood", "impact").annotate(n=Count("pk"))
    }
    return [
        {
            "likelihood": likelihood,
            "cells": [
                {
                    "impact": impact,
                    "count": counts.get((likelihood, impact), 0),
                    "level": risk_level(likelihood * impact),
                }
                for impact in range(1, 6)
            ],
        }
        for likelihood in range(5, 0, -1)
    ]


@rule(VIEW_RULE)
def risk_list(request: HttpRequest) -> HttpResponse:
    """The register, the most serious first, with the heat map of the risks not closed."""
    form = RiskFilterForm(request.GET or None)
    risks = Risk.objects.visible_to(request.user).select_related("owner")
    if form.is_valid():
        if form.cleaned_data["level"]:
            risks = risks.filter(level=form.cleaned_data["level"])
        if form.cleaned_data["status"]:
            risks = risks.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["overdue"]:
            risks = risks.exclude(status=Risk.Status.CLOSED).filter(review_date__lt=timezone.localdate())
    page_obj = Paginator(risks, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page_obj,
        "heat_map": heat_map(Risk.objects.visible_to(request.user).exclude(status=Risk.Status.CLOSED)),
        "tones": LEVEL_TONES,
        "today": timezone.localdate(),
    }
    return render(request, "infrastructure/risks/list.html", context)


def _save(request: HttpRequest, form: RiskForm, risk: Risk | None) -> Risk | None:
    data = dict(form.cleaned_data)
    systems, sites = data.pop("systems"), data.pop("sites")
    if risk is None:
        return ops.risk_create(by=request.user, systems=systems, sites=sites, **data)
    try:
        version = int(request.POST.get("lock_version", ""))
    except ValueError:
        version = None
    try:
        return ops.risk_update(
            by=request.user, risk=risk, expected_version=version, systems=systems, sites=sites, **data
        )
    except ops.RiskError as error:
        form.add_error(None, str(error))
        return None


@rule(CHANGE_RULE)
def risk_create(request: HttpRequest) -> HttpResponse:
    """Enter a risk."""
    form = RiskForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        risk = _save(request, form, None)
        messages.success(request, _("Risk saved."))
        return redirect("infrastructure:risk_edit", pk=risk.pk)
    return render(request, "infrastructure/risks/form.html", {"form": form, "risk": None})


@rule(CHANGE_RULE)
def risk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a risk: its score and level follow likelihood and impact."""
    risk = get_for_user(Risk.objects.all(), request.user, action=CHANGE, pk=pk)
    form = RiskForm(request.POST or None, instance=risk, user=request.user)
    if request.method == "POST" and form.is_valid():
        if _save(request, form, risk) is not None:
            messages.success(request, _("Risk saved."))
            return redirect("infrastructure:risk_edit", pk=risk.pk)
    risk.refresh_from_db()
    return render(request, "infrastructure/risks/form.html", {"form": form, "risk": risk})
