"""Fixtures of the open data tests: release files in a folder of the test, pages in English, a clean
cache, and small crafted data in each app the builders read."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import secrets

import pytest
from django.core.cache import cache
from django.utils import timezone

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _opendata_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://nokor.example"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def english(client):
    client.cookies["nokor_language"] = "en"
    return client


def read_csv(data: bytes) -> list[dict[str, str]]:
    """Rows of a release's CSV (after its byte order mark)."""
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"))))


@pytest.fixture
def cyber_category(db):
    from nokor.cyber.models import Category

    return Category.objects.create(
        slug="investment-scam", name_km="ការឆបោកវិនិយោគ", name_en="Investment scam", position=1
    )


@pytest.fixture
def make_cyber_report(cyber_category, units):
    """``make_cyber_report(unit="12", channel="telegram", month=dt.date(2026, 3, 1))``."""
    from nokor.cyber.models import Report

    def make(*, unit="12", channel="telegram", month=dt.date(2026, 3, 1), description="", phone=""):
        number = next(_numbers)
        report = Report.objects.create(
            number=number,
            reference=f"CY-OD-{number:06d}",
            tracking_code_hash=secrets.token_hex(32),
            category=cyber_category,
            channel=channel,
            description=description or "A man called and asked me to send money.",
            consent=True,
            contact_phone=phone or f"+8551{number:07d}",
            unit=units[unit] if unit else None,
        )
        at = timezone.make_aware(dt.datetime.combine(month.replace(day=10), dt.time(9)))
        Report.objects.filter(pk=report.pk).update(created_at=at)
        return report

    return make


@pytest.fixture
def service(db):
    from nokor.services.models import ResponsibleLevel, Service

    return Service.objects.create(
        slug="residence-certificate",
        name_km="លិខិតបញ្ជាក់ទីលំនៅ",
        name_en="Residence certificate",
        summary_km="-",
        summary_en="-",
        eligibility_km="-",
        eligibility_en="-",
        processing_days=5,
        responsible_level=ResponsibleLevel.COMMUNE,
    )


@pytest.fixture
def performance(service, units):
    """One month of one service: Kandal 20, Phnom Penh 3 (small), Siem Reap 9, and 2 without an office."""
    from nokor.services.models import PerformanceAggregate

    def cell(province, received, completed, on_time, median):
        PerformanceAggregate.objects.create(
            service=service,
            province_code=province,
            period="2026-03",
            received=received,
            completed=completed,
            completed_on_time=on_time,
            median_days=median,
        )

    cell("08", 20, 18, 15, 4.0)
    cell("12", 3, 3, 3, 2.0)
    cell("17", 9, 8, 6, 6.5)
    cell("", 34, 30, 25, 4.5)  # the country: the three provinces and 2 applications without an office
    PerformanceAggregate.objects.create(
        service=service, province_code="", period="12m", received=34, completed=30, completed_on_time=25
    )
