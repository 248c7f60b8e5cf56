"""The strategy API: the plan's public results as the public page shows them (anyone: public indicators,
approved values, small numbers suppressed, no targets), and for the plan's readers (focal points,
approvers, auditors, administrators) the indicators with their targets, values per period and traffic
lights as the leadership dashboard shows them, and the state of the progress reports in their units.
Mounted in ``nokor/api.py`` with ``api.add_router("/strategy/", "nokor.strategy.api.router")``."""

# No `from __future__ import annotations`: Ninja reads the parameter types of paginated operations from
# this module's objects, which string annotations would hide from it.
import datetime as dt
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from nokor.core.access import get_for_user
from nokor.integrations.auth import api_auth
from nokor.integrations.pagination import CursorPagination
from nokor.integrations.problems import problem_responses
from nokor.strategy import status as plan
from nokor.strategy.models import Indicator, ProgressReport, Status
from nokor.strategy.rules import Light
from nokor.strategy.views_dashboard import DASHBOARD_RULE, province_scope
from nokor.strategy.views_public import SMALL_COUNT, latest_by_province, public_indicators, shown

router = Router(tags=["strategy"])
STAFF_AUTH = api_auth("strategy:read")
STAFF_ERRORS = problem_responses(
    {
        401: "No API key or session.",
        403: "Not a reader of the plan (focal point, approver, auditor, administrator), or the key lacks "
        "the scope.",
    }
)


def _reader(request: HttpRequest) -> None:
    """Let in only those the leadership dashboard lets in."""
    if not DASHBOARD_RULE.admits(request.user):
        raise PermissionDenied


# --------------------------------------------------------------------------------------------------
# Public results
# --------------------------------------------------------------------------------------------------
class PublicValueOut(Schema):
    year: int
    quarter: int = Field(description="1 to 4; 0 for a whole year (annual indicators).")
    period: str = Field(description="The period as the page writes it.")
    value: float | None = Field(description="null when not published (see note).")
    note: str = Field(description='Why a value is not given, as the page says it ("Fewer than 5").')


class PublicProvinceOut(Schema):
    unit_code: str
    name_km: str
    name_latin: str
    value: float | None
    note: str


class PublicIndicatorOut(Schema):
    code: str
    title_km: str
    title_en: str
    definition_km: str
    definition_en: str
    unit: Indicator.Unit
    frequency: Indicator.Frequency
    values: list[PublicValueOut] = Field(description="Every period with a value, oldest first.")
    latest: PublicValueOut | None
    provinces: list[PublicProvinceOut] | None = Field(
        description="Each province at the latest period (indicators disaggregated by province)."
    )


class PublicStrategyOut(Schema):
    code: str
    title_km: str
    title_en: str
    indicators: list[PublicIndicatorOut]


class PublicResultsOut(Schema):
    plan_code: str | None
    plan_title_km: str
    plan_title_en: str
    small_count: int = Field(description="Counts under this, and percentages of fewer cases, are not given.")
    strategies: list[PublicStrategyOut]


def _public_value(indicator: Indicator, reading: plan.Reading) -> dict[str, Any]:
    value, note = shown(indicator, reading)
    return {
        "year": reading.year,
        "quarter": reading.quarter,
        "period": reading.label,
        "value": value,
        "note": note,
    }


def _provinces(indicator: Indicator, found: dict[str, plan.Reading], provinces: list) -> list[dict[str, Any]]:
    items = []
    for unit in provinces:
        value, note = shown(indicator, found[unit.code]) if unit.code in found else (None, "")
        items.append(
            {
                "unit_code": unit.code,
                "name_km": unit.name_km,
                "name_latin": unit.name_latin,
                "value": value,
                "note": note,
            }
        )
    return items


def public_results() -> dict[str, Any]:
    """What the public page shows, as data (the page's own reads and suppression)."""
    indicators = public_indicators()
    statuses = plan.indicator_statuses(indicators, user=AnonymousUser())
    latest = {pk: status.latest for pk, status in statuses.items()}
    by_province, provinces = latest_by_province(latest)
    strategies: dict[int, dict[str, Any]] = {}
    for indicator in indicators:
        strategy = indicator.objective.strategy
        group = strategies.setdefault(
            strategy.pk,
            {
                "code": strategy.code,
                "title_km": strategy.title_km,
                "title_en": strategy.title_en,
                "indicators": [],
            },
        )
        reading = latest[indicator.pk]
        found = by_province.get(indicator.pk)
        group["indicators"].append(
            {
                "code": indicator.code,
                "title_km": indicator.title_km,
                "title_en": indicator.title_en,
                "definition_km": indicator.definition_km,
                "definition_en": indicator.definition_en,
                "unit": indicator.unit,
                "frequency": indicator.frequency,
                "values": [_public_value(indicator, r) for r in statuses[indicator.pk].frequency_readings],
                "latest": _public_value(indicator, reading) if reading else None,
                "provinces": _provinces(indicator, found, provinces)
                if found and reading is not None
                else None,
            }
        )
    first = indicators[0].objective.strategy.plan if indicators else None
    return {
        "plan_code": first.code if first else None,
        "plan_title_km": first.title_km if first else "",
        "plan_title_en": first.title_en if first else "",
        "small_count": SMALL_COUNT,
        "strategies": list(strategies.values()),
    }


