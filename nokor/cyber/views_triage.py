"""Investigators' pages of reports: the triage queue (filters in the URL, bulk actions on the ticked
rows), a report with everything the reporter gave and the actions on it, and the trafficking referrals.

Views parse, authorise through the access layer, call one service and come back; a form with errors (or
a change the service refuses) is shown again with the error summary and what was typed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from nokor.audit.services import audit_view
from nokor.core.access import CHANGE, get_for_user, rule, staff_with
from nokor.cyber import cases, reports, triage
from nokor.cyber import forms_staff as forms
from nokor.cyber import referrals as referral_service
from nokor.cyber.models import INVESTIGATORS, Case, Category, EvidenceFile, Report

STAFF = staff_with(*INVESTIGATORS)
PAGE_SIZE = 25


def _private(response: HttpResponse) -> HttpResponse:
    """Pages with personal data: never cached, never indexed."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _reference(text: str) -> str:
    text = (text or "").strip()
    return reports.normalize_reference(text) or text.replace("\u2011", "-").upper()


def _flag(request: HttpRequest, name: str) -> bool:
    return request.GET.get(name) in ("1", "on", "true")


# --------------------------------------------------------------------------------------------------
# The queue
# --------------------------------------------------------------------------------------------------
def _queue_context(request: HttpRequest, bulk_form: forms.BulkForm | None = None) -> dict[str, Any]:
    params = {
        "status": request.GET.get("status", ""),
        "category": request.GET.get("category", "")[:50],
        "band": request.GET.get("band", ""),
        "overdue": _flag(request, "overdue"),
        "unit": request.GET.get("unit", "")[:8],
    }
    now = timezone.now()
    rows = triage.queue_for(request.user, now=now, **params)
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page_reports = list(page_obj.object_list)
    linked = triage.linked_counts([report.pk for report in page_reports])
    items = []
    for report in page_reports:
        band = reports.priority_band(report.priority)
        items.append(
            {
                "report": report,
                "band_label": triage.band_label(band),
                "band_tone": triage.BAND_TONES[band],
                "due": triage.due_state(report.sla_due, now),
                "linked": linked.get(report.pk, 0),
                "tone": reports.STATUS_TONES.get(report.status, "grey"),
            }
        )
    bulk_form = bulk_form or forms.BulkForm()
    selected = set(bulk_form.data.getlist("reports")) if bulk_form.is_bound else set()
    return {
        "page_obj": page_obj,
        "items": items,
        "params": params,
        "statuses": [(status.value, status.label) for status in triage.QUEUE_STATUSES],
        "categories": Category.objects.filter(is_active=True),
        "bands": triage.band_choices(),
        "units": forms.unit_choices(request.user),
        "bulk_form": bulk_form,
        "selected": selected,
        "query": request.GET.urlencode(),
    }


@rule(STAFF)
def queue(request: HttpRequest) -> HttpResponse:
    """Reports waiting for a decision, most urgent first, with their first-look deadline."""
    return _private(render(request, "cyber/staff/queue.html", _queue_context(request)))


@rule(STAFF)
@require_POST
def queue_bulk(request: HttpRequest) -> HttpResponse:
    """One action on the ticked reports: assess, link to a case, open a case with them, reject."""
    form = forms.BulkForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        references = data["reports"]
        try:
            done, target = _bulk(request, data, references)
        except (triage.OutOfScope, cases.OutOfScope) as error:
            raise Http404 from error
        except triage.TriageError as error:
            form.add_service_error(error)
        else:
            messages.success(request, done)
            if target is not None:
                return redirect(target)
            query = request.GET.urlencode()
            return redirect(reverse("cyber:triage") + (f"?{query}" if query else ""))
    context = _queue_context(request, bulk_form=form)
    return _private(render(request, "cyber/staff/queue.html", context))


