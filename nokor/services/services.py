"""Every state change of an application, one function per use case. Each runs in one transaction,
locks the application row, checks the transition is allowed, writes the timeline event and the audit
event, and queues the notifications — all or nothing."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nokor.accounts.roles import Role
from nokor.audit.services import audit_record
from nokor.core.models import Sequence
from nokor.core.text import normalize_for_search, strip_invisible
from nokor.core.uploads import sha256_hex
from nokor.geography.models import AdministrativeUnit
from nokor.integrations import events as partner_events
from nokor.notifications.services import notify
from nokor.services import events
from nokor.services.calendar import add_working_days, today, working_days_between
from nokor.services.models import (
    Appeal,
    Application,
    Attachment,
    Feedback,
    InformationRequest,
    ResponsibleLevel,
    Service,
    Status,
    UnofficialPaymentReport,
)
from nokor.services.reference import make_reference

logger = logging.getLogger(__name__)


class ServiceError(Exception):
    """A use case refused: the message is for the person who tried (translated)."""


class ConcurrentChange(ServiceError):
    """Someone else changed the application since the page was loaded."""


def _locked(application: Application, expected_version: int | None) -> Application:
    current = (
        Application.objects.select_for_update(of=("self",))
        .select_related("service", "service_version", "unit", "applicant")
        .get(pk=application.pk)
    )
    if expected_version is not None and current.lock_version != expected_version:
        raise ConcurrentChange(
            _(
                "Someone else changed this application while you were reading it. "
                "Here it is as it is now: check it and act again."
            )
        )
    return current


def _save(application: Application, *fields: str) -> None:
    application.lock_version += 1
    application.save(update_fields=[*fields, "lock_version", "updated_at"])
    if "status" in fields:
        partner_events.application_status_changed(application)


def _audit(action: str, application: Application, by: Any, **details: Any) -> None:
    audit_record(
        action=f"application.{action}",
        actor=by,
        obj=application,
        subject=application.applicant,
        unit=application.unit,
        details={"reference": application.reference, **details},
    )


def _notify_applicant(application: Application, event: str, key: str, **context: Any) -> None:
    context = {"reference": application.reference, "service": application.service.name, **context}
    link = f"/services/my/{application.pk}/"
    notify(user=application.applicant, event=event, context=context, key=f"{key}:{application.pk}", link=link)


def _require(condition: bool, message) -> None:
    if not condition:
        raise ServiceError(message)


def _is_supervisor_for(user: Any, application: Application) -> bool:
    prefixes = user.unit_prefixes_for({Role.SERVICE_SUPERVISOR}) or set()
    code = application.unit.code if application.unit_id else ""
    return any(code.startswith(prefix) for prefix in prefixes)


# --------------------------------------------------------------------------------------------------
# Citizen side
# --------------------------------------------------------------------------------------------------
@transaction.atomic
def application_start(
    *, service: Service, applicant: Any, filed_by: Any = None, mandate: str = ""
) -> Application:
    """Open a draft of the service's current form, for oneself or on behalf of someone (mandate recorded)."""
    _require(service.is_active and service.current_version_id is not None, _("This service is not open."))
    if filed_by is not None:
        _require(bool(mandate.strip()), _("Say who you are filing for and why."))
    application = Application.objects.create(
        service=service,
        service_version_id=service.current_version_id,
        applicant=applicant,
        filed_by=filed_by,
        mandate=strip_invisible(mandate),
    )
    events.created(application, by=filed_by or applicant)
    _audit("start", application, filed_by or applicant, on_behalf=filed_by is not None)
    return application


