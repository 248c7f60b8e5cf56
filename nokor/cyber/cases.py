"""Cybercrime cases: an investigation that one or more reports feed, kept apart from the reports. Every
state change of a case is a function here — open, link and unlink reports, edit, assign, move through
its statuses, legal hold, tasks, notes — and each runs in one transaction, writes a typed event of the
case's timeline (:func:`case_add_event`) and its audit event.

Statuses go open → investigating → referred to the prosecutor → closed. Closing needs an outcome; a
closed case is reopened (to "investigating") only by a cyber supervisor of its unit, and the reopening
is on the timeline. Edits of the case itself carry the ``lock_version`` the investigator read: when
someone else changed the case in between, :class:`ConcurrentChange` is raised and nothing is written.

Case references are ``CASE-2026-000123``: the year and the number of the year (``Sequence``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from nokor.accounts.roles import Role
from nokor.audit.services import audit_record
from nokor.core.access import CHANGE
from nokor.core.models import Sequence
from nokor.core.text import strip_invisible
from nokor.cyber.models import INVESTIGATORS, Case, CaseEvent, CaseTask, FreezeRequest, Report
from nokor.cyber.triage import TriageError
from nokor.geography.models import AdministrativeUnit

REFERENCE_PREFIX = "CASE"
NUMBERS_PER_YEAR = 1_000_000_000  # Case.number = year × this + the number of the year
MAX_TITLE = 200
MAX_TEXT = 10_000

Status = Case.Status
# Where a case may go from each status; leaving "closed" is a reopening (supervisors only).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.OPEN: (Status.INVESTIGATING, Status.CLOSED),
    Status.INVESTIGATING: (Status.REFERRED, Status.CLOSED),
    Status.REFERRED: (Status.INVESTIGATING, Status.CLOSED),
    Status.CLOSED: (Status.INVESTIGATING,),
}
STATUS_TONES = {
    Status.OPEN: "blue",
    Status.INVESTIGATING: "amber",
    Status.REFERRED: "green",
    Status.CLOSED: "grey",
}
# The kinds of event an investigator writes by hand; the others are written by the changes themselves.
NOTE_KINDS = (CaseEvent.Kind.NOTE, CaseEvent.Kind.CONTACT, CaseEvent.Kind.LEGAL)


class CaseError(TriageError):
    """A change of a case refused: a translated message, and the form field at fault."""


class ConcurrentChange(CaseError):
    """Someone else changed the case since the page was loaded."""


class OutOfScope(CaseError):
    """The case, report or unit is not one the person may work on."""


def make_reference(year: int, number: int) -> str:
    """``CASE-2026-000123``."""
    return f"{REFERENCE_PREFIX}-{year:04d}-{number:06d}"


def normalize_reference(text: str) -> str:
    return "".join((text or "").split()).upper().replace("\u2011", "-")


# --------------------------------------------------------------------------------------------------
# Scope
# --------------------------------------------------------------------------------------------------
def _code(unit: AdministrativeUnit | None) -> str:
    return unit.code if unit is not None else ""


def covers(user: Any, roles: frozenset[str] | set[str], unit: AdministrativeUnit | None) -> bool:
    """Whether ``user`` holds one of ``roles`` at ``unit`` or above it (no unit: a nationwide role)."""
    prefixes = user.unit_prefixes_for(roles) or set()
    code = _code(unit)
    return any(code.startswith(prefix) for prefix in prefixes)


def is_supervisor_for(user: Any, case: Case) -> bool:
    return covers(user, {Role.CYBER_SUPERVISOR}, case.unit)


def eligible_investigators(unit: AdministrativeUnit | None) -> QuerySet:
    """Active staff holding an investigator role whose scope covers ``unit``: who may be assigned."""
    from nokor.accounts.models import RoleAssignment, User

    code = _code(unit)
    above = [code[:length] for length in (2, 4, 6, 8) if length <= len(code)]
    holders = (
        RoleAssignment.objects.active()
        .filter(role__in=INVESTIGATORS)
        .filter(Q(unit__isnull=True) | Q(unit__code__in=above))
        .values("user_id")
    )
    return User.objects.filter(pk__in=Subquery(holders), is_active=True, is_staff=True).order_by(
        "full_name", "pk"
    )


def default_unit(by: Any, reports: list[Report]) -> AdministrativeUnit | None:
    """The unit in charge of a new case: the investigator's own unit, else the first report's."""
    own = sorted(
        (a.unit for a in by.active_roles if a.role in INVESTIGATORS and a.unit_id), key=lambda unit: unit.code
    )
    if own:
        return own[0]
    return next((report.unit for report in reports if report.unit_id), None)


def get_case_for_user(user: Any, reference: str, *, write: bool = False) -> Case:
    """The case with this reference if ``user`` may see it (404 otherwise; 403 when ``write`` and they
    may only read it)."""
    from nokor.core.access import get_for_user

    return get_for_user(
        Case.objects.select_related("unit", "investigator", "created_by"),
        user,
        action=CHANGE if write else "view",
        reference=normalize_reference(reference),
    )


# --------------------------------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------------------------------
SCOPES = ("mine", "unit", "all")


def cases_for(user: Any, *, scope: str = "all", status: str = "") -> QuerySet[Case]:
    """Cases ``user`` may see: assigned to them (``mine``), of their own unit(s) (``unit``) or all."""
    rows = Case.objects.visible_to(user)
    if scope == "mine":
        rows = rows.filter(investigator=user)
    elif scope == "unit":
        prefixes = {prefix for prefix in (user.unit_prefixes_for(INVESTIGATORS) or set()) if prefix}
        condition = Q(unit__isnull=True) if not prefixes else Q(pk__in=[])
        for prefix in prefixes:
            condition |= Q(unit__code__startswith=prefix)
        rows = rows.filter(condition)
    if status in Status.values:
        rows = rows.filter(status=status)
    elif status == "active":
        rows = rows.exclude(status=Status.CLOSED)
    return (
        rows.select_related("unit", "investigator")
        .annotate(report_count=Count("reports", distinct=True))
        .order_by("-created_at", "pk")
    )


def task_is_overdue(task: CaseTask, today: dt.date | None = None) -> bool:
    return task.done_at is None and task.due_on is not None and task.due_on < (today or timezone.localdate())


# --------------------------------------------------------------------------------------------------
# The timeline
# --------------------------------------------------------------------------------------------------
def case_add_event(*, case: Case, kind: str, by: Any, text: str = "", data: dict | None = None) -> CaseEvent:
    """Write one typed event of a case's timeline (called by the change it records, in its transaction)."""
    if kind not in CaseEvent.Kind.values:
        raise ValueError(f"Unknown case event kind {kind!r}")
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        text=text,
        data=data or {},
        actor=by if getattr(by, "is_authenticated", False) else None,
        occurred_at=timezone.now(),
    )


