"""The paper version of a service's application form, for assisted filing at a commune office."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from nokor.core.access import PUBLIC, rule
from nokor.core.text import current_language
from nokor.services import paper, selectors
from nokor.services.forms_engine import text_in


@rule(PUBLIC)
def paper_form(request, slug):
    """Every question of the service's current form as boxes and lines, with the documents to bring,
    the fee and the office-use box, ready to print."""
    service = get_object_or_404(
        selectors.catalogue(request.user).select_related("current_version"), slug=slug
    )
    definition = service.current_version.form_definition
    language = current_language()
    return paper.paper_response(
        request,
        title=_("Application form: %(service)s") % {"service": service.name},
        sections=paper.sections_from_definition(definition, language),
        back_url=reverse("services:service_detail", args=[service.slug]),
        back_label=service.name,
        fee=bool(service.fee_riel),
        service=service,
        eligibility=[
            text_in(question["question"], language) for question in definition.get("eligibility", [])
        ],
        declaration=text_in(definition.get("declaration"), language),
    )
