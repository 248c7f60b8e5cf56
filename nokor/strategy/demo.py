"""Demo data of the strategy app (`seed_demo`): the Digital Strategy Plan 2023-2027 with its demo
targets, and the Kandal focal point's reports for the last finished quarter — one approved (awareness
sessions on online scams), one waiting for approval (digital skills training) — then the aggregate
table, so the dashboards have something to show. Idempotent: reports are found by activity, period and
unit."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from nokor.accounts.models import User
from nokor.strategy import aggregation, reporting
from nokor.strategy.loader import load_plan
from nokor.strategy.models import Activity, ProgressReport, ReportingPeriod

FOCAL_POINT = "focal.kandal@demo.nokor.gov.kh"
APPROVER = "approver@demo.nokor.gov.kh"
# (activity, narrative, values {(unit_code, sex): value}, approved)
REPORTS = [
    (
        "3.3.1",
        "Four awareness sessions on online scams in Kandal Stueng and Ta Khmau.",
        {("08", "female"): Decimal(420), ("08", "male"): Decimal(380)},
        True,
    ),
    (
        "1.1.2",
        "Two digital skills courses for district staff of Kandal.",
        {("08", "female"): Decimal(38), ("08", "male"): Decimal(47)},
        False,
    ),
]


def last_finished_period() -> ReportingPeriod | None:
    today = timezone.localdate()
    periods = [p for p in ReportingPeriod.objects.order_by("-year", "-quarter") if p.end < today]
    return periods[0] if periods else None


@transaction.atomic
def seed() -> None:
    plan = load_plan()
    focal_point = User.objects.filter(email=FOCAL_POINT).first()
    approver = User.objects.filter(email=APPROVER).first()
    period = last_finished_period()
    if focal_point is None or approver is None or period is None:
        return
    unit = reporting.reporting_units(focal_point)[0]
    for code, narrative, values, approved in REPORTS:
        activity = Activity.objects.get(objective__strategy__plan=plan, code=code)
        if ProgressReport.objects.filter(activity=activity, period=period, unit=unit).exists():
            continue
        report = reporting.report_create(by=focal_point, activity=activity, period=period, unit=unit)
        cells = {(cell.unit_code, cell.sex): cell.name for cell in reporting.value_cells(report)}
        report = reporting.report_update(
            by=focal_point,
            report=report,
            expected_version=report.lock_version,
            activity_status="in_progress",
            narrative=narrative,
            risks="",
            budget_spent=None,
            values={cells[key]: value for key, value in values.items() if key in cells},
        )
        report = reporting.report_submit(by=focal_point, report=report)
        if approved:
            reporting.report_approve(by=approver, report=report, comment="")
    aggregation.refresh()
