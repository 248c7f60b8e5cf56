"""Evidence and its chain of custody: investigators add files to a case or a report, open, download,
hand over, re-verify, hold and (rarely) delete them.

The chain of custody of an item is not a table of its own: it is the events of the Foundation audit
chain (``nokor.audit``) whose object is the :class:`EvidenceFile` (actions ``cyber.evidence.*``, and
``cyber.evidence_add`` written when a reporter sends a file). Every event is hashed with the one before
it once sealed (within a minute, see ``nokor.audit.services``), so editing, deleting or reordering a
sealed custody event breaks the audit chain: ``manage.py audit verify`` walks the whole chain;
:func:`custody_chain_break` checks, for one item's page, that each of its sealed events still matches its
hash and still links to its neighbours.

Files are written once, under a random name, hashed with SHA-256 at upload: nothing here replaces a
file or changes its hash or size (the storage never overwrites an existing name either), and a file is
deleted only when neither its report nor its case is open and none of them is under legal hold.

Intimate images (sextortion, image abuse: ``EvidenceFile.sensitive`` or a sensitive category of its
report) are opened only by investigators cleared for them (``SENSITIVE_MEDIA``), each opening recorded
with its reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nokor.accounts.models import User
from nokor.accounts.roles import Role
from nokor.audit.models import GENESIS_HASH, AuditEvent
from nokor.audit.services import ChainBreak, audit_record
from nokor.core.text import khmer_order, strip_invisible
from nokor.core.uploads import EXTENSIONS, INLINE_TYPES, sha256_hex, validate_upload
from nokor.cyber import reports
from nokor.cyber.cases import case_add_event
from nokor.cyber.models import INVESTIGATORS, SENSITIVE_MEDIA, Case, CaseEvent, EvidenceFile, Report

# The custody events (audit actions) of an item.
COLLECTED = "cyber.evidence.collected"
VIEWED = "cyber.evidence.viewed"
DOWNLOADED = "cyber.evidence.downloaded"
EXPORTED = "cyber.evidence.exported"
TRANSFERRED = "cyber.evidence.transferred"
VERIFIED = "cyber.evidence.verified"
SENSITIVE_OPENED = "cyber.evidence.sensitive_opened"
LEGAL_HOLD = "cyber.evidence.legal_hold"
DELETED = "cyber.evidence.deleted"
REPORT_COLLECTED = "cyber.evidence_add"  # written by reports.py when a reporter sends a file

ACTION_LABELS = {
    COLLECTED: gettext_lazy("Collected"),
    REPORT_COLLECTED: gettext_lazy("Collected with the report"),
    VIEWED: gettext_lazy("Viewed"),
    DOWNLOADED: gettext_lazy("Downloaded"),
    EXPORTED: gettext_lazy("Exported"),
    TRANSFERRED: gettext_lazy("Handed over"),
    VERIFIED: gettext_lazy("Re-verified"),
    SENSITIVE_OPENED: gettext_lazy("Intimate image opened"),
    LEGAL_HOLD: gettext_lazy("Legal hold changed"),
    DELETED: gettext_lazy("Deleted"),
    "personal_data.view": gettext_lazy("Viewed"),
}

# How an item is opened: the purpose names the custody event (a sensitive item's is SENSITIVE_OPENED).
VIEW, DOWNLOAD, EXPORT = "view", "download", "export"
PURPOSE_ACTIONS = {VIEW: VIEWED, DOWNLOAD: DOWNLOADED, EXPORT: EXPORTED}
# Results of a re-verification.
INTACT, MODIFIED, MISSING = "intact", "modified", "missing"
PREVIEWABLE = frozenset(INLINE_TYPES)  # images are shown inline; a PDF is always downloaded
MAX_REASON = 500
MAX_DESCRIPTION = 2000
MAX_WHERE = 200
_CHUNK = 1024 * 1024


class EvidenceError(Exception):
    """An action on evidence refused, with a translated message (and the form field at fault)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        self.message = str(message)
        self.field = field
        super().__init__(self.message)


