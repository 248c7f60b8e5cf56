"""The services API: the public catalogue, and applications with the same access rules as the pages
(a citizen sees their own; staff see their scope; anything else is 404)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from nokor.audit.services import audit_view
from nokor.core.access import get_for_user
from nokor.services import selectors
from nokor.services.models import Application

router = Router(tags=["services"])


class ServiceOut(Schema):
    slug: str
    name_km: str
    name_en: str
    fee_riel: int
    processing_days: int
    responsible_level: str


class ApplicationOut(Schema):
    id: uuid.UUID
    reference: str | None
    service: str
    status: str
    status_label: str
    office_code: str | None
    submitted_at: dt.datetime | None
    deadline: dt.date | None
    decided_at: dt.datetime | None
    document_code: str

    @staticmethod
    def from_model(application: Application) -> ApplicationOut:
        return ApplicationOut(
            id=application.pk,
            reference=application.reference,
            service=application.service.slug,
            status=application.status,
            status_label=str(application.get_status_display()),
            office_code=application.unit.code if application.unit_id else None,
            submitted_at=application.submitted_at,
            deadline=application.deadline,
            decided_at=application.decided_at,
            document_code=application.document_code,
        )


@router.get("/services", response=list[ServiceOut], auth=None, summary="The catalogue of online services")
def catalogue(request: HttpRequest):
    return list(selectors.catalogue(request.user))


@router.get(
    "/applications",
    response=list[ApplicationOut],
    auth=django_auth,
    summary="Applications you may see: your own, or your office's queue for staff",
)
def applications(request: HttpRequest, limit: int = 50, offset: int = 0):
    limit = max(1, min(limit, 200))
    qs = (
        selectors.queue_for(request.user)
        if request.user.is_staff
        else selectors.my_applications(request.user)
    )
    return [ApplicationOut.from_model(a) for a in qs[offset : offset + limit]]


@router.get(
    "/applications/{application_id}",
    response=ApplicationOut,
    auth=django_auth,
    summary="One application (404 when it does not exist or is not yours to see)",
)
def application_detail(request: HttpRequest, application_id: uuid.UUID):
    application = get_for_user(
        Application.objects.select_related("service", "unit"), request.user, pk=application_id
    )
    if application.status == "draft" and request.user.pk not in (
        application.applicant_id,
        application.filed_by_id,
    ):
        raise Http404
    if request.user.is_staff:
        audit_view(
            actor=request.user,
            obj=application,
            subject=application.applicant,
            unit=application.unit,
            what="application (API)",
        )
    return ApplicationOut.from_model(application)
