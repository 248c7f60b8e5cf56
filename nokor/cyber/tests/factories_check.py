"""Reports made directly with the ORM for the scam-check tests (the reporting flow has its own service
and tests): a category, and reports naming identifiers, each written as a person would type it.
A test module imports the fixtures it needs (``from …factories_check import make_report_fixture``);
they register under the names without ``_fixture``."""

from __future__ import annotations

import datetime as dt
import itertools
import secrets

import pytest
from django.core.cache import cache
from django.utils import timezone

from nokor.cyber.models import Category, Report, Sighting
from nokor.cyber.normalize import normalize

_numbers = itertools.count(1)


@pytest.fixture(name="fresh_rate_limit", autouse=True)
def fresh_rate_limit_fixture():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(name="categories")
def categories_fixture(db):
    """Two categories of the taxonomy."""
    return {
        "investment": Category.objects.create(
            slug="investment-scam", name_km="ការឆបោកវិនិយោគ", name_en="Investment scam", position=1
        ),
        "impersonation": Category.objects.create(
            slug="impersonation",
            name_km="ការក្លែងបន្លំ",
            name_en="Pretending to be a bank or official",
            position=2,
        ),
    }


@pytest.fixture(name="make_report")
def make_report_fixture(categories, units):
    """``make_report("012 345 678", unit="12", contact_phone="+85511111111")``: a report naming the
    identifiers (normalised like the reporting flow does), one sighting each."""

    def make(
        *identifiers: str,
        unit: str | None = "12",
        category: str = "investment",
        reporter=None,
        contact_phone: str = "",
        contact_email: str = "",
        on_behalf_of: str = "",
        status: str = Report.Status.RECEIVED,
        at: dt.datetime | None = None,
        anonymous: bool = False,
    ) -> Report:
        number = next(_numbers)
        if not (anonymous or reporter or contact_phone or contact_email):
            contact_phone = f"+8551{number:07d}"  # a different person each time unless told
        report = Report.objects.create(
            number=number,
            reference=f"CY-TEST-{number:06d}",
            tracking_code_hash=secrets.token_hex(32),
            reporter=reporter,
            on_behalf_of=on_behalf_of,
            category=categories[category],
            description="A man called and asked me to send money.",
            consent=True,
            contact_phone=contact_phone,
            contact_email=contact_email,
            unit=units[unit] if unit else None,
            status=status,
        )
        when = at or timezone.now()
        for text in identifiers:
            identifier = normalize(text)
            assert identifier.recognized, text
            Sighting.objects.create(
                report=report,
                kind=identifier.kind,
                value=identifier.normalized[:512],  # as the reporting flow stores it
                original=text,
                registrable_domain=identifier.registrable_domain or "",
                recognized=True,
                reported_at=when,
            )
        return report

    return make
