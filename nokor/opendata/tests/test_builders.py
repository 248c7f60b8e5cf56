"""Each builder on small crafted data: the right groups and totals, small counts hidden, and nothing
but aggregates (no identifier or narrative of a cybercrime report)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from nokor.opendata.builders import get_builder
from nokor.opendata.models import Dataset
from nokor.opendata.services import catalogue_sync, render
from nokor.opendata.tests.conftest import read_csv


def rows_of(key: str, threshold: int = 5) -> list[dict[str, str]]:
    catalogue_sync()
    dataset = Dataset.objects.get(builder=key)
    return read_csv(render(dataset, get_builder(key).build(threshold=threshold)).csv)


def find(rows, **wanted):
    matches = [row for row in rows if all(row[name] == value for name, value in wanted.items())]
    assert len(matches) == 1, (wanted, matches)
    return matches[0]


def test_service_performance_by_province_with_the_country_as_total(performance):
    rows = rows_of("services.performance")
    kandal = find(rows, province_code="08")
    assert (kandal["submitted"], kandal["decided"], kandal["decided_on_time"], kandal["median_days"]) == (
        "20", "18", "15", "4.0",
    )  # fmt: skip
    assert kandal["service_name_en"] == "Residence certificate" and kandal["province_name_en"] == "Kandal"
    # Phnom Penh's 3 is hidden, and with it the smallest other count (the 2 without an office is
    # small too): the whole country's total stays, the hidden ones cannot be worked out from it.
    assert find(rows, province_code="12")["submitted"] == ""
    assert find(rows, province_code="12")["suppressed"] == "primary"
    assert find(rows, province_code="")["suppressed"] == "primary"
    country = find(rows, province_code="ALL")
    assert (country["submitted"], country["median_days"], country["suppressed"]) == ("34", "4.5", "")
    assert find(rows, province_code="17")["submitted"] == "9"
    assert {row["month"] for row in rows} == {"2026-03"}  # not the twelve-month summary


def test_cybercrime_reports_hold_counts_and_never_identifiers_or_narratives(make_cyber_report):
    secret_story = "ឈ្មោះ ហេង ដារ៉ា បានផ្ញើលុយទៅគណនី 000123456"
    for _ in range(6):
        make_cyber_report(unit="12", channel="telegram", description=secret_story, phone="+85512999888")
    for _ in range(7):
        make_cyber_report(unit="12", channel="facebook")
    make_cyber_report(unit="08", channel="telegram")
    catalogue_sync()
    dataset = Dataset.objects.get(builder="cyber.reports")
    content = render(dataset, get_builder("cyber.reports").build(threshold=5))
    for text in (content.csv.decode("utf-8"), content.json.decode("utf-8")):
        assert "ហេង ដារ៉ា" not in text and "000123456" not in text and "+85512999888" not in text
        assert "CY-OD-" not in text
    rows = read_csv(content.csv)
    assert list(rows[0]) == [column.name for column in content.table.columns]
    assert (
        find(rows, month="2026-03", province_code="12", category="investment-scam", channel="telegram")[
            "reports"
        ]
        == "6"
    )
    total = find(rows, month="2026-03", province_code="12", category="ALL", channel="ALL")
    assert total["reports"] == "13"
    kandal = find(rows, month="2026-03", province_code="08", category="investment-scam", channel="telegram")
    assert kandal["reports"] == "" and kandal["suppressed"] == "primary"
    assert content.table.start == dt.date(2026, 3, 1) and content.table.end == dt.date(2026, 3, 31)


def test_training_completions_by_course_year_and_province(units, make_persona):
    from nokor.academy.models import Course, Enrolment

    course = Course.objects.create(slug="cyber-hygiene", title_km="អនាម័យសាយប័រ", title_en="Cyber hygiene")
    learners = [make_persona(key) for key in ("officer_kandal", "supervisor_kandal", "officer_siem_reap")]
    completed = dt.datetime(2026, 2, 1, 3, tzinfo=dt.UTC)
    for learner, code in zip(learners, ["08", "08", "17"], strict=True):
        Enrolment.objects.create(
            user=learner,
            course=course,
            status=Enrolment.Status.COMPLETED,
            completed_at=completed,
            unit=units[code],
            unit_code=code,
        )
    rows = rows_of("academy.completions", threshold=2)
    assert find(rows, course="cyber-hygiene", year="2026", province_code="08")["course_title_en"] == (
        "Cyber hygiene"
    )
    siem_reap = find(rows, course="cyber-hygiene", year="2026", province_code="17")
    assert siem_reap["completions"] == "" and siem_reap["suppressed"] == "primary"
    # The total would give Siem Reap's 1 away (3 - 2): Kandal is hidden too.
    assert find(rows, course="cyber-hygiene", year="2026", province_code="ALL")["completions"] == "3"
    assert find(rows, course="cyber-hygiene", year="2026", province_code="08")["suppressed"] == "secondary"


def test_training_completions_of_repeated_cycles_count_each_completion(units, make_persona):
    from nokor.academy.models import Course, Enrolment

    course = Course.objects.create(slug="literacy", title_km="អក្ខរកម្ម", title_en="Literacy")
    learner = make_persona("officer_kandal")
    for cycle in range(1, 7):
        Enrolment.objects.create(
            user=learner, course=course, cycle=cycle, is_current=cycle == 6,
            status=Enrolment.Status.COMPLETED, completed_at=timezone.now(), unit=units["08"], unit_code="08",
        )  # fmt: skip
    Enrolment.objects.create(
        user=make_persona("officer_siem_reap"), course=course, status=Enrolment.Status.COMPLETED,
        completed_at=timezone.now(), unit=units["17"], unit_code="17",
    )  # fmt: skip
    rows = rows_of("academy.completions")
    assert find(rows, course="literacy", province_code="17")["suppressed"] == "primary"
    assert find(rows, course="literacy", province_code="08")["suppressed"] == "secondary"
    assert find(rows, course="literacy", province_code="ALL")["completions"] == "7"


def test_connectivity_of_offices_by_province_and_main_link(units):
    from nokor.infrastructure.models import Connectivity, Site

    def office(code, link=None, mbps=None):
        site = Site.objects.create(
            name_km="ឃុំ", kind=Site.Kind.COMMUNE_OFFICE, unit=units[code], unit_code=units[code].code
        )
        if link:
            Connectivity.objects.create(site=site, link_type=link, contracted_mbps=mbps)
        return site

    office("080101", "fibre", Decimal(100))
    office("080101", "fibre", Decimal("0.5"))
    office("0801", "4g", Decimal(20))
    office("1701")
    Site.objects.create(name_km="បិទ", kind=Site.Kind.OTHER, unit=units["17"], unit_code="17", is_active=False)
    rows = rows_of("infrastructure.connectivity", threshold=0)
    fibre = find(rows, province_code="08", link_type="fibre")
    assert (fibre["offices"], fibre["offices_connected"], fibre["suppressed"]) == ("2", "1", "")
    assert find(rows, province_code="08", link_type="ALL")["offices"] == "3"
    assert find(rows, province_code="17", link_type="")["offices"] == "1"  # no link recorded
    assert find(rows, province_code="17", link_type="ALL")["offices"] == "1"  # the closed one not counted


@pytest.mark.parametrize("language", ["en"])
def test_plan_indicators_publish_public_values_only_with_small_numbers_hidden(units, language):
    from nokor.strategy.loader import load_plan
    from nokor.strategy.models import Indicator, IndicatorAggregate

    load_plan()
    public = Indicator.objects.filter(is_public=True, unit=Indicator.Unit.NUMBER).first()
    private = Indicator.objects.filter(is_public=False).first()

    def value(indicator, amount, code=""):
        IndicatorAggregate.objects.create(
            indicator=indicator, year=2025, quarter=3, unit_code=code, value=Decimal(amount),
            computed_at=timezone.now(),
        )  # fmt: skip

    value(public, 4000)
    value(public, 3, "08")
    value(private, 77)
    rows = rows_of("strategy.indicators")
    assert {row["indicator"] for row in rows} == {public.code}
    assert find(rows, province_code="ALL")["value"] == "4000"
    kandal = find(rows, province_code="08")
    assert kandal["value"] == "" and kandal["suppressed"] == "primary"
    assert kandal["quarter"] == "3" and kandal["indicator_title_en"] == public.title_en