@router.get(
    "/public",
    response=PublicResultsOut,
    auth=None,
    summary="The plan's public results",
    description=(
        "What the public transparency page shows: the strategies of the plan with their public indicators, "
        "each with its values per period (approved values only), its latest value and, for indicators "
        "disaggregated by province, each province's value at that period. A count under small_count is "
        'not given ("Fewer than 5" in note), nor a percentage of fewer cases. Targets and traffic lights '
        "are not public. Kept until the figures change."
    ),
)
def public(request: HttpRequest, response: HttpResponse):
    patch_cache_control(response, public=True, max_age=plan.CACHE_SECONDS)
    return plan.cached("api-public", public_results)


# --------------------------------------------------------------------------------------------------
# Indicators for the plan's readers
# --------------------------------------------------------------------------------------------------
class TargetOut(Schema):
    year: int
    value: float


class ReadingOut(Schema):
    year: int
    quarter: int = Field(description="1 to 4; 0 for a whole year (annual indicators).")
    period: str
    value: float | None
    expected: float | None = Field(description="The value expected then, on the line through the targets.")
    light: Light | None = Field(description="The traffic light; null without a target.")


class IndicatorOut(Schema):
    code: str
    title_km: str
    title_en: str
    strategy_code: str
    objective_code: str
    unit: Indicator.Unit
    direction: Indicator.Direction
    frequency: Indicator.Frequency
    source: Indicator.Source
    by_province: bool
    is_public: bool
    baseline_value: float | None
    baseline_year: int | None
    targets: list[TargetOut] = Field(description="Yearly targets (end of each year).")
    demo_targets: bool = Field(description="The targets are the demo ones, not the ministry's.")
    latest: ReadingOut | None
    light: Light | None = Field(description="The traffic light at the latest value, as on the dashboard.")

    @staticmethod
    def resolve_strategy_code(indicator: Indicator) -> str:
        return indicator.objective.strategy.code

    @staticmethod
    def resolve_objective_code(indicator: Indicator) -> str:
        return indicator.objective.code

    @staticmethod
    def resolve_targets(indicator: Indicator) -> list[dict[str, Any]]:
        return [{"year": year, "value": value} for year, value in sorted(indicator.status.targets.items())]

    @staticmethod
    def resolve_demo_targets(indicator: Indicator) -> bool:
        return indicator.status.demo_targets

    @staticmethod
    def resolve_latest(indicator: Indicator) -> dict[str, Any] | None:
        latest = indicator.status.latest
        return _reading(indicator.status, latest) if latest else None

    @staticmethod
    def resolve_light(indicator: Indicator) -> Light | None:
        return indicator.status.light


class IndicatorDetailOut(IndicatorOut):
    unit_code: str = Field(description="The province the values are of; empty: the whole country.")
    values: list[ReadingOut] = Field(description="Every period with a value, oldest first.")

    @staticmethod
    def resolve_unit_code(indicator: Indicator) -> str:
        return indicator.province_code

    @staticmethod
    def resolve_values(indicator: Indicator) -> list[dict[str, Any]]:
        return [_reading(indicator.status, reading) for reading in indicator.status.frequency_readings]


def _reading(status: plan.IndicatorStatus, reading: plan.Reading) -> dict[str, Any]:
    return {
        "year": reading.year,
        "quarter": reading.quarter,
        "period": reading.label,
        "value": reading.value,
        "expected": status.expected_at(reading.year, reading.quarter),
        "light": status.light_at(reading),
    }


def _with_statuses(request: HttpRequest, page: list[Indicator]) -> None:
    """The targets and national values of the page's indicators, read at once (two queries)."""
    statuses = plan.indicator_statuses(page, user=request.user)
    for indicator in page:
        indicator.status = statuses[indicator.pk]


StrategyCode = Query(None, max_length=20, pattern=r"^[0-9A-Za-z.]+$", description="A strategy's code.")


