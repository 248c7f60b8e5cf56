"""The academy API: verify a training certificate and read the public course catalogue (anyone); for
trainers and managers of staff, the completion report of mandatory training and each person's status,
in their unit scope. The same selectors and access rules as the pages: a unit outside the reader's
scope is 404, a person outside it is simply not in the list. Mounted in ``nokor/api.py`` with
``api.add_router("/academy/", "nokor.academy.api.router")``."""

# No `from __future__ import annotations`: Ninja reads the parameter types of paginated operations from
# this module's objects, which string annotations would hide from it.
import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from nokor.academy import reports, selectors
from nokor.academy.models import Enrolment
from nokor.academy.services import CERTIFICATE_TYPE
from nokor.academy.views_staff import REPORT_PAGES
from nokor.audit.services import audit_view
from nokor.documents import services as documents
from nokor.documents import throttle
from nokor.documents.registry import get_type
from nokor.integrations.auth import SessionAuth, api_auth
from nokor.integrations.pagination import CursorPagination
from nokor.integrations.problems import problem, problem_responses

router = Router(tags=["academy"])
MAX_ID = 2**63 - 1  # the largest key of a BigAutoField: a larger number would overflow the database
# Staff reads: the session for now; an API key once a scope for them is registered (nokor.integrations).
STAFF_AUTH = SessionAuth()
STAFF_ERRORS = problem_responses(
    {
        401: "Not signed in.",
        403: "Not a trainer, an auditor, a supervisor or an administrator.",
        404: "A unit or course outside the reader's scope.",
    }
)


def _reader(request: HttpRequest) -> None:
    """Let in only those the report pages let in (trainers and managers of staff)."""
    if not REPORT_PAGES.admits(request.user):
        raise PermissionDenied


# --------------------------------------------------------------------------------------------------
# Certificates
# --------------------------------------------------------------------------------------------------
class IssuerOut(Schema):
    code: str
    name_km: str
    name_latin: str


class CertificateOut(Schema):
    """What the public verification page shows of a certificate, and nothing more."""

    status: Literal["genuine", "revoked", "superseded", "unknown"] = Field(
        description="unknown also for a mistyped code and for the code of a document that is not a "
        "training certificate."
    )
    code: str | None = Field(description="The code in canonical form (null when unknown).")
    issued_on: dt.date | None
    issuer_unit: IssuerOut | None
    status_changed_on: dt.date | None = Field(description="When it was revoked or superseded.")
    holder_name: str | None = Field(description="Genuine certificates only, as printed.")
    course: str | None = Field(description="Genuine certificates only: the course, in Khmer / English.")
    completed_on: str | None = Field(description="Genuine certificates only, as printed.")


@router.get(
    "/certificates/{code}/verify",
    response=CertificateOut,
    auth=api_auth("academy:verify", anonymous=True),
    summary="Verify a training certificate",
    description=(
        "The status of the training certificate with this code (as printed, with or without hyphens): "
        "genuine, revoked, superseded or unknown. A genuine certificate also gives the holder's name, the "
        "course and the completion date, exactly as the public verification page shows them; nothing "
        "else. Each verification is recorded where the holder sees it. Without an API key, limited per "
        "client IP address (with the verification page and the documents API); with a key (scope "
        "academy:verify), by the key's own limit. Over the limit the answer is 429 with Retry-After."
    ),
    openapi_extra={
        "responses": problem_responses({429: "Too many verifications: wait Retry-After seconds."})
    },
)
def certificate_verify(request: HttpRequest, code: str, response: HttpResponse):
    # A key was counted against its own limit when it was checked (nokor.integrations.auth).
    retry_after = None if request.api_key else throttle.verification_retry_after()
    if retry_after:
        return problem(
            429,
            None,
            _("Too many verifications from this address. Try again later."),
            retry_after=retry_after,
        )
    result = documents.document_verify(code=code, channel="api")
    response["Cache-Control"] = "no-store"
    if result.document_type != CERTIFICATE_TYPE:
        result = documents.VerificationResult(status=documents.VerificationResult.UNKNOWN)
    keys = {label: key for key, label in get_type(CERTIFICATE_TYPE).fields.items()}
    fields = {keys.get(label): value for label, value in result.fields}
    unit = result.issuer_unit
    return {
        "status": result.status,
        "code": result.code or None,
        "issued_on": result.issued_on,
        "issuer_unit": {"code": unit.code, "name_km": unit.name_km, "name_latin": unit.name_latin}
        if unit
        else None,
        "status_changed_on": timezone.localtime(result.changed_at).date() if result.changed_at else None,
        "holder_name": fields.get("holder_name"),
        "course": fields.get("course"),
        "completed_on": fields.get("completed_on"),
    }


