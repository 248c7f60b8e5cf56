"""Quarterly progress reports: a focal point drafts the report of an activity for their unit (progress,
risks, evidence, the values of the activity's manual indicators), submits it; an approver approves it
(it is then locked, and the aggregates are refreshed) or returns it with a comment, and the focal point
corrects and submits it again. Every step is audited and written to the report's timeline; the approvers
are told of a submission, the author of a decision. Concurrent edits are refused (optimistic lock)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nokor.accounts.models import RoleAssignment, User
from nokor.accounts.roles import Role
from nokor.audit.services import audit_record
from nokor.core.tasks import enqueue
from nokor.core.uploads import EXTENSIONS, SUPPORTED_TYPES, sha256_hex, validate_upload
from nokor.geography.models import AdministrativeUnit, Level
from nokor.notifications.models import Channel, Message
from nokor.notifications.services import notify
from nokor.strategy.models import (
    REPORTERS,
    Activity,
    Evidence,
    Indicator,
    IndicatorValue,
    ProgressReport,
    ReportEvent,
    ReportingPeriod,
    Sex,
    Status,
)

EVIDENCE_MAX_MB = 10
State = ProgressReport.State


class ReportError(Exception):
    """A change refused: the message is for the person who tried (translated)."""


class ConcurrentChange(ReportError):
    """Someone else changed the report since the page was loaded."""


# --------------------------------------------------------------------------------------------------
# Reads the workflow needs
# --------------------------------------------------------------------------------------------------
def current_period(today: dt.date | None = None) -> ReportingPeriod | None:
    """The period being reported on: the first whose deadline has not passed (the running quarter,
    until its reports are due)."""
    today = today or timezone.localdate()
    return ReportingPeriod.objects.filter(deadline__gte=today).order_by("year", "quarter").first()


def reporting_units(user: Any) -> list[AdministrativeUnit | None]:
    """The units a focal point reports for: the units of their focal-point roles (None: the country)."""
    units = []
    for assignment in user.active_roles:
        if assignment.role in REPORTERS:
            units.append(assignment.unit)
    return sorted(units, key=lambda unit: unit.code if unit else "")


def activity_concerns(activity: Activity, unit: AdministrativeUnit | None) -> bool:
    """Whether ``unit`` reports on ``activity``: the activity is the country's, or the unit lies in the
    responsible unit's subtree (or contains it)."""
    if activity.unit_id is None or unit is None:
        return True
    return unit.code.startswith(activity.unit.code) or activity.unit.code.startswith(unit.code)


@dataclass(frozen=True)
class Cell:
    """One value a report asks for: an indicator for a province ('' = the country) and a sex."""

    indicator: Indicator
    unit_code: str
    sex: str

    @property
    def name(self) -> str:
        """The form field's name."""
        return f"v-{self.indicator.pk}-{self.unit_code or 'all'}-{self.sex or 'all'}"


def value_cells(report: ProgressReport, provinces: list[AdministrativeUnit] | None = None) -> list[Cell]:
    """The values the report asks for: each manual indicator of its activity, per province when the
    indicator is disaggregated by province and the report is the country's, per sex when it is
    disaggregated by sex."""
    indicators = list(report.activity.indicators.filter(source=Indicator.Source.MANUAL))
    own = report.unit_code[:2]
    cells = []
    for indicator in indicators:
        if indicator.by_province and not own:
            if provinces is None:
                provinces = list(AdministrativeUnit.objects.current().filter(level=Level.PROVINCE))
            codes = [unit.code for unit in provinces]
        else:
            codes = [own]
        sexes = [Sex.FEMALE.value, Sex.MALE.value] if indicator.by_sex else [Sex.ALL.value]
        cells.extend(Cell(indicator, code, sex) for code in codes for sex in sexes)
    return cells


