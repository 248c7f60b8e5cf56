"""Staff pages of assets: the list (fast at 200,000 rows: one indexed query and a bounded count), an
asset's page and its edit form, and the import from a spreadsheet with its dry run and progress."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nokor.audit.services import audit_view
from nokor.core import tabular_import
from nokor.core.access import get_for_user, rule
from nokor.core.templatetags.formatting import date_short
from nokor.core.uploads import MEGABYTE, TABLE_TYPES, validate_upload
from nokor.infrastructure import imports, selectors, services
from nokor.infrastructure.forms import AssetForm
from nokor.infrastructure.models import Asset, Site
from nokor.infrastructure.views_sites import CHANGE_RULE, VIEW_RULE, private, version_of


@rule(VIEW_RULE)
def asset_list(request: HttpRequest) -> HttpResponse:
    """Assets in the reader's units, filtered by unit (province), type, status and end of life."""
    params = {
        "unit": selectors.province_prefix(request.GET.get("unit", "")),
        "asset_type": request.GET.get("type", ""),
        "status": request.GET.get("status", ""),
        "eol": request.GET.get("eol", ""),
        "search": request.GET.get("q", "")[:100].strip(),
    }
    rows = selectors.assets_for(request.user, **params)
    page_obj = selectors.CappedPaginator(rows, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.with_labels(page_obj, asset_type=Asset.Type, status=Asset.Status)
    context = {
        "page_obj": page_obj,
        "params": params,
        "types": Asset.Type.choices,
        "statuses": Asset.Status.choices,
        "count_limit": selectors.COUNT_LIMIT,
        "can_import": imports.may_import(request.user),
    }
    return private(render(request, "infrastructure/assets/list.html", context))


@rule(VIEW_RULE)
def asset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An asset's details; who it is assigned to is personal data, so an opening is audited."""
    asset = get_for_user(Asset.objects.select_related("site", "unit", "assigned_to"), request.user, pk=pk)
    if asset.assigned_to_id:
        audit_view(actor=request.user, obj=asset, subject=asset.assigned_to, unit=asset.unit, what="asset")
    can_change = Asset.objects.visible_to(request.user, "change").filter(pk=asset.pk).exists()
    summary = [
        {"key": _("Type"), "value": asset.get_asset_type_display()},
        {"key": _("Serial number"), "value": asset.serial},
        {"key": _("Model"), "value": asset.model},
        {"key": _("Status"), "value": asset.get_status_display()},
        {"key": _("Office"), "value": f"{asset.site.pk} · {asset.site.name} ({asset.unit_code})"},
        {"key": _("Assigned to"), "value": str(asset.assigned_to) if asset.assigned_to_id else ""},
        {"key": _("Purchase date"), "value": date_short(asset.purchase_date)},
        {"key": _("End of life"), "value": date_short(asset.end_of_life)},
        {"key": _("Warranty ends"), "value": date_short(asset.warranty_end)},
        {"key": _("Notes"), "value": asset.notes},
    ]
    context = {"asset": asset, "summary": summary, "can_change": can_change}
    return private(render(request, "infrastructure/assets/detail.html", context))


@rule(CHANGE_RULE)
def asset_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an asset; its office can be any office the user may change."""
    asset = get_for_user(Asset.objects.select_related("site"), request.user, action="change", pk=pk)
    sites = Site.objects.visible_to(request.user, "change")
    form = AssetForm(request.POST or None, instance=asset, sites=sites, initial={"site": asset.site_id})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version"}
        try:
            services.asset_update(asset=asset, by=request.user, data=data, expected_version=version_of(form))
        except services.InfrastructureError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The asset was saved."))
            return redirect("infrastructure:asset_detail", pk=asset.pk)
    return private(render(request, "infrastructure/assets/form.html", {"form": form, "asset": asset}))


# --------------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------------
class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File of assets (CSV or Excel)"),
        error_messages={"required": gettext_lazy("Choose a file to upload.")},
        help_text=gettext_lazy(
            "Columns: type, serial number, office (its number), and optionally model, status, assigned to "
            "(e-mail), purchase date, end of life, warranty end. The first row names the columns."
        ),
    )

    def clean_file(self) -> UploadedFile:
        """A real CSV or workbook, not too large and not a "zip bomb" (nokor/core/uploads.py)."""
        upload = self.cleaned_data["file"]
        validate_upload(upload, TABLE_TYPES, imports.MAX_BYTES // MEGABYTE)
        return upload


@rule(CHANGE_RULE)
def asset_import(request: HttpRequest) -> HttpResponse:
    """Upload a file of assets; its dry run starts in the background."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            import_id = imports.import_start(by=request.user, filename=upload.name, data=upload.read())
        except tabular_import.ImportFileError as error:
            form.add_error("file", imports.error_message(str(error), {}))
        else:
            return redirect("infrastructure:asset_import_status", token=import_id)
    return private(render(request, "infrastructure/assets/import_start.html", {"form": form}))


@rule(CHANGE_RULE)
def asset_import_status(request: HttpRequest, token: str) -> HttpResponse:
    """Progress of an import (htmx polls; without JavaScript the page refreshes itself), then the outcome
    of every row, and the button that imports for real when every row is good. POST confirms."""
    if request.method == "POST":
        try:
            imports.import_confirm(by=request.user, import_id=token)
        except tabular_import.ImportFileError as error:
            messages.error(request, imports.error_message(str(error), {}))
        return redirect("infrastructure:asset_import_status", token=token)
    meta, status = imports.import_get(user=request.user, import_id=token)
    state_context = tabular_import.status_context(status, imports.error_message)
    only_errors = request.GET.get("only") == "errors"
    outcomes = [] if state_context["running"] else imports.STORE.rows(token)
    shown = [row for row in outcomes if row["errors"]] if only_errors else outcomes
    page_obj = Paginator(shown, imports.PAGE_SIZE).get_page(request.GET.get("page"))
    types, statuses = dict(Asset.Type.choices), dict(Asset.Status.choices)
    rows = [
        {
            "cells": [
                row["row"],
                types.get(row["type"], row["type"]) or "—",
                row["serial"] or "—",
                row["model"] or "—",
                statuses.get(row["status"], row["status"]) or "—",
                row["site"] or "—",
                row["assigned"] or "—",
            ],
            "problems": [imports.error_message(code, params) for code, params in row["errors"]],
        }
        for row in page_obj
    ]
    context = {
        **state_context,
        "meta": meta,
        "status": status,
        "rows": rows,
        "page_obj": page_obj,
        "only_errors": only_errors,
        "row_count": len(outcomes),
        "columns": [
            _("Row"),
            _("Type"),
            _("Serial number"),
            _("Model"),
            _("Status"),
            _("Office"),
            _("Assigned to"),
        ],
    }
    return private(render(request, "infrastructure/assets/import_status.html", context))


@rule(CHANGE_RULE)
def asset_import_sample(request: HttpRequest) -> HttpResponse:
    """A CSV file to start from."""
    response = HttpResponse(imports.sample_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="nokor-assets-import.csv"'
    return response