# --------------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------------
def in_scope(user: Any, unit: Any, roles: Iterable[str]) -> bool:
    """Whether ``user`` holds one of ``roles`` at ``unit`` or above it (a role with no unit: everywhere),
    the same prefix rule as the access layer's record rules."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.is_staff:
        return False
    prefixes = user.unit_prefixes_for(frozenset(roles))
    if prefixes is None:
        return False
    if "" in prefixes:
        return True
    return unit is not None and any(unit.code.startswith(prefix) for prefix in prefixes)


def is_sensitive(evidence: EvidenceFile) -> bool:
    """An intimate image: marked so at collection, or a file of a report in a sensitive category."""
    if evidence.sensitive:
        return True
    return evidence.report_id is not None and evidence.report.category.sensitive


def may_open_sensitive(user: Any, evidence: EvidenceFile) -> bool:
    """Only investigators cleared for intimate images, in the item's scope, may open one."""
    return in_scope(user, evidence.unit, SENSITIVE_MEDIA)


def may_open(user: Any, evidence: EvidenceFile) -> bool:
    """Whether ``user`` may see the file's content (view or download it)."""
    if not in_scope(user, evidence.unit, INVESTIGATORS):
        return False
    return may_open_sensitive(user, evidence) if is_sensitive(evidence) else True


def may_hold(user: Any, evidence: EvidenceFile) -> bool:
    """Placing or lifting a legal hold is for cyber supervisors of the item's scope."""
    return in_scope(user, evidence.unit, {Role.CYBER_SUPERVISOR})


def _report_is_open(report: Report) -> bool:
    if report.status in (Report.Status.REJECTED, Report.Status.CLOSED):
        return False
    if report.status == Report.Status.LINKED and report.case_id is not None:
        return report.case.is_open
    return True


def deletion_refusal(evidence: EvidenceFile) -> str | None:
    """Why the item may not be deleted now (its report or case is open, or under legal hold), or None."""
    cases = [evidence.case] if evidence.case_id else []
    if evidence.report_id and evidence.report.case_id and evidence.report.case_id != evidence.case_id:
        cases.append(evidence.report.case)
    if evidence.legal_hold or any(case.legal_hold for case in cases):
        return _("This evidence is under legal hold: it may not be deleted.")
    if any(case.is_open for case in cases):
        return _("The case is still open: evidence may be deleted only after the case is closed.")
    if evidence.report_id and _report_is_open(evidence.report):
        return _("The report is still open: evidence may be deleted only after the report is closed.")
    return None


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _require_handler(by: Any, evidence: EvidenceFile) -> None:
    _require(
        in_scope(by, evidence.unit, INVESTIGATORS),
        _("Only investigators of this unit may handle this evidence."),
    )


def _require_opener(by: Any, evidence: EvidenceFile) -> None:
    _require_handler(by, evidence)
    if is_sensitive(evidence):
        _require(
            may_open_sensitive(by, evidence),
            _("This is an intimate image: only investigators cleared for intimate images may open it."),
        )


def _clean_text(value: str, limit: int, field: str, *, required_message: str | None = None) -> str:
    text = "\n".join(strip_invisible(line) for line in (value or "").splitlines()).strip()
    if required_message and not text:
        raise EvidenceError(required_message, field)
    if len(text) > limit:
        raise EvidenceError(_("Write at most %(count)s characters.") % {"count": limit}, field)
    return text


def _reason(reason: str, message: str | None = None) -> str:
    return _clean_text(
        reason,
        MAX_REASON,
        "reason",
        required_message=message or _("Give the reason: it is written in the chain of custody."),
    )


# --------------------------------------------------------------------------------------------------
# Custody events
# --------------------------------------------------------------------------------------------------
def _subject(evidence: EvidenceFile) -> Any:
    """The person whose data the file is (the reporter, if they reported from an account)."""
    return evidence.report.reporter if evidence.report_id else None


