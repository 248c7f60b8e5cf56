"""Freeze requests: from a case, an investigator asks a bank or e-wallet to freeze the money paid in some
of the victims' transfers, then records the institution's answer.

Speed is what recovers money, so each request is timed twice: against its own deadline (the institution
answers within ``CYBER_FREEZE_ANSWER_MINUTES`` of the request, 60 by default: the "golden hour") and
against the time since the money left (the first transfer concerned). Requesting and answering each
write a case event and an audit event, in one transaction.

References are ``FRZ-2026-000001``: the year and the number of the year (``Sequence``).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nokor.audit.services import audit_record
from nokor.core.access import CHANGE
from nokor.core.models import Sequence
from nokor.core.text import strip_invisible
from nokor.cyber.cases import CaseError, OutOfScope, case_add_event
from nokor.cyber.models import Case, CaseEvent, FreezeRequest, Institution, Transfer
from nokor.cyber.reports import MAX_AMOUNT

REFERENCE_PREFIX = "FRZ"
ANSWERS = (
    FreezeRequest.Status.FROZEN,
    FreezeRequest.Status.PARTIAL,
    FreezeRequest.Status.REFUSED,
    FreezeRequest.Status.NO_FUNDS,
)
STATUS_TONES = {
    FreezeRequest.Status.SENT: "amber",
    FreezeRequest.Status.FROZEN: "green",
    FreezeRequest.Status.PARTIAL: "green",
    FreezeRequest.Status.REFUSED: "red",
    FreezeRequest.Status.NO_FUNDS: "grey",
}


def make_reference(year: int, number: int) -> str:
    """``FRZ-2026-000001``."""
    return f"{REFERENCE_PREFIX}-{year:04d}-{number:06d}"


def answer_minutes() -> int:
    return int(getattr(settings, "CYBER_FREEZE_ANSWER_MINUTES", 60))


# --------------------------------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------------------------------
def candidate_transfers(case: Case, institution: Institution | None = None) -> QuerySet[Transfer]:
    """The transfers of a case's reports, those paid through ``institution`` when one is given (chosen
    from the list, or written by the victim with its code or name)."""
    rows = Transfer.objects.filter(report__case=case).select_related("report", "institution")
    if institution is not None:
        rows = rows.filter(
            Q(institution=institution)
            | Q(institution__isnull=True, institution_text__icontains=institution.code)
            | Q(institution__isnull=True, institution_text__icontains=institution.name_en)
        )
    return rows.order_by("paid_on", "report__created_at", "pk")


def open_requests_for(user: Any) -> QuerySet[FreezeRequest]:
    """The requests still waiting for an answer that ``user`` may see, the most pressing first."""
    return (
        FreezeRequest.objects.visible_to(user)
        .filter(status=FreezeRequest.Status.SENT)
        .select_related("case", "institution")
        .order_by("answer_due", "pk")
    )


def minutes_between(start: dt.datetime, end: dt.datetime) -> int:
    return math.ceil((end - start).total_seconds() / 60)


def answer_timer(freeze: FreezeRequest, now: dt.datetime | None = None) -> dict[str, Any]:
    """The answer deadline in words: ``{"overdue", "minutes", "text"}`` (answered: the time it took)."""
    now = now or timezone.now()
    if freeze.answered_at is not None:
        minutes = max(0, minutes_between(freeze.requested_at, freeze.answered_at))
        text = ngettext("answered in %(count)s minute", "answered in %(count)s minutes", minutes) % {
            "count": minutes
        }
        return {"overdue": freeze.answered_at > freeze.answer_due, "minutes": minutes, "text": text}
    left = minutes_between(now, freeze.answer_due)
    if left > 0:
        text = ngettext("%(count)s minute left", "%(count)s minutes left", left) % {"count": left}
        return {"overdue": False, "minutes": left, "text": text}
    late = max(1, -left)
    text = ngettext("overdue by %(count)s minute", "overdue by %(count)s minutes", late) % {"count": late}
    return {"overdue": True, "minutes": -late, "text": text}


def money_left(freeze_or_transfers: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    """Since when the money is gone: the date of the first transfer concerned (victims give a day, not
    an hour) and, as the hour-precise fallback, when the first of their reports was filed."""
    transfers = (
        list(freeze_or_transfers.transfers.select_related("report"))
        if isinstance(freeze_or_transfers, FreezeRequest)
        else list(freeze_or_transfers)
    )
    now = now or timezone.now()
    paid = [t.paid_on for t in transfers if t.paid_on]
    reported = [t.report.created_at for t in transfers]
    first_paid = min(paid) if paid else None
    first_reported = min(reported) if reported else None
    days = (timezone.localdate(now) - first_paid).days if first_paid else None
    hours = int((now - first_reported).total_seconds() // 3600) if first_reported else None
    return {"first_paid_on": first_paid, "days": days, "first_reported_at": first_reported, "hours": hours}


# --------------------------------------------------------------------------------------------------
# Changes
# --------------------------------------------------------------------------------------------------
def _require(condition: bool, message: str, field: str = "__all__") -> None:
    if not condition:
        raise CaseError(message, field)


def _audit(action: str, freeze: FreezeRequest, by: Any, **details: Any) -> None:
    audit_record(
        action=f"cyber.{action}",
        actor=by,
        obj=freeze,
        unit=freeze.case.unit,
        details={"reference": freeze.reference, "case": freeze.case.reference, **details},
    )


def _amount(value: Decimal | None, field: str) -> Decimal:
    if value is None:
        raise CaseError(_("Enter the amount."), field)
    _require(value.is_finite() and value > 0, _("Enter an amount greater than zero."), field)
    _require(
        value <= MAX_AMOUNT and value == value.quantize(Decimal("0.01")),
        _("Enter the amount with at most two decimals."),
        field,
    )
    return value


@transaction.atomic
def freeze_request(
    *,
    case: Case,
    by: Any,
    institution: Institution,
    account: str,
    transfers: Any = (),
    amount: Decimal | None = None,
    currency: str = "",
    note: str = "",
) -> FreezeRequest:
    """Ask an institution to freeze an account. The amount is by default the sum of the transfers
    concerned (when they are in one currency); the answer is due in ``CYBER_FREEZE_ANSWER_MINUTES``."""
    case = Case.objects.select_for_update(of=("self",)).select_related("unit").get(pk=case.pk)
    if not Case.objects.visible_to(by, CHANGE).filter(pk=case.pk).exists():
        raise OutOfScope(_("Case %(reference)s was not found.") % {"reference": case.reference}, "case")
    _require(case.is_open, _("This case is closed: reopen it first."))
    account = " ".join(strip_invisible(account or "").split())
    _require(bool(account), _("Enter the account to freeze."), "account")
    _require(len(account) <= 100, _("Write at most %(count)s characters.") % {"count": 100}, "account")
    transfers = list(transfers)
    allowed = set(candidate_transfers(case).values_list("pk", flat=True))
    _require(
        all(t.pk in allowed for t in transfers),
        _("Choose transfers of the reports linked to this case."),
        "transfers",
    )
    currencies = {t.currency for t in transfers}
    if amount is None:
        _require(bool(transfers), _("Enter the amount, or choose the transfers concerned."), "amount")
        _require(
            len(currencies) == 1,
            _("The transfers are in different currencies: enter the amount and the currency to freeze."),
            "amount",
        )
        amount = sum((t.amount for t in transfers), Decimal(0))
    amount = _amount(amount, "amount")
    currency = currency or (next(iter(currencies)) if len(currencies) == 1 else "")
    _require(currency in Transfer.Currency.values, _("Choose riel or US dollars."), "currency")
    note = "\n".join(strip_invisible(line) for line in (note or "").splitlines()).strip()
    now = timezone.now()
    year = timezone.localdate(now).year
    freeze = FreezeRequest.objects.create(
        reference=make_reference(year, Sequence.next_value(f"cyber-freeze-{year}")),
        case=case,
        institution=institution,
        account=account,
        amount=amount,
        currency=currency,
        note=note,
        requested_by=by,
        requested_at=now,
        answer_due=now + dt.timedelta(minutes=answer_minutes()),
    )
    freeze.transfers.set(transfers)
    data = {
        "reference": freeze.reference,
        "institution": institution.code,
        "amount": str(amount),
        "currency": currency,
    }
    case_add_event(case=case, kind=CaseEvent.Kind.FREEZE_REQUESTED, by=by, data=data)
    _audit("freeze_request", freeze, by, **data, account=account, transfers=[t.pk for t in transfers])
    return freeze


@transaction.atomic
def freeze_answer(
    *, freeze: FreezeRequest, by: Any, status: str, frozen_amount: Decimal | None = None, note: str = ""
) -> FreezeRequest:
    """Record the institution's answer: frozen (by default the whole amount), partly frozen (the amount
    frozen, less than requested), refused or no funds left."""
    freeze = (
        FreezeRequest.objects.select_for_update(of=("self",))
        .select_related("case__unit", "institution")
        .get(pk=freeze.pk)
    )
    _require(
        freeze.status == FreezeRequest.Status.SENT, _("The answer to this request was already recorded.")
    )
    _require(status in ANSWERS, _("Choose the institution's answer."), "status")
    if status == FreezeRequest.Status.FROZEN:
        frozen = _amount(frozen_amount if frozen_amount is not None else freeze.amount, "frozen_amount")
    elif status == FreezeRequest.Status.PARTIAL:
        frozen = _amount(frozen_amount, "frozen_amount")
        _require(
            frozen < freeze.amount,
            _("A partial freeze is less than the amount requested (%(amount)s %(currency)s).")
            % {"amount": freeze.amount, "currency": freeze.currency},
            "frozen_amount",
        )
    else:
        frozen = Decimal(0)
    freeze.status = status
    freeze.frozen_amount = frozen
    freeze.answer_note = "\n".join(strip_invisible(line) for line in (note or "").splitlines()).strip()
    freeze.answered_at = timezone.now()
    freeze.answer_recorded_by = by
    freeze.save(update_fields=["status", "frozen_amount", "answer_note", "answered_at", "answer_recorded_by"])
    data = {
        "reference": freeze.reference,
        "institution": freeze.institution.code,
        "answer": status,
        "amount": str(frozen) if frozen else "",
        "currency": freeze.currency,
    }
    case_add_event(
        case=freeze.case, kind=CaseEvent.Kind.FREEZE_ANSWERED, by=by, text=freeze.answer_note, data=data
    )
    _audit("freeze_answer", freeze, by, **data, late=freeze.answered_at > freeze.answer_due)
    return freeze