@transaction.atomic
def application_save_page(
    *,
    application: Application,
    by: Any,
    page_answers: dict[str, Any],
    files: dict[str, UploadedFile] | None = None,
) -> Application:
    """Keep the answers of one page of a draft (or of an answer to a request for information)."""
    application = _locked(application, None)
    _require(
        application.status in (Status.DRAFT, Status.INFO_REQUESTED),
        _("This application can no longer be changed."),
    )
    answers = dict(application.answers)
    stored: list[str] = []
    try:
        for name, uploaded in (files or {}).items():
            attachment = _store_attachment(application, name, uploaded, by, stored)
            answers[name] = {"attachment": str(attachment.pk), "name": attachment.original_name}
    except OSError as error:  # disk full, folder not writable: nothing of this page is kept
        for stored_name in stored:
            with contextlib.suppress(OSError):  # what could not be written may not be there to remove
                Attachment.file.field.storage.delete(stored_name)
        logger.error("upload not stored", extra={"application": str(application.pk), "error": str(error)})
        raise ServiceError(
            _(
                "Your file could not be stored just now. Your other answers are kept: choose the file "
                "again and retry in a few minutes."
            )
        ) from error
    answers.update(page_answers)
    application.answers = answers
    name_field = application.service_version.form_definition.get("applicant_name_field")
    if name_field and answers.get(name_field):
        application.applicant_name = strip_invisible(str(answers[name_field]))[:200]
        application.applicant_name_search = normalize_for_search(application.applicant_name)
    _save(application, "answers", "applicant_name", "applicant_name_search")
    _audit("save", application, by, fields=sorted([*page_answers, *(files or {})]))
    return application


def _store_attachment(
    application: Application, field_name: str, uploaded: UploadedFile, by: Any, stored: list[str]
) -> Attachment:
    """Store an upload already checked by the form (its type was sniffed from its bytes there). The name
    it is written under goes into ``stored`` before the first byte, so that a write that fails midway
    (a full disk) leaves no partial file behind."""
    Attachment.objects.filter(application=application, field_name=field_name, replaced=False).update(
        replaced=True
    )
    field = Attachment.file.field
    name = field.storage.get_available_name(field.generate_filename(None, uploaded.name), field.max_length)
    stored.append(name)
    return Attachment.objects.create(
        application=application,
        field_name=field_name,
        file=field.storage.save(name, uploaded, max_length=field.max_length),
        original_name=uploaded.name[:255],
        content_type=getattr(uploaded, "sniffed_content_type", None) or "application/octet-stream",
        size=uploaded.size,
        sha256=sha256_hex(uploaded),
        uploaded_by=by,
    )


def responsible_unit(
    service: Service, answers: dict[str, Any], definition: dict | None = None
) -> AdministrativeUnit | None:
    """The office that handles an application: the unit at the service's level above the address given
    (the routing question of ``definition``, the form answered; by default the service's current form)."""
    level = ResponsibleLevel(service.responsible_level)
    if level == ResponsibleLevel.NATIONAL:
        return None
    if definition is None:
        definition = service.current_version.form_definition if service.current_version else {}
    routing_field = definition.get("routing_field")
    code = str(answers.get(routing_field) or "")
    _require(len(code) >= level.code_length, _("Give the address so we know which office handles it."))
    return AdministrativeUnit.objects.current().get(code=code[: level.code_length])


@transaction.atomic
def application_submit(*, application: Application, by: Any) -> Application:
    """Submit a complete draft: reference, routing to the responsible office, deadline in working days."""
    from nokor.services.forms_engine import missing_answers

    application = _locked(application, None)
    _require(application.status == Status.DRAFT, _("This application was already submitted."))
    missing = missing_answers(application.service_version.form_definition, application.answers)
    _require(not missing, _("Some questions are not answered yet."))
    now = timezone.now()
    year = today().year
    application.number = Sequence.next_value(f"application-{year}")
    application.reference = make_reference(year, application.number)
    application.unit = responsible_unit(
        application.service, application.answers, application.service_version.form_definition
    )
    application.submitted_at = now
    application.deadline = add_working_days(today(), application.service.processing_days)
    application.status = Status.SUBMITTED
    _save(application, "number", "reference", "unit", "submitted_at", "deadline", "status")
    events.submitted(application, by=by)
    _audit("submit", application, by)
    _notify_applicant(
        application,
        "application.submitted",
        "submitted",
        deadline=application.deadline,
        answers=_answers_text(application),
    )
    return application


def _answers_text(application: Application) -> str:
    """A copy of the answers, in the applicant's language, for the confirmation message."""
    from nokor.services.forms_engine import summary_rows

    rows = summary_rows(
        application.service_version.form_definition,
        application.answers,
        application.applicant.preferred_language or "km",
    )
    return "\n".join(f"{row['label']}: {row['value']}" for row in rows if row["value"])