def _custody(
    action: str,
    evidence: EvidenceFile,
    by: Any,
    *,
    access: bool = False,
    actor_label: str | None = None,
    **details: Any,
) -> AuditEvent:
    """Append one custody event of ``evidence`` to the audit chain. Openings and hand-overs (``access``)
    name the reporter as the subject, so they appear in "who viewed my data"; checks and holds do not."""
    return audit_record(
        action=action,
        actor=by,
        obj=evidence,
        subject=_subject(evidence) if access else None,
        unit=evidence.unit,
        actor_label=actor_label,
        details={"sha256": evidence.sha256, **details},
    )


def custody_log(evidence: EvidenceFile | Any) -> QuerySet[AuditEvent]:
    """The custody events of an item, oldest first (one index lookup on the audit events' object)."""
    pk = evidence.pk if isinstance(evidence, EvidenceFile) else evidence
    return (
        AuditEvent.objects.filter(object_type=EvidenceFile._meta.label_lower, object_id=str(pk))
        .select_related("actor")
        .order_by("id")
    )


def custody_chain_break(events: Iterable[AuditEvent]) -> ChainBreak | None:
    """The first sealed custody event that no longer verifies in the audit chain, or None.

    Each sealed event must still match its own hash and link to its neighbours (the event before must
    hash to its ``prev_hash``, the event after must carry its hash): an edited row, even one whose hash
    was recomputed, breaks a link. This reads the item's events and their neighbours only, so a page can
    afford it; ``manage.py audit verify`` walks the whole chain (deleted events show up there as a gap).
    Events not sealed yet (the last minute's) are checked from their sealing on.
    """
    events = [event for event in events if event.seq is not None]
    if not events:
        return None
    own = {event.seq: event for event in events}
    wanted = {seq + step for seq in own for step in (-1, 1) if seq + step > 0} - set(own)
    neighbours = {
        row["seq"]: row
        for row in AuditEvent.objects.filter(seq__in=wanted).values("seq", "hash", "prev_hash")
    }
    chain = {seq: {"seq": e.seq, "hash": e.hash, "prev_hash": e.prev_hash} for seq, e in own.items()}
    chain.update(neighbours)
    for event in events:
        if event.compute_hash() != event.hash:
            return ChainBreak(event.seq, "its content does not match its hash")
        before = chain.get(event.seq - 1)
        expected_prev = GENESIS_HASH if event.seq == 1 else (before["hash"] if before else None)
        if event.prev_hash != expected_prev:
            return ChainBreak(event.seq, "does not link to the event before it")
        after = chain.get(event.seq + 1)
        if after is not None and after["prev_hash"] != event.hash:
            return ChainBreak(event.seq, "the event after it does not link to it")
    return None


@dataclass(frozen=True)
class CustodyEntry:
    """One custody event as the timeline component shows it."""

    when: Any
    title: str
    by: str
    body: str


def _actor_name(event: AuditEvent) -> str:
    if event.actor is not None:
        return str(event.actor) if event.actor.is_staff else _("The reporter")
    return event.actor_label or _("The reporter")


def _entry_body(event: AuditEvent) -> str:
    details = event.details or {}
    parts = []
    if event.action == VERIFIED:
        parts.append(
            {
                INTACT: _("The file is intact: its SHA-256 matches."),
                MODIFIED: _("The file was modified: its SHA-256 no longer matches."),
                MISSING: _("The stored file is missing."),
            }.get(details.get("result"), "")
        )
    if event.action == LEGAL_HOLD:
        parts.append(_("Legal hold placed.") if details.get("hold") else _("Legal hold lifted."))
    if event.action == SENSITIVE_OPENED and details.get("purpose") == DOWNLOAD:
        parts.append(_("Downloaded."))
    if details.get("export"):
        parts.append(_("In: %(export)s.") % {"export": details["export"]})
    if details.get("to"):
        parts.append(_("Handed to: %(recipient)s.") % {"recipient": details["to"]})
    if details.get("reason"):
        parts.append(_("Reason: %(reason)s") % {"reason": details["reason"]})
    if details.get("where"):
        parts.append(_("Where: %(where)s") % {"where": details["where"]})
    return " ".join(part for part in parts if part)