def _bulk(request: HttpRequest, data: dict[str, Any], references: list[str]) -> tuple[str, str | None]:
    user, action = request.user, data["action"]
    if action == forms.BulkForm.TRIAGE:
        changed = triage.reports_triage(references=references, by=user)
        message = ngettext(
            "%(count)s report marked as being assessed.",
            "%(count)s reports marked as being assessed.",
            len(changed),
        )
        return message % {"count": len(changed)}, None
    if action == forms.BulkForm.REJECT:
        changed = triage.reports_reject(references=references, by=user, reason=data["reason"])
        message = ngettext("%(count)s report rejected.", "%(count)s reports rejected.", len(changed))
        return message % {"count": len(changed)}, None
    if action == forms.BulkForm.LINK:
        case = _case_or_error(user, data["case"], "case")
        changed = triage.reports_link_case(references=references, case=case, by=user)
        message = ngettext(
            "%(count)s report linked to case %(case)s.",
            "%(count)s reports linked to case %(case)s.",
            len(changed),
        )
        return message % {"count": len(changed), "case": case.reference}, None
    case = triage.reports_open_case(references=references, by=user, title=data["title"])
    return _("Case %(case)s opened.") % {"case": case.reference}, reverse(
        "cyber:case_detail", args=[case.reference]
    )


def _case_or_error(user: Any, reference: str, field: str) -> Case:
    case = (
        Case.objects.visible_to(user, CHANGE).filter(reference=cases.normalize_reference(reference)).first()
    )
    if case is None:
        raise triage.TriageError(
            _("There is no case %(reference)s that you may work on.") % {"reference": reference.strip()[:40]},
            field,
        )
    return case


# --------------------------------------------------------------------------------------------------
# A report
# --------------------------------------------------------------------------------------------------
REPORT_FORMS = {
    "triage": forms.NotifyForm,
    "reject": forms.RejectForm,
    "merge": forms.MergeForm,
    "link": forms.LinkCaseForm,
    "open-case": forms.OpenCaseForm,
    "message": forms.MessageForm,
    "refer": forms.ReferralForm,
}


def _report(request: HttpRequest, reference: str, action: str = "view") -> Report:
    return get_for_user(
        Report.objects.select_related("category", "unit", "reporter", "triaged_by", "case", "duplicate_of"),
        request.user,
        action=action,
        reference=_reference(reference),
    )


def _report_form(action: str, report: Report, data: Any = None) -> forms.StaffForm:
    form_class = REPORT_FORMS[action]
    initial = {}
    if action == "message":
        initial = {"public_note": report.public_note}
    elif action == "open-case":
        initial = {"title": f"{report.category.name} – {report.reference}"}
    return form_class(data, initial=initial, auto_id=f"{action}-%s")


def _render_report(
    request: HttpRequest, report: Report, bound: forms.StaffForm | None = None, action: str = ""
):
    audit_view(actor=request.user, obj=report, subject=report.reporter, unit=report.unit, what="cyber report")
    now = timezone.now()
    band = reports.priority_band(report.priority)
    report_forms = {name.replace("-", "_"): _report_form(name, report) for name in REPORT_FORMS}
    if bound is not None:
        report_forms[action.replace("-", "_")] = bound
    history = [
        {
            "when": event.occurred_at,
            "title": _history_title(event.action),
            "by": str(event.actor) if event.actor_id else "",
            "body": _history_body(event.action, event.details),
        }
        for event in triage.history_of(report)
    ]
    context = {
        "report": report,
        "can_change": Report.objects.visible_to(request.user, CHANGE).filter(pk=report.pk).exists(),
        "tone": reports.STATUS_TONES.get(report.status, "grey"),
        "band_label": triage.band_label(band),
        "band_tone": triage.BAND_TONES[band],
        "due": triage.due_state(report.sla_due, now),
        "loss_usd": Decimal(report.loss_usd_cents) / 100,
        "identifiers": triage.identifiers_of(report, request.user),
        "transfers": report.transfers.select_related("institution").order_by("paid_on", "pk"),
        "evidence": EvidenceFile.objects.visible_to(request.user)
        .filter(report=report)
        .select_related("report", "collected_by"),
        "history": list(reversed(history)),
        "duplicates": report.duplicates.order_by("created_at").values_list("reference", flat=True),
        "referrals": report.referrals.select_related("organisation", "referred_by"),
        "forms": report_forms,
        "bound": bound,
        "bound_action": action,
        "organisations_exist": report_forms["refer"].fields["organisation"].queryset.exists(),
    }
    return _private(render(request, "cyber/staff/report_detail.html", context))


