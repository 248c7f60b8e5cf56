"""The cybercrime reports section of a person's data: the reports they filed from their account,
exported in full (without the evidence files' contents, named and hashed) and RETAINED when the account
is deleted: a report is a complaint to the police and may be evidence in an investigation, so it is
kept, linked to the anonymised account, with the contact details given in it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nokor.accounts.personal_data import Section, register
from nokor.cyber.models import Report


def _export(user: Any) -> list[dict[str, Any]]:
    reports = (
        Report.objects.filter(reporter=user)
        .select_related("category", "unit")
        .prefetch_related("transfers__institution", "sightings", "evidence")
        .order_by("created_at")
    )
    return [
        {
            "reference": report.reference,
            "filed_at": report.created_at.isoformat(),
            "category": report.category.slug,
            "on_behalf_of": report.on_behalf_of,
            "channel": report.channel,
            "incident_date": report.incident_date.isoformat() if report.incident_date else None,
            "description": report.description,
            "attempt_only": report.attempt_only,
            "ongoing_contact": report.ongoing_contact,
            "vulnerable_victim": report.vulnerable_victim,
            "trafficking_flag": report.trafficking_flag,
            "loss_khr": report.loss_khr,
            "loss_usd_cents": report.loss_usd_cents,
            "contact_email": report.contact_email,
            "contact_phone": report.contact_phone,
            "consent": report.consent,
            "unit": report.unit.code if report.unit_id else None,
            "status": report.status,
            "public_note": report.public_note,
            "transfers": [
                {
                    "institution": transfer.institution.code if transfer.institution_id else "",
                    "institution_text": transfer.institution_text,
                    "to_account": transfer.to_account,
                    "transaction_id": transfer.transaction_id,
                    "paid_on": transfer.paid_on.isoformat() if transfer.paid_on else None,
                    "amount": str(transfer.amount),
                    "currency": transfer.currency,
                }
                for transfer in report.transfers.all()
            ],
            "identifiers": [
                {"as_written": s.original, "kind": s.kind, "value": s.value, "recognized": s.recognized}
                for s in report.sightings.all()
            ],
            "evidence": [
                {"file_name": e.original_name, "size": e.size, "sha256": e.sha256}
                for e in report.evidence.all()
            ],
        }
        for report in reports
    ]


def _retained(user: Any) -> list[str]:
    count = Report.objects.filter(reporter=user).count()
    if not count:
        return []
    return [
        _(
            "Cybercrime reports (%(count)s): a report to the police is kept, with its evidence and the "
            "contact details in it, because it may be needed in an investigation."
        )
        % {"count": count}
    ]


# No erase: reports are complaints to the police and possible evidence; they stay linked to the
# anonymised account (reports filed without an account were never linked to anyone).
register(
    Section("cyber_reports", gettext_lazy("Cybercrime reports"), _export, erase=None, retained=_retained)
)