def custody_entries(events: Iterable[AuditEvent]) -> list[CustodyEntry]:
    """The custody events in words: what, when, who and why."""
    return [
        CustodyEntry(
            when=event.occurred_at,
            title=str(ACTION_LABELS.get(event.action, event.action)),
            by=_actor_name(event),
            body=_entry_body(event),
        )
        for event in events
    ]


# --------------------------------------------------------------------------------------------------
# Hashing
# --------------------------------------------------------------------------------------------------
def evidence_rehash(evidence: EvidenceFile) -> str | None:
    """The SHA-256 of the stored file, read in chunks; None when the file is missing."""
    digest = hashlib.sha256()
    try:
        with evidence.file.storage.open(evidence.file.name, "rb") as handle:
            for chunk in iter(lambda: handle.read(_CHUNK), b""):
                digest.update(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest()


def verification_result(evidence: EvidenceFile, found: str | None) -> str:
    if found is None:
        return MISSING
    return INTACT if found == evidence.sha256 else MODIFIED


def verified_event(
    evidence: EvidenceFile, found: str | None, *, by: Any = None, via: str = "page"
) -> AuditEvent:
    """Record one re-verification of ``evidence`` (the file's hash as found now)."""
    result = verification_result(evidence, found)
    return _custody(
        VERIFIED,
        evidence,
        by,
        actor_label=None
        if by is not None
        else ("manage.py evidence verify" if via == "command" else "system"),
        result=result,
        found=found or "",
        via=via,
    )


def evidence_verify(evidence: EvidenceFile, *, by: Any = None, record: bool = True) -> bool:
    """Re-hash the stored file and compare it with the hash taken at upload; recorded in its custody
    log unless ``record`` is False. True when the file is intact."""
    found = evidence_rehash(evidence)
    if record:
        with transaction.atomic():
            verified_event(evidence, found, by=by, via="page" if by is not None else "service")
    return found == evidence.sha256


# --------------------------------------------------------------------------------------------------
# Changes
# --------------------------------------------------------------------------------------------------
def _unit_of(case: Case | None, report: Report | None) -> Any:
    return case.unit if case is not None else report.unit


@transaction.atomic
def evidence_add(
    *,
    by: Any,
    file: Any,
    case: Case | None = None,
    report: Report | None = None,
    description: str = "",
    collected_where: str = "",
    sensitive: bool = False,
) -> EvidenceFile:
    """An investigator adds a file of evidence to a case or a report: its type read from its bytes, its
    size limited as for reports, hashed, written once under a random name; a "collected" custody event
    opens its chain of custody (and a case's timeline gets an "evidence added" entry)."""
    if (case is None) == (report is None):
        raise ValueError("Evidence belongs to a case or to a report.")
    if case is not None:
        case = Case.objects.select_for_update(of=("self",)).select_related("unit").get(pk=case.pk)
        if not case.is_open:
            raise EvidenceError(_("This case is closed: reopen it to add evidence."))
        sensitive = sensitive or case.reports.filter(category__sensitive=True).exists()
    else:
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("unit", "category")
            .get(pk=report.pk)
        )
        if report.status == Report.Status.CLOSED:
            raise EvidenceError(_("This report is closed: evidence can no longer be added to it."))
        sensitive = sensitive or report.category.sensitive
    unit = _unit_of(case, report)
    _require(in_scope(by, unit, INVESTIGATORS), _("Only investigators of this unit may add evidence here."))
    if file is None:
        raise EvidenceError(_("Choose the file to add."), "file")
    try:
        content_type = validate_upload(file, reports.EVIDENCE_TYPES, reports.EVIDENCE_MAX_MB)
    except ValidationError as error:
        raise EvidenceError(" ".join(error.messages), "file") from error
    description = _clean_text(description, MAX_DESCRIPTION, "description")
    collected_where = _clean_text(collected_where, MAX_WHERE, "collected_where")
    name = strip_invisible(getattr(file, "name", "") or "").rsplit("/", 1)[-1][:255] or "file"

    evidence = EvidenceFile(
        case=case,
        report=report,
        unit=unit,
        original_name=name,
        content_type=content_type,
        size=file.size,
        sha256=sha256_hex(file),
        description=description,
        collected_by=by,
        collected_where=collected_where,
        sensitive=sensitive,
    )
    file.seek(0)
    # A random name: the storage never overwrites a name that exists (it picks another one).
    evidence.file.save(f"{evidence.pk.hex}{EXTENSIONS[content_type]}", file, save=False)
    try:
        evidence.save(force_insert=True)
        _custody(
            COLLECTED,
            evidence,
            by,
            reference=case.reference if case is not None else report.reference,
            name=name,
            size=evidence.size,
            where=collected_where,
            sensitive=sensitive,
        )
        if case is not None:
            case_add_event(
                case=case,
                kind=CaseEvent.Kind.EVIDENCE,
                by=by,
                text=name,
                data={"evidence": str(evidence.pk), "sha256": evidence.sha256},
            )
    except BaseException:
        # The file was written before its row: nothing may stay behind when the change fails.
        evidence.file.delete(save=False)
        raise
    return evidence


