"""The services API: the public catalogue, and applications with the same access rules as the pages
(a citizen sees their own; staff see their scope; a partner's key its members'; anything else is 404)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from nokor.audit.services import audit_view
from nokor.core.access import get_for_user
from nokor.integrations.auth import api_auth
from nokor.integrations.pagination import CursorPagination
from nokor.integrations.selectors import organisation_applications
from nokor.services import selectors
from nokor.services.models import Application, Status

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
    def resolve_service(application: Application) -> str:
        return application.service.slug

    @staticmethod
    def resolve_status_label(application: Application) -> str:
        return str(application.get_status_display())

    @staticmethod
    def resolve_office_code(application: Application) -> str | None:
        return application.unit.code if application.unit_id else None


@router.get("/services", response=list[ServiceOut], auth=None, summary="The catalogue of online services")
def catalogue(request: HttpRequest):
    return list(selectors.catalogue(request.user))


STATUS_PATTERN = "^(" + "|".join(Status.values) + ")$"


def _audit_reads(request: HttpRequest, applications: list[Application]) -> None:
    """Staff and partners' keys read other people's applications: each one read is audited."""
    if request.api_key or request.user.is_staff:
        for application in applications:
            audit_view(
                actor=request.user,
                obj=application,
                subject=application.applicant,
                unit=application.unit,
                what="application (API)",
            )


def _visible_applications(request: HttpRequest):
    if request.api_key:
        return organisation_applications(
            organisation_id=request.api_key.organisation_id, service_account=request.user
        )
    if request.user.is_staff:
        return selectors.queue_for(request.user)
    return selectors.my_applications(request.user)


@router.get(
    "/applications",
    response=list[ApplicationOut],
    auth=api_auth("applications:read-own-org"),
    summary="Applications you may see: your own, your office's queue for staff, your members' for a key",
    description=(
        "Newest first, a page at a time (follow next). Signed in: a citizen's own applications, or the "
        "queue of a staff member's offices. With an API key (scope applications:read-own-org): the "
        "applications filed by or for the members of the key's organisation. Each application read by "
        'staff or a key is recorded in the applicant\'s "who viewed my data".'
    ),
)
@paginate(CursorPagination, ordering=("-created_at", "-pk"), on_page=_audit_reads)
def applications(
    request: HttpRequest,
    # Names that Ninja resolves in the paginator's module: builtins only (hence a pattern, not the enum).
    status: str | None = Query(  # noqa: B008
        None, pattern=STATUS_PATTERN, description="Only applications in this status (its code)."
    ),
    service: str | None = Query(None, description="Only applications for this service (its slug)."),  # noqa: B008
):
    found = _visible_applications(request).select_related("service", "unit", "applicant")
    if status:
        found = found.filter(status=status)
    if service:
        found = found.filter(service__slug=service)
    return found


@router.get(
    "/applications/{application_id}",
    response=ApplicationOut,
    auth=api_auth("applications:read-own-org"),
    summary="One application (404 when it does not exist or is not yours to see)",
)
def application_detail(request: HttpRequest, application_id: uuid.UUID):
    if request.api_key:
        application = (
            _visible_applications(request).select_related("service", "unit").filter(pk=application_id).first()
        )
        if application is None:
            raise Http404
    else:
        application = get_for_user(
            Application.objects.select_related("service", "unit"), request.user, pk=application_id
        )
    if application.status == "draft" and request.user.pk not in (
        application.applicant_id,
        application.filed_by_id,
    ):
        raise Http404
    _audit_reads(request, [application])
    return application