def _status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else value


def event_title(event: CaseEvent) -> str:
    if event.kind == CaseEvent.Kind.NOTE and event.data.get("changed"):
        return _("Case details changed")
    if event.kind == CaseEvent.Kind.STATUS and event.data.get("reopened"):
        return _("Case reopened")
    if event.kind == CaseEvent.Kind.LEGAL and "legal_hold" in event.data:
        return _("Legal hold placed") if event.data["legal_hold"] else _("Legal hold lifted")
    return str(event.get_kind_display())


def event_body(event: CaseEvent) -> str:
    """What happened, in words of the reader's language (the data is stored language-neutral)."""
    data = event.data or {}
    parts: list[str] = []
    if event.kind in (CaseEvent.Kind.REPORT_LINKED, CaseEvent.Kind.REPORT_UNLINKED) and data.get("report"):
        parts.append(data["report"])
    elif event.kind == CaseEvent.Kind.STATUS:
        parts.append(f"{_status_label(data.get('from', ''))} → {_status_label(data.get('to', ''))}")
        if data.get("outcome"):
            parts.append(str(Case.Outcome(data["outcome"]).label))
    elif event.kind == CaseEvent.Kind.ASSIGNED:
        if "investigator" in data:
            parts.append(_("Investigator: %(name)s") % {"name": data.get("investigator_name") or "—"})
        if "unit" in data:
            parts.append(_("Unit in charge: %(name)s") % {"name": data.get("unit_name") or "—"})
    elif event.kind == CaseEvent.Kind.NOTE and data.get("changed"):
        labels = {"title": _("title"), "summary": _("summary")}
        parts.append(", ".join(str(labels.get(name, name)) for name in data["changed"]))
    elif event.kind in (CaseEvent.Kind.TASK_ADDED, CaseEvent.Kind.TASK_DONE) and data.get("task"):
        parts.append(data["task"])
    elif event.kind in (CaseEvent.Kind.FREEZE_REQUESTED, CaseEvent.Kind.FREEZE_ANSWERED):
        answer = data.get("answer", "")
        answer = str(FreezeRequest.Status(answer).label) if answer in FreezeRequest.Status.values else answer
        parts.append(
            " · ".join(str(item) for item in (data.get("reference"), data.get("institution"), answer) if item)
        )
        if data.get("amount"):
            parts.append(f"{data['amount']} {data.get('currency', '')}".strip())
    elif event.kind == CaseEvent.Kind.REFERRAL:
        parts.append(" → ".join(str(data[key]) for key in ("report", "organisation") if data.get(key)))
    if event.text:
        parts.append(event.text)
    return "\n".join(part for part in parts if part)