def _locked(evidence: EvidenceFile) -> EvidenceFile:
    """The item re-read under a row lock, refusing an instance whose file, hash or size differ from what
    was stored: those are written once, at upload, and nothing may change them."""
    current = (
        EvidenceFile.objects.select_for_update(of=("self",))
        .select_related("report__category", "report__case", "report__reporter", "case", "unit")
        .get(pk=evidence.pk)
    )
    if (evidence.file.name, evidence.sha256, evidence.size) != (
        current.file.name,
        current.sha256,
        current.size,
    ):
        raise EvidenceError(_("Evidence is written once: its file, hash and size can never be changed."))
    return current


@transaction.atomic
def evidence_open(*, evidence: EvidenceFile, by: Any, reason: str = "", purpose: str = VIEW) -> File:
    """Open the stored file to view, download or export it: the opening is written in its chain of
    custody (who, when, why) before the file is handed out. A download, an export and any opening of an
    intimate image need a reason; intimate images only for investigators cleared for them."""
    if purpose not in PURPOSE_ACTIONS:
        raise ValueError(f"Unknown purpose {purpose!r}")
    _require_opener(by, evidence)
    sensitive = is_sensitive(evidence)
    if purpose == VIEW and not sensitive:
        reason = _clean_text(reason, MAX_REASON, "reason")
    else:
        reason = _reason(
            reason, _("Give the reason for opening this file: it is written in its chain of custody.")
        )
    try:
        handle = evidence.file.storage.open(evidence.file.name, "rb")
    except FileNotFoundError as error:
        raise EvidenceError(
            _("The stored file is missing. Tell the administrator: the evidence may have been tampered with.")
        ) from error
    try:
        _custody(
            SENSITIVE_OPENED if sensitive else PURPOSE_ACTIONS[purpose],
            evidence,
            by,
            access=True,
            purpose=purpose,
            reason=reason,
        )
    except BaseException:
        handle.close()
        raise
    return File(handle, name=evidence.original_name)


@transaction.atomic
def evidence_export(
    *, items: Iterable[EvidenceFile], by: Any, export: str, reason: str = ""
) -> list[AuditEvent]:
    """Record that these items (their description and hash, not the files) went into an export, such
    as a case report: one "exported" custody event each, naming the export."""
    export = _clean_text(export, 200, "export", required_message=_("Name the export."))
    reason = _clean_text(reason, MAX_REASON, "reason")
    events = []
    for evidence in items:
        _require_handler(by, evidence)
        events.append(_custody(EXPORTED, evidence, by, access=True, export=export, reason=reason))
    return events


