"""Fixtures of the investigators' tests (triage, cases, freeze requests, referrals): the reference data,
reports filed through the real ``reports.report_submit`` and staff clients that read English.
A test module imports the fixtures it needs (``from …factories_staff import file_report_fixture``);
they register under the names without ``_fixture``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from nokor.cyber import reference_data, reports
from nokor.cyber.models import Institution, Report


@pytest.fixture(name="cyber_data", autouse=True)
def cyber_data_fixture(db, settings, tmp_path):
    """Categories, institutions and referral organisations; private media; fresh rate limits."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    reference_data.load()
    yield
    cache.clear()


@pytest.fixture(name="file_report")
def file_report_fixture(units):
    """``file_report("012 345 678", unit="08", paid=[("120", "USD", "ABA", "000 123 456")])``: a report
    filed as the reporting flow files it (anonymous unless ``by`` is given), in Phnom Penh by default."""

    def file(
        *identifiers: str,
        unit: str | None = "12",
        by=None,
        category: str = "online-fraud",
        description: str = "They promised profits and kept my money.",
        paid: tuple = (),
        trafficking: bool = False,
        contact_email: str = "",
    ) -> Report:
        transfers = [
            reports.TransferInput(
                amount=Decimal(amount),
                currency=currency,
                institution=Institution.objects.get(code=bank) if bank else None,
                to_account=account,
                paid_on=timezone.localdate() - dt.timedelta(days=1),
            )
            for amount, currency, bank, account in paid
        ]
        return reports.report_submit(
            by=by,
            category=category,
            description=description,
            identifiers=[reports.IdentifierInput(text) for text in identifiers],
            transfers=transfers,
            trafficking_flag=trafficking,
            contact_email=contact_email,
            consent=True,
            unit=units[unit] if unit else None,
        ).report

    return file


@pytest.fixture(name="english")
def english_fixture(login):
    """A signed-in client that reads the pages in English."""

    def sign_in(user):
        client = login(user)
        client.cookies["nokor_language"] = "en"
        return client

    return sign_in
