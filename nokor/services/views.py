"""Pages of the services app: the catalogue, applying (one question page at a time), my applications,
the officers' queue and application page, and the public performance page."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nokor.accounts.roles import Role
from nokor.audit.services import audit_view
from nokor.core.access import CHANGE, PUBLIC, SIGNED_IN, get_for_user, rule, staff_with
from nokor.core.db_router import replica_reads
from nokor.core.text import current_language, name_order
from nokor.core.uploads import file_response
from nokor.services import forms_engine, selectors
from nokor.services import services as ops
from nokor.services.forms import (
    AnswerInfoForm,
    AppealDecisionForm,
    AppealForm,
    AssignForm,
    DeclarationForm,
    EligibilityForm,
    FeedbackForm,
    OptionalReasonForm,
    PaymentReportForm,
    ReasonForm,
    ReceiptForm,
    RequestInfoForm,
    StartForm,
    TextForm,
)
from nokor.services.models import Application, Attachment, Service, Status

QUEUE_ROLES = staff_with(Role.SERVICE_OFFICER, Role.SERVICE_SUPERVISOR, Role.AUDITOR)


def _definition(application: Application) -> dict:
    return application.service_version.form_definition


# --------------------------------------------------------------------------------------------------
# Catalogue and starting
# --------------------------------------------------------------------------------------------------
@rule(PUBLIC)
def catalogue(request):
    return render(request, "services/catalogue.html", {"services": selectors.catalogue(request.user)})


@rule(PUBLIC)
def service_detail(request, slug):
    service = get_object_or_404(selectors.catalogue(request.user), slug=slug)
    return render(request, "services/service_detail.html", {"service": service})


@rule(PUBLIC)
def eligibility(request, slug):
    """'Is this service for me?' — the eligibility questions, before anything is created."""
    service = get_object_or_404(selectors.catalogue(request.user), slug=slug)
    questions = service.current_version.form_definition.get("eligibility", [])
    form = EligibilityForm(questions, current_language(), request.POST or None)
    if request.method == "POST" and form.is_valid():
        for question in questions:
            if form.cleaned_data[question["id"]] != question.get("exit_unless", "yes"):
                message = question.get("exit_message", {})
                return render(
                    request,
                    "services/not_eligible.html",
                    {"service": service, "message": message.get(current_language()) or message.get("km", "")},
                )
        return redirect("services:start", slug=slug)
    return render(request, "services/eligibility.html", {"service": service, "form": form})


@rule(SIGNED_IN)
def start(request, slug):
    service = get_object_or_404(selectors.catalogue(request.user), slug=slug)
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        on_behalf = form.cleaned_data["who"] == StartForm.FOR_SOMEONE
        try:
            application = ops.application_start(
                service=service,
                applicant=request.user,
                filed_by=request.user if on_behalf else None,
                mandate=form.cleaned_data.get("mandate", ""),
            )
        except ops.ServiceError as error:
            form.add_error(None, str(error))
        else:
            first = forms_engine.visible_pages(_definition(application), {})[0]["id"]
            return redirect("services:page", pk=application.pk, page_id=first)
    return render(request, "services/start.html", {"service": service, "form": form})


# --------------------------------------------------------------------------------------------------
# One question page at a time
# --------------------------------------------------------------------------------------------------
def _own_application(request, pk) -> Application:
    application = get_for_user(
        Application.objects.select_related("service", "service_version", "unit"),
        request.user,
        action="view",
        pk=pk,
    )
    if request.user.pk not in (application.applicant_id, application.filed_by_id):
        raise Http404
    return application


@rule(SIGNED_IN)
def page(request, pk, page_id):
    application = _own_application(request, pk)
    definition = _definition(application)
    if application.status not in (Status.DRAFT, Status.INFO_REQUESTED):
        return redirect("services:my_application", pk=pk)
    page_def = forms_engine.page_by_id(definition, page_id)
    if page_def is None or page_def["id"] not in {
        p["id"] for p in forms_engine.visible_pages(definition, application.answers)
    }:
        raise Http404
    form = forms_engine.build_page_form(
        definition,
        page_id,
        language=current_language(),
        data=request.POST or None,
        files=request.FILES or None,
        initial=application.answers,
    )
    saved = None
    if request.method == "POST" and form.is_valid():
        answers, files = forms_engine.to_json(definition, page_id, form.cleaned_data)
        try:
            saved = ops.application_save_page(
                application=application, by=request.user, page_answers=answers, files=files
            )
        except ops.ServiceError as error:  # shown above the form, which keeps what was typed
            form.add_error(None, str(error))
    if saved is not None:
        application = saved
        if "save_and_exit" in request.POST:
            messages.success(request, _("Your answers are saved. You can come back to them from any device."))
            return redirect("services:my_application", pk=pk)
        if application.status == Status.INFO_REQUESTED:
            return redirect("services:answer_info", pk=pk)
        next_id = forms_engine.next_page_id(definition, application.answers, page_id)
        if next_id and request.GET.get("change") != "1":
            return redirect("services:page", pk=pk, page_id=next_id)
        return redirect("services:check", pk=pk)
    previous = forms_engine.previous_page_id(definition, application.answers, page_id)
    return render(
        request,
        "services/page.html",
        {
            "application": application,
            "page": page_def,
            "form": form,
            "language": current_language(),
            "previous_url": reverse("services:page", args=[pk, previous]) if previous else "",
            "attachments": {a.field_name: a for a in application.attachments.filter(replaced=False)},
        },
    )


@rule(SIGNED_IN)
def check_answers(request, pk):
    application = _own_application(request, pk)
    if application.status != Status.DRAFT:
        return redirect("services:my_application", pk=pk)
    definition = _definition(application)
    form = DeclarationForm(request.POST or None)
    missing = forms_engine.missing_answers(definition, application.answers)
    if request.method == "POST" and form.is_valid() and not missing:
        try:
            ops.application_submit(application=application, by=request.user)
        except ops.ServiceError as error:
            form.add_error(None, str(error))
        else:
            return redirect("services:confirmation", pk=pk)
    declaration = definition.get("declaration", {})
    return render(
        request,
        "services/check_answers.html",
        {
            "application": application,
            "form": form,
            "missing": missing,
            "rows": forms_engine.summary_rows(definition, application.answers, current_language()),
            "declaration": declaration.get(current_language()) or declaration.get("km", ""),
        },
    )


@rule(SIGNED_IN)
def confirmation(request, pk):
    application = _own_application(request, pk)
    if application.reference is None:
        return redirect("services:check", pk=pk)
    return render(request, "services/confirmation.html", {"application": application})


# --------------------------------------------------------------------------------------------------
# My applications
# --------------------------------------------------------------------------------------------------
@rule(SIGNED_IN)
def my_applications(request):
    page_obj = Paginator(selectors.my_applications(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "services/my_applications.html", {"page_obj": page_obj})


@rule(SIGNED_IN)
def my_application(request, pk):
    application = _own_application(request, pk)
    definition = _definition(application)
    missing = forms_engine.missing_answers(definition, application.answers)
    first_page = (
        missing[0]["page_id"]
        if missing
        else forms_engine.visible_pages(definition, application.answers)[0]["id"]
    )
    return render(
        request,
        "services/my_application.html",
        {
            "application": application,
            "events": selectors.visible_events(application, for_staff=False),
            "open_request": application.information_requests.filter(answered_at__isnull=True).first(),
            "rows": forms_engine.summary_rows(definition, application.answers, current_language()),
            "first_page": first_page,
        },
    )


@rule(SIGNED_IN)
def answer_info(request, pk):
    application = _own_application(request, pk)
    request_obj = application.information_requests.filter(answered_at__isnull=True).first()
    if application.status != Status.INFO_REQUESTED or request_obj is None:
        return redirect("services:my_application", pk=pk)
    definition = _definition(application)
    form = AnswerInfoForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ops.application_provide_info(
            application=application, by=request.user, message=form.cleaned_data["message"]
        )
        messages.success(request, _("Your answer was sent to the office. The processing time starts again."))
        return redirect("services:my_application", pk=pk)
    pages = {field: forms_engine.page_of_field(definition, field) for field in request_obj.fields}
    return render(
        request,
        "services/answer_info.html",
        {
            "application": application,
            "info_request": request_obj,
            "form": form,
            "fields": [
                (f, forms_engine.field_label(definition, f, current_language()), pages[f])
                for f in request_obj.fields
            ],
        },
    )


def _citizen_action(request, pk, form_class, template, handler, success_message):
    application = _own_application(request, pk)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            handler(application, form.cleaned_data)
        except ops.ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, success_message)
            return redirect("services:my_application", pk=pk)
    return render(request, template, {"application": application, "form": form})


@rule(SIGNED_IN)
def appeal(request, pk):
    return _citizen_action(
        request,
        pk,
        AppealForm,
        "services/appeal.html",
        lambda app, data: ops.appeal_submit(application=app, by=request.user, reason=data["reason"]),
        _("Your appeal was sent. A supervisor of the level above will decide."),
    )


@rule(SIGNED_IN)
def feedback(request, pk):
    return _citizen_action(
        request,
        pk,
        FeedbackForm,
        "services/feedback.html",
        lambda app, data: ops.feedback_submit(
            application=app, by=request.user, rating=data["rating"], comment=data["comment"]
        ),
        _("Thank you for your feedback."),
    )


@rule(SIGNED_IN)
def report_payment(request, pk):
    """'Report a request for an unofficial payment': open to the applicant and to staff in scope."""
    application = get_for_user(Application.objects.select_related("service", "unit"), request.user, pk=pk)
    form = PaymentReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ops.unofficial_payment_report(application=application, by=request.user, **form.cleaned_data)
        messages.success(
            request, _("Thank you. Your report was sent confidentially to the supervisors and auditors.")
        )
        return redirect(
            "services:my_application" if not request.user.is_staff else "services:queue_detail", pk=pk
        )
    return render(request, "services/report_payment.html", {"application": application, "form": form})


@rule(SIGNED_IN)
def attachment(request, pk, attachment_id):
    """An uploaded file, only to who may see the application; never shown inline from our origin."""
    application = get_for_user(Application.objects, request.user, pk=pk)
    item = get_for_user(Attachment.objects.filter(application=application), request.user, pk=attachment_id)
    if request.user.is_staff:
        audit_view(
            actor=request.user,
            obj=item,
            subject=application.applicant,
            unit=application.unit,
            what="attachment",
        )
    return file_response(item.file.open("rb"), filename=item.original_name, content_type=item.content_type)


# --------------------------------------------------------------------------------------------------
# Staff: queue and application page
# --------------------------------------------------------------------------------------------------
@rule(QUEUE_ROLES)
def queue(request):
    params = {
        "service": request.GET.get("service", ""),
        "status": request.GET.get("status", ""),
        "overdue": request.GET.get("overdue") == "1",
        "mine": request.GET.get("mine") == "1",
        "search": request.GET.get("q", "")[:100],
        "sort": request.GET.get("sort", "deadline"),
    }
    # Only the columns of the table: not the answers, nor the records' long texts.
    rows = selectors.queue_for(request.user, **params).only(
        "reference",
        "applicant_name",
        "status",
        "paused_at",
        "deadline",
        "service__name_km",
        "service__name_en",
        "unit__name_km",
        "unit__name_latin",
        "assigned_to__full_name",
    )
    queue = selectors.KeysThenRows(rows)
    page_obj = Paginator(queue, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "services/queue.html",
        {
            "page_obj": page_obj,
            "params": params,
            "services": Service.objects.order_by(name_order("name_km", "name_en")),
            "statuses": [s for s in Status if s != Status.DRAFT],
        },
    )


def _staff_application(request, pk, action="view") -> Application:
    return get_for_user(
        Application.objects.select_related("service", "service_version", "unit", "applicant", "assigned_to"),
        request.user,
        action=action,
        pk=pk,
    )


@rule(QUEUE_ROLES)
def queue_detail(request, pk):
    application = _staff_application(request, pk)
    audit_view(
        actor=request.user,
        obj=application,
        subject=application.applicant,
        unit=application.unit,
        what="application",
    )
    definition = _definition(application)
    can_change = Application.objects.visible_to(request.user, CHANGE).filter(pk=pk).exists()
    is_supervisor = ops._is_supervisor_for(request.user, application)
    return render(
        request,
        "services/queue_detail.html",
        {
            "application": application,
            "can_change": can_change,
            "is_supervisor": is_supervisor,
            "events": selectors.visible_events(application, for_staff=True),
            "rows": forms_engine.summary_rows(definition, application.answers, current_language()),
            "attachments": application.attachments.filter(replaced=False),
            "request_form": RequestInfoForm(
                forms_engine.field_choices(definition, current_language()),
                initial={"version": application.lock_version},
                auto_id="request_%s",
            ),
            "reason_form": ReasonForm(initial={"version": application.lock_version}, auto_id="refuse_%s"),
            "approve_form": OptionalReasonForm(
                initial={"version": application.lock_version}, auto_id="approve_%s"
            ),
            "escalate_form": OptionalReasonForm(auto_id="escalate_%s"),
            "message_form": TextForm(auto_id="message_%s"),
            "note_form": TextForm(auto_id="note_%s"),
            "assign_form": AssignForm(
                selectors.officers_for(application) if is_supervisor else [],
                initial={"version": application.lock_version},
                auto_id="assign_%s",
            ),
            "appeal_form": AppealDecisionForm(),
            "receipt_form": ReceiptForm(),
        },
    )


_ACTIONS = {
    # name: (form factory, handler)
    "claim": (
        lambda app, data: None,
        lambda req, app, form: ops.application_claim(
            application=app, by=req.user, expected_version=_version(req)
        ),
    ),
    "request-info": (
        lambda app, data: RequestInfoForm(
            forms_engine.field_choices(_definition(app), current_language()), data
        ),
        lambda req, app, form: ops.application_request_info(
            application=app,
            by=req.user,
            message=form.cleaned_data["message"],
            fields=form.cleaned_data["fields"],
            expected_version=_version(req),
        ),
    ),
    "approve": (
        lambda app, data: OptionalReasonForm(data),
        lambda req, app, form: ops.application_approve(
            application=app, by=req.user, reason=form.cleaned_data["reason"], expected_version=_version(req)
        ),
    ),
    "refuse": (
        lambda app, data: ReasonForm(data),
        lambda req, app, form: ops.application_refuse(
            application=app, by=req.user, reason=form.cleaned_data["reason"], expected_version=_version(req)
        ),
    ),
    "escalate": (
        lambda app, data: OptionalReasonForm(data),
        lambda req, app, form: ops.application_escalate(
            application=app, by=req.user, reason=form.cleaned_data["reason"]
        ),
    ),
    "message": (
        lambda app, data: TextForm(data),
        lambda req, app, form: ops.application_message(
            application=app, by=req.user, text=form.cleaned_data["text"]
        ),
    ),
    "note": (
        lambda app, data: TextForm(data),
        lambda req, app, form: ops.application_note(
            application=app, by=req.user, text=form.cleaned_data["text"]
        ),
    ),
    "assign": (
        lambda app, data: AssignForm(selectors.officers_for(app), data),
        lambda req, app, form: ops.application_assign(
            application=app,
            by=req.user,
            to=_assignee(form.cleaned_data),
            expected_version=_version(req),
        ),
    ),
    "payment": (
        lambda app, data: ReceiptForm(data),
        lambda req, app, form: ops.payment_record(
            application=app, by=req.user, receipt_number=form.cleaned_data["receipt_number"]
        ),
    ),
    "appeal-decision": (
        lambda app, data: AppealDecisionForm(data),
        lambda req, app, form: ops.appeal_decide(
            appeal=app.appeal,
            by=req.user,
            upheld=form.cleaned_data["outcome"] == "upheld",
            reason=form.cleaned_data["reason"],
        ),
    ),
}


def _version(request) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _assignee(data: dict):
    """The officer an assignment names: the one chosen in the list, or the staff member with the e-mail."""
    from nokor.accounts.models import User

    if data["officer"]:
        return get_object_or_404(User, pk=data["officer"], is_staff=True)
    officer = selectors.officer_by_email(data["email"])
    if officer is None:
        raise ops.ServiceError(_("No officer has this e-mail address."))
    return officer


@rule(staff_with(Role.SERVICE_OFFICER, Role.SERVICE_SUPERVISOR))
@require_POST
def queue_action(request, pk, action):
    """Every officer action on an application: parse, authorise, call one service, come back."""
    if action not in _ACTIONS:
        raise Http404
    application = _staff_application(request, pk, action=CHANGE)
    make_form, handler = _ACTIONS[action]
    form = make_form(application, request.POST)
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("services:queue_detail", pk=pk)
    try:
        handler(request, application, form)
    except ops.ConcurrentChange as error:
        messages.warning(request, str(error))
    except ops.ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Done."))
    return redirect("services:queue_detail", pk=pk)


@rule(staff_with(Role.SERVICE_SUPERVISOR, Role.AUDITOR))
def integrity_reports(request):
    from nokor.services.models import UnofficialPaymentReport

    reports = UnofficialPaymentReport.objects.visible_to(request.user).select_related("application", "unit")
    page_obj = Paginator(reports, 25).get_page(request.GET.get("page"))
    for report in page_obj:
        audit_view(
            actor=request.user, obj=report, subject=report.reporter, unit=report.unit, what="integrity report"
        )
    return render(request, "services/integrity_reports.html", {"page_obj": page_obj})


@rule(PUBLIC)
@replica_reads
def performance(request):
    """Public performance: per service for the country, and per province for one service (last 12 months)."""
    from nokor.geography.models import AdministrativeUnit, Level
    from nokor.services.models import PerformanceAggregate

    cells = PerformanceAggregate.objects.filter(period=PerformanceAggregate.LAST_12_MONTHS).select_related(
        "service"
    )
    national = [c for c in cells.filter(province_code="").order_by("service__name_en")]
    chosen = request.GET.get("service", "")
    by_province = []
    if chosen:
        provinces = {u.code: u for u in AdministrativeUnit.objects.filter(level=Level.PROVINCE)}
        by_province = [
            (provinces.get(c.province_code), c)
            for c in cells.filter(service__slug=chosen).exclude(province_code="").order_by("province_code")
        ]
    computed_at = max((c.computed_at for c in national), default=None)
    return render(
        request,
        "services/performance.html",
        {
            "national": national,
            "by_province": by_province,
            "chosen": chosen,
            "computed_at": computed_at,
        },
    )