def investigators_for(evidence: EvidenceFile) -> QuerySet[User]:
    """Active investigators whose scope covers the item (the people it can be handed over to)."""
    now = timezone.now()
    codes = [""]
    unit = evidence.unit
    while unit is not None:
        codes.append(unit.code)
        unit = unit.parent
    active = Q(role_assignments__valid_from__lte=now) & (
        Q(role_assignments__valid_to__isnull=True) | Q(role_assignments__valid_to__gt=now)
    )
    roles = SENSITIVE_MEDIA if is_sensitive(evidence) else INVESTIGATORS
    place = Q(role_assignments__unit__isnull=True) | Q(
        role_assignments__unit__code__in=[c for c in codes if c]
    )
    return (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(active, place, role_assignments__role__in=roles)
        .distinct()
        .order_by(khmer_order("full_name"), "email")
    )


@transaction.atomic
def evidence_transfer(*, evidence: EvidenceFile, by: Any, to: Any, reason: str) -> AuditEvent:
    """Hand the item over to another investigator (a user whose scope covers it; for an intimate image,
    one cleared for them) or to an outside agency (its name): a custody event naming the recipient."""
    evidence = _locked(evidence)
    _require_opener(by, evidence)
    reason = _reason(reason)
    if isinstance(to, User):
        if to.pk == getattr(by, "pk", None):
            raise EvidenceError(_("Choose someone else: you already hold this evidence."), "recipient")
        if not investigators_for(evidence).filter(pk=to.pk).exists():
            raise EvidenceError(
                _("This person may not receive this evidence: their unit or clearance does not cover it."),
                "recipient",
            )
        recipient = {"to": str(to), "to_user": to.pk}
    else:
        agency = _clean_text(
            str(to or ""), 200, "agency", required_message=_("Choose an investigator or name the agency.")
        )
        recipient = {"to": agency, "to_user": None}
    return _custody(TRANSFERRED, evidence, by, access=True, reason=reason, **recipient)


@transaction.atomic
def evidence_legal_hold(*, evidence: EvidenceFile, by: Any, hold: bool, reason: str) -> EvidenceFile:
    """A cyber supervisor places or lifts a legal hold on one item (it may then not be deleted)."""
    evidence = _locked(evidence)
    _require(
        may_hold(by, evidence), _("Only a cyber supervisor of this unit may place or lift a legal hold.")
    )
    reason = _reason(reason)
    if evidence.legal_hold != hold:
        evidence.legal_hold = hold
        evidence.save(update_fields=["legal_hold"])
    _custody(LEGAL_HOLD, evidence, by, hold=hold, reason=reason)
    return evidence


@transaction.atomic
def evidence_delete(*, evidence: EvidenceFile, by: Any, reason: str) -> None:
    """Delete an item whose report and case are closed and not under legal hold: the row now, the file
    once the transaction commits. Its custody events stay in the audit chain, with this last one."""
    evidence = _locked(evidence)
    _require_handler(by, evidence)
    # Lock what decides the answer, so that a case or report cannot be reopened meanwhile.
    case_ids = {evidence.case_id, evidence.report.case_id if evidence.report_id else None} - {None}
    cases = Case.objects.select_for_update(of=("self",)).in_bulk(case_ids)
    if evidence.case_id:
        evidence.case = cases[evidence.case_id]
    if evidence.report_id:
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("category")
            .get(pk=evidence.report_id)
        )
        report.case = cases.get(report.case_id) if report.case_id else None
        evidence.report = report
    refusal = deletion_refusal(evidence)
    if refusal:
        raise EvidenceError(refusal)
    reason = _reason(reason)
    _custody(
        DELETED,
        evidence,
        by,
        reason=reason,
        name=evidence.original_name,
        size=evidence.size,
        reference=evidence.case.reference if evidence.case_id else evidence.report.reference,
    )
    storage, name = evidence.file.storage, evidence.file.name
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name))