@transaction.atomic
def application_provide_info(*, application: Application, by: Any, message: str) -> Application:
    """The applicant answers a request for information (answers already saved): the clock restarts."""
    application = _locked(application, None)
    _require(application.status == Status.INFO_REQUESTED, _("No information was requested."))
    request = application.information_requests.filter(answered_at__isnull=True).first()
    now = timezone.now()
    if request is not None:
        request.answered_at, request.answer = now, strip_invisible(message)
        request.save(update_fields=["answered_at", "answer"])
    paused = working_days_between(timezone.localdate(application.paused_at), timezone.localdate(now))
    application.deadline = add_working_days(application.deadline, paused) if application.deadline else None
    application.paused_at = None
    application.status = Status.IN_REVIEW
    _save(application, "deadline", "paused_at", "status")
    events.info_provided(application, by=by, message=message, fields=request.fields if request else [])
    _audit("provide_info", application, by, paused_working_days=paused)
    if application.assigned_to_id:
        notify(
            user=application.assigned_to,
            event="application.info_provided",
            context={"reference": application.reference},
            key=f"info-provided:{application.pk}:{now.isoformat()}",
            link=f"/services/queue/{application.pk}/",
        )
    return application


@transaction.atomic
def appeal_submit(*, application: Application, by: Any, reason: str) -> Appeal:
    """Appeal a refusal within the service's appeal period; it goes to the supervisors one level up."""
    application = _locked(application, None)
    _require(application.status == Status.REFUSED, _("Only a refusal can be appealed."))
    _require(not hasattr(application, "appeal"), _("This refusal was already appealed."))
    _require(timezone.localdate() <= application.appeal_open_until, _("The time to appeal has passed."))
    _require(bool(reason.strip()), _("Explain why the decision is wrong."))
    level_above = application.unit.parent if application.unit_id else None
    appeal = Appeal.objects.create(application=application, reason=strip_invisible(reason), unit=level_above)
    application.status = Status.APPEALED
    _save(application, "status")
    events.appealed(application, by=by, reason=reason)
    _audit("appeal", application, by, unit_above=level_above.code if level_above else None)
    return appeal


@transaction.atomic
def feedback_submit(*, application: Application, by: Any, rating: int, comment: str = "") -> Feedback:
    """The applicant rates the service (1-5) after the decision."""
    _require(
        application.status in (Status.APPROVED, Status.REFUSED),
        _("You can give feedback after the decision."),
    )
    _require(1 <= rating <= 5, _("Choose a rating from 1 to 5."))
    _require(not hasattr(application, "feedback"), _("You already gave feedback. Thank you."))
    feedback = Feedback.objects.create(
        application=application, rating=rating, comment=strip_invisible(comment)
    )
    events.feedback_given(application, by=by, rating=rating)
    _audit("feedback", application, by, rating=rating)
    return feedback


@transaction.atomic
def unofficial_payment_report(
    *, application: Application | None, by: Any, description: str, amount_asked: str = ""
) -> UnofficialPaymentReport:
    """A confidential report of a request for an unofficial payment (supervisors and auditors see it)."""
    _require(bool(description.strip()), _("Describe what happened."))
    report = UnofficialPaymentReport.objects.create(
        application=application,
        unit=application.unit if application else None,
        reporter=by if getattr(by, "is_authenticated", False) else None,
        description=strip_invisible(description),
        amount_asked=strip_invisible(amount_asked),
    )
    audit_record(
        action="integrity.unofficial_payment_report",
        actor=by,
        obj=report,
        unit=report.unit,
        details={"reference": application.reference if application else None},
    )
    return report


# --------------------------------------------------------------------------------------------------
# Staff side
# --------------------------------------------------------------------------------------------------
@transaction.atomic
def application_claim(
    *, application: Application, by: Any, expected_version: int | None = None
) -> Application:
    """An officer takes an application up: it is theirs, and under review."""
    application = _locked(application, expected_version)
    _require(
        application.status in (Status.SUBMITTED, Status.IN_REVIEW),
        _("This application cannot be taken up now."),
    )
    _require(
        application.assigned_to_id in (None, by.pk) or _is_supervisor_for(by, application),
        _("Another officer is already working on it."),
    )
    application.assigned_to = by
    application.status = Status.IN_REVIEW
    _save(application, "assigned_to", "status")
    events.claimed(application, by=by)
    _audit("claim", application, by)
    return application


