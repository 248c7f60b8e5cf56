"""Loading the plan's results framework from its data file (``content/plan-2023-2027.json``): the plan,
its strategies, objectives, activities and indicators with their demo targets, and the reporting
periods of its years. Idempotent: everything is found by its code; the titles and definitions are
brought up to date, but a target that is no longer a demo one (entered by the planners) is never
overwritten."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from nokor.audit.services import audit_record
from nokor.strategy.models import (
    Activity,
    Indicator,
    Objective,
    Plan,
    ReportingPeriod,
    Strategy,
    Target,
    quarter_end,
)

PLAN_FILE = Path(__file__).parent / "content" / "plan-2023-2027.json"
DEADLINE_DAYS = 15  # reports are due this many days after the quarter ends
_TITLES = ("title_km", "title_en", "description_km", "description_en")


def _titled(data: dict[str, Any], position: int) -> dict[str, Any]:
    return {**{name: data.get(name, "") for name in _TITLES}, "position": position}


def periods_ensure(plan: Plan) -> int:
    """Create the reporting periods of the plan's years that do not exist yet; returns how many."""
    existing = set(ReportingPeriod.objects.values_list("year", "quarter"))
    missing = [
        ReportingPeriod(
            year=year, quarter=quarter, deadline=quarter_end(year, quarter) + dt.timedelta(days=DEADLINE_DAYS)
        )
        for year in plan.years
        for quarter in range(1, 5)
        if (year, quarter) not in existing
    ]
    ReportingPeriod.objects.bulk_create(missing)
    return len(missing)


@transaction.atomic
def load_plan(path: Path = PLAN_FILE) -> Plan:
    """Create or update the plan described in ``path``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    plan, _created = Plan.objects.update_or_create(
        code=data["code"],
        defaults={**_titled(data, 0), "start_year": data["start_year"], "end_year": data["end_year"]},
    )
    for s_pos, s_data in enumerate(data["strategies"]):
        strategy, _c = Strategy.objects.update_or_create(
            plan=plan, code=s_data["code"], defaults=_titled(s_data, s_pos)
        )
        for o_pos, o_data in enumerate(s_data["objectives"]):
            objective, _c = Objective.objects.update_or_create(
                strategy=strategy, code=o_data["code"], defaults=_titled(o_data, o_pos)
            )
            activities = {}
            for a_pos, a_data in enumerate(o_data.get("activities", [])):
                activities[a_data["code"]], _c = Activity.objects.update_or_create(
                    objective=objective,
                    code=a_data["code"],
                    defaults={
                        **_titled(a_data, a_pos),
                        "department": a_data.get("department", ""),
                        "start": dt.date.fromisoformat(a_data["start"]) if a_data.get("start") else None,
                        "end": dt.date.fromisoformat(a_data["end"]) if a_data.get("end") else None,
                        "budget_planned": a_data.get("budget_planned", 0),
                        "budget_spent": a_data.get("budget_spent", 0),
                        "status": a_data.get("status", "not_started"),
                    },
                )
            for i_pos, i_data in enumerate(o_data.get("indicators", [])):
                _indicator_load(objective, activities, i_data, i_pos)
    periods_ensure(plan)
    audit_record(action="strategy.plan_load", obj=plan, details={"file": path.name})
    return plan


def _indicator_load(
    objective: Objective, activities: dict[str, Activity], data: dict[str, Any], position: int
):
    baseline = data.get("baseline") or [None, None]
    indicator, _created = Indicator.objects.update_or_create(
        code=data["code"],
        defaults={
            "objective": objective,
            "activity": activities.get(data.get("activity", "")),
            "title_km": data["title_km"],
            "title_en": data.get("title_en", ""),
            "definition_km": data.get("definition_km", ""),
            "definition_en": data.get("definition_en", ""),
            "unit": data["unit"],
            "direction": data.get("direction", "higher"),
            "baseline_value": Decimal(str(baseline[0])) if baseline[0] is not None else None,
            "baseline_year": baseline[1],
            "frequency": data.get("frequency", "quarterly"),
            "by_province": data.get("by_province", True),
            "by_sex": data.get("by_sex", False),
            "means_of_verification": data.get("means_of_verification", ""),
            "is_public": data.get("is_public", False),
            "source": data.get("source", "manual"),
            "source_key": data.get("source_key", ""),
            "position": position,
        },
    )
    indicator.full_clean()
    real = set(indicator.targets.filter(is_demo=False).values_list("year", flat=True))
    for year, value in data.get("targets", {}).items():
        if int(year) in real:
            continue
        Target.objects.update_or_create(
            indicator=indicator, year=int(year), defaults={"value": Decimal(str(value)), "is_demo": True}
        )
    return indicator