def timeline(case: Case) -> list[dict[str, Any]]:
    """The case's events as the timeline component shows them (newest first, one query)."""
    return [
        {
            "when": event.occurred_at,
            "title": event_title(event),
            "by": str(event.actor) if event.actor_id else "",
            "body": event_body(event),
            "kind": event.kind,
        }
        for event in case.events.select_related("actor")
    ]


# --------------------------------------------------------------------------------------------------
# Changes
# --------------------------------------------------------------------------------------------------
def _require(condition: bool, message: str, field: str = "__all__") -> None:
    if not condition:
        raise CaseError(message, field)


def _text(value: str) -> str:
    return "\n".join(strip_invisible(line) for line in (value or "").splitlines()).strip()


def _title(value: str) -> str:
    title = " ".join(strip_invisible(value or "").split())
    _require(bool(title), _("Give the case a title."), "title")
    _require(
        len(title) <= MAX_TITLE, _("Write at most %(count)s characters.") % {"count": MAX_TITLE}, "title"
    )
    return title


def _locked(case: Case, expected_version: int | None = None) -> Case:
    current = (
        Case.objects.select_for_update(of=("self",)).select_related("unit", "investigator").get(pk=case.pk)
    )
    if expected_version is not None and current.lock_version != expected_version:
        raise ConcurrentChange(
            _(
                "Someone else changed this case while you were editing it. The page now shows the case "
                "as it is, with what you typed: check it and save again."
            )
        )
    return current


def _save(case: Case, *fields: str) -> None:
    case.lock_version += 1
    case.save(update_fields=[*dict.fromkeys(fields), "lock_version", "updated_at"])


def _audit(action: str, case: Case, by: Any, subject: Any = None, **details: Any) -> None:
    audit_record(
        action=f"cyber.{action}",
        actor=by,
        obj=case,
        subject=subject,
        unit=case.unit,
        details={"reference": case.reference, **details},
    )


def _may_change(by: Any, obj: Any) -> bool:
    return type(obj).objects.visible_to(by, CHANGE).filter(pk=obj.pk).exists()


def _check_investigator(investigator: Any, unit: AdministrativeUnit | None) -> None:
    _require(
        investigator is None or covers(investigator, INVESTIGATORS, unit),
        _("This investigator does not work for the unit in charge."),
        "investigator",
    )


@transaction.atomic
def case_open(
    *,
    by: Any,
    title: str,
    reports: Any = (),
    unit: AdministrativeUnit | None = None,
    investigator: Any = None,
    summary: str = "",
) -> Case:
    """Open a case, with the reports that feed it. The unit in charge is by default the investigator's
    own unit (else the first report's); the investigator by default the person who opens it."""
    title = _title(title)
    summary = _text(summary)
    _require(
        len(summary) <= MAX_TEXT, _("Write at most %(count)s characters.") % {"count": MAX_TEXT}, "summary"
    )
    reports = list(reports)
    unit = unit or default_unit(by, reports)
    if not covers(by, INVESTIGATORS, unit):
        raise OutOfScope(_("You may not open a case for this unit."), "unit")
    investigator = investigator or by
    _check_investigator(investigator, unit)
    now = timezone.now()
    year = timezone.localdate(now).year
    number = Sequence.next_value(f"cyber-case-{year}")
    case = Case.objects.create(
        # Case.number is unique across years while the sequence restarts each year.
        number=year * NUMBERS_PER_YEAR + number,
        reference=make_reference(year, number),
        title=title,
        summary=summary,
        unit=unit,
        investigator=investigator,
        created_by=by,
    )
    case_add_event(
        case=case,
        kind=CaseEvent.Kind.OPENED,
        by=by,
        data={"unit": _code(unit), "investigator": investigator.pk if investigator else None},
    )
    _audit(
        "case_open", case, by, title=title, unit=_code(unit), investigator=getattr(investigator, "pk", None)
    )
    for report in reports:
        _link(case, report, by)
    return case


