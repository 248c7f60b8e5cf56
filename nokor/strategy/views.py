"""Staff pages of progress reporting: my reports for the period, the report form (with evidence), the
approvers' queue and decision, the overview of who has reported, and the targets workbook round trip."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nokor.core.access import CHANGE, get_for_user, rule, staff_with
from nokor.core.tabular_import import ImportFileError
from nokor.core.uploads import file_response
from nokor.geography.models import AdministrativeUnit
from nokor.strategy import reporting, targets
from nokor.strategy.forms import (
    ApproveForm,
    EvidenceForm,
    ReportForm,
    ReturnForm,
    TargetsUploadForm,
    cell_label,
)
from nokor.strategy.models import (
    APPROVERS,
    PLANNERS,
    READERS,
    REPORTERS,
    Activity,
    Evidence,
    ProgressReport,
    ReportingPeriod,
)

READ_RULE = staff_with(*READERS)
REPORT_RULE = staff_with(*REPORTERS)
APPROVE_RULE = staff_with(*APPROVERS)
PLAN_RULE = staff_with(*PLANNERS)
PAGE_SIZE = 50
STATE_TONES = {"draft": "grey", "submitted": "blue", "returned": "amber", "approved": "green"}


def _period(request: HttpRequest) -> ReportingPeriod | None:
    wanted = request.GET.get("period", "")
    if wanted.isdigit():
        return get_object_or_404(ReportingPeriod, pk=int(wanted))
    return reporting.current_period()


@rule(READ_RULE)
def report_list(request: HttpRequest) -> HttpResponse:
    """My reports for the period: each activity my units report on, with its report's state; and every
    report of the period I may see."""
    period = _period(request)
    units = reporting.reporting_units(request.user)
    mine = []
    if period is not None and units:
        activities = list(Activity.objects.visible_to(request.user).select_related("unit"))
        reports = {
            (r.activity_id, r.unit_id): r
            for r in ProgressReport.objects.visible_to(request.user).filter(period=period)
        }
        for unit in units:
            for activity in activities:
                if reporting.activity_concerns(activity, unit):
                    mine.append(
                        {
                            "unit": unit,
                            "activity": activity,
                            "report": reports.get((activity.pk, unit and unit.pk)),
                        }
                    )
    others = (
        ProgressReport.objects.visible_to(request.user)
        .filter(period=period)
        .select_related("activity", "unit", "author")
        .order_by("activity__code", "unit__code")
    )
    context = {
        "period": period,
        "periods": ReportingPeriod.objects.all(),
        "mine": mine,
        "page_obj": Paginator(others, PAGE_SIZE).get_page(request.GET.get("page")),
        "tones": STATE_TONES,
    }
    return render(request, "strategy/reports/list.html", context)


@require_POST
@rule(REPORT_RULE)
def report_new(request: HttpRequest) -> HttpResponse:
    """Start the draft of a report (or open the one already started) for an activity and a unit."""
    period = get_object_or_404(ReportingPeriod, pk=request.POST.get("period") or 0)
    activity_id = request.POST.get("activity", "")
    activity = get_for_user(
        Activity.objects.all(), request.user, pk=activity_id if activity_id.isdigit() else 0
    )
    code = request.POST.get("unit", "")
    unit = get_object_or_404(AdministrativeUnit, code=code) if code else None
    try:
        report = reporting.report_create(by=request.user, activity=activity, period=period, unit=unit)
    except reporting.ReportError as exc:
        messages.error(request, str(exc))
        return redirect("strategy:reports")
    return redirect("strategy:report_edit", pk=report.pk)


def _timeline(report: ProgressReport) -> list[dict]:
    return [
        {
            "when": event.at,
            "title": event.get_kind_display(),
            "by": (event.by.full_name or event.by.email) if event.by else "",
            "body": event.comment,
        }
        for event in report.events.select_related("by")
    ]


def _units_by_code(cells) -> dict[str, AdministrativeUnit]:
    codes = {cell.unit_code for cell in cells if cell.unit_code}
    return {unit.code: unit for unit in AdministrativeUnit.objects.filter(code__in=codes)}


@rule(READ_RULE)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A report as submitted: progress, values, evidence and timeline; the approver decides here."""
    report = reporting.get_report_for_user(request.user, pk)
    cells = reporting.value_cells(report)
    units = _units_by_code(cells)
    values = {(v.indicator_id, v.unit_code, v.sex): v.value for v in report.values.all()}
    context = {
        "report": report,
        "values": [
            (
                cell_label(cell, units),
                values.get((cell.indicator.pk, cell.unit_code, cell.sex)),
            )
            for cell in cells
        ],
        "evidence": report.evidence.all(),
        "events": _timeline(report),
        "tones": STATE_TONES,
        "may_decide": report.state == ProgressReport.State.SUBMITTED
        and ProgressReport.objects.visible_to(request.user, "approve").filter(pk=report.pk).exists(),
        "may_edit": report.is_editable
        and ProgressReport.objects.visible_to(request.user, CHANGE).filter(pk=report.pk).exists(),
        "approve_form": ApproveForm(),
        "return_form": ReturnForm(),
    }
    return render(request, "strategy/reports/detail.html", context)