# --------------------------------------------------------------------------------------------------
# Catalogue
# --------------------------------------------------------------------------------------------------
class CourseOut(Schema):
    slug: str
    title_km: str
    title_en: str
    summary_km: str
    summary_en: str
    estimated_minutes: int
    lesson_count: int
    audience: Literal["public", "staff"] = Field(description="staff courses are listed for staff only.")


@router.get(
    "/courses",
    response=list[CourseOut],
    auth=None,
    summary="The course catalogue",
    description=(
        "The published courses anyone may take, in catalogue order; signed-in staff also see the courses "
        "for ministry staff. Filter with audience."
    ),
)
@paginate(CursorPagination, ordering=("position", "slug"))
def courses(request: HttpRequest, audience: Literal["public", "staff"] | None = None):
    found = selectors.catalogue_for(request.user)
    if audience:
        found = found.filter(audience=audience)
    return found


# --------------------------------------------------------------------------------------------------
# Reports (trainers and managers of staff)
# --------------------------------------------------------------------------------------------------
class FiguresOut(Schema):
    enrolled: int
    completed: int
    completion_rate: float | None = Field(description="Percent of the enrolled who completed.")
    final_taken: int = Field(description="Took the final test.")
    passed: int = Field(description="Passed the final test.")
    pass_rate: float | None = Field(description="Percent of those who took the final test.")
    overdue: int
    average_gain: float | None = Field(description="Final test minus pre-test, in points.")


class ReportRowOut(Schema):
    key: str = Field(
        description="The course's slug (by course), or the unit's code (by unit; empty for the rest)."
    )
    label: str
    figures: FiguresOut


class CompletionReportOut(Schema):
    course: str | None = Field(description="The course's slug; null: every course, one row each.")
    unit_code: str = Field(description="The unit reported on; empty: the whole country.")
    as_of: dt.datetime | None = Field(description="When the figures were last worked out.")
    rows: list[ReportRowOut]
    total: ReportRowOut | None


def _row(row: reports.ReportRow) -> dict:
    figures = row.figures
    return {
        "key": row.key,
        "label": row.label,
        "figures": {
            "enrolled": figures.enrolled,
            "completed": figures.completed,
            "completion_rate": figures.completion_rate,
            "final_taken": figures.final_taken,
            "passed": figures.passed,
            "pass_rate": figures.pass_rate,
            "overdue": figures.overdue,
            "average_gain": figures.average_gain,
        },
    }


UnitCode = Query(
    None, pattern=r"^([0-9]{2}){0,3}$", description="A unit code: province, district or commune."
)
CourseSlug = Query(None, max_length=80, pattern=r"^[-a-zA-Z0-9_]+$", description="A course's slug.")