@transaction.atomic
def application_assign(
    *, application: Application, by: Any, to: Any, expected_version: int | None = None
) -> Application:
    """A supervisor assigns (or reassigns) an application to an officer of the same scope."""
    application = _locked(application, expected_version)
    _require(_is_supervisor_for(by, application), _("Only a supervisor can assign applications."))
    _require(application.is_open, _("This application is closed."))
    officer_scope = to.unit_prefixes_for({Role.SERVICE_OFFICER, Role.SERVICE_SUPERVISOR}) or set()
    code = application.unit.code if application.unit_id else ""
    _require(any(code.startswith(p) for p in officer_scope), _("This officer does not work for this office."))
    application.assigned_to = to
    if application.status == Status.SUBMITTED:
        application.status = Status.IN_REVIEW
    _save(application, "assigned_to", "status")
    events.assigned(application, by=by, to=to)
    _audit("assign", application, by, to=to.pk)
    notify(
        user=to,
        event="application.assigned",
        context={"reference": application.reference},
        key=f"assigned:{application.pk}:{application.lock_version}",
        link=f"/services/queue/{application.pk}/",
    )
    return application


@transaction.atomic
def application_request_info(
    *, application: Application, by: Any, message: str, fields: list[str], expected_version: int | None = None
) -> InformationRequest:
    """Ask the applicant for more information, pointing at the answers to fix; the clock pauses."""
    application = _locked(application, expected_version)
    _require(
        application.status in (Status.SUBMITTED, Status.IN_REVIEW), _("Information cannot be requested now.")
    )
    _require(bool(message.strip()), _("Say what information is needed."))
    request = InformationRequest.objects.create(
        application=application, fields=list(fields), message=strip_invisible(message), requested_by=by
    )
    application.status = Status.INFO_REQUESTED
    application.paused_at = timezone.now()
    application.assigned_to = application.assigned_to or by
    _save(application, "status", "paused_at", "assigned_to")
    events.info_requested(application, by=by, message=message, fields=list(fields))
    _audit("request_info", application, by, fields=list(fields))
    _notify_applicant(
        application, "application.info_requested", f"info-requested:{request.pk}", message=message
    )
    return request


@transaction.atomic
def application_approve(
    *, application: Application, by: Any, reason: str = "", expected_version: int | None = None
) -> Application:
    """Approve. Where the service needs a supervisor, an officer's approval goes to the supervisor first."""
    application = _locked(application, expected_version)
    supervisor = _is_supervisor_for(by, application)
    if application.status == Status.AWAITING_APPROVAL:
        _require(supervisor, _("A supervisor must give the final approval."))
    else:
        _require(
            application.status in (Status.SUBMITTED, Status.IN_REVIEW),
            _("This application cannot be approved now."),
        )
    if application.service.needs_supervisor_approval and not supervisor:
        application.status = Status.AWAITING_APPROVAL
        _save(application, "status")
        events.forwarded(application, by=by, note=reason)
        _audit("forward", application, by)
        return application
    return _approve(application, by=by, reason=reason)


def _approve(application: Application, *, by: Any, reason: str) -> Application:
    from nokor.services.documents import issue_for

    application.status = Status.APPROVED
    application.decided_at = timezone.now()
    application.decision_reason = strip_invisible(reason)
    application.paused_at = None
    document = issue_for(application, by=by)
    application.document_code = document.code if document else ""
    _save(application, "status", "decided_at", "decision_reason", "paused_at", "document_code")
    events.approved(application, by=by, reason=reason)
    if document:
        events.document_issued(application, code=document.code)
    _audit("approve", application, by, document=application.document_code)
    _notify_applicant(application, "application.approved", "approved")
    return application


@transaction.atomic
def application_refuse(
    *, application: Application, by: Any, reason: str, expected_version: int | None = None
) -> Application:
    """Refuse, with the reasons the applicant will read (and may appeal)."""
    application = _locked(application, expected_version)
    _require(
        application.is_open and application.status != Status.APPEALED,
        _("This application cannot be refused now."),
    )
    _require(bool(reason.strip()), _("Give the reasons for the refusal: the applicant will read them."))
    application.status = Status.REFUSED
    application.decided_at = timezone.now()
    application.decision_reason = strip_invisible(reason)
    application.paused_at = None
    _save(application, "status", "decided_at", "decision_reason", "paused_at")
    events.refused(application, by=by, reason=reason)
    _audit("refuse", application, by)
    _notify_applicant(
        application,
        "application.refused",
        "refused",
        reason=reason,
        appeal_until=application.appeal_open_until,
    )
    return application