@rule(REPORT_RULE)
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The report form: progress, risks and the numbers asked for; save as draft or submit."""
    report = reporting.get_report_for_user(request.user, pk, action=CHANGE)
    if not report.is_editable:
        messages.info(request, _("This report can no longer be changed."))
        return redirect("strategy:report_detail", pk=report.pk)
    cells = reporting.value_cells(report)
    units = _units_by_code(cells)
    if request.method == "POST":
        form = ReportForm(request.POST, cells=cells, units=units)
        if form.is_valid():
            try:
                version = int(request.POST.get("lock_version", ""))
            except ValueError:
                version = None
            try:
                report = reporting.report_update(
                    by=request.user,
                    report=report,
                    expected_version=version,
                    activity_status=form.cleaned_data["activity_status"],
                    narrative=form.cleaned_data["narrative"],
                    risks=form.cleaned_data["risks"],
                    budget_spent=form.cleaned_data["budget_spent"],
                    values=form.values(),
                )
                if "submit" in request.POST:
                    reporting.report_submit(by=request.user, report=report)
                    messages.success(request, _("Report submitted for approval."))
                    return redirect("strategy:report_detail", pk=report.pk)
                messages.success(request, _("Draft saved."))
                return redirect("strategy:report_edit", pk=report.pk)
            except reporting.ReportError as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                form.add_error(None, exc)
    else:
        initial = {
            "activity_status": report.activity_status,
            "narrative": report.narrative,
            "risks": report.risks,
            "budget_spent": report.budget_spent,
        }
        values = {(v.indicator_id, v.unit_code, v.sex): v.value for v in report.values.all()}
        for cell in cells:
            initial[cell.name] = values.get((cell.indicator.pk, cell.unit_code, cell.sex))
        form = ReportForm(initial=initial, cells=cells, units=units)
    context = {
        "report": report,
        "form": form,
        "evidence_form": EvidenceForm(),
        "evidence": report.evidence.all(),
        "events": _timeline(report),
        "returned_comment": report.events.filter(kind="returned").values_list("comment", flat=True).last(),
    }
    return render(request, "strategy/reports/form.html", context)


@require_POST
@rule(REPORT_RULE)
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit a saved draft for approval."""
    report = reporting.get_report_for_user(request.user, pk, action=CHANGE)
    try:
        reporting.report_submit(by=request.user, report=report)
    except reporting.ReportError as exc:
        messages.error(request, str(exc))
        return redirect("strategy:report_detail", pk=report.pk)
    messages.success(request, _("Report submitted for approval."))
    return redirect("strategy:report_detail", pk=report.pk)


