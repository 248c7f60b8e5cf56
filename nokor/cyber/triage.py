"""Triage of cybercrime reports by investigators: the queue of reports waiting for a first look, in order
of urgency, and every change an investigator makes to a report — assess it, reject it with a reason,
merge it into another report, write to the reporter — one report at a time or several at once.

Each change runs in one transaction, locks the report row, checks the report is still in a state where
the change makes sense, writes its audit event and, when the investigator says the change is public,
tells the reporter (``reports.report_notify_status``). A bulk change re-reads every selected report
through the access layer under lock and is all or nothing.

Priority is set at submission (``reports.priority_score``) and looked at again when a report is
assessed: more reports naming the same identifiers since then raise it (never lower it), and a higher
band brings the first-look deadline forward.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _

from nokor.audit.services import audit_record
from nokor.core.access import CHANGE
from nokor.core.text import strip_invisible
from nokor.cyber import reports
from nokor.cyber.models import AllowListEntry, Report, Sighting

# The queue holds what still needs a decision.
QUEUE_STATUSES = (Report.Status.RECEIVED, Report.Status.TRIAGED)
BANDS = {
    reports.URGENT: Q(priority__gte=reports.PRIORITY_URGENT_FROM),
    reports.HIGH: Q(priority__gte=reports.PRIORITY_HIGH_FROM, priority__lt=reports.PRIORITY_URGENT_FROM),
    reports.NORMAL: Q(priority__lt=reports.PRIORITY_HIGH_FROM),
}
BAND_TONES = {reports.URGENT: "red", reports.HIGH: "amber", reports.NORMAL: "grey"}
MAX_REASON = 4000
MAX_PUBLIC_NOTE = 2000
MAX_BULK = 100


class TriageError(Exception):
    """A change refused: a translated message for the investigator, and the form field at fault."""

    def __init__(self, message: str, field: str = "__all__") -> None:
        self.field = field
        super().__init__(message)

    @property
    def message(self) -> str:
        return str(self.args[0])


class OutOfScope(TriageError):
    """A selected report is not (or no longer) one the investigator may change: answered as a 404."""


def band_label(band: str) -> str:
    return {reports.URGENT: _("Urgent"), reports.HIGH: _("High"), reports.NORMAL: _("Normal")}[band]


def band_choices() -> list[tuple[str, str]]:
    return [(band, band_label(band)) for band in BANDS]


def due_state(due: dt.datetime | None, now: dt.datetime | None = None) -> dict[str, Any]:
    """``{"overdue": bool, "text": "2 days, 3 hours left" | "overdue by 5 hours" | ""}``."""
    if due is None:
        return {"overdue": False, "text": ""}
    now = now or timezone.now()
    if due <= now:
        return {"overdue": True, "text": _("overdue by %(time)s") % {"time": timesince(due, now, depth=2)}}
    return {"overdue": False, "text": _("%(time)s left") % {"time": timeuntil(due, now, depth=2)}}


# --------------------------------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------------------------------
def queue_for(
    user: Any,
    *,
    status: str = "",
    category: str = "",
    band: str = "",
    overdue: bool = False,
    unit: str = "",
    now: dt.datetime | None = None,
) -> QuerySet[Report]:
    """The reports waiting for a decision that ``user`` may act on, most urgent first, then by first-look
    deadline: the rows of the triage queue (category and unit joined: one query per page)."""
    rows = Report.objects.visible_to(user, CHANGE).filter(status__in=QUEUE_STATUSES)
    if status in QUEUE_STATUSES:
        rows = rows.filter(status=status)
    if category:
        rows = rows.filter(category__slug=category)
    if band in BANDS:
        rows = rows.filter(BANDS[band])
    if overdue:
        rows = rows.filter(sla_due__lt=now or timezone.now())
    if unit:
        rows = rows.filter(unit__code__startswith=unit)
    return rows.select_related("category", "unit").order_by(
        "-priority", F("sla_due").asc(nulls_last=True), "created_at", "pk"
    )


def linked_counts(report_ids: Iterable[Any]) -> dict[Any, int]:
    """For each report, how many OTHER reports name one of its recognised identifiers (allow-listed
    values never count): one query for a whole page, a self-join of sightings on their (kind, value)
    index, so it never grows with the number of rows shown."""
    pk_field = Report._meta.pk
    ids = [pk_field.get_db_prep_value(pk, connection) for pk in report_ids]
    if not ids:
        return {}
    sighting = connection.ops.quote_name(Sighting._meta.db_table)
    allowed = connection.ops.quote_name(AllowListEntry._meta.db_table)
    placeholders = ", ".join(["%s"] * len(ids))
    # Table names come from the models and the values are parameters: nothing typed reaches the SQL.
    sql = (
        f"SELECT s1.report_id, COUNT(DISTINCT s2.report_id) FROM {sighting} s1 "  # noqa: S608
        f"JOIN {sighting} s2 ON s2.kind = s1.kind AND s2.value = s1.value AND s2.report_id <> s1.report_id "
        f"WHERE s1.report_id IN ({placeholders}) AND s1.recognized = %s AND NOT EXISTS "
        f"(SELECT 1 FROM {allowed} a WHERE a.kind = s1.kind AND a.value = s1.value) "
        "GROUP BY s1.report_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, True])
        return {pk_field.to_python(report_id): count for report_id, count in cursor.fetchall()}


def identifiers_of(report: Report, user: Any, *, limit: int = 10) -> list[dict[str, Any]]:
    """A report's identifiers as written and normalised, each with the number of other reports naming
    it (all of them, whatever their scope: a count only) and links to those ``user`` may see."""
    from nokor.cyber.indicators import seen_in_many
    from nokor.cyber.models import IdentifierKind

    sightings = list(report.sightings.order_by("kind", "value"))
    pairs = [(s.kind, s.value) for s in sightings if s.recognized]
    counts = seen_in_many(pairs, exclude_report=report)
    others: dict[tuple[str, str], list[str]] = {}
    if pairs:
        condition = Q()
        for kind, value in pairs:
            condition |= Q(kind=kind, value=value)
        visible = Report.objects.visible_to(user).values("pk")
        rows = (
            Sighting.objects.filter(condition, report__in=visible)
            .exclude(report=report)
            .order_by("-reported_at")
            .values_list("kind", "value", "report__reference")
        )
        for kind, value, reference in rows[: limit * len(pairs)]:
            found = others.setdefault((kind, value), [])
            if len(found) < limit:
                found.append(reference)
    return [
        {
            "original": s.original,
            "value": s.value,
            "kind": s.kind,
            "kind_label": IdentifierKind(s.kind).label if s.kind in IdentifierKind.values else s.kind,
            "recognized": s.recognized,
            "seen_in": counts.get((s.kind, s.value), 0),
            "others": others.get((s.kind, s.value), []),
        }
        for s in sightings
    ]


def history_of(report: Report) -> QuerySet:
    """The changes made to a report, oldest first: its own audit events (views of it left out), and the
    events of the cases and referrals it went through."""
    from nokor.audit.models import AuditEvent

    own = Q(object_type=Report._meta.label_lower, object_id=str(report.pk))
    in_cases = Q(
        action__in=("cyber.case_link_report", "cyber.case_unlink_report"), details__report=report.reference
    )
    referred = Q(action="cyber.referral_make", details__reference=report.reference)
    return (
        AuditEvent.objects.filter(own | in_cases | referred)
        .exclude(action="personal_data.view")
        .select_related("actor")
        .order_by("seq")
    )


# --------------------------------------------------------------------------------------------------
# Changes
# --------------------------------------------------------------------------------------------------
def _locked(report: Report) -> Report:
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("category", "unit", "reporter")
        .get(pk=report.pk)
    )


def _require(condition: bool, message: str, field: str = "__all__") -> None:
    if not condition:
        raise TriageError(message, field)


def _save(report: Report, *fields: str) -> None:
    report.save(update_fields=[*dict.fromkeys(fields), "updated_at"])


def _audit(action: str, report: Report, by: Any, **details: Any) -> None:
    audit_record(
        action=f"cyber.{action}",
        actor=by,
        obj=report,
        subject=report.reporter,
        unit=report.unit,
        details={"reference": report.reference, **details},
    )


def _text(value: str) -> str:
    return "\n".join(strip_invisible(line) for line in (value or "").splitlines()).strip()


def _assessed(report: Report, by: Any, now: dt.datetime) -> list[str]:
    """Record the first look, once: who and when."""
    if report.triaged_at is not None:
        return []
    report.triaged_at = now
    report.triaged_by = by
    return ["triaged_at", "triaged_by"]


def _reprioritize(report: Report, now: dt.datetime) -> list[str]:
    """Raise the priority when more reports now name the same identifiers; returns the fields changed."""
    pairs = set(report.sightings.filter(recognized=True).values_list("kind", "value"))
    score = reports.priority_score(
        loss_khr=report.loss_khr,
        loss_usd_cents=report.loss_usd_cents,
        ongoing_contact=report.ongoing_contact,
        vulnerable_victim=report.vulnerable_victim,
        sensitive=report.category.sensitive,
        trafficking_flag=report.trafficking_flag,
        other_reports=reports.other_reports_naming(pairs, exclude_report=report),
    )
    if score <= report.priority:
        return []
    report.priority = score
    due = now + reports.SLA[reports.priority_band(score)]
    report.sla_due = min(report.sla_due, due) if report.sla_due else due
    return ["priority", "sla_due"]


def _tell(report: Report, notify: bool) -> None:
    if notify:
        reports.report_notify_status(report=report)


@transaction.atomic
def report_triage(*, report: Report, by: Any, notify: bool = False) -> Report:
    """An investigator takes a first look: the report is being assessed (who and when are recorded) and
    its priority is looked at again with the reports that name the same identifiers."""
    report = _locked(report)
    _require(
        report.status == Report.Status.RECEIVED,
        _("Report %(reference)s is no longer waiting for a first look.") % {"reference": report.reference},
    )
    now = timezone.now()
    before = report.priority
    report.status = Report.Status.TRIAGED
    fields = ["status", *_assessed(report, by, now), *_reprioritize(report, now)]
    _save(report, *fields)
    _audit("report_triage", report, by, priority=[before, report.priority], public=notify)
    _tell(report, notify)
    return report


@transaction.atomic
def report_reject(*, report: Report, by: Any, reason: str, notify: bool = False) -> Report:
    """Decide not to take a report further, with the reason (kept for the record; the reporter reads
    only the status and the message written to them)."""
    reason = _text(reason)
    _require(bool(reason), _("Give the reason for not taking the report further."), "reason")
    _require(
        len(reason) <= MAX_REASON, _("Write at most %(count)s characters.") % {"count": MAX_REASON}, "reason"
    )
    report = _locked(report)
    _require(
        report.status in QUEUE_STATUSES,
        _("Report %(reference)s cannot be rejected now (it is “%(status)s”).")
        % {"reference": report.reference, "status": report.get_status_display()},
    )
    now = timezone.now()
    report.status = Report.Status.REJECTED
    report.rejection_reason = reason
    _save(report, "status", "rejection_reason", *_assessed(report, by, now))
    _audit("report_reject", report, by, reason_length=len(reason), public=notify)
    _tell(report, notify)
    return report


@transaction.atomic
def report_merge(*, report: Report, into: Report, by: Any, notify: bool = False) -> Report:
    """Merge a report into another one that tells the same story (the same victim reporting twice):
    the report is closed and points to the other; its identifiers keep counting, its files stay."""
    _require(report.pk != into.pk, _("A report cannot be merged into itself."), "into")
    report = _locked(report)
    into = Report.objects.select_for_update(of=("self",)).get(pk=into.pk)
    _require(
        report.status in QUEUE_STATUSES,
        _("Report %(reference)s cannot be merged now (it is “%(status)s”).")
        % {"reference": report.reference, "status": report.get_status_display()},
    )
    if into.duplicate_of_id is not None:
        target = Report.objects.only("reference").get(pk=into.duplicate_of_id)
        raise TriageError(
            _("%(reference)s was itself merged into %(target)s: merge into %(target)s instead.")
            % {"reference": into.reference, "target": target.reference},
            "into",
        )
    now = timezone.now()
    # Reports merged into this one follow it, so that no chain of merges forms.
    moved = list(Report.objects.filter(duplicate_of=report).values_list("reference", flat=True))
    Report.objects.filter(duplicate_of=report).update(duplicate_of=into, updated_at=now)
    report.duplicate_of = into
    report.status = Report.Status.CLOSED
    _save(report, "duplicate_of", "status", *_assessed(report, by, now))
    _audit("report_merge", report, by, into=into.reference, moved=moved, public=notify)
    _tell(report, notify)
    return report


@transaction.atomic
def report_message(*, report: Report, by: Any, public_note: str, notify: bool = False) -> Report:
    """Write (or clear) the message the reporter reads with the status; ``notify`` tells them now."""
    note = _text(public_note)
    _require(
        len(note) <= MAX_PUBLIC_NOTE,
        _("Write at most %(count)s characters.") % {"count": MAX_PUBLIC_NOTE},
        "public_note",
    )
    report = _locked(report)
    _require(
        note != report.public_note or notify,
        _("Change the message, or choose to tell the reporter."),
        "public_note",
    )
    report.public_note = note
    _save(report, "public_note")
    _audit("report_message", report, by, length=len(note), public=notify)
    _tell(report, notify)
    return report


@transaction.atomic
def report_link_case(*, report: Report, case: Any, by: Any, notify: bool = False) -> Report:
    """Link a report to a case (``cases.case_link_report``) and, when the investigator says so, tell
    the reporter their report is now part of an investigation."""
    from nokor.cyber import cases

    cases.case_link_report(case=case, report=report, by=by)
    report = _locked(report)
    _tell(report, notify)
    return report


# --------------------------------------------------------------------------------------------------
# Several reports at once
# --------------------------------------------------------------------------------------------------
def selected_reports(user: Any, references: Iterable[str]) -> list[Report]:
    """The selected reports, read again through the access layer under lock (call in a transaction):
    :class:`OutOfScope` when one of them is not a report ``user`` may change."""
    wanted = list(dict.fromkeys(ref.strip() for ref in references if ref and ref.strip()))
    _require(bool(wanted), _("Select at least one report."), "reports")
    _require(len(wanted) <= MAX_BULK, _("Select at most %(count)s reports.") % {"count": MAX_BULK}, "reports")
    found = {
        report.reference: report
        for report in Report.objects.visible_to(user, CHANGE)
        .select_for_update(of=("self",))
        .select_related("category", "unit", "reporter")
        .filter(reference__in=wanted)
    }
    if len(found) != len(wanted):
        raise OutOfScope(_("A selected report was not found."), "reports")
    return [found[reference] for reference in wanted]


@transaction.atomic
def reports_triage(*, references: Iterable[str], by: Any) -> list[Report]:
    """Mark the selected reports as being assessed (those already assessed stay as they are)."""
    selected = selected_reports(by, references)
    return [
        report_triage(report=report, by=by) for report in selected if report.status == Report.Status.RECEIVED
    ]


@transaction.atomic
def reports_reject(*, references: Iterable[str], by: Any, reason: str) -> list[Report]:
    """Reject the selected reports with one reason (all or none)."""
    _require(bool(_text(reason)), _("Give the reason for not taking the reports further."), "reason")
    selected = selected_reports(by, references)
    return [report_reject(report=report, by=by, reason=reason) for report in selected]


@transaction.atomic
def reports_link_case(*, references: Iterable[str], case: Any, by: Any) -> list[Report]:
    """Link the selected reports to a case (all or none)."""
    from nokor.cyber import cases

    selected = selected_reports(by, references)
    for report in selected:
        cases.case_link_report(case=case, report=report, by=by)
    return selected


@transaction.atomic
def reports_open_case(*, references: Iterable[str], by: Any, title: str, summary: str = "") -> Any:
    """Open a case with the selected reports (all or none)."""
    from nokor.cyber import cases

    selected = selected_reports(by, references)
    return cases.case_open(by=by, title=title, summary=summary, reports=selected)
