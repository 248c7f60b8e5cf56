"""The paper version of the cybercrime report form, for a victim helped at a commune office or a police
post: the same questions as the online report, in the same order."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from nokor.core.access import PUBLIC, rule
from nokor.cyber import forms_report
from nokor.cyber.views_report import STEP_FORMS, STEP_TITLES, STEPS
from nokor.services import paper

# The list pages of the online report, on paper: one block, repeated on the back of the sheet if needed.
_LIST_FORMS = {
    "transfers": forms_report.TransferForm,
    "identifiers": forms_report.IdentifierForm,
    "evidence": forms_report.EvidenceForm,
}


def report_sections() -> list[paper.PaperSection]:
    """Every step of the online report as a section of the paper form."""
    sections = []
    for step in STEPS:
        form = (STEP_FORMS.get(step) or _LIST_FORMS[step])()
        hint = condition = ""
        if step == "transfers":
            condition = _("Answer only if you lost money or paid them anything.")
            hint = _("One payment per block: write the others on the back of the sheet.")
        elif step == "identifiers":
            hint = _("One per block: write the others on the back of the sheet.")
        sections.append(paper.section_from_form(str(STEP_TITLES[step]), form, hint=hint, condition=condition))
    return sections


@rule(PUBLIC)
def report_paper_form(request):
    """The report form as boxes and lines, with the office-use box, ready to print."""
    context = {
        "title": _("Report a cybercrime"),
        "intro": _(
            "Keep the screenshots, messages and receipts: bring them, or copies of them, with this form."
        ),
        "sections": report_sections(),
        "office_rows": paper.office_rows(fee=False),
        "back_url": reverse("cyber:report_start"),
        "back_label": _("Report a cybercrime"),
    }
    return render(request, "services/paper/form.html", context)
