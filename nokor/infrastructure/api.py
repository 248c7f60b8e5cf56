"""The infrastructure API: the public status of the ministry's online services (anyone, the figures of the
status page), and for infrastructure officers and auditors the offices with their internet links, the
registry of digital systems and the assets, in their unit scope: the same selectors as the pages, so
an office outside the reader's units is 404 and never in a list. Mounted in ``nokor/api.py`` with
``api.add_router("/infrastructure/", "nokor.infrastructure.api.router")``."""

# No `from __future__ import annotations`: Ninja reads the parameter types of paginated operations from
# this module's objects, which string annotations would hide from it.
import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from nokor.core.access import get_for_user
from nokor.infrastructure import monitoring, selectors
from nokor.infrastructure.models import Asset, Connectivity, DigitalSystem, Monitor, Site
from nokor.infrastructure.views_sites import VIEW_RULE
from nokor.infrastructure.views_status import CACHE_SECONDS
from nokor.integrations.auth import api_auth
from nokor.integrations.pagination import CursorPagination
from nokor.integrations.problems import problem_responses

router = Router(tags=["infrastructure"])
MAX_ID = 2**63 - 1  # the largest key of a BigAutoField: a larger number would overflow the database
STAFF_AUTH = api_auth("infrastructure:read")
STAFF_ERRORS = problem_responses(
    {
        401: "No API key or session.",
        403: "Not an infrastructure officer, an auditor or an administrator (or the key lacks the scope).",
    }
)


def _reader(request: HttpRequest) -> None:
    """Let in only those the infrastructure pages let in."""
    if not VIEW_RULE.admits(request.user):
        raise PermissionDenied


# --------------------------------------------------------------------------------------------------
# Public status
# --------------------------------------------------------------------------------------------------
class DayOut(Schema):
    date: dt.date
    uptime: float | None = Field(description="Percent of checks that found it working; null: no data.")


class ServiceStatusOut(Schema):
    id: int
    name_km: str
    name_en: str
    state: Monitor.State = Field(
        description="down only while an incident is open; unknown before the first check."
    )
    last_checked_at: dt.datetime | None
    uptime_90d: float | None
    days: list[DayOut] = Field(description="The last 90 days, oldest first.")


class IncidentUpdateOut(Schema):
    posted_at: dt.datetime
    text_km: str
    text_en: str


class IncidentOut(Schema):
    id: int
    service_id: int
    name_km: str
    name_en: str
    started_at: dt.datetime
    resolved_at: dt.datetime | None = Field(description="null while it is open.")
    updates: list[IncidentUpdateOut]


class StatusOut(Schema):
    generated_at: dt.datetime
    services: list[ServiceStatusOut]
    incidents: list[IncidentOut] = Field(
        description="The public incidents of the last 90 days, newest first."
    )


@router.get(
    "/status",
    response=StatusOut,
    auth=None,
    summary="The status of the ministry's online services",
    description=(
        "What the public status page shows: each public service's state, its uptime over 90 days and day "
        "by day, and the incidents of the last 90 days with the staff's updates (open ones have no "
        "resolved_at). The figures are kept for half a minute, so they may be that old."
    ),
)
def status(request: HttpRequest, response: HttpResponse):
    figures = monitoring.status_figures()
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return {
        "generated_at": figures["generated_at"],
        "services": figures["monitors"],
        "incidents": [{**item, "service_id": item["monitor_id"]} for item in figures["incidents"]],
    }


# --------------------------------------------------------------------------------------------------
# Offices and their links
# --------------------------------------------------------------------------------------------------
class LinkOut(Schema):
    link_type: Connectivity.LinkType
    provider: str
    contracted_mbps: float | None
    measured_mbps: float | None
    measured_at: dt.datetime | None
    is_primary: bool
    usable: bool = Field(description="Reaches the usable bandwidth (measured, else contracted).")

    @staticmethod
    def resolve_usable(link: Connectivity) -> bool:
        return link.is_usable


class SiteOut(Schema):
    id: int
    name_km: str
    name_en: str
    kind: Site.Kind
    unit_code: str
    address: str
    is_active: bool
    usable_connectivity: bool = Field(description="One of its links is usable.")
    links: list[LinkOut]

    @staticmethod
    def resolve_usable_connectivity(site: Site) -> bool:
        return any(link.is_usable for link in site.links.all())  # prefetched with the page

    @staticmethod
    def resolve_links(site: Site) -> list[Connectivity]:
        return list(site.links.all())


def _with_links(sites, user):
    """Sites with their links (the links the reader may see: the same scope as their site)."""
    return sites.prefetch_related(Prefetch("links", queryset=Connectivity.objects.visible_to(user, "view")))


UnitFilter = Query("", pattern=r"^[0-9]{0,8}$", description="Under this unit code (a province: 2 digits).")
NO_CONTROL = r"^[^\x00-\x1f]*$"  # PostgreSQL refuses a NUL in a query