def get_report_for_user(user: Any, pk: int, *, action: str = "view") -> ProgressReport:
    """A report through the access layer: 404 outside the user's units, 403 without the right."""
    from nokor.core.access import get_for_user

    return get_for_user(
        ProgressReport.objects.select_related("activity", "period", "unit"), user, action=action, pk=pk
    )


# --------------------------------------------------------------------------------------------------
# Changes
# --------------------------------------------------------------------------------------------------
def _event(report: ProgressReport, kind: str, by: Any, comment: str = "") -> None:
    ReportEvent.objects.create(report=report, kind=kind, by=by, comment=comment)


def _audit(action: str, by: Any, report: ProgressReport, **details: Any) -> None:
    audit_record(
        action=f"strategy.report_{action}",
        actor=by,
        obj=report,
        unit=report.unit,
        details={"state": report.state, **details},
    )


@transaction.atomic
def report_create(
    *, by: Any, activity: Activity, period: ReportingPeriod, unit: AdministrativeUnit | None
) -> ProgressReport:
    """Start (or reopen) the draft of a focal point's report on an activity for one of their units."""
    if unit not in reporting_units(by):
        raise PermissionDenied
    if not activity_concerns(activity, unit):
        raise ReportError(_("Your unit does not report on this activity."))
    report, created = ProgressReport.objects.get_or_create(
        activity=activity, period=period, unit=unit, defaults={"author": by}
    )
    if created:
        _event(report, ReportEvent.Kind.CREATED, by)
        _audit("create", by, report)
    return report


def _locked_for_edit(report: ProgressReport, expected_version: int | None) -> ProgressReport:
    current = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if expected_version is not None and current.lock_version != expected_version:
        raise ConcurrentChange(
            _("Someone else changed this report while you were editing it. Check it and save again.")
        )
    if not current.is_editable:
        raise ReportError(
            _("This report can no longer be changed: it is %(state)s.")
            % {"state": current.get_state_display().lower()}
        )
    return current


@transaction.atomic
def report_update(
    *,
    by: Any,
    report: ProgressReport,
    expected_version: int | None,
    activity_status: str,
    narrative: str,
    risks: str,
    budget_spent: int | None,
    values: dict[str, Decimal | None],
) -> ProgressReport:
    """Save a draft (or a returned report): its progress and the values of its cells (by cell name;
    None clears a value). Refused when approved or submitted, or changed by someone else meanwhile."""
    current = _locked_for_edit(report, expected_version)
    if activity_status not in Status.values:
        raise ReportError(_("Choose the status of the activity."))
    current.activity_status = activity_status
    current.narrative = narrative
    current.risks = risks
    current.budget_spent = budget_spent
    current.lock_version += 1
    current.save(
        update_fields=["activity_status", "narrative", "risks", "budget_spent", "lock_version", "updated_at"]
    )
    existing = {(v.indicator_id, v.unit_code, v.sex): v for v in current.values.all()}
    changed = 0
    for cell in value_cells(current):
        if cell.name not in values:
            continue
        value = values[cell.name]
        found = existing.get((cell.indicator.pk, cell.unit_code, cell.sex))
        if value is None:
            if found is not None:
                found.delete()
                changed += 1
            continue
        cell.indicator.check_value(value)
        if found is None:
            IndicatorValue.objects.create(
                report=current,
                indicator=cell.indicator,
                period=current.period,
                unit_code=cell.unit_code,
                sex=cell.sex,
                value=value,
            )
            changed += 1
        elif found.value != value:
            found.value = value
            found.save(update_fields=["value"])
            changed += 1
    _audit("update", by, current, values_changed=changed)
    return current


