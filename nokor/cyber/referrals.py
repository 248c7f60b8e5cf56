"""Referral of possible victims of trafficking into scam compounds: a report flagged by its reporter (or
later by an investigator) is referred to an organisation of the maintained list — the national
anti-trafficking hotline, IOM, an NGO — which takes the person in charge. A referral is audited and,
when the report feeds a case, written on the case's timeline."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from nokor.audit.services import audit_record
from nokor.core.access import CHANGE
from nokor.core.text import strip_invisible
from nokor.cyber.cases import case_add_event
from nokor.cyber.models import CaseEvent, Referral, ReferralOrganisation, Report
from nokor.cyber.triage import OutOfScope, TriageError

MAX_NOTE = 4000


def awaiting_referral(user: Any) -> QuerySet[Report]:
    """Reports flagged for possible trafficking, not referred yet, that ``user`` may act on (most urgent
    first)."""
    return (
        Report.objects.visible_to(user, CHANGE)
        .filter(trafficking_flag=True, referrals__isnull=True)
        .exclude(status=Report.Status.CLOSED)
        .select_related("category", "unit")
        .order_by("-priority", "created_at", "pk")
    )


def referrals_for(user: Any) -> QuerySet[Referral]:
    """The referrals ``user`` may see, newest first."""
    return Referral.objects.visible_to(user).select_related("report", "organisation", "referred_by")


def active_organisations() -> QuerySet[ReferralOrganisation]:
    return ReferralOrganisation.objects.filter(is_active=True)


@transaction.atomic
def referral_make(*, report: Report, by: Any, organisation: ReferralOrganisation, note: str = "") -> Referral:
    """Refer the person of a report to an organisation of the list, with a note for it."""
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("reporter", "unit", "case")
        .get(pk=report.pk)
    )
    if not Report.objects.visible_to(by, CHANGE).filter(pk=report.pk).exists():
        raise OutOfScope(_("Report %(reference)s was not found.") % {"reference": report.reference}, "report")
    if not organisation.is_active:
        raise TriageError(_("This organisation is no longer on the list."), "organisation")
    if report.referrals.filter(organisation=organisation).exclude(status=Referral.Status.CLOSED).exists():
        raise TriageError(
            _("This report was already referred to %(organisation)s.") % {"organisation": organisation},
            "organisation",
        )
    note = "\n".join(strip_invisible(line) for line in (note or "").splitlines()).strip()
    if len(note) > MAX_NOTE:
        raise TriageError(_("Write at most %(count)s characters.") % {"count": MAX_NOTE}, "note")
    referral = Referral.objects.create(report=report, organisation=organisation, note=note, referred_by=by)
    if report.case_id is not None:
        case_add_event(
            case=report.case,
            kind=CaseEvent.Kind.REFERRAL,
            by=by,
            data={"report": report.reference, "organisation": organisation.code},
        )
    audit_record(
        action="cyber.referral_make",
        actor=by,
        obj=referral,
        subject=report.reporter,
        unit=report.unit,
        details={
            "reference": report.reference,
            "organisation": organisation.code,
            "case": report.case.reference if report.case_id else None,
        },
    )
    return referral
