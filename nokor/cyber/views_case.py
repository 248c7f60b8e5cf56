"""Investigators' pages of cases: the list (mine, my unit, all I may see), a new case, a case with its
reports, tasks, timeline, evidence and freeze requests and the actions on it, the case report (PDF),
and the freeze requests (new, one with its timers and answer, printable, the open ones).

Views parse, authorise through the access layer, call one service and come back; a form with errors, a
refused change or a stale edit is shown again with the error summary and what was typed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nokor.audit.services import audit_view
from nokor.core.access import CHANGE, get_for_user, rule, staff_with
from nokor.cyber import case_report, cases, freeze, triage
from nokor.cyber import forms_staff as forms
from nokor.cyber.models import INVESTIGATORS, Case, CaseTask, EvidenceFile, FreezeRequest, Report
from nokor.cyber.views_triage import _private, _reference

STAFF = staff_with(*INVESTIGATORS)
PAGE_SIZE = 25


def _case(request: HttpRequest, reference: str, *, write: bool = False) -> Case:
    return cases.get_case_for_user(request.user, reference, write=write)


# --------------------------------------------------------------------------------------------------
# Lists and a new case
# --------------------------------------------------------------------------------------------------
@rule(STAFF)
def case_list(request: HttpRequest) -> HttpResponse:
    """Cases: assigned to me, of my unit, or all I may see; by status."""
    scope = request.GET.get("scope", "mine")
    scope = scope if scope in cases.SCOPES else "mine"
    status = request.GET.get("status", "active")
    rows = cases.cases_for(request.user, scope=scope, status=status)
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page_obj,
        "scope": scope,
        "status": status,
        "scopes": [("mine", _("Assigned to me")), ("unit", _("My unit")), ("all", _("All I may see"))],
        "statuses": [("active", _("Not closed")), *Case.Status.choices, ("any", _("Any status"))],
        "tones": cases.STATUS_TONES,
    }
    return _private(render(request, "cyber/staff/cases.html", context))


@rule(STAFF)
def case_new(request: HttpRequest) -> HttpResponse:
    """Open a case (reports are linked from their page, or from the queue)."""
    form = forms.CaseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = cases.case_open(
                by=request.user,
                title=data["title"],
                summary=data["summary"],
                unit=data["unit"],
                investigator=data["investigator"],
            )
        except triage.TriageError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Case %(case)s opened.") % {"case": case.reference})
            return redirect("cyber:case_detail", reference=case.reference)
    return _private(render(request, "cyber/staff/case_form.html", {"form": form}))


# --------------------------------------------------------------------------------------------------
# A case
# --------------------------------------------------------------------------------------------------
CASE_FORMS = {
    "edit": "edit_form",
    "status": "status_form",
    "hold": None,
    "note": "note_form",
    "task": "task_form",
    "task-done": None,
    "link": "link_form",
    "unlink": None,
}


def _case_forms(request: HttpRequest, case: Case, data: Any = None, action: str = "") -> dict[str, Any]:
    """Every form of the case page; the one of ``action`` bound to ``data``."""

    def bound(name: str) -> Any:
        return data if action == name else None

    version = {"version": case.lock_version}
    return {
        "edit_form": forms.CaseForm(
            bound("edit"),
            user=request.user,
            case=case,
            initial={
                "title": case.title,
                "summary": case.summary,
                "unit": case.unit_id,
                "investigator": case.investigator_id,
                **version,
            },
            auto_id="edit-%s",
        ),
        "status_form": forms.StatusForm(bound("status"), case=case, initial=version, auto_id="status-%s"),
        "note_form": forms.NoteForm(bound("note"), auto_id="note-%s"),
        "task_form": forms.TaskForm(bound("task"), case=case, auto_id="task-%s"),
        "link_form": forms.LinkReportForm(bound("link"), auto_id="link-%s"),
    }


def _render_case(request: HttpRequest, case: Case, case_forms: dict[str, Any] | None = None) -> HttpResponse:
    today = timezone.localdate()
    linked = list(case.reports.select_related("category", "unit").order_by("created_at"))
    tasks = list(case.tasks.select_related("assignee", "done_by"))
    evidence = EvidenceFile.objects.visible_to(request.user).filter(Q(case=case) | Q(report__case=case))
    context = {
        "case": case,
        "can_change": Case.objects.visible_to(request.user, CHANGE).filter(pk=case.pk).exists(),
        "is_supervisor": cases.is_supervisor_for(request.user, case),
        "tone": cases.STATUS_TONES.get(case.status, "grey"),
        "reports": linked,
        "loss_usd": Decimal(sum(report.loss_usd_cents for report in linked)) / 100,
        "loss_khr": sum(report.loss_khr for report in linked),
        "tasks": [{"task": task, "overdue": cases.task_is_overdue(task, today)} for task in tasks],
        "events": cases.timeline(case),
        "freezes": [
            {"freeze": item, "timer": freeze.answer_timer(item), "tone": freeze.STATUS_TONES[item.status]}
            for item in case.freeze_requests.select_related("institution").order_by("-requested_at")
        ],
        "evidence": evidence.select_related("report", "collected_by").order_by("collected_at", "pk"),
        **(case_forms or _case_forms(request, case)),
    }
    return _private(render(request, "cyber/staff/case_detail.html", context))


@rule(STAFF)
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """A case: its details, reports, tasks, timeline, evidence and freeze requests, and the actions."""
    return _render_case(request, _case(request, reference))


@rule(STAFF)
@require_POST
def case_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    """One change of a case: edit, status, legal hold, note, task, task done, link or unlink a report."""
    if action not in CASE_FORMS:
        raise Http404
    case = _case(request, reference, write=True)
    case_forms = _case_forms(request, case, request.POST, action)
    form = case_forms.get(CASE_FORMS[action] or "")
    if form is not None and not form.is_valid():
        return _render_case(request, case, case_forms)
    try:
        done = _case_change(request, case, action, form.cleaned_data if form is not None else {})
    except (triage.OutOfScope, cases.OutOfScope) as error:
        raise Http404 from error
    except cases.ConcurrentChange as error:
        case.refresh_from_db()
        case_forms = _case_forms(request, case, request.POST.copy(), action)
        form = case_forms.get(CASE_FORMS[action] or "")
        if form is None:
            messages.warning(request, error.message)
            return redirect("cyber:case_detail", reference=case.reference)
        form.data["version"] = str(case.lock_version)  # saving again now overwrites knowingly
        form.is_valid()
        form.add_error(None, error.message)
        return _render_case(request, case, case_forms)
    except triage.TriageError as error:
        if form is None:
            messages.error(request, error.message)
            return redirect("cyber:case_detail", reference=case.reference)
        form.add_service_error(error)
        case.refresh_from_db()
        return _render_case(request, case, case_forms)
    messages.success(request, done)
    return redirect("cyber:case_detail", reference=case.reference)


def _version(data: dict[str, Any], request: HttpRequest) -> int | None:
    value = data.get("version") if data else request.POST.get("version")
    if value in (None, ""):
        return None
    return int(value) if str(value).isdigit() else -1


def _case_change(request: HttpRequest, case: Case, action: str, data: dict[str, Any]) -> str:
    user = request.user
    if action == "edit":
        cases.case_update(
            case=case,
            by=user,
            expected_version=_version(data, request),
            title=data["title"],
            summary=data["summary"],
            unit=data["unit"],
            investigator=data["investigator"],
        )
        return _("The case was saved.")
    if action == "status":
        updated = cases.case_set_status(
            case=case,
            by=user,
            status=data["status"],
            outcome=data["outcome"],
            outcome_note=data["outcome_note"],
            expected_version=_version(data, request),
        )
        return _("The case is now “%(status)s”.") % {"status": updated.get_status_display()}
    if action == "hold":
        on = request.POST.get("legal_hold") == "1"
        cases.case_set_legal_hold(case=case, by=user, on=on, expected_version=_version({}, request))
        return _("Legal hold placed.") if on else _("Legal hold lifted.")
    if action == "note":
        cases.case_note(case=case, by=user, kind=data["kind"], text=data["text"])
        return _("Added to the timeline.")
    if action == "task":
        cases.case_task_add(
            case=case, by=user, title=data["title"], due_on=data["due_on"], assignee=data["assignee"]
        )
        return _("Task added.")
    if action == "task-done":
        task = CaseTask.objects.filter(case=case, pk=request.POST.get("task", "") or 0).first()
        if task is None:
            raise Http404
        cases.case_task_done(task=task, by=user)
        return _("Task done.")
    reference = data.get("report") if action == "link" else request.POST.get("report", "")
    report = Report.objects.visible_to(user, CHANGE).filter(reference=_reference(reference or "")).first()
    if report is None:
        raise triage.TriageError(
            _("There is no report %(reference)s that you may work on.")
            % {"reference": (reference or "")[:40]},
            "report",
        )
    if action == "link":
        cases.case_link_report(case=case, report=report, by=user)
        return _("Report %(reference)s linked.") % {"reference": report.reference}
    cases.case_unlink_report(case=case, report=report, by=user)
    return _("Report %(reference)s taken out of the case.") % {"reference": report.reference}


@rule(STAFF)
def case_report_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    """The case report (PDF), generated now; the export is audited."""
    case = _case(request, reference)
    pdf = case_report.case_report_pdf(case=case, by=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{case.reference}.pdf"'
    return _private(response)


# --------------------------------------------------------------------------------------------------
# Freeze requests
# --------------------------------------------------------------------------------------------------
def _freeze(request: HttpRequest, reference: str, *, write: bool = False) -> FreezeRequest:
    return get_for_user(
        FreezeRequest.objects.select_related(
            "case__unit", "institution", "requested_by", "answer_recorded_by"
        ),
        request.user,
        action=CHANGE if write else "view",
        reference=(reference or "").strip().upper(),
    )


@rule(STAFF)
def freeze_list(request: HttpRequest) -> HttpResponse:
    """The freeze requests still waiting for an answer, the most pressing first, with their timers."""
    now = timezone.now()
    page_obj = Paginator(freeze.open_requests_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    items = [{"freeze": item, "timer": freeze.answer_timer(item, now)} for item in page_obj.object_list]
    context = {"page_obj": page_obj, "items": items, "answer_minutes": freeze.answer_minutes()}
    return _private(render(request, "cyber/staff/freezes.html", context))


@rule(STAFF)
def freeze_new(request: HttpRequest, reference: str) -> HttpResponse:
    """Ask a bank or e-wallet to freeze an account. First choose the institution (a GET form: it works
    without JavaScript), then the transfers of the case's reports made through it, pre-selected."""
    case = _case(request, reference, write=True)
    source = request.POST if request.method == "POST" else request.GET
    picker = forms.FreezeInstitutionForm(source if source.get("institution") else None)
    institution = picker.cleaned_data["institution"] if picker.is_bound and picker.is_valid() else None
    show_all = source.get("all") == "1"
    shown = list(freeze.candidate_transfers(case, None if show_all else institution)) if institution else []
    form = None
    if institution is not None:
        initial: dict[str, Any] = {
            "institution": institution,
            "transfers": shown,
            "all": "1" if show_all else "",
        }
        accounts = {t.to_account for t in shown if t.to_account}
        if len(accounts) == 1:
            initial["account"] = accounts.pop()
        data = request.POST if request.method == "POST" else None
        form = forms.FreezeForm(
            data, case=case, institution=None if show_all else institution, initial=initial
        )
    if form is not None and form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            created = freeze.freeze_request(
                case=case,
                by=request.user,
                institution=data["institution"],
                account=data["account"],
                transfers=list(data["transfers"]),
                amount=data["amount"],
                currency=data["currency"],
                note=data["note"],
            )
        except cases.OutOfScope as error:
            raise Http404 from error
        except triage.TriageError as error:
            form.add_service_error(error)
        else:
            message = _("Freeze request %(reference)s recorded.") % {"reference": created.reference}
            messages.success(request, message)
            return redirect("cyber:freeze_detail", reference=created.reference)
    context = {
        "case": case,
        "picker": picker if picker.is_bound else forms.FreezeInstitutionForm(),
        "form": form,
        "institution": institution,
        "show_all": show_all,
        "shown": shown,
        "money_left": freeze.money_left(shown),
        "answer_minutes": freeze.answer_minutes(),
    }
    return _private(render(request, "cyber/staff/freeze_form.html", context))