@router.get(
    "/sites",
    response=list[SiteOut],
    auth=STAFF_AUTH,
    summary="Offices with their internet links",
    description=(
        "The offices in the reader's units (infrastructure officers, auditors, administrators), in the order "
        "of the offices page (unit code, then name): filter by unit, kind of office, connectivity (usable, "
        "or none: no usable link) and q (part of the name). Each office lists its links and whether they "
        "are usable."
    ),
    openapi_extra={"responses": STAFF_ERRORS},
)
@paginate(CursorPagination, ordering=("unit_code", "name_km", "pk"))
def sites(
    request: HttpRequest,
    unit: str = UnitFilter,
    kind: Site.Kind | None = None,
    connectivity: Literal["usable", "none"] | None = None,
    q: str = Query("", max_length=100, pattern=NO_CONTROL, description="Part of the name."),  # noqa: B008
):
    _reader(request)
    found = selectors.sites_for(
        request.user, unit=unit, kind=kind or "", connectivity=connectivity or "", search=q.strip()
    )
    return _with_links(found, request.user)


@router.get(
    "/sites/{site_id}",
    response=SiteOut,
    auth=STAFF_AUTH,
    summary="One office with its internet links",
    description="404 when the office does not exist or is outside the reader's units.",
    openapi_extra={
        "responses": {**STAFF_ERRORS, **problem_responses({404: "No such office in your units."})}
    },
)
def site(request: HttpRequest, site_id: int = Path(..., ge=1, le=MAX_ID)):  # noqa: B008
    _reader(request)
    return get_for_user(
        _with_links(selectors.sites_for(request.user), request.user), request.user, pk=site_id
    )


# --------------------------------------------------------------------------------------------------
# Digital systems
# --------------------------------------------------------------------------------------------------
class SystemOut(Schema):
    id: int
    name: str
    purpose: str
    owner_department: str
    users: DigitalSystem.Users | Literal[""] = Field(description="Empty when not recorded (as below).")
    hosting: DigitalSystem.Hosting | Literal[""]
    url: str
    is_public_facing: bool
    classification: DigitalSystem.Classification | Literal[""]
    holds_personal_data: bool
    personal_data_categories: list[str]
    criticality: DigitalSystem.Criticality | Literal[""]
    lifecycle: DigitalSystem.Lifecycle
    last_security_review: dt.date | None
    next_review_due: dt.date | None = Field(description="As recorded, else a year after the last review.")
    review_overdue: bool
    backups_tested_on: dt.date | None

    @staticmethod
    def resolve_next_review_due(system: DigitalSystem) -> dt.date | None:
        return system.review_due

    @staticmethod
    def resolve_review_overdue(system: DigitalSystem) -> bool:
        return system.is_review_overdue


@router.get(
    "/systems",
    response=list[SystemOut],
    auth=STAFF_AUTH,
    summary="The registry of digital systems",
    description=(
        "Every system in the registry, by name, as the registry page lists them: filter by lifecycle, "
        "data classification, criticality, and overdue=true for live or retiring systems overdue for a "
        "security review."
    ),
    openapi_extra={"responses": STAFF_ERRORS},
)
@paginate(CursorPagination, ordering=("name",))
def systems(
    request: HttpRequest,
    lifecycle: DigitalSystem.Lifecycle | None = None,
    classification: DigitalSystem.Classification | None = None,
    criticality: DigitalSystem.Criticality | None = None,
    overdue: bool = False,
):
    _reader(request)
    return selectors.systems_for(
        request.user,
        lifecycle=lifecycle or "",
        classification=classification or "",
        criticality=criticality or "",
        overdue=overdue,
    )


# --------------------------------------------------------------------------------------------------
# Assets
# --------------------------------------------------------------------------------------------------
class AssetOut(Schema):
    id: int
    asset_type: Asset.Type
    serial: str
    model: str
    status: Asset.Status
    site_id: int
    unit_code: str
    purchase_date: dt.date | None
    end_of_life: dt.date | None
    warranty_end: dt.date | None


@router.get(
    "/assets",
    response=list[AssetOut],
    auth=STAFF_AUTH,
    summary="Equipment",
    description=(
        "The assets in the reader's units, in the order of the assets page: filter by unit, type, status, "
        "eol=passed (past their end of life) and q (part of the serial number or model). Who an asset is "
        "assigned to is personal data and is not given here."
    ),
    openapi_extra={"responses": STAFF_ERRORS},
)
@paginate(CursorPagination, ordering=("unit_code", "pk"))
def assets(
    request: HttpRequest,
    unit: str = UnitFilter,
    type: Asset.Type | None = None,
    status: Asset.Status | None = None,
    eol: Literal["passed"] | None = None,
    q: str = Query("", max_length=100, pattern=NO_CONTROL, description="Part of the serial or model."),  # noqa: B008
):
    _reader(request)
    return selectors.assets_for(
        request.user, unit=unit, asset_type=type or "", status=status or "", eol=eol or "", search=q.strip()
    )