@transaction.atomic
def evidence_add(*, by: Any, report: ProgressReport, uploaded_file: Any) -> Evidence:
    """Attach a file of evidence (PDF, JPEG or PNG, checked by its bytes) to an editable report."""
    current = _locked_for_edit(report, None)
    content_type = validate_upload(uploaded_file, SUPPORTED_TYPES, EVIDENCE_MAX_MB)
    evidence = Evidence(
        report=current,
        name=(uploaded_file.name or "evidence")[:200],
        content_type=content_type,
        size=uploaded_file.size,
        sha256=sha256_hex(uploaded_file),
        uploaded_by=by,
    )
    evidence.file.save(f"{current.pk}{EXTENSIONS[content_type]}", uploaded_file, save=False)
    evidence.save()
    _audit("evidence_add", by, current, evidence=evidence.pk, sha256=evidence.sha256)
    return evidence


def approvers_of(report: ProgressReport) -> list[User]:
    """The approvers whose scope covers the report's unit."""
    codes = [""] + (report.unit.ancestor_codes() if report.unit_id else [])
    scope = Q(unit__isnull=True) | Q(unit__code__in=[c for c in codes if c])
    user_ids = (
        RoleAssignment.objects.active()
        .filter(scope, role=Role.STRATEGY_APPROVER)
        .values_list("user_id", flat=True)
    )
    return list(User.objects.filter(pk__in=user_ids, is_active=True))


def _context(report: ProgressReport) -> dict[str, Any]:
    return {
        "activity": f"{report.activity.code} {report.activity.title_km}",
        "period": str(report.period),
        "unit": report.unit.name if report.unit_id else "",
    }


@transaction.atomic
def report_submit(*, by: Any, report: ProgressReport, expected_version: int | None = None) -> ProgressReport:
    """Send a draft (or a corrected returned report) for approval, and tell the approvers."""
    current = _locked_for_edit(report, expected_version)
    current.state = State.SUBMITTED
    current.submitted_at = timezone.now()
    current.lock_version += 1
    current.save(update_fields=["state", "submitted_at", "lock_version", "updated_at"])
    _event(current, ReportEvent.Kind.SUBMITTED, by)
    _audit("submit", by, current)
    link = reverse("strategy:report_detail", args=[current.pk])
    for approver in approvers_of(current):
        notify(
            user=approver,
            event="strategy.report_submitted",
            context={**_context(current), "author": by.full_name or by.email, "link": link},
            key=f"strategy.report_submitted:{current.pk}:{current.lock_version}:{approver.pk}",
            link=link,
        )
    return current


def _decide(*, by: Any, report: ProgressReport, state: str, kind: str, comment: str) -> ProgressReport:
    current = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if not ProgressReport.objects.visible_to(by, "approve").filter(pk=current.pk).exists():
        raise PermissionDenied
    if current.state != State.SUBMITTED:
        raise ReportError(_("Only a submitted report can be approved or returned."))
    current.state = state
    current.decided_at = timezone.now()
    current.decided_by = by
    current.lock_version += 1
    current.save(update_fields=["state", "decided_at", "decided_by", "lock_version", "updated_at"])
    _event(current, kind, by, comment)
    _audit(kind, by, current, comment=comment)
    if current.author_id:
        link = reverse("strategy:report_detail", args=[current.pk])
        notify(
            user=current.author,
            event=f"strategy.report_{kind}",
            context={**_context(current), "comment": comment, "link": link},
            key=f"strategy.report_{kind}:{current.pk}:{current.lock_version}",
            link=link,
        )
    return current


@transaction.atomic
def report_approve(*, by: Any, report: ProgressReport, comment: str = "") -> ProgressReport:
    """Approve a submitted report: it is locked, and its indicators' aggregates are refreshed."""
    from nokor.strategy.tasks import refresh_indicators

    current = _decide(
        by=by, report=report, state=State.APPROVED, kind=ReportEvent.Kind.APPROVED, comment=comment
    )
    indicator_ids = list(current.values.values_list("indicator_id", flat=True).distinct())
    if indicator_ids:
        enqueue(refresh_indicators, indicator_ids=sorted(indicator_ids))
    return current


