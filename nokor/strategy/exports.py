"""Downloads of the plan's status for leadership: the full plan as an Excel workbook (strategies >
objectives > activities > indicators, with baseline, targets, latest values and traffic lights, in the
reader's language) and the progress report for the minister as a PDF in Khmer (WeasyPrint through
``documents.rendering.html_to_pdf``: the Khmer font installed on the server, nothing fetched).

Both read the framework and the aggregate table (:mod:`nokor.strategy.status`), are generated on
request (never stored) and every download is an audit event.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nokor.audit.services import audit_record
from nokor.core.access import rule
from nokor.documents.rendering import html_to_pdf
from nokor.strategy import status as plan
from nokor.strategy.models import YEARS, Activity
from nokor.strategy.views_dashboard import DASHBOARD_RULE, indicator_row, private


def _safe_text(value: Any) -> Any:
    """Text a spreadsheet program would run as a formula gets a leading quote (titles are typed in)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def plan_rows(status: plan.PlanStatus, activities: list[Activity]) -> list[list[Any]]:
    """The rows of the workbook, header first: one per strategy, objective, activity and indicator, in
    the order of the plan."""
    years = list(status.plan.years) if status.plan else list(YEARS)
    header = [
        _("Level"),
        _("Code"),
        _("Title"),
        _("Responsible"),
        _("Status"),
        _("Budget planned (riel)"),
        _("Budget spent (riel)"),
        _("Unit of measure"),
        _("Baseline"),
        _("Baseline year"),
        *(_("Target %(year)s") % {"year": year} for year in years),
        _("Latest value"),
        _("Period"),
        _("Expected (target)"),
        _("Traffic light"),
    ]
    width = len(header)
    rows: list[list[Any]] = [header]

    def line(*cells: Any, light: Any = None) -> list[Any]:
        row = list(cells) + [None] * (width - len(cells) - 1)
        row.append(plan.light_label(light))
        return row

    by_objective: dict[int, list[Activity]] = {}
    for activity in activities:
        by_objective.setdefault(activity.objective_id, []).append(activity)
    for strategy in status.strategies:
        statuses = status.of_strategy(strategy)
        rows.append(
            line(
                _("Strategy"),
                strategy.code,
                strategy.title,
                light=plan.combined_light(s.light for s in statuses),
            )
        )
        for objective in strategy.objectives.all():
            of_objective = status.of_objective(objective)
            rows.append(
                line(
                    _("Objective"),
                    objective.code,
                    objective.title,
                    light=plan.combined_light(s.light for s in of_objective),
                )
            )
            for activity in by_objective.get(objective.pk, []):
                row = [
                    _("Activity"),
                    activity.code,
                    activity.title,
                    activity.department or (activity.unit.name if activity.unit else ""),
                    activity.get_status_display(),
                    activity.budget_planned,
                    activity.budget_spent,
                ]
                rows.append(row + [None] * (width - len(row)))
            for indicator_status in of_objective:
                indicator = indicator_status.indicator
                latest = indicator_status.latest
                baseline = indicator_status.baseline
                rows.append(
                    [
                        _("Indicator"),
                        indicator.code,
                        indicator.title,
                        "",
                        "",
                        None,
                        None,
                        indicator.get_unit_display(),
                        _number(baseline[1]) if baseline else None,
                        baseline[0] if baseline else None,
                        *(_number(indicator_status.targets.get(year)) for year in years),
                        _number(latest.value) if latest else None,
                        latest.label if latest else "",
                        _number(indicator_status.expected),
                        plan.light_label(indicator_status.light),
                    ]
                )
    return rows


def plan_workbook(status: plan.PlanStatus, activities: list[Activity]) -> bytes:
    """The plan status as an Excel workbook: one sheet, numbers as numbers, the header in bold."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Plan status")[:31]
    for index, row in enumerate(plan_rows(status, activities), start=1):
        sheet.append([_safe_text(value) for value in row])
        if index == 1:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "D2"
    sheet.column_dimensions["C"].width = 60
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _activities(user: Any, status: plan.PlanStatus) -> list[Activity]:
    return list(
        Activity.objects.visible_to(user)
        .filter(objective__strategy__plan=status.plan)
        .select_related("unit")
        .order_by("objective_id", "position", "code")
    )


@rule(DASHBOARD_RULE)
def plan_status_excel(request: HttpRequest) -> HttpResponse:
    """The full plan status as Excel, in the reader's language (audited)."""
    status = plan.plan_status(user=request.user)
    activities = _activities(request.user, status)
    content = plan_workbook(status, activities)
    audit_record(
        action="strategy.plan_status_export",
        actor=request.user,
        details={"format": "xlsx", "indicators": len(status.indicators), "size": len(content)},
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="nokor-plan-status-{stamp}.xlsx"'
    return private(response)


def progress_report_html(status: plan.PlanStatus) -> str:
    """The minister's progress report as HTML, in Khmer whatever the reader's language."""
    with translation.override("km"):
        years = status.plan.years if status.plan else YEARS
        strategies = []
        for strategy in status.strategies:
            statuses = status.of_strategy(strategy)
            strategies.append(
                {
                    "code": strategy.code,
                    "title": strategy.title_km,
                    "light": plan.light_view(plan.combined_light(s.light for s in statuses)),
                    "indicators": [
                        {
                            **indicator_row(s),
                            "title": s.indicator.title_km,
                            "chart": plan.indicator_chart(s, years),
                        }
                        for s in statuses
                    ],
                }
            )
        return render_to_string(
            "strategy/export_report_pdf.html",
            {
                "plan_title": status.plan.title_km if status.plan else "",
                "strategies": strategies,
                "generated_on": timezone.localdate(),
                "demo_targets": any(s.demo_targets for s in status.indicators.values()),
            },
        )


@rule(DASHBOARD_RULE)
def progress_report_pdf(request: HttpRequest) -> HttpResponse:
    """The progress report for the minister, in Khmer, as PDF (audited)."""
    status = plan.plan_status(user=request.user)
    pdf = html_to_pdf(progress_report_html(status))
    audit_record(
        action="strategy.progress_report_export",
        actor=request.user,
        details={"format": "pdf", "indicators": len(status.indicators), "size": len(pdf)},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="nokor-plan-progress-{stamp}.pdf"'
    return private(response)