def _link(case: Case, report: Report, by: Any) -> None:
    report = Report.objects.select_for_update(of=("self",)).select_related("reporter").get(pk=report.pk)
    if not _may_change(by, report):
        raise OutOfScope(_("Report %(reference)s was not found.") % {"reference": report.reference}, "report")
    _require(
        report.case_id != case.pk,
        _("Report %(reference)s is already linked to this case.") % {"reference": report.reference},
        "report",
    )
    if report.case_id is not None:
        other = Case.objects.only("reference").get(pk=report.case_id)
        raise CaseError(
            _("Report %(reference)s is part of case %(case)s: unlink it there first.")
            % {"reference": report.reference, "case": other.reference},
            "report",
        )
    _require(
        report.status != Report.Status.CLOSED,
        _("Report %(reference)s is closed (merged into another report): link that report instead.")
        % {"reference": report.reference},
        "report",
    )
    now = timezone.now()
    report.case = case
    report.status = Report.Status.LINKED
    fields = ["case", "status", "updated_at"]
    if report.triaged_at is None:
        report.triaged_at, report.triaged_by = now, by
        fields += ["triaged_at", "triaged_by"]
    report.save(update_fields=fields)
    case_add_event(case=case, kind=CaseEvent.Kind.REPORT_LINKED, by=by, data={"report": report.reference})
    _audit("case_link_report", case, by, subject=report.reporter, report=report.reference)


@transaction.atomic
def case_link_report(*, case: Case, report: Report, by: Any) -> None:
    """Link a report to a case: the report is then "linked to an investigation"."""
    case = _locked(case)
    if not _may_change(by, case):
        raise OutOfScope(_("Case %(reference)s was not found.") % {"reference": case.reference}, "case")
    _require(
        case.is_open,
        _("Case %(reference)s is closed: reopen it first.") % {"reference": case.reference},
        "case",
    )
    _link(case, report, by)


@transaction.atomic
def case_unlink_report(*, case: Case, report: Report, by: Any) -> None:
    """Take a report out of a case: it goes back to "being assessed"."""
    case = _locked(case)
    report = Report.objects.select_for_update(of=("self",)).select_related("reporter").get(pk=report.pk)
    _require(case.is_open, _("This case is closed: reopen it first."))
    _require(report.case_id == case.pk, _("This report is not linked to this case."), "report")
    report.case = None
    report.status = Report.Status.TRIAGED
    report.save(update_fields=["case", "status", "updated_at"])
    case_add_event(case=case, kind=CaseEvent.Kind.REPORT_UNLINKED, by=by, data={"report": report.reference})
    _audit("case_unlink_report", case, by, subject=report.reporter, report=report.reference)


@transaction.atomic
def case_update(
    *,
    case: Case,
    by: Any,
    expected_version: int | None,
    title: str,
    summary: str = "",
    unit: AdministrativeUnit | None = None,
    investigator: Any = None,
) -> Case:
    """Edit a case: title, summary, unit in charge and assigned investigator (optimistic locking)."""
    title = _title(title)
    summary = _text(summary)
    _require(
        len(summary) <= MAX_TEXT, _("Write at most %(count)s characters.") % {"count": MAX_TEXT}, "summary"
    )
    case = _locked(case, expected_version)
    _require(case.is_open, _("This case is closed: reopen it first."))
    if unit != case.unit and not covers(by, INVESTIGATORS, unit):
        raise CaseError(_("You may not give the case to this unit."), "unit")
    _check_investigator(investigator, unit)
    changed = [
        name for name, value in (("title", title), ("summary", summary)) if getattr(case, name) != value
    ]
    assignment: dict[str, Any] = {}
    if unit != case.unit:
        assignment.update(unit=_code(unit), unit_name=unit.name if unit else "")
    if investigator != case.investigator:
        assignment.update(
            investigator=getattr(investigator, "pk", None), investigator_name=str(investigator or "")
        )
    if not (changed or assignment):
        return case
    case.title, case.summary, case.unit, case.investigator = title, summary, unit, investigator
    _save(case, *changed, *(name for name in ("unit", "investigator") if name in assignment))
    if changed:
        case_add_event(case=case, kind=CaseEvent.Kind.NOTE, by=by, data={"changed": changed})
    if assignment:
        case_add_event(case=case, kind=CaseEvent.Kind.ASSIGNED, by=by, data=assignment)
    _audit(
        "case_update",
        case,
        by,
        changed=changed,
        unit=assignment.get("unit"),
        investigator=assignment.get("investigator"),
    )
    return case


