"""The case report: one PDF with everything a prosecutor or a partner agency needs from a case — its
details, the linked reports (what happened, identifiers, transfers and money lost), the tasks, the
timeline, the evidence list with each file's SHA-256, and the freeze requests with their answers.

Generated on request (never stored), with the project's PDF rules (``documents.rendering.html_to_pdf``:
Khmer fonts installed on the server, nothing fetched) and audited as an export of the case.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone

from nokor.audit.services import audit_record
from nokor.cyber import cases
from nokor.cyber.models import Case, EvidenceFile, Sighting, Transfer
from nokor.documents.rendering import html_to_pdf


def report_context(case: Case, user: Any) -> dict[str, Any]:
    """What the case report template receives (the evidence ``user`` may see)."""
    linked = list(
        case.reports.select_related("category", "unit")
        .prefetch_related(
            Prefetch(
                "transfers", queryset=Transfer.objects.select_related("institution").order_by("paid_on", "pk")
            ),
            Prefetch("sightings", queryset=Sighting.objects.order_by("kind", "value")),
        )
        .order_by("created_at")
    )
    totals: dict[str, Decimal] = {}
    for report in linked:
        for transfer in report.transfers.all():
            totals[transfer.currency] = totals.get(transfer.currency, Decimal(0)) + transfer.amount
    evidence = EvidenceFile.objects.visible_to(user).filter(Q(case=case) | Q(report__case=case))
    return {
        "case": case,
        "reports": linked,
        "totals": sorted(totals.items()),
        "tasks": list(case.tasks.select_related("assignee", "done_by")),
        "events": cases.timeline(case),
        "evidence": list(evidence.select_related("report", "collected_by").order_by("collected_at", "pk")),
        "freezes": list(
            case.freeze_requests.select_related("institution", "requested_by", "answer_recorded_by")
            .prefetch_related(Prefetch("transfers", queryset=Transfer.objects.select_related("report")))
            .order_by("requested_at")
        ),
        "generated_at": timezone.now(),
    }


def case_report_html(case: Case, user: Any) -> str:
    return render_to_string("cyber/staff/case_report_pdf.html", report_context(case, user))


def case_report_pdf(*, case: Case, by: Any) -> bytes:
    """The case report as PDF bytes; the export is audited (who, when, which reports it holds)."""
    context = report_context(case, by)
    pdf = html_to_pdf(render_to_string("cyber/staff/case_report_pdf.html", context))
    audit_record(
        action="cyber.case_report_export",
        actor=by,
        obj=case,
        unit=case.unit,
        details={
            "reference": case.reference,
            "format": "pdf",
            "reports": [report.reference for report in context["reports"]],
            "evidence": len(context["evidence"]),
            "size": len(pdf),
        },
    )
    return pdf