def _freeze_context(request: HttpRequest, item: FreezeRequest) -> dict[str, Any]:
    transfers = list(item.transfers.select_related("report", "institution").order_by("paid_on", "pk"))
    return {
        "freeze": item,
        "case": item.case,
        "transfers": transfers,
        "timer": freeze.answer_timer(item),
        "money_left": freeze.money_left(transfers),
        "tone": freeze.STATUS_TONES[item.status],
        "transfer_total": sum((t.amount for t in transfers if t.currency == item.currency), Decimal(0)),
    }


@rule(STAFF)
def freeze_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """A freeze request with its two timers, and the form of the institution's answer."""
    item = _freeze(request, reference)
    form = forms.FreezeAnswerForm(request.POST or None)
    if request.method == "POST":
        item = _freeze(request, reference, write=True)
        if form.is_valid():
            data = form.cleaned_data
            try:
                freeze.freeze_answer(
                    freeze=item,
                    by=request.user,
                    status=data["status"],
                    frozen_amount=data["frozen_amount"],
                    note=data["note"],
                )
            except triage.TriageError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The answer was recorded."))
                return redirect("cyber:freeze_detail", reference=item.reference)
    context = {**_freeze_context(request, item), "form": form}
    return _private(render(request, "cyber/staff/freeze_detail.html", context))


@rule(STAFF)
def freeze_print(request: HttpRequest, reference: str) -> HttpResponse:
    """The request as sent to the institution, to print (or save as PDF from the browser)."""
    item = _freeze(request, reference)
    audit_view(actor=request.user, obj=item, subject=None, unit=item.case.unit, what="freeze request print")
    return _private(render(request, "cyber/staff/freeze_print.html", _freeze_context(request, item)))