@transaction.atomic
def case_set_status(
    *,
    case: Case,
    by: Any,
    status: str,
    outcome: str = "",
    outcome_note: str = "",
    expected_version: int | None = None,
) -> Case:
    """Move a case on (open → investigating → referred → closed). Closing needs an outcome; reopening a
    closed case is for a cyber supervisor of its unit."""
    case = _locked(case, expected_version)
    _require(status in Status.values, _("Choose a status."), "status")
    _require(
        status in TRANSITIONS[case.status],
        _("A case that is “%(current)s” cannot become “%(new)s”.")
        % {"current": case.get_status_display(), "new": _status_label(status)},
        "status",
    )
    note = _text(outcome_note)
    previous = case.status
    reopened = previous == Status.CLOSED
    data: dict[str, Any] = {"from": previous, "to": status}
    fields = ["status"]
    if status == Status.CLOSED:
        _require(outcome in Case.Outcome.values, _("Choose the outcome to close the case."), "outcome")
        case.outcome, case.outcome_note, case.closed_at = outcome, note, timezone.now()
        fields += ["outcome", "outcome_note", "closed_at"]
        data["outcome"] = outcome
    if reopened:
        _require(is_supervisor_for(by, case), _("Only a cyber supervisor can reopen a closed case."))
        data.update(reopened=True, previous_outcome=case.outcome)
        case.outcome, case.outcome_note, case.closed_at = "", "", None
        fields += ["outcome", "outcome_note", "closed_at"]
    case.status = status
    _save(case, *fields)
    case_add_event(case=case, kind=CaseEvent.Kind.STATUS, by=by, text=note, data=data)
    _audit("case_reopen" if reopened else "case_status", case, by, **data)
    return case


@transaction.atomic
def case_set_legal_hold(*, case: Case, by: Any, on: bool, expected_version: int | None = None) -> Case:
    """Place or lift the legal hold of a case (a cyber supervisor of its unit): its evidence may not be
    deleted while it holds, even after closing."""
    case = _locked(case, expected_version)
    _require(is_supervisor_for(by, case), _("Only a cyber supervisor can place or lift a legal hold."))
    if case.legal_hold == on:
        return case
    case.legal_hold = on
    _save(case, "legal_hold")
    case_add_event(case=case, kind=CaseEvent.Kind.LEGAL, by=by, data={"legal_hold": on})
    _audit("case_legal_hold", case, by, legal_hold=on)
    return case


@transaction.atomic
def case_note(*, case: Case, by: Any, kind: str, text: str) -> CaseEvent:
    """An investigator writes on the timeline: a note, a contact with a victim or witness, a legal step."""
    _require(kind in NOTE_KINDS, _("Choose what kind of entry this is."), "kind")
    text = _text(text)
    _require(bool(text), _("Write the note."), "text")
    _require(len(text) <= MAX_TEXT, _("Write at most %(count)s characters.") % {"count": MAX_TEXT}, "text")
    case = _locked(case)
    event = case_add_event(case=case, kind=kind, by=by, text=text)
    _audit("case_note", case, by, kind=kind, length=len(text))
    return event


@transaction.atomic
def case_task_add(
    *, case: Case, by: Any, title: str, due_on: dt.date | None = None, assignee: Any = None
) -> CaseTask:
    """Add a piece of work to a case, with a due date (today or later) and who does it."""
    title = " ".join(strip_invisible(title or "").split())
    _require(bool(title), _("Say what needs to be done."), "title")
    _require(len(title) <= 300, _("Write at most %(count)s characters.") % {"count": 300}, "title")
    _require(
        due_on is None or due_on >= timezone.localdate(), _("The due date must be today or later."), "due_on"
    )
    case = _locked(case)
    _require(case.is_open, _("This case is closed: reopen it first."))
    _require(
        assignee is None or covers(assignee, INVESTIGATORS, case.unit),
        _("This investigator does not work for the unit in charge."),
        "assignee",
    )
    task = CaseTask.objects.create(case=case, title=title, due_on=due_on, assignee=assignee, created_by=by)
    case_add_event(
        case=case,
        kind=CaseEvent.Kind.TASK_ADDED,
        by=by,
        data={"task": title, "due_on": due_on.isoformat() if due_on else None},
    )
    _audit("case_task_add", case, by, task=task.pk, due_on=due_on)
    return task


@transaction.atomic
def case_task_done(*, task: CaseTask, by: Any) -> CaseTask:
    """Mark a task done."""
    task = CaseTask.objects.select_for_update(of=("self",)).select_related("case__unit").get(pk=task.pk)
    _require(task.done_at is None, _("This task is already done."))
    task.done_at = timezone.now()
    task.done_by = by
    task.save(update_fields=["done_at", "done_by"])
    case_add_event(case=task.case, kind=CaseEvent.Kind.TASK_DONE, by=by, data={"task": task.title})
    _audit("case_task_done", task.case, by, task=task.pk)
    return task