@router.get(
    "/indicators",
    response=list[IndicatorOut],
    auth=STAFF_AUTH,
    summary="Indicators with their targets, latest value and traffic light",
    description=(
        "Every indicator of the plan, by code, as the leadership dashboard shows them: the reference "
        "sheet's figures (unit, direction, baseline), the yearly targets, the latest national value with "
        "the value expected then and the traffic light. For the plan's readers: focal points, approvers, "
        "auditors and administrators."
    ),
    openapi_extra={"responses": STAFF_ERRORS},
)
@paginate(CursorPagination, ordering=("code",), on_page=_with_statuses)
def indicators(request: HttpRequest, strategy: str | None = StrategyCode, is_public: bool | None = None):
    _reader(request)
    found = Indicator.objects.visible_to(request.user).select_related("objective__strategy")
    if strategy:
        found = found.filter(objective__strategy__code=strategy)
    if is_public is not None:
        found = found.filter(is_public=is_public)
    return found


@router.get(
    "/indicators/{code}",
    response=IndicatorDetailOut,
    auth=STAFF_AUTH,
    summary="One indicator's values per period, with targets and traffic lights",
    description=(
        "The indicator page of the dashboard as data: every period with a value (quarters, or years for "
        "annual indicators), each with the value expected then and its traffic light. With province, the "
        "values of that province (indicators disaggregated by province; a focal point may ask only for "
        "their own province: any other is 404)."
    ),
    openapi_extra={
        "responses": {**STAFF_ERRORS, **problem_responses({404: "No such indicator or province."})}
    },
)
def indicator(
    request: HttpRequest,
    code: str = Path(..., max_length=20, pattern=r"^[0-9A-Za-z.]+$"),  # noqa: B008
    province: str | None = Query(None, pattern=r"^[0-9]{2}$", description="A province's code."),  # noqa: B008
):
    _reader(request)
    found = get_for_user(Indicator.objects.select_related("objective__strategy"), request.user, code=code)
    scope = province_scope(request.user)
    if province and (not found.by_province or (scope is not None and province not in scope)):
        raise Http404
    found.status = plan.indicator_statuses([found], user=request.user, unit_code=province or "")[found.pk]
    found.province_code = province or ""
    return found


# --------------------------------------------------------------------------------------------------
# Progress reports
# --------------------------------------------------------------------------------------------------
class ProgressReportOut(Schema):
    id: int
    activity_code: str
    activity_title_km: str
    activity_title_en: str
    year: int
    quarter: int
    unit_code: str = Field(description="The reporting unit; empty: the whole country.")
    state: ProgressReport.State
    activity_status: Status
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_activity_code(report: ProgressReport) -> str:
        return report.activity.code

    @staticmethod
    def resolve_activity_title_km(report: ProgressReport) -> str:
        return report.activity.title_km

    @staticmethod
    def resolve_activity_title_en(report: ProgressReport) -> str:
        return report.activity.title_en

    @staticmethod
    def resolve_year(report: ProgressReport) -> int:
        return report.period.year

    @staticmethod
    def resolve_quarter(report: ProgressReport) -> int:
        return report.period.quarter


@router.get(
    "/reports",
    response=list[ProgressReportOut],
    auth=STAFF_AUTH,
    summary="The state of the progress reports",
    description=(
        "The quarterly progress reports the reader may see (their units' reports for a focal point, all "
        "for approvers, auditors and administrators): draft, waiting for approval, returned or approved, "
        "newest first. Filter by year, quarter, state, unit and activity."
    ),
    openapi_extra={"responses": STAFF_ERRORS},
)
@paginate(CursorPagination, ordering=("-pk",))
def progress_reports(
    request: HttpRequest,
    year: int | None = Query(None, ge=2000, le=2100),  # noqa: B008
    quarter: int | None = Query(None, ge=1, le=4),  # noqa: B008
    state: ProgressReport.State | None = None,
    unit: str | None = Query(None, pattern=r"^[0-9]{2,8}$", description="Under this unit code."),  # noqa: B008
    activity: str | None = Query(None, max_length=20, pattern=r"^[0-9A-Za-z.]+$"),  # noqa: B008
):
    _reader(request)
    found = ProgressReport.objects.visible_to(request.user).select_related("activity", "period", "unit")
    if year:
        found = found.filter(period__year=year)
    if quarter:
        found = found.filter(period__quarter=quarter)
    if state:
        found = found.filter(state=state)
    if unit:
        found = found.filter(unit__code__startswith=unit)
    if activity:
        found = found.filter(activity__code=activity)
    return found
