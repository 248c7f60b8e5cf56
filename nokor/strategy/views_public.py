"""The public transparency page of the plan: for everyone, without an account, the indicators marked
public with their values (approved values only: the aggregate table holds nothing else of the manual
indicators), the same charts as the leadership dashboard, and no personal data.

Small numbers are not shown: a count from 1 to 4 is written "fewer than 5", and a percentage worked out
from fewer than 5 cases is not shown at all, so that nobody can be singled out in a small province.
Targets are not public (the ministry publishes them itself), so neither are targets nor traffic
lights here. The page is built from the aggregate table and kept in the cache per language until the
figures change.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from nokor.core.access import PUBLIC, rule
from nokor.core.charts import Bar, bar_chart
from nokor.core.db_router import replica_reads
from nokor.geography.models import AdministrativeUnit, Level
from nokor.strategy import status as plan
from nokor.strategy.models import Indicator, IndicatorAggregate

SMALL_COUNT = 5


def shown(indicator: Indicator, reading: plan.Reading) -> tuple[Decimal | None, str]:
    """The value the public may see, or None and the words written instead."""
    value = reading.value
    if value is None:
        return None, ""
    if indicator.unit == Indicator.Unit.NUMBER and 0 < value < SMALL_COUNT:
        return None, _("Fewer than %(count)s") % {"count": SMALL_COUNT}
    if (
        indicator.unit == Indicator.Unit.PERCENTAGE
        and reading.denominator is not None
        and reading.denominator < SMALL_COUNT
    ):
        return None, _("Not shown: fewer than %(count)s cases") % {"count": SMALL_COUNT}
    return value, ""


def _text(status: plan.IndicatorStatus, reading: plan.Reading | None) -> str:
    if reading is None:
        return "—"
    value, words = shown(status.indicator, reading)
    return words or status.text(value)


def public_indicators() -> list[Indicator]:
    """The indicators on the public page, in the plan's order, with their objective, strategy and plan."""
    return list(
        Indicator.objects.visible_to(AnonymousUser())  # the public's view, whoever is signed in
        .select_related("objective__strategy__plan")
        .order_by("objective__strategy__position", "objective__position", "position", "code")
    )


def latest_by_province(
    latest: dict[int, plan.Reading | None],
) -> tuple[dict[int, dict[str, plan.Reading]], list[AdministrativeUnit]]:
    """The public values by province of each indicator at its latest period (``latest`` by indicator
    id), and the provinces in code order when there are any (two queries at most)."""
    by_province: dict[int, dict[str, plan.Reading]] = defaultdict(dict)
    wanted = {pk: (r.year, r.quarter) for pk, r in latest.items() if r is not None}
    if wanted:
        rows = (
            IndicatorAggregate.objects.visible_to(AnonymousUser())
            .filter(
                indicator__in=wanted,
                indicator__by_province=True,
                sex="",
                year__in={y for y, _q in wanted.values()},
            )
            .exclude(unit_code="")
            .values_list("indicator_id", "year", "quarter", "unit_code", "value", "denominator")
        )
        for pk, year, quarter, code, value, denominator in rows:
            if wanted[pk] == (year, quarter):
                by_province[pk][code] = plan.Reading(year, quarter, value, denominator, unit_code=code)
    provinces = (
        list(AdministrativeUnit.objects.current().filter(level=Level.PROVINCE).order_by("code"))
        if by_province
        else []
    )
    return by_province, provinces


def public_figures() -> dict[str, Any]:
    """Everything the page shows, labelled in the active language (three queries)."""
    indicators = public_indicators()
    statuses = plan.indicator_statuses(indicators, user=AnonymousUser())
    latest = {pk: status.latest for pk, status in statuses.items()}
    by_province, provinces = latest_by_province(latest)
    strategies: dict[int, dict[str, Any]] = {}
    for indicator in indicators:
        status = statuses[indicator.pk]
        strategy = indicator.objective.strategy
        group = strategies.setdefault(
            strategy.pk, {"code": strategy.code, "title": strategy.title, "indicators": []}
        )
        reading = latest[indicator.pk]
        item = {
            "code": indicator.code,
            "title": indicator.title,
            "definition": indicator.definition,
            "value": _text(status, reading),
            "period": reading.label if reading else "",
            "chart": plan.indicator_chart(
                status,
                indicator.objective.strategy.plan.years,
                key=f"public-{indicator.pk}",
                with_targets=False,
                shown=lambda r, indicator=indicator: shown(indicator, r),
            ),
            "provinces": None,
        }
        found = by_province.get(indicator.pk)
        if found and reading is not None:
            bars = []
            for unit in provinces:
                province_reading = found.get(unit.code)
                value, words = shown(indicator, province_reading) if province_reading else (None, "")
                bars.append(Bar(unit.name, value, text=words))
            item["provinces"] = bar_chart(
                key=f"public-provinces-{indicator.pk}",
                title=_("%(indicator)s by province, %(period)s")
                % {"indicator": indicator.title, "period": reading.label},
                bars=bars,
                value_format=status.text,
                label_heading=_("Province"),
                value_heading=_("Value"),
                **plan.axis(indicator),
            )
        group["indicators"].append(item)
    plan_title = indicators[0].objective.strategy.plan.title if indicators else ""
    return {"plan_title": plan_title, "strategies": list(strategies.values()), "small_count": SMALL_COUNT}


@rule(PUBLIC)
@replica_reads
def public_page(request: HttpRequest) -> HttpResponse:
    """How the Digital Strategy Plan is going, for everyone."""
    # Rendered once per language (and version of the figures); each request adds only the page frame.
    body = plan.cached("public", lambda: render_to_string("strategy/public_body.html", public_figures()))
    response = render(request, "strategy/public.html", {"body": body})
    # The page carries the visitor's own menu and form token: browsers may keep it, shared caches not.
    patch_cache_control(response, private=True, max_age=plan.CACHE_SECONDS)
    return response
