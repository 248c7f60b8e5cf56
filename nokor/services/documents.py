"""The one place the services app asks the documents app for a certificate."""

from __future__ import annotations

from typing import Any

from nokor.geography.models import AdministrativeUnit
from nokor.services import forms_engine
from nokor.services.models import Application

MINISTRY_SEAT = "12"  # national services are issued by the ministry, in Phnom Penh


def issue_for(application: Application, *, by: Any):
    """Issue the service's output document for an approved application (None when the service issues none)."""
    service = application.service
    if not service.output_document_type:
        return None
    from nokor.documents.services import document_issue

    definition = application.service_version.form_definition
    answers = application.answers
    issuer = application.unit or AdministrativeUnit.objects.get(code=MINISTRY_SEAT)
    holder_name = application.applicant_name or str(application.applicant)
    if service.output_document_type == "residence_certificate":
        village = AdministrativeUnit.objects.filter(code=answers.get("village", "")).first()
        address = ", ".join(filter(None, [answers.get("house"), village.full_name() if village else ""]))
        data = {"holder_name": holder_name, "address": address}
        sex = {"male": ("ប្រុស", "Male"), "female": ("ស្រី", "Female")}.get(answers.get("sex"), ("", ""))
        context = {
            "address": address,
            "date_of_birth": answers.get("date_of_birth"),
            "sex_km": sex[0],
            "sex_en": sex[1],
            "id_number": answers.get("national_id"),
            "resident_since": answers.get("living_since"),
        }
    else:
        km_rows = forms_engine.summary_rows(definition, answers, "km")
        en_rows = forms_engine.summary_rows(definition, answers, "en")
        rows = [
            {"km": km["label"], "en": en["label"], "value": km["value"]}
            for km, en in zip(km_rows, en_rows, strict=True)
            if km["value"]
        ]
        data = {"holder_name": holder_name, "reference": application.reference}
        context = {
            "reference": application.reference,
            "service_km": service.name_km,
            "service_en": service.name_en,
            "rows": rows,
        }
    return document_issue(
        document_type=service.output_document_type,
        holder=application.applicant,
        holder_name=holder_name,
        issuer_unit=issuer,
        data=data,
        context=context,
        source=application,
        by=by,
    )
