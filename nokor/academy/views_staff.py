"""The academy's staff pages: assignment rules of mandatory training (trainers), the training report
with its exports and the overdue list (trainers and managers), and the bulk import of staff
(administrators). Every page works in the reader's unit scope; a record outside it is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nokor.academy import assignments, imports, reports
from nokor.academy.forms_staff import ImportForm, RuleForm
from nokor.academy.models import REPORT_VIEWERS, TRAINERS, AssignmentRule, Course
from nokor.accounts.roles import Role
from nokor.audit.services import audit_record, audit_view
from nokor.core import tabular_import
from nokor.core.access import get_for_user, rule, staff_with

TRAINER_PAGES = staff_with(*TRAINERS)
REPORT_PAGES = staff_with(*REPORT_VIEWERS)
IMPORT_PAGES = staff_with(*imports.IMPORTER_ROLES)
PAGE_SIZE = 50


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


@rule(staff_with(*(REPORT_VIEWERS | imports.IMPORTER_ROLES)))
def staff_home(request: HttpRequest) -> HttpResponse:
    """The academy's staff pages, those the reader's roles open."""
    user = request.user
    context = {
        "can_assign": user.has_any_role(TRAINERS),
        "can_report": user.has_any_role(REPORT_VIEWERS),
        "can_import": user.has_any_role(imports.IMPORTER_ROLES),
    }
    return _private(render(request, "academy/staff/home.html", context))


# --------------------------------------------------------------------------------------------------
# Assignment rules
# --------------------------------------------------------------------------------------------------
def _role_labels(values: list[str]) -> str:
    labels = dict(Role.choices)
    return ", ".join(str(labels.get(value, value)) for value in values) or _("Every staff role")


@rule(REPORT_PAGES)
def rule_list(request: HttpRequest) -> HttpResponse:
    """The assignment rules of the reader's units, with how many people each has enrolled."""
    rules = (
        assignments.rules_in_scope(request.user)
        .select_related("course", "unit")
        .order_by("-is_active", "-created_at")
    )
    page_obj = Paginator(rules, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = assignments.rule_counts([item.pk for item in page_obj])
    for item in page_obj:
        item.role_labels = _role_labels(item.roles)
        item.enrolled, item.completed = counts.get(item.pk, (0, 0))
    context = {"page_obj": page_obj, "can_assign": request.user.has_any_role(TRAINERS)}
    return _private(render(request, "academy/staff/rules.html", context))


def _rule_form_page(request: HttpRequest, form: RuleForm, item: AssignmentRule | None) -> HttpResponse:
    return _private(render(request, "academy/staff/rule_form.html", {"form": form, "rule": item}))


def _save(request: HttpRequest, form: RuleForm, item: AssignmentRule | None) -> HttpResponse | None:
    data = form.cleaned_data
    try:
        saved, counts = assignments.rule_save(
            by=request.user,
            rule=item,
            course=data["course"],
            roles=data["roles"],
            unit=data["unit"],
            due_days=data["due_days"],
            due_on=data["due_on"],
            recertify_months=data["recertify_months"],
            version=data["version"] or None,
        )
    except assignments.RuleError as error:
        if str(error) == "stale":
            form.add_error(
                None, _("Someone else changed this rule while you were editing it. Check it and save again.")
            )
        else:
            form.add_error("unit", _("This unit is outside the units you manage."))
        return None
    messages.success(
        request,
        _("Rule saved. %(enrolled)s people enrolled, %(assigned)s enrolments made mandatory.")
        % {"enrolled": counts["enrolled"], "assigned": counts["assigned"]},
    )
    return redirect("academy:staff_rules")


@rule(TRAINER_PAGES)
def rule_create(request: HttpRequest) -> HttpResponse:
    """A new assignment rule; saving it enrols the matching staff at once."""
    form = RuleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        done = _save(request, form, None)
        if done is not None:
            return done
    return _rule_form_page(request, form, None)


@rule(TRAINER_PAGES)
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a rule of the trainer's units (a rule changed by someone else meanwhile is refused)."""
    item = get_for_user(
        AssignmentRule.objects.select_related("course", "unit"), request.user, action="change", pk=pk
    )
    initial = {
        "course": item.course,
        "roles": item.roles,
        "unit": item.unit,
        "due_days": item.due_days,
        "due_on": item.due_on,
        "recertify_months": item.recertify_months,
        "version": item.updated_at.isoformat(),
    }
    form = RuleForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = _save(request, form, item)
        if done is not None:
            return done
    return _rule_form_page(request, form, item)


@rule(TRAINER_PAGES)
@require_POST
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate a rule, or activate it again."""
    item = get_for_user(AssignmentRule.objects, request.user, action="change", pk=pk)
    active = request.POST.get("active") == "1"
    try:
        assignments.rule_set_active(by=request.user, rule=item, active=active)
    except assignments.RuleError as error:
        raise PermissionDenied from error
    messages.success(request, _("The rule is active again.") if active else _("The rule is deactivated."))
    return redirect("academy:staff_rules")


# --------------------------------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------------------------------
def _course_param(request: HttpRequest, choices: list[Course] | None = None) -> Course | None:
    """The course asked for, among those the reader may see (``choices`` when already read)."""
    slug = request.GET.get("course", "")
    if not slug:
        return None
    if choices is not None:
        course = next((course for course in choices if course.slug == slug), None)
    else:
        course = Course.objects.visible_to(request.user).filter(slug=slug).first()
    if course is None:
        raise Http404
    return course


def _unit_param(request: HttpRequest) -> str | None:
    code = request.GET.get("unit")
    if code is None:
        return None
    code = code.strip()
    if code and not code.isdigit():
        raise Http404
    return code


def page_cell(value: object) -> str:
    """How a figure is written on the page; the exports write the same value."""
    return "—" if value is None else str(value)


@rule(REPORT_PAGES)
def report(request: HttpRequest) -> HttpResponse:
    """Completion, pass rates, overdue and learning gain by course, or by unit for one course."""
    courses = reports.report_courses(request.user)
    course = _course_param(request, courses)
    table = reports.completion_report(user=request.user, course=course, unit_code=_unit_param(request))
    rows = []
    for row in table.all_rows():
        cells = [page_cell(value) for value in row.cells()]
        if row.drill_url:
            cells[0] = format_html('<a href="{}">{}</a>', row.drill_url, cells[0])
        rows.append(cells)
    query = request.GET.urlencode()
    context = {
        "table": table,
        "columns": [{"label": label} for label in table.columns],
        "rows": rows,
        "courses": courses,
        "course": course,
        "query": query,
        "overdue_query": reports.overdue_link(course, table.unit_code),
        "refresh_minutes": reports.REFRESH_MINUTES,
    }
    return _private(render(request, "academy/staff/report.html", context))


@rule(REPORT_PAGES)
def report_export(request: HttpRequest, file_format: str) -> HttpResponse:
    """The report on the screen as CSV or Excel: the same rows, the same numbers."""
    if file_format not in ("csv", "xlsx"):
        raise Http404
    course = _course_param(request)
    table = reports.completion_report(user=request.user, course=course, unit_code=_unit_param(request))
    if file_format == "csv":
        response = HttpResponse(reports.export_csv(table), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            reports.export_xlsx(table),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    subject = course.slug if course else "courses"
    name = f"nokor-training-{subject}-{table.unit_code or 'kh'}-{timezone.localdate()}"
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    audit_record(
        action="academy.report_export",
        actor=request.user,
        details={
            "format": file_format,
            "course": course.slug if course else None,
            "unit": table.unit_code,
            "rows": len(table.all_rows()),
        },
    )
    return _private(response)


@rule(REPORT_PAGES)
def overdue(request: HttpRequest) -> HttpResponse:
    """People whose mandatory training is past its due date, in the reader's units (each view of a
    person's record is audited)."""
    courses = reports.report_courses(request.user)
    course = _course_param(request, courses)
    unit_code = _unit_param(request) or ""
    prefixes = reports.report_prefixes(request.user)
    if unit_code and not reports.in_scope(unit_code, prefixes):
        raise Http404
    today = timezone.localdate()
    enrolments = reports.overdue_enrolments(
        user=request.user, course=course, unit_code=unit_code, today=today
    )
    page_obj = Paginator(enrolments, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for enrolment in page_obj:
        audit_view(
            actor=request.user,
            obj=enrolment,
            subject=enrolment.user,
            unit=enrolment.unit,
            what="overdue training",
        )
        rows.append(
            [
                enrolment.user.full_name or str(enrolment.user),
                enrolment.unit.name if enrolment.unit_id else "—",
                enrolment.course.title,
                enrolment.due_on.strftime("%d/%m/%Y"),
                (today - enrolment.due_on).days,
                f"{enrolment.progress_percent()} %",
            ]
        )
    context = {
        "page_obj": page_obj,
        "rows": rows,
        "columns": [
            {"label": _("Name")},
            {"label": _("Unit")},
            {"label": _("Course")},
            {"label": _("Due")},
            {"label": _("Days overdue")},
            {"label": _("Progress")},
        ],
        "courses": courses,
        "course": course,
        "unit_code": unit_code,
    }
    return _private(render(request, "academy/staff/overdue.html", context))


# --------------------------------------------------------------------------------------------------
# Staff import
# --------------------------------------------------------------------------------------------------
@rule(IMPORT_PAGES)
def import_start(request: HttpRequest) -> HttpResponse:
    """Upload a file of staff; its dry run starts in the background."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            import_id = imports.import_start(
                by=request.user,
                filename=upload.name,
                data=upload.read(),
                default_role=form.cleaned_data["default_role"],
            )
        except imports.StaffImportError as error:
            form.add_error("file", imports.error_message(str(error), {}))
        else:
            return redirect("academy:staff_import_status", import_id=import_id)
    return _private(render(request, "academy/staff/import_start.html", {"form": form}))


@rule(IMPORT_PAGES)
def import_status(request: HttpRequest, import_id) -> HttpResponse:
    """Progress of an import (htmx polls this page; without JavaScript it refreshes itself), then the
    outcome of every row, and the button that imports for real when all rows are good."""
    meta, status = imports.import_get(user=request.user, import_id=str(import_id))
    state_context = tabular_import.status_context(status, imports.error_message)
    running = state_context["running"]
    only_errors = request.GET.get("only") == "errors"
    outcomes = [] if running else imports.import_rows(str(import_id))
    shown = [row for row in outcomes if row["errors"]] if only_errors else outcomes
    page_obj = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    role_labels = dict(Role.choices)
    rows = []
    for row in page_obj:
        problems = [imports.error_message(code, params) for code, params in row["errors"]]
        rows.append(
            {
                "cells": [
                    row["row"],
                    row["name"],
                    row["email"] or "—",
                    row["phone"] or "—",
                    f"{row['unit']} {row['unit_name']}".strip() or "—",
                    row["position"] or "—",
                    role_labels.get(row["role"], row["role"]),
                ],
                "problems": problems,
            }
        )
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
            _("Name"),
            _("E-mail"),
            _("Phone"),
            _("Unit"),
            _("Position"),
            _("Role"),
        ],
    }
    return _private(render(request, "academy/staff/import_status.html", context))


@rule(IMPORT_PAGES)
@require_POST
def import_confirm(request: HttpRequest, import_id) -> HttpResponse:
    """Import for real a file whose check found no error (checked again, in one transaction)."""
    try:
        imports.import_confirm(by=request.user, import_id=str(import_id))
    except imports.StaffImportError:
        messages.error(request, _("This file cannot be imported: check its rows first."))
    return redirect("academy:staff_import_status", import_id=import_id)


@rule(IMPORT_PAGES)
def import_sample(request: HttpRequest) -> HttpResponse:
    """A CSV file to start from."""
    response = HttpResponse(imports.sample_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="nokor-staff-import.csv"'
    return response
