"""Paper versions of the public cyber forms, for someone helped at a commune office or a police post: the
cybercrime report (the same questions as the online report, in the same order) and the request to review
a listing of the scam check."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from nokor.core.access import PUBLIC, rule
from nokor.cyber import forms_report
from nokor.cyber.forms_check import DisputeForm
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
    return paper.paper_response(
        request,
        title=_("Report a cybercrime"),
        sections=report_sections(),
        back_url=reverse("cyber:report_start"),
        back_label=_("Report a cybercrime"),
        intro=_(
            "Keep the screenshots, messages and receipts: bring them, or copies of them, with this form."
        ),
    )


def dispute_sections() -> list[paper.PaperSection]:
    """The review request on paper: what is listed (online, the scam check's result fills it in), then
    the questions of the online form."""
    listed = paper.PaperField(
        name="q",
        label=_("The phone number, account or website that is listed"),
        kind="line",
        hint=_("Write it exactly as the scam check shows it."),
    )
    return [
        paper.PaperSection(title=_("Listed"), fields=[listed]),
        paper.section_from_form(_("About you and why the listing is wrong"), DisputeForm()),
    ]


@rule(PUBLIC)
def dispute_paper_form(request):
    """The request to review a listing of the scam check, as boxes and lines, ready to print."""
    return paper.paper_response(
        request,
        title=_("Ask for a review of a listing"),
        sections=dispute_sections(),
        back_url=reverse("cyber:check"),
        back_label=_("Check a phone number, website or account"),
        intro=_(
            "If this phone number, account or website is yours and it is not used for scams, tell us. An "
            "investigator will look at the reports again and may contact you. The listing stays while it is "
            "reviewed."
        ),
        declaration=_(
            "I declare that what I wrote on this form is true. We use your name and contact details only to "
            "review this listing."
        ),
    )