@transaction.atomic
def appeal_decide(*, appeal: Appeal, by: Any, upheld: bool, reason: str) -> Appeal:
    """A supervisor of the level above decides an appeal: upheld approves, dismissed confirms the refusal."""
    application = _locked(appeal.application, None)
    prefixes = by.unit_prefixes_for({Role.SERVICE_SUPERVISOR}) or set()
    code = appeal.unit.code if appeal.unit_id else ""
    _require(
        any(code.startswith(p) for p in prefixes), _("Only a supervisor of the level above decides appeals.")
    )
    _require(appeal.outcome == Appeal.Outcome.PENDING, _("This appeal was already decided."))
    _require(bool(reason.strip()), _("Give the reasons for the decision."))
    appeal.outcome = Appeal.Outcome.UPHELD if upheld else Appeal.Outcome.DISMISSED
    appeal.decided_by, appeal.decided_at, appeal.decision_reason = by, timezone.now(), strip_invisible(reason)
    appeal.save(update_fields=["outcome", "decided_by", "decided_at", "decision_reason"])
    events.appeal_decided(application, by=by, outcome=appeal.outcome, reason=reason)
    _audit("appeal_decide", application, by, outcome=appeal.outcome)
    if upheld:
        _approve(application, by=by, reason=reason)
    else:
        application.status = Status.REFUSED
        _save(application, "status")
        _notify_applicant(application, "application.appeal_dismissed", "appeal-dismissed", reason=reason)
    return appeal


@transaction.atomic
def application_escalate(*, application: Application, by: Any = None, reason: str = "") -> Application:
    """Escalate to the supervisors of the office (by an officer, or by the deadline job)."""
    application = _locked(application, None)
    _require(application.is_open, _("This application is closed."))
    if application.escalated_at is not None:
        return application
    application.escalated_at = timezone.now()
    _save(application, "escalated_at")
    events.escalated(application, by=by, reason=reason)
    _audit("escalate", application, by, reason=reason)
    for supervisor in supervisors_of(application):
        notify(
            user=supervisor,
            event="application.escalated",
            context={"reference": application.reference, "reason": reason},
            key=f"escalated:{application.pk}:{supervisor.pk}",
            link=f"/services/queue/{application.pk}/",
        )
    return application


def supervisors_of(application: Application) -> list[Any]:
    """Service supervisors whose scope covers the application's office."""
    from nokor.accounts.models import RoleAssignment

    code = application.unit.code if application.unit_id else ""
    prefixes = [code[:n] for n in (0, 2, 4, 6, 8) if n <= len(code)]
    assignments = (
        RoleAssignment.objects.active().filter(role=Role.SERVICE_SUPERVISOR).select_related("user", "unit")
    )
    return [a.user for a in assignments if (a.unit.code if a.unit_id else "") in prefixes]


@transaction.atomic
def application_message(*, application: Application, by: Any, text: str) -> None:
    """A message from the office to the applicant (shown on their application page, and notified)."""
    _require(bool(text.strip()), _("Write the message."))
    events.message(application, by=by, text=strip_invisible(text))
    _audit("message", application, by)
    _notify_applicant(
        application, "application.message", f"message:{timezone.now().isoformat()}", message=text
    )


@transaction.atomic
def application_note(*, application: Application, by: Any, text: str) -> None:
    """An internal note on the application (never shown to the applicant)."""
    _require(bool(text.strip()), _("Write the note."))
    events.note(application, by=by, text=strip_invisible(text))
    _audit("note", application, by)


@transaction.atomic
def payment_record(
    *, application: Application, by: Any, receipt_number: str, method: str = "office"
) -> Application:
    """Record the official fee as paid (at the office by default), with the receipt number."""
    from nokor.services.payments import PROVIDERS

    application = _locked(application, None)
    _require(method in PROVIDERS, _("Unknown payment method."))
    _require(not application.paid_at, _("The fee is already recorded as paid."))
    try:
        application.receipt_number = PROVIDERS[method].clean_receipt(strip_invisible(receipt_number))
    except ValueError as error:
        raise ServiceError(str(error)) from error
    application.paid_at = timezone.now()
    application.payment_method = method
    _save(application, "receipt_number", "paid_at", "payment_method")
    events.payment_recorded(application, by=by, receipt=application.receipt_number)
    _audit("payment", application, by, receipt=application.receipt_number)
    return application