@transaction.atomic
def report_return(*, by: Any, report: ProgressReport, comment: str) -> ProgressReport:
    """Return a submitted report to its author with a comment saying what to correct."""
    if not comment.strip():
        raise ReportError(_("Write what the focal point should correct."))
    return _decide(
        by=by, report=report, state=State.RETURNED, kind=ReportEvent.Kind.RETURNED, comment=comment
    )


# --------------------------------------------------------------------------------------------------
# Who has reported
# --------------------------------------------------------------------------------------------------
def overview(period: ReportingPeriod, user: Any) -> dict[str, Any]:
    """Units × activities for a period: the state of each report, or None where none was started. The
    units are the focal points' units the viewer may see; one query for the reports."""
    visible_prefixes = user.unit_prefixes_for({Role.STRATEGY_APPROVER, Role.AUDITOR, Role.ADMINISTRATOR})
    visible_prefixes = visible_prefixes or user.unit_prefixes_for(REPORTERS) or set()
    focal_units = {
        assignment.unit
        for assignment in RoleAssignment.objects.active().filter(role__in=REPORTERS).select_related("unit")
    }
    units = sorted(
        (
            unit
            for unit in focal_units
            if "" in visible_prefixes or (unit and any(unit.code.startswith(p) for p in visible_prefixes))
        ),
        key=lambda unit: unit.code if unit else "",
    )
    activities = list(
        Activity.objects.visible_to(user)
        .select_related("unit")
        .order_by("objective__strategy__position", "code")
    )
    reports = {
        (r.activity_id, r.unit_id): r
        for r in ProgressReport.objects.visible_to(user, "view")
        .filter(period=period)
        .only("pk", "activity_id", "unit_id", "state")
    }
    rows = []
    for unit in units:
        cells = [
            reports.get((activity.pk, unit.pk if unit else None))
            if activity_concerns(activity, unit)
            else False
            for activity in activities
        ]
        rows.append({"unit": unit, "cells": cells})
    return {"activities": activities, "rows": rows}


def reminders_send(*, today: dt.date | None = None, before_days: int = 7) -> int:
    """Remind each focal point whose reports for the period are not all submitted: once in the week
    before the deadline, once after it. Idempotent: the notification key is the period, the person and
    the kind of reminder, so a second run sends nothing more. Returns how many people were reminded."""
    today = today or timezone.localdate()
    due = ReportingPeriod.objects.filter(
        deadline__gte=today, deadline__lte=today + dt.timedelta(days=before_days)
    ).first()
    overdue = (
        ReportingPeriod.objects.filter(deadline__lt=today, deadline__gte=today - dt.timedelta(days=30))
        .order_by("-deadline")
        .first()
    )
    reminded = 0
    activities = list(
        Activity.objects.select_related("unit").exclude(status__in=(Status.COMPLETED, Status.CANCELLED))
    )
    for period, event in ((due, "strategy.report_due"), (overdue, "strategy.report_overdue")):
        if period is None:
            continue
        done = set(
            ProgressReport.objects.filter(
                period=period, state__in=(State.SUBMITTED, State.APPROVED)
            ).values_list("activity_id", "unit_id")
        )
        assignments = (
            RoleAssignment.objects.active().filter(role__in=REPORTERS).select_related("user", "unit")
        )
        for assignment in assignments:
            unit = assignment.unit
            missing = sum(
                1
                for activity in activities
                if activity_concerns(activity, unit) and (activity.pk, assignment.unit_id) not in done
            )
            if not missing or not assignment.user.is_active:
                continue
            key = f"{event}:{period.pk}:{assignment.user_id}:{assignment.unit_id or 0}"
            if Message.objects.filter(idempotency_key=f"{key}:{Channel.INBOX}").exists():
                continue  # reminded already (a re-run of the job)
            link = reverse("strategy:reports")
            notify(
                user=assignment.user,
                event=event,
                context={
                    "period": str(period),
                    "deadline": period.deadline.isoformat(),
                    "missing": missing,
                    "link": link,
                },
                key=key,
                link=link,
            )
            reminded += 1
    return reminded