@router.get(
    "/reports/completion",
    response=CompletionReportOut,
    auth=STAFF_AUTH,
    summary="Completion of training by course, or by unit for one course",
    description=(
        "The figures of the training report page (refreshed every few minutes): for the unit asked (by "
        "default the reader's own; empty for the whole country), one row per course, or, with course, "
        "one row per unit under it and the total. Trainers, auditors and supervisors, in their unit "
        "scope; a unit or course outside it is 404."
    ),
    openapi_extra={"responses": STAFF_ERRORS},
)
def completion_report(
    request: HttpRequest,
    course: str | None = CourseSlug,
    unit: str | None = UnitCode,
):
    _reader(request)
    chosen = None
    if course:
        chosen = next((c for c in reports.report_courses(request.user) if c.slug == course), None)
        if chosen is None:
            raise Http404
    table = reports.completion_report(user=request.user, course=chosen, unit_code=unit)
    return {
        "course": chosen.slug if chosen else None,
        "unit_code": table.unit_code,
        "as_of": table.as_of,
        "rows": [_row(row) for row in table.rows],
        "total": _row(table.total) if table.total else None,
    }


class EnrolmentOut(Schema):
    person_id: int
    person_name: str = Field(description="As on the overdue list.")
    unit_code: str = Field(description="Where the person worked when enrolled.")
    course: str = Field(description="The course's slug.")
    status: Literal["enrolled", "in_progress", "completed", "withdrawn"]
    enrolled_at: dt.datetime
    due_on: dt.date | None
    completed_at: dt.datetime | None
    overdue: bool
    progress_percent: int

    @staticmethod
    def resolve_person_id(enrolment: Enrolment) -> int:
        return enrolment.user_id

    @staticmethod
    def resolve_person_name(enrolment: Enrolment) -> str:
        return enrolment.user.full_name or str(enrolment.user)

    @staticmethod
    def resolve_course(enrolment: Enrolment) -> str:
        return enrolment.course.slug

    @staticmethod
    def resolve_overdue(enrolment: Enrolment) -> bool:
        return enrolment.is_overdue

    @staticmethod
    def resolve_progress_percent(enrolment: Enrolment) -> int:
        return enrolment.progress_percent()


def _audit_page(request: HttpRequest, page: list[Enrolment]) -> None:
    """Each person shown is a view of their data (as on the overdue page)."""
    for enrolment in page:
        audit_view(
            actor=request.user,
            obj=enrolment,
            subject=enrolment.user,
            unit=enrolment.unit,
            what="mandatory training (API)",
        )


@router.get(
    "/mandatory-training",
    response=list[EnrolmentOut],
    auth=STAFF_AUTH,
    summary="Each person's status in mandatory training",
    description=(
        "The current mandatory-training enrolments of the staff in the reader's units (trainers, "
        "auditors and supervisors): one row per person and course, by unit. Filter by person (a person "
        "outside the reader's scope gives an empty list), course, unit and status; overdue=true keeps "
        "what is past its due date and not completed (the overdue list). Every row returned is recorded "
        "as a view of that person's data."
    ),
    openapi_extra={"responses": STAFF_ERRORS},
)
@paginate(CursorPagination, ordering=("unit_code", "pk"), on_page=_audit_page)
def mandatory_training(
    request: HttpRequest,
    person: int | None = Query(None, ge=1, le=MAX_ID, description="A person's id."),  # noqa: B008
    course: str | None = CourseSlug,
    unit: str | None = UnitCode,
    status: Literal["enrolled", "in_progress", "completed"] | None = None,
    overdue: bool = False,
):
    _reader(request)
    if unit and not reports.in_scope(unit, reports.report_prefixes(request.user)):
        raise Http404
    if overdue:
        rows = reports.overdue_enrolments(user=request.user, today=timezone.localdate())
    else:
        rows = (
            Enrolment.objects.visible_to(request.user, "view")
            .filter(is_current=True, source=Enrolment.Source.ASSIGNMENT)
            .exclude(status=Enrolment.Status.WITHDRAWN)
        )
    if person:
        rows = rows.filter(user_id=person)
    if course:
        rows = rows.filter(course__slug=course)
    if unit:
        rows = rows.filter(unit_code__startswith=unit)
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("user", "course", "unit")
