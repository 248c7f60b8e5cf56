"""The aggregate table: manual values of approved reports summed up the tree (provinces, sexes, quarters),
automatic indicators against values computed by hand from operational data, and the drill-through to the
records behind a number."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from nokor.core.indicators import INDICATORS
from nokor.infrastructure.tests.conftest import make_link, make_site
from nokor.strategy import aggregation, reporting
from nokor.strategy.models import Indicator, IndicatorAggregate, Objective

pytestmark = pytest.mark.django_db


def value(indicator, year, quarter, unit_code="", sex=""):
    row = IndicatorAggregate.objects.filter(
        indicator=indicator, year=year, quarter=quarter, unit_code=unit_code, sex=sex
    ).first()
    return row.value if row else None


def report(by, activity, period, values, *, approve_by=None):
    created = reporting.report_create(by=by, activity=activity, period=period, unit=by.active_roles[0].unit)
    names = {(cell.unit_code, cell.sex): cell.name for cell in reporting.value_cells(created)}
    updated = reporting.report_update(
        by=by,
        report=created,
        expected_version=None,
        activity_status="in_progress",
        narrative="",
        risks="",
        budget_spent=None,
        values={names[key]: Decimal(v) for key, v in values.items()},
    )
    submitted_report = reporting.report_submit(by=by, report=updated)
    if approve_by:
        reporting.report_approve(by=approve_by, report=submitted_report)
    return submitted_report


def test_approved_values_add_up_the_tree_and_over_the_year(
    focal_point, focal_point_phnom_penh, approver, awareness, period
):
    people = Indicator.objects.get(code="3.3.a")  # a number, by province and sex
    report(focal_point, awareness, period, {("08", "female"): 40, ("08", "male"): 60}, approve_by=approver)
    report(
        focal_point_phnom_penh, awareness, period, {("12", "female"): 5, ("12", "male"): 7}
    )  # not approved
    aggregation.refresh([people])
    y, q = period.year, period.quarter
    assert value(people, y, q, "08") == 100  # the sexes add up
    assert value(people, y, q, "") == 100  # Phnom Penh's report waits for approval: not counted
    assert value(people, y, q, "", "female") == 40

    pending = reporting.get_report_for_user(approver, focal_point_phnom_penh_report(period))
    reporting.report_approve(by=approver, report=pending)
    aggregation.refresh([people])
    assert value(people, y, q, "12") == 12
    assert value(people, y, q, "") == 112  # provinces add up to the country
    assert value(people, y, q, "", "male") == 67
    assert value(people, y, 0, "") == 112  # the year: the sum of its quarters
    assert (
        IndicatorAggregate.objects.get(indicator=people, year=y, quarter=q, unit_code="", sex="").reports == 2
    )


def focal_point_phnom_penh_report(period):
    from nokor.strategy.models import ProgressReport

    return ProgressReport.objects.get(period=period, unit__code="12").pk


def test_percentages_are_averaged_and_yes_no_needs_every_yes():
    assert aggregation.combine("percentage", [Decimal(50), Decimal(70)]) == 60
    assert aggregation.combine("yes_no", [Decimal(1), Decimal(0)]) == 0
    assert aggregation.combine("number", [Decimal(2), Decimal(3)]) == 5


def automatic(plan, code, key, by_province=True):
    return Indicator.objects.create(
        objective=Objective.objects.first(),
        code=code,
        title_km=code,
        unit="percentage",
        source="automatic",
        source_key=key,
        by_province=by_province,
    )


def test_commune_connectivity_matches_hand_computed_values(plan, units):
    make_link(make_site(units["080101"], "A"), contracted=10)
    make_site(units["080101"], "B")  # no link
    make_site(units["080101"], "C")  # no link
    make_link(make_site(units["12"], "D"), contracted=10)
    indicator = automatic(plan, "T.1", "infrastructure.commune_offices_connected")
    today = timezone.localdate()
    aggregation.refresh([indicator], today=today)
    quarter = (today.month - 1) // 3 + 1
    assert value(indicator, today.year, quarter, "") == Decimal("50.0")  # A and D of four offices
    assert value(indicator, today.year, quarter, "08") == Decimal("33.3")
    assert value(indicator, today.year, quarter, "12") == Decimal("100.0")
    assert value(indicator, today.year, quarter, "17") is None  # no office there: no value
    source = INDICATORS["infrastructure.commune_offices_connected"]
    start = dt.date(today.year, 1, 1)
    assert source.measure_by_province(start, today) == {
        code: source.measure(start, today, code) for code in ("08", "12")
    }


def test_charter_time_indicator_and_its_records_respect_access(
    plan,
    submitted,
    officer_kandal,
    officer_siem_reap,
    focal_point,
):
    from nokor.services import services as service_ops

    service_ops.application_approve(application=submitted, by=officer_kandal)
    indicator = automatic(plan, "T.2", "services.within_charter")
    aggregation.refresh([indicator])
    decided = timezone.localdate(submitted.submitted_at)
    quarter = (decided.month - 1) // 3 + 1
    assert value(indicator, decided.year, quarter, "08") == Decimal("100.0")
    assert value(indicator, decided.year, quarter, "") == Decimal("100.0")

    source = indicator.measure
    start = dt.date(decided.year, 1, 1)
    assert list(source.records(officer_kandal, start, decided, "08")) == [submitted]
    assert list(source.records(officer_siem_reap, start, decided, "08")) == []  # another province's
    assert list(source.records(focal_point, start, decided, "")) == []  # no right to applications
    assert source.url_of(submitted).endswith(f"/{submitted.pk}/")


def test_the_whole_plan_refreshes_and_every_automatic_source_exists(plan):
    done = aggregation.refresh()
    assert done["indicators"] == Indicator.objects.count()
    for indicator in Indicator.objects.filter(source="automatic"):
        assert indicator.measure is not None, indicator.source_key


def test_every_grouped_measure_agrees_with_the_measure_per_unit(submitted, officer_kandal, units):
    from nokor.services import services as service_ops

    service_ops.application_approve(application=submitted, by=officer_kandal)
    make_link(make_site(units["080101"], "A"), contracted=10)
    make_site(units["12"], "B")
    start, end = dt.date(2023, 1, 1), timezone.localdate()
    for source in INDICATORS.values():
        if source.measure_by_province is None:
            continue
        grouped = source.measure_by_province(start, end)
        missing = 0 if source.unit == "count" else None
        for code in ("08", "12", "17"):
            assert grouped.get(code, missing) == source.measure(start, end, code), (source.key, code)
        if "" in grouped:
            assert grouped[""] == source.measure(start, end, ""), source.key