_HISTORY = {
    "cyber.report_submit": lambda: _("Report received"),
    "cyber.report_add_information": lambda: _("Reporter added information"),
    "cyber.report_triage": lambda: _("Marked as being assessed"),
    "cyber.report_reject": lambda: _("Not taken further"),
    "cyber.report_merge": lambda: _("Merged into another report"),
    "cyber.report_message": lambda: _("Message to the reporter changed"),
    "cyber.case_link_report": lambda: _("Linked to a case"),
    "cyber.case_unlink_report": lambda: _("Taken out of a case"),
    "cyber.referral_make": lambda: _("Referred to an organisation"),
}


def _history_title(action: str) -> str:
    label = _HISTORY.get(action)
    return label() if label else action.removeprefix("cyber.").replace("_", " ")


def _history_body(action: str, details: dict) -> str:
    parts = []
    if action in ("cyber.case_link_report", "cyber.case_unlink_report"):
        parts.append(details.get("reference", ""))
    if action == "cyber.referral_make":
        parts.append(details.get("organisation", ""))
    if details.get("into"):
        parts.append(_("Into %(reference)s") % {"reference": details["into"]})
    if details.get("public"):
        parts.append(_("The reporter was told."))
    return " ".join(part for part in parts if part)


@rule(STAFF)
def report_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """Everything the reporter gave, what links it to other reports, its history and the actions."""
    return _render_report(request, _report(request, reference))


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@rule(STAFF)
@require_POST
def report_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    """One investigator action on a report (assess, reject, merge, link to a case, open a case, write
    to the reporter, refer)."""
    if action not in REPORT_FORMS:
        raise Http404
    report = _report(request, reference, action=CHANGE)
    form = _report_form(action, report, request.POST)
    if form.is_valid():
        try:
            done, target = _report_change(request, report, action, form.cleaned_data)
        except (triage.OutOfScope, cases.OutOfScope) as error:
            raise Http404 from error
        except triage.TriageError as error:
            form.add_service_error(error)
        else:
            messages.success(request, done)
            return redirect(target or _next(request, reverse("cyber:staff_report", args=[report.reference])))
    report.refresh_from_db()
    return _render_report(request, report, bound=form, action=action)


def _report_change(
    request: HttpRequest, report: Report, action: str, data: dict[str, Any]
) -> tuple[str, str | None]:
    user = request.user
    notify = data.get("notify", False)
    if action == "triage":
        triage.report_triage(report=report, by=user, notify=notify)
        return _("The report is marked as being assessed."), None
    if action == "reject":
        triage.report_reject(report=report, by=user, reason=data["reason"], notify=notify)
        return _("The report will not be taken further."), None
    if action == "merge":
        into = Report.objects.visible_to(user).filter(reference=_reference(data["into"])).first()
        if into is None:
            raise triage.TriageError(
                _("There is no report %(reference)s that you may see.") % {"reference": data["into"][:40]},
                "into",
            )
        triage.report_merge(report=report, into=into, by=user, notify=notify)
        return _("The report was merged into %(reference)s.") % {"reference": into.reference}, None
    if action == "link":
        case = _case_or_error(user, data["case"], "case")
        triage.report_link_case(report=report, case=case, by=user, notify=notify)
        return _("The report is linked to case %(case)s.") % {"case": case.reference}, None
    if action == "open-case":
        case = cases.case_open(by=user, title=data["title"], summary=data["summary"], reports=[report])
        return _("Case %(case)s opened.") % {"case": case.reference}, reverse(
            "cyber:case_detail", args=[case.reference]
        )
    if action == "message":
        triage.report_message(report=report, by=user, public_note=data["public_note"], notify=notify)
        return (_("The reporter was told.") if notify else _("The message was saved.")), None
    referral = referral_service.referral_make(
        report=report, by=user, organisation=data["organisation"], note=data["note"]
    )
    return _("Referred to %(organisation)s.") % {"organisation": referral.organisation}, None


# --------------------------------------------------------------------------------------------------
# Trafficking referrals
# --------------------------------------------------------------------------------------------------
@rule(STAFF)
def referral_list(request: HttpRequest) -> HttpResponse:
    """Reports flagged for possible trafficking not referred yet, and the referrals made."""
    tab = "referred" if request.GET.get("tab") == "referred" else "waiting"
    waiting = referral_service.awaiting_referral(request.user)
    rows = referral_service.referrals_for(request.user) if tab == "referred" else waiting
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "tab": tab,
        "page_obj": page_obj,
        "waiting_count": waiting.aggregate(count=Count("pk"))["count"],
    }
    return _private(render(request, "cyber/staff/referrals.html", context))
