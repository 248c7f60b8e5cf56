"""The leadership dashboard: "is the plan on track?" on one screen, then drill-down.

strategy cards (traffic lights) > a strategy's objectives > an objective's activities and indicators >
an indicator (target-versus-actual chart, a row per quarter) > its provinces (bar chart, within the
viewer's scope) > the records behind one province's number (the applications, reports, enrolments… as
the app's own access layer lets the viewer see them; for a manual indicator, the approved progress
reports).

Every page but the last reads the framework and the aggregate table only (:mod:`nokor.strategy.status`),
and the dashboard itself is kept in the cache per language until the figures change.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nokor.core.access import get_for_user, rule, staff_with
from nokor.core.charts import Bar, bar_chart
from nokor.core.db_router import replica_reads
from nokor.geography.models import AdministrativeUnit, Level
from nokor.strategy import status as plan
from nokor.strategy.models import (
    LEADERSHIP,
    Activity,
    Indicator,
    IndicatorAggregate,
    Objective,
    ProgressReport,
    Strategy,
)

DASHBOARD_RULE = staff_with(*LEADERSHIP)
PAGE_SIZE = 25


def private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------------------------------
# What the pages show of an indicator
# --------------------------------------------------------------------------------------------------
def indicator_row(status: plan.IndicatorStatus) -> dict[str, Any]:
    """An indicator's line in a card or a table: its latest value, the value expected then, its light."""
    latest = status.latest
    return {
        "code": status.indicator.code,
        "title": status.indicator.title,
        "url": reverse("strategy:dashboard_indicator", args=[status.indicator.code]),
        "actual": status.text(latest.value) if latest else "—",
        "period": latest.label if latest else "",
        "expected": status.text(status.expected) if latest and status.expected is not None else "—",
        "light": plan.light_view(status.light),
        "automatic": status.indicator.is_automatic,
    }


def _strategy_card(strategy: Strategy, statuses: list[plan.IndicatorStatus]) -> dict[str, Any]:
    return {
        "code": strategy.code,
        "title": strategy.title,
        "url": reverse("strategy:dashboard_strategy", args=[strategy.code]),
        "light": plan.light_view(plan.combined_light(s.light for s in statuses)),
        "indicators": [indicator_row(s) for s in statuses],
    }


