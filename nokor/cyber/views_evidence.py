"""Pages of evidence for investigators: an item with its chain of custody, viewing and downloading it
(a reason asked, the opening recorded before the file is sent), re-verifying its hash, handing it over,
a supervisor's legal hold, deletion, and adding a file to a case or a report.

Every item is fetched through the access layer (another unit's evidence is a 404). Intimate images are
never shown in a page: only investigators cleared for them may open one, giving a reason; others get a
403 that says so. Files are sent as they were stored, never cached, with their type fixed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nokor.accounts.roles import Role
from nokor.audit.services import audit_view
from nokor.core.access import get_for_user, rule, staff_with
from nokor.core.formatting import format_datetime
from nokor.core.uploads import FORMAT_NAMES, file_response
from nokor.cyber import custody
from nokor.cyber.forms_evidence import DeleteForm, EvidenceAddForm, LegalHoldForm, OpenForm, TransferForm
from nokor.cyber.models import INVESTIGATORS, Case, EvidenceFile, Report

EVIDENCE_ROLES = staff_with(*INVESTIGATORS)
SUPERVISORS = staff_with(Role.CYBER_SUPERVISOR)
# The case and report pages (nokor/cyber/urls_staff.py); linked to when they exist.
CASE_URL_NAME = "cyber:case_detail"
REPORT_URL_NAME = "cyber:staff_report"


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _evidence(request: HttpRequest, pk: Any) -> EvidenceFile:
    queryset = EvidenceFile.objects.select_related(
        "report__category", "report__reporter", "report__case", "case", "unit", "collected_by"
    )
    return get_for_user(queryset, request.user, pk=pk)


def _url(name: str, reference: str) -> str | None:
    try:
        return reverse(name, args=[reference])
    except NoReverseMatch:
        return None


def parent_link(evidence: EvidenceFile) -> tuple[str, str | None]:
    """The case or report the item belongs to: its label and the URL of its staff page (when it exists)."""
    if evidence.case_id:
        return _("Case %(reference)s") % {"reference": evidence.case.reference}, _url(
            CASE_URL_NAME, evidence.case.reference
        )
    return _("Report %(reference)s") % {"reference": evidence.report.reference}, _url(
        REPORT_URL_NAME, evidence.report.reference
    )


def _restricted(request: HttpRequest, evidence: EvidenceFile, message: str) -> HttpResponse:
    """The 403 of a file the user may not open, saying why (never the file)."""
    response = render(
        request,
        "cyber/staff/evidence_restricted.html",
        {"evidence": evidence, "message": message},
        status=403,
    )
    return _private(response)


def _refuse_opening(request: HttpRequest, evidence: EvidenceFile) -> HttpResponse | None:
    if custody.may_open(request.user, evidence):
        return None
    if custody.is_sensitive(evidence):
        return _restricted(
            request,
            evidence,
            _(
                "This file is an intimate image (sextortion or image abuse). Only investigators cleared "
                "for intimate images may open it. Ask your supervisor if you need its content."
            ),
        )
    raise PermissionDenied


def _stream(evidence: EvidenceFile, handle: Any, *, attachment: bool) -> HttpResponse:
    response = file_response(
        handle, filename=evidence.original_name, content_type=evidence.content_type, inline=not attachment
    )
    return _private(response)


def _field_of(error: custody.EvidenceError, form: Any) -> str | None:
    return error.field if error.field in form.fields else None


# --------------------------------------------------------------------------------------------------
# The item and its chain of custody
# --------------------------------------------------------------------------------------------------
def _summary_rows(evidence: EvidenceFile, parent_label: str, parent_url: str | None) -> list[dict]:
    collector = evidence.collected_by
    by = str(collector) if collector is not None and collector.is_staff else _("The reporter")
    yes, no = _("Yes"), _("No")
    hold = yes if evidence.legal_hold else no
    if not evidence.legal_hold and evidence.case_id and evidence.case.legal_hold:
        hold = _("Yes, the whole case")
    return [
        {"key": _("File name"), "value": evidence.original_name},
        {"key": _("Type"), "value": FORMAT_NAMES.get(evidence.content_type, evidence.content_type)},
        {"key": _("Size"), "value": filesizeformat(evidence.size)},
        {"key": _("SHA-256"), "value": format_html('<code class="code">{}</code>', evidence.sha256)},
        {
            "key": _("Collected"),
            "value": _("%(when)s by %(who)s") % {"when": format_datetime(evidence.collected_at), "who": by},
        },
        {"key": _("Where"), "value": evidence.collected_where},
        {"key": _("Description"), "value": evidence.description},
        {
            "key": _("Belongs to"),
            "value": format_html('<a href="{}">{}</a>', parent_url, parent_label)
            if parent_url
            else parent_label,
        },
        {"key": _("Intimate image"), "value": yes if custody.is_sensitive(evidence) else no},
        {"key": _("Legal hold"), "value": hold},
    ]


def _last_verification(events: list) -> str | None:
    results = [event.details.get("result") for event in events if event.action == custody.VERIFIED]
    return results[-1] if results else None


def _detail(
    request: HttpRequest, evidence: EvidenceFile, *, hold_form: LegalHoldForm | None = None
) -> HttpResponse:
    events = list(custody.custody_log(evidence))
    parent_label, parent_url = parent_link(evidence)
    may_hold = custody.may_hold(request.user, evidence)
    context = {
        "evidence": evidence,
        "sensitive": custody.is_sensitive(evidence),
        "previewable": evidence.content_type in custody.PREVIEWABLE,
        "may_open": custody.may_open(request.user, evidence),
        "may_hold": may_hold,
        "hold_form": hold_form
        or (LegalHoldForm(initial={"hold": "0" if evidence.legal_hold else "1"}) if may_hold else None),
        "deletion_refusal": custody.deletion_refusal(evidence),
        "rows": _summary_rows(evidence, parent_label, parent_url),
        "parent_label": parent_label,
        "parent_url": parent_url,
        "entries": custody.custody_entries(events),
        "chain_break": custody.custody_chain_break(events),
        "last_verification": _last_verification(events),
    }
    return _private(render(request, "cyber/staff/evidence_detail.html", context))


@rule(EVIDENCE_ROLES)
@require_GET
def evidence_detail(request: HttpRequest, pk) -> HttpResponse:
    """An item: what it is, its SHA-256, its chain of custody (and whether it verifies), the actions."""
    evidence = _evidence(request, pk)
    if evidence.report_id:  # the file's name and description are the reporter's personal data
        audit_view(
            actor=request.user,
            obj=evidence.report,
            subject=evidence.report.reporter,
            unit=evidence.unit,
            what=f"evidence {evidence.pk}",
        )
    return _detail(request, evidence)


# --------------------------------------------------------------------------------------------------
# Opening the file
# --------------------------------------------------------------------------------------------------
@rule(EVIDENCE_ROLES)
@require_http_methods(["GET", "POST"])
def evidence_download(request: HttpRequest, pk) -> HttpResponse:
    """GET: the reason asked; POST: the download recorded in the chain of custody, then the file."""
    evidence = _evidence(request, pk)
    refused = _refuse_opening(request, evidence)
    if refused:
        return refused
    form = OpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            handle = custody.evidence_open(
                evidence=evidence,
                by=request.user,
                reason=form.cleaned_data["reason"],
                purpose=custody.DOWNLOAD,
            )
        except custody.EvidenceError as error:
            form.add_error(_field_of(error, form), error.message)
        else:
            return _stream(evidence, handle, attachment=True)
    context = {
        "evidence": evidence,
        "form": form,
        "download": True,
        "sensitive": custody.is_sensitive(evidence),
    }
    return _private(render(request, "cyber/staff/evidence_open.html", context))


@rule(EVIDENCE_ROLES)
@require_http_methods(["GET", "POST"])
def evidence_view(request: HttpRequest, pk) -> HttpResponse:
    """An image shown in the browser, recorded as viewed. An intimate image is opened only by a cleared
    investigator, after giving the reason (POST). Any other file (a PDF) is never shown from our origin:
    it goes to the download, which asks the reason and records a download."""
    evidence = _evidence(request, pk)
    refused = _refuse_opening(request, evidence)
    if refused:
        return refused
    if evidence.content_type not in custody.PREVIEWABLE:
        return redirect("cyber:evidence_download", pk=evidence.pk)
    sensitive = custody.is_sensitive(evidence)
    form = OpenForm(request.POST or None)
    if not sensitive and request.method == "GET":
        try:
            handle = custody.evidence_open(
                evidence=evidence, by=request.user, reason=request.GET.get("reason", ""), purpose=custody.VIEW
            )
        except custody.EvidenceError as error:
            messages.error(request, error.message)
            return redirect("cyber:evidence_detail", pk=evidence.pk)
        return _stream(evidence, handle, attachment=False)
    if request.method == "POST" and form.is_valid():
        try:
            handle = custody.evidence_open(
                evidence=evidence, by=request.user, reason=form.cleaned_data["reason"], purpose=custody.VIEW
            )
        except custody.EvidenceError as error:
            form.add_error(_field_of(error, form), error.message)
        else:
            return _stream(evidence, handle, attachment=False)
    context = {"evidence": evidence, "form": form, "download": False, "sensitive": sensitive}
    return _private(render(request, "cyber/staff/evidence_open.html", context))


# --------------------------------------------------------------------------------------------------
# Changes
# --------------------------------------------------------------------------------------------------
@rule(EVIDENCE_ROLES)
@require_POST
def evidence_verify(request: HttpRequest, pk) -> HttpResponse:
    """Re-hash the stored file now and record the result in its chain of custody."""
    evidence = _evidence(request, pk)
    if not custody.in_scope(request.user, evidence.unit, INVESTIGATORS):
        raise PermissionDenied
    if custody.evidence_verify(evidence, by=request.user):
        messages.success(request, _("The file is intact: its SHA-256 matches the one taken at collection."))
    else:
        messages.error(
            request,
            _(
                "The file does not match the SHA-256 taken at collection, or it is missing. Do not use it: "
                "tell your supervisor and the administrator."
            ),
        )
    return redirect("cyber:evidence_detail", pk=evidence.pk)


@rule(EVIDENCE_ROLES)
@require_http_methods(["GET", "POST"])
def evidence_transfer(request: HttpRequest, pk) -> HttpResponse:
    """Hand the evidence over to another investigator or to an outside agency, with the reason."""
    evidence = _evidence(request, pk)
    refused = _refuse_opening(request, evidence)
    if refused:
        return refused
    recipients = custody.investigators_for(evidence).exclude(pk=request.user.pk)
    form = TransferForm(request.POST or None, recipients=recipients)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            custody.evidence_transfer(
                evidence=evidence,
                by=request.user,
                to=data["recipient"] or data["agency"],
                reason=data["reason"],
            )
        except custody.EvidenceError as error:
            form.add_error(_field_of(error, form), error.message)
        else:
            messages.success(request, _("The hand-over is recorded in the chain of custody."))
            return redirect("cyber:evidence_detail", pk=evidence.pk)
    return _private(
        render(request, "cyber/staff/evidence_transfer.html", {"evidence": evidence, "form": form})
    )


@rule(SUPERVISORS)
@require_POST
def evidence_legal_hold(request: HttpRequest, pk) -> HttpResponse:
    """A cyber supervisor places or lifts a legal hold on the item, giving the reason."""
    evidence = _evidence(request, pk)
    if not custody.may_hold(request.user, evidence):
        raise PermissionDenied
    form = LegalHoldForm(request.POST)
    if not form.is_valid():
        return _detail(request, evidence, hold_form=form)
    try:
        custody.evidence_legal_hold(
            evidence=evidence,
            by=request.user,
            hold=form.cleaned_data["hold"],
            reason=form.cleaned_data["reason"],
        )
    except custody.EvidenceError as error:
        form.add_error(_field_of(error, form), error.message)
        return _detail(request, evidence, hold_form=form)
    messages.success(
        request, _("Legal hold placed.") if form.cleaned_data["hold"] else _("Legal hold lifted.")
    )
    return redirect("cyber:evidence_detail", pk=evidence.pk)


@rule(EVIDENCE_ROLES)
@require_http_methods(["GET", "POST"])
def evidence_delete(request: HttpRequest, pk) -> HttpResponse:
    """Delete the item once its case and report are closed and no legal hold applies (reason asked)."""
    evidence = _evidence(request, pk)
    if not custody.in_scope(request.user, evidence.unit, INVESTIGATORS):
        raise PermissionDenied
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        parent_label, parent_url = parent_link(evidence)
        try:
            custody.evidence_delete(evidence=evidence, by=request.user, reason=form.cleaned_data["reason"])
        except custody.EvidenceError as error:
            form.add_error(_field_of(error, form), error.message)
        else:
            messages.success(request, _("The evidence was deleted. Its chain of custody is kept."))
            return redirect(parent_url or reverse("home"))
    context = {"evidence": evidence, "form": form, "refusal": custody.deletion_refusal(evidence)}
    return _private(render(request, "cyber/staff/evidence_delete.html", context))


def _add(request: HttpRequest, *, case: Case | None = None, report: Report | None = None) -> HttpResponse:
    form = EvidenceAddForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            evidence = custody.evidence_add(
                by=request.user,
                file=data["file"],
                case=case,
                report=report,
                description=data["description"],
                collected_where=data["collected_where"],
                sensitive=data["sensitive"],
            )
        except custody.EvidenceError as error:
            form.add_error(_field_of(error, form), error.message)
        else:
            messages.success(
                request,
                _("%(name)s was added. SHA-256: %(sha256)s")
                % {"name": evidence.original_name, "sha256": evidence.sha256},
            )
            return redirect("cyber:evidence_detail", pk=evidence.pk)
    reference = case.reference if case is not None else report.reference
    context = {
        "form": form,
        "case": case,
        "report": report,
        "reference": reference,
        "back_url": _url(CASE_URL_NAME if case is not None else REPORT_URL_NAME, reference),
    }
    return _private(render(request, "cyber/staff/evidence_add.html", context))


@rule(EVIDENCE_ROLES)
@require_http_methods(["GET", "POST"])
def evidence_add(request: HttpRequest, reference: str) -> HttpResponse:
    """Add a file of evidence to a case (investigators who may change the case)."""
    case = get_for_user(
        Case.objects.select_related("unit"), request.user, action="change", reference=reference
    )
    return _add(request, case=case)


@rule(EVIDENCE_ROLES)
@require_http_methods(["GET", "POST"])
def evidence_add_to_report(request: HttpRequest, reference: str) -> HttpResponse:
    """Add a file of evidence to a report (for example one a victim brought to the office)."""
    report = get_for_user(
        Report.objects.select_related("unit", "category"), request.user, action="change", reference=reference
    )
    return _add(request, report=report)