@require_POST
@rule(REPORT_RULE)
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a file of evidence to an editable report."""
    report = reporting.get_report_for_user(request.user, pk, action=CHANGE)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            reporting.evidence_add(by=request.user, report=report, uploaded_file=form.cleaned_data["file"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except reporting.ReportError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Evidence added."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("strategy:report_edit", pk=report.pk)


@rule(READ_RULE)
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """A file of evidence, to whoever may see its report."""
    evidence = get_for_user(Evidence.objects.all(), request.user, pk=pk)
    if not evidence.file:
        raise Http404
    return file_response(evidence.file.open("rb"), filename=evidence.name, content_type=evidence.content_type)


@rule(APPROVE_RULE)
def approvals(request: HttpRequest) -> HttpResponse:
    """The approver's queue: submitted reports, oldest first."""
    queue = (
        ProgressReport.objects.visible_to(request.user, "approve")
        .filter(state=ProgressReport.State.SUBMITTED)
        .select_related("activity", "period", "unit", "author")
        .order_by("submitted_at", "pk")
    )
    page_obj = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "strategy/reports/approvals.html", {"page_obj": page_obj, "tones": STATE_TONES})


def _decide(request: HttpRequest, pk: int, form_class, decide) -> HttpResponse:
    report = reporting.get_report_for_user(request.user, pk, action="approve")
    form = form_class(request.POST)
    if form.is_valid():
        try:
            decide(by=request.user, report=report, comment=form.cleaned_data["comment"])
        except reporting.ReportError as exc:
            messages.error(request, str(exc))
            return redirect("strategy:report_detail", pk=report.pk)
        return redirect("strategy:approvals")
    context = {
        "report": report,
        "values": [],
        "evidence": report.evidence.all(),
        "events": _timeline(report),
        "tones": STATE_TONES,
        "may_decide": True,
        "approve_form": form if form_class is ApproveForm else ApproveForm(),
        "return_form": form if form_class is ReturnForm else ReturnForm(),
        "error_form": form,
    }
    return render(request, "strategy/reports/detail.html", context, status=400)


@require_POST
@rule(APPROVE_RULE)
def report_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve a submitted report (it is locked)."""
    response = _decide(request, pk, ApproveForm, reporting.report_approve)
    if response.status_code == 302:
        messages.success(request, _("Report approved."))
    return response


@require_POST
@rule(APPROVE_RULE)
def report_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Return a submitted report to its author with a comment."""
    response = _decide(request, pk, ReturnForm, reporting.report_return)
    if response.status_code == 302:
        messages.success(request, _("Report returned to the focal point."))
    return response


@rule(READ_RULE)
def overview(request: HttpRequest) -> HttpResponse:
    """Who has and has not reported this period: units × activities."""
    period = _period(request)
    table = reporting.overview(period, request.user) if period else {"activities": [], "rows": []}
    context = {
        "period": period,
        "periods": ReportingPeriod.objects.all(),
        "table": table,
        "tones": STATE_TONES,
    }
    return render(request, "strategy/reports/overview.html", context)


@rule(PLAN_RULE)
def targets_export(request: HttpRequest) -> HttpResponse:
    """The targets workbook to fill in."""
    response = HttpResponse(
        targets.workbook(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="nokor-plan-targets.xlsx"'
    return response


@rule(PLAN_RULE)
def targets_import(request: HttpRequest) -> HttpResponse:
    """Upload a filled workbook: see each row's changes and errors (dry run), then apply them."""
    form = TargetsUploadForm()
    rows, import_id, file_error = None, "", ""
    if request.method == "POST" and "import_id" in request.POST:
        import_id = request.POST["import_id"]
        try:
            changed = targets.targets_apply(by=request.user, import_id=import_id)
        except ImportFileError:
            rows = targets.checked_upload(user=request.user, import_id=import_id)
            file_error = _("The workbook has errors: correct them and upload it again. Nothing was changed.")
        else:
            messages.success(request, _("%(count)s targets saved.") % {"count": changed})
            return redirect("strategy:targets_import")
    elif request.method == "POST":
        form = TargetsUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                import_id, rows = targets.upload(by=request.user, filename=upload.name, data=upload.read())
            except ImportFileError as exc:
                form.add_error("file", targets.error_message(str(exc)))
    context = {
        "form": form,
        "rows": rows,
        "import_id": import_id,
        "file_error": file_error,
        "errors": sum(bool(row.problems) for row in rows or []),
        "changes": sum(len(row.changes) for row in rows or []),
    }
    return render(request, "strategy/targets_import.html", context, status=400 if form.errors else 200)