def _counts(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """How many indicators have each light (the headline above the cards)."""
    counted: dict[str, dict[str, Any]] = {}
    for card in cards:
        for row in card["indicators"]:
            light = row["light"]
            counted.setdefault(light["value"], {**light, "count": 0})["count"] += 1
    order = ["on_track", "at_risk", "off_track", "none"]
    return sorted(counted.values(), key=lambda item: order.index(item["value"]))


def _strategy(request: HttpRequest, code: str) -> Strategy:
    found = plan.current_plan(request.user)
    if found is None:
        raise Http404
    return get_for_user(Strategy.objects.all(), request.user, plan=found, code=code)


def _indicator(request: HttpRequest, code: str) -> Indicator:
    return get_for_user(
        Indicator.objects.select_related("objective__strategy__plan", "activity"),
        request.user,
        code=code,
    )


def _trail(*steps: tuple[str, str]) -> list[tuple[str, str]]:
    return [(str(_("Plan dashboard")), reverse("strategy:dashboard")), *steps]


# --------------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------------
@rule(DASHBOARD_RULE)
@replica_reads
def dashboard(request: HttpRequest) -> HttpResponse:
    """The six strategies as cards, each with its traffic light and its indicators' latest values."""

    def build() -> dict[str, Any]:
        status = plan.plan_status(user=request.user)
        cards = [_strategy_card(s, status.of_strategy(s)) for s in status.strategies]
        return {
            "plan_title": status.plan.title if status.plan else "",
            "cards": cards,
            "counts": _counts(cards),
            "demo_targets": any(s.demo_targets for s in status.indicators.values()),
        }

    # The figures are national and the same for every reader of the dashboard: the page's content is
    # rendered once per language (and version of the figures); each request adds only the page frame.
    body = plan.cached("dashboard", lambda: render_to_string("strategy/dashboard_body.html", build()))
    return private(render(request, "strategy/dashboard.html", {"body": body}))


@rule(DASHBOARD_RULE)
@replica_reads
def dashboard_strategy(request: HttpRequest, code: str) -> HttpResponse:
    """One strategy: its objectives, each with its light and its indicators."""
    strategy = _strategy(request, code)
    indicators = list(Indicator.objects.visible_to(request.user).filter(objective__strategy=strategy))
    statuses_by_id = plan.indicator_statuses(indicators, user=request.user)
    objectives = []
    for objective in strategy.objectives.all():
        statuses = [s for s in statuses_by_id.values() if s.indicator.objective_id == objective.pk]
        objectives.append(
            {
                "objective": objective,
                "url": reverse("strategy:dashboard_objective", args=[objective.code]),
                "light": plan.light_view(plan.combined_light(s.light for s in statuses)),
                "indicators": [indicator_row(s) for s in statuses],
            }
        )
    context = {
        "strategy": strategy,
        "light": plan.light_view(plan.combined_light(s.light for s in statuses_by_id.values())),
        "objectives": objectives,
        "trail": _trail(),
    }
    return private(render(request, "strategy/dashboard_strategy.html", context))


@rule(DASHBOARD_RULE)
@replica_reads
def dashboard_objective(request: HttpRequest, code: str) -> HttpResponse:
    """One objective: its activities (who, when, budget, status) and its indicators."""
    current = plan.current_plan(request.user)
    objective = get_for_user(
        Objective.objects.select_related("strategy"), request.user, strategy__plan=current, code=code
    )
    indicators = list(Indicator.objects.visible_to(request.user).filter(objective=objective))
    statuses = plan.indicator_statuses(indicators, user=request.user)
    activities = Activity.objects.visible_to(request.user).filter(objective=objective).select_related("unit")
    context = {
        "objective": objective,
        "light": plan.light_view(plan.combined_light(s.light for s in statuses.values())),
        "indicators": [indicator_row(s) for s in statuses.values()],
        "activities": list(activities),
        "trail": _trail(
            (objective.strategy.title, reverse("strategy:dashboard_strategy", args=[objective.strategy.code]))
        ),
    }
    return private(render(request, "strategy/dashboard_objective.html", context))


@rule(DASHBOARD_RULE)
@replica_reads
def dashboard_indicator(request: HttpRequest, code: str) -> HttpResponse:
    """One indicator: its reference sheet, the target-versus-actual chart, and a row per period."""
    indicator = _indicator(request, code)
    status = plan.indicator_statuses([indicator], user=request.user)[indicator.pk]
    years = indicator.objective.strategy.plan.years
    rows = []
    for reading in reversed(status.frequency_readings):
        expected = status.expected_at(reading.year, reading.quarter)
        light = plan.light_view(status.light_at(reading))
        rows.append(
            [
                reading.label,
                status.text(reading.value),
                status.text(expected) if expected is not None else "—",
                format_html('<span aria-hidden="true">{}</span> {}', light["icon"], light["label"]),
                (
                    format_html(
                        '<a href="{}">{}</a>',
                        _provinces_url(indicator, reading.year, reading.quarter),
                        _("By province"),
                    )
                    if indicator.by_province
                    else ""
                ),
            ]
        )
    objective = indicator.objective
    context = {
        "indicator": indicator,
        "row": indicator_row(status),
        "sheet": _reference_sheet(indicator, status),
        "chart": plan.indicator_chart(status, years),
        "columns": [
            {"label": _("Period")},
            {"label": _("Actual")},
            {"label": _("Expected (target)")},
            {"label": _("Traffic light")},
            {"label": _("Provinces")},
        ],
        "rows": rows,
        "trail": _trail(
            (
                objective.strategy.title,
                reverse("strategy:dashboard_strategy", args=[objective.strategy.code]),
            ),
            (objective.title, reverse("strategy:dashboard_objective", args=[objective.code])),
        ),
    }
    return private(render(request, "strategy/dashboard_indicator.html", context))


def _reference_sheet(indicator: Indicator, status: plan.IndicatorStatus) -> list[dict[str, Any]]:
    baseline = status.baseline
    targets = ", ".join(f"{year}: {status.text(value)}" for year, value in sorted(status.targets.items()))
    if targets and status.demo_targets:
        targets = _("%(targets)s (demo targets)") % {"targets": targets}
    source = indicator.measure
    return [
        {"key": _("Definition"), "value": indicator.definition},
        {"key": _("Unit of measure"), "value": indicator.get_unit_display()},
        {"key": _("Direction"), "value": indicator.get_direction_display()},
        {
            "key": _("Baseline"),
            "value": _("%(value)s in %(year)s") % {"value": status.text(baseline[1]), "year": baseline[0]}
            if baseline
            else "",
        },
        {"key": _("Targets"), "value": targets},
        {"key": _("Frequency"), "value": indicator.get_frequency_display()},
        {
            "key": _("Source"),
            "value": f"{indicator.get_source_display()}: {source.title}"
            if source
            else indicator.get_source_display(),
        },
        {"key": _("Means of verification"), "value": indicator.means_of_verification},
    ]


# --------------------------------------------------------------------------------------------------
# Provinces and records
# --------------------------------------------------------------------------------------------------
def _provinces_url(indicator: Indicator, year: int, quarter: int) -> str:
    query = urlencode({"period": f"{year}-{quarter}"})
    return f"{reverse('strategy:dashboard_provinces', args=[indicator.code])}?{query}"


def province_scope(user: Any) -> set[str] | None:
    """The province codes the viewer may drill into; None for the whole country."""
    prefixes = user.unit_prefixes_for(LEADERSHIP) or set()
    if "" in prefixes:
        return None
    return {prefix[:2] for prefix in prefixes}


class PeriodForm(forms.Form):
    """The quarter (or year) whose figures by province are shown."""

    period = forms.ChoiceField(label=gettext_lazy("Period"))

    def __init__(self, *args: Any, readings: list[plan.Reading], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(f"{r.year}-{r.quarter}", r.label) for r in reversed(readings)]

    def chosen(self) -> tuple[int, int]:
        year, quarter = self.cleaned_data["period"].split("-")
        return int(year), int(quarter)


def _period(request: HttpRequest, status: plan.IndicatorStatus) -> tuple[PeriodForm, tuple[int, int] | None]:
    """The period asked for in the URL (else the latest with a value) and the form to change it."""
    readings = status.frequency_readings
    latest = (readings[-1].year, readings[-1].quarter) if readings else None
    if "period" not in request.GET:
        form = PeriodForm(readings=readings, initial={"period": f"{latest[0]}-{latest[1]}" if latest else ""})
        return form, latest
    form = PeriodForm(request.GET, readings=readings)
    return form, form.chosen() if form.is_valid() else None


@rule(DASHBOARD_RULE)
@replica_reads
def dashboard_provinces(request: HttpRequest, code: str) -> HttpResponse:
    """An indicator's value in each province the viewer may see, for one period (a bar chart)."""
    indicator = _indicator(request, code)
    if not indicator.by_province:
        raise Http404
    status = plan.indicator_statuses([indicator], user=request.user)[indicator.pk]
    form, period = _period(request, status)
    scope = province_scope(request.user)
    provinces = AdministrativeUnit.objects.current().filter(level=Level.PROVINCE).order_by("code")
    if scope is not None:
        provinces = provinces.filter(code__in=scope)
    chart = None
    if period is not None:
        year, quarter = period
        values = dict(
            IndicatorAggregate.objects.visible_to(request.user)
            .filter(
                indicator=indicator,
                year=year,
                quarter=quarter,
                sex="",
                unit_code__in=[p.code for p in provinces],
            )
            .values_list("unit_code", "value")
        )
        bars = [
            Bar(
                unit.name,
                values.get(unit.code),
                href=f"{reverse('strategy:dashboard_records', args=[indicator.code, unit.code])}"
                f"?{urlencode({'period': f'{year}-{quarter}'})}",
            )
            for unit in provinces
        ]
        chart = bar_chart(
            key=f"provinces-{indicator.pk}",
            title=_("%(indicator)s by province, %(period)s")
            % {"indicator": indicator.title, "period": plan.period_label(year, quarter)},
            bars=bars,
            value_format=status.text,
            label_heading=_("Province"),
            value_heading=_("Value"),
            **plan.axis(indicator),
        )
    context = {
        "indicator": indicator,
        "form": form,
        "chart": chart,
        "trail": _trail((indicator.title, reverse("strategy:dashboard_indicator", args=[indicator.code]))),
    }
    return private(render(request, "strategy/dashboard_provinces.html", context))


@rule(DASHBOARD_RULE)
def dashboard_records(request: HttpRequest, code: str, province: str) -> HttpResponse:
    """The records behind one province's number for one period, as the viewer may see them."""
    indicator = _indicator(request, code)
    scope = province_scope(request.user)
    if not indicator.by_province or (scope is not None and province not in scope):
        raise Http404
    unit = AdministrativeUnit.objects.current().filter(level=Level.PROVINCE, code=province).first()
    if unit is None:
        raise Http404
    status = plan.indicator_statuses([indicator], user=request.user)[indicator.pk]
    form, period = _period(request, status)
    if period is None:
        raise Http404
    year, quarter = period
    start, end = plan.period_bounds(year, quarter)
    source = indicator.measure
    if source is not None and source.records is not None:
        records = source.records(request.user, start, end, province)
        link = source.url_of
    elif not indicator.is_automatic:
        records = (
            ProgressReport.objects.visible_to(request.user)
            .filter(
                state=ProgressReport.State.APPROVED,
                values__indicator=indicator,
                period__year=year,
                unit__code__startswith=province,
            )
            .filter(**({"period__quarter": quarter} if quarter else {}))
            .select_related("activity", "period", "unit")
            .distinct()
            .order_by("period__quarter", "pk")
        )

        def link(report: ProgressReport) -> str:
            return reverse("strategy:report_detail", args=[report.pk])

    else:
        records = None
    page_obj = (
        Paginator(records, PAGE_SIZE).get_page(request.GET.get("page")) if records is not None else None
    )
    rows = (
        [
            [format_html('<a href="{}">{}</a>', link(record), record) if link(record) else str(record)]
            for record in page_obj.object_list
        ]
        if page_obj is not None
        else []
    )
    context = {
        "indicator": indicator,
        "unit": unit,
        "period_label": plan.period_label(year, quarter),
        "page_obj": page_obj,
        "rows": rows,
        "columns": [{"label": _("Record")}],
        "value": next(
            (
                status.text(value)
                for value in IndicatorAggregate.objects.visible_to(request.user)
                .filter(indicator=indicator, year=year, quarter=quarter, unit_code=province, sex="")
                .values_list("value", flat=True)
            ),
            "—",
        ),
        "trail": _trail(
            (indicator.title, reverse("strategy:dashboard_indicator", args=[indicator.code])),
            (_("By province"), _provinces_url(indicator, year, quarter)),
        ),
    }
    return private(render(request, "strategy/dashboard_records.html", context))
