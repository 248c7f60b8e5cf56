"""manage.py seed_scale --reports: the benchmark's reports are real reports (canonical identifiers,
references, sightings), some identifiers listed and most not, and the numbering leaves room for the next
real report."""

from __future__ import annotations

import io
import json
from collections import Counter
from urllib.parse import unquote

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from nokor.core.models import Sequence
from nokor.cyber import reports, scamcheck
from nokor.cyber.models import IdentifierKind, Report, Sighting, Transfer
from nokor.cyber.normalize import normalize

FACTS = "NOKOR_SEED "


@pytest.fixture(autouse=True)
def demo_mode(settings):
    settings.DEMO = True  # seed_scale refuses to run outside demo and benchmark installations
    cache.clear()  # the scam check's answers and rate limit live in the cache
    yield
    cache.clear()


def seed_scale(*args: str) -> dict:
    out = io.StringIO()
    call_command("seed_scale", *args, stdout=out)
    line = next(line for line in out.getvalue().splitlines() if line.startswith(FACTS))
    return json.loads(line.removeprefix(FACTS))["cyber"]


@pytest.fixture
def seeded(units, investigator):
    """200 reports naming 5 identifiers each (a verdict needs an investigator)."""
    return seed_scale("--reports", "200", "--sightings-per-report", "5", "--measure-growth")


def test_it_creates_the_reports_and_sightings_asked_for(seeded):
    assert Report.objects.count() == 200 == seeded["reports"]
    assert Sighting.objects.count() == 1000 == seeded["sightings"]
    per_report = Counter(Sighting.objects.values_list("report_id", flat=True))
    assert len(per_report) == 200 and min(per_report.values()) >= 2 and max(per_report.values()) <= 8
    assert seeded["bytes_per_sighting"] is None or seeded["bytes_per_sighting"] > 0  # measured on PostgreSQL
    assert len(seeded["growth"]) == 2


def test_an_odd_number_of_reports_still_gets_exactly_k_sightings_each_on_average(units):
    facts = seed_scale("--reports", "7", "--sightings-per-report", "3")
    assert facts["reports"] == 7 and Sighting.objects.count() == 21


def test_references_are_unique_valid_and_the_sequence_is_past_them(seeded):
    rows = list(Report.objects.values_list("reference", "number", "created_at"))
    assert len({reference for reference, _, _ in rows}) == 200
    for reference, number, created_at in rows:
        assert reports.normalize_reference(reference) == reference
        year = timezone.localdate(created_at).year
        serial = number - year * reports.NUMBERS_PER_YEAR
        assert reference == reports.make_reference(year, serial)
        assert Sequence.objects.get(name=f"cyber-report-{year}").value >= serial


def test_the_next_real_report_gets_a_new_reference(seeded):
    year = timezone.localdate().year
    last = Sequence.objects.get(name=f"cyber-report-{year}").value
    submitted = reports.report_submit(
        by=None, category="phishing", attempt_only=True, identifiers=[reports.IdentifierInput("012 888 777")]
    )
    assert submitted.report.reference == reports.make_reference(year, last + 1)
    assert Report.objects.filter(reference=submitted.report.reference).count() == 1


def test_identifiers_are_stored_as_the_normaliser_writes_them(seeded):
    for sighting in Sighting.objects.all():
        identifier = normalize(sighting.original)
        if sighting.recognized:
            assert (identifier.kind, identifier.normalized) == (sighting.kind, sighting.value), (
                sighting.original
            )
            assert (
                identifier.registrable_domain or ""
            ) == sighting.registrable_domain or sighting.kind not in (
                IdentifierKind.URL,
                IdentifierKind.DOMAIN,
                IdentifierKind.EMAIL,
            )
        else:
            assert sighting.kind == IdentifierKind.UNKNOWN and not identifier.recognized


def test_some_identifiers_are_listed_and_most_are_not(seeded):
    reports_by_identifier = Counter(Sighting.objects.filter(recognized=True).values_list("kind", "value"))
    repeated = [pair for pair, count in reports_by_identifier.items() if count >= 3]
    assert repeated and len(repeated) < len(reports_by_identifier) / 4
    result = scamcheck.check(seeded["listed_phone_written"])
    assert result.listed and result.report_count >= 3
    assert result.normalized == seeded["listed_phone"]
    assert unquote(seeded["listed_query"]) == seeded["listed_phone_written"] != seeded["listed_phone"]


def test_the_unknown_number_is_valid_and_in_no_report(seeded):
    result = scamcheck.check(seeded["unknown_phone"])
    assert result.recognized and result.kind == IdentifierKind.PHONE and not result.listed
    assert not Sighting.objects.filter(kind=IdentifierKind.PHONE, value=result.normalized).exists()


def test_payments_are_to_accounts_the_report_names(seeded):
    transfers = Transfer.objects.exclude(to_account="").select_related("institution")
    assert transfers.exists()
    for transfer in transfers:
        bank = transfer.institution.code if transfer.institution else transfer.institution_text
        assert Sighting.objects.filter(
            report=transfer.report, kind=IdentifierKind.BANK_ACCOUNT, value=f"{bank}:{transfer.to_account}"
        ).exists()
    assert Report.objects.filter(loss_usd_cents__gt=0).exists()
    assert not Report.objects.filter(attempt_only=True, transfers__isnull=False).exists()


def test_it_tops_up_instead_of_duplicating(seeded):
    again = seed_scale("--reports", "200")
    assert Report.objects.count() == 200 and again["listed_phone"]
    seed_scale("--reports", "260", "--sightings-per-report", "4")
    assert Report.objects.count() == 260 and Sighting.objects.count() == 1000 + 60 * 4
    references = list(Report.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references))
