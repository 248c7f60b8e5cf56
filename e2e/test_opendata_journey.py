"""Open data, in a real browser (issue 9 acceptance): a visitor on a phone follows the footer link to the
catalogue, finds the cybercrime statistics by searching in Khmer and by the theme "justice", opens the
dataset and downloads its CSV (UTF-8 with a byte order mark, the documented header), then asks the data
owner for more detail; the dataset page is also shown on a desktop.

The catalogue is regenerated first, as the nightly job would, from cybercrime reports made here. Every
page is checked with axe; findings are collected and reported together at the end. Screenshots:
docs/screenshots/opendata-<nn>-<step>.png."""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from pathlib import Path

import pytest
from django.utils import timezone

from e2e.helpers import Checks, main_text, t
from nokor.opendata.models import DataRequest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),  # pytest-playwright's base_url
]

HEADER = [
    "month", "province_code", "province_name_km", "province_name_en", "category", "category_name_km",
    "category_name_en", "channel", "channel_name_km", "channel_name_en", "reports", "suppressed",
]  # fmt: skip


@pytest.fixture
def opendata_site(settings, tmp_path, live_server):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url
    return live_server


@pytest.fixture
def catalogue(units, cyber_supervisor):
    """Reports of the last two months in Phnom Penh and Kandal, then every dataset regenerated."""
    from nokor.cyber.models import Category, Report
    from nokor.opendata.services import datasets_regenerate

    scam = Category.objects.create(
        slug="investment-scam", name_km="ការឆបោកវិនិយោគ", name_en="Investment scam", position=1
    )
    this_month = timezone.localdate().replace(day=1)
    months = [this_month, (this_month - dt.timedelta(days=1)).replace(day=1)]
    plan = [
        ("12", "telegram", months[0], 9),
        ("12", "facebook", months[0], 6),
        ("08", "telegram", months[1], 2),
    ]
    number = 0
    for code, channel, month, count in plan:
        for _ in range(count):
            number += 1
            report = Report.objects.create(
                number=number,
                reference=f"CY-E2E-{number:05d}",
                tracking_code_hash=secrets.token_hex(32),
                category=scam,
                channel=channel,
                description="ខ្ញុំបានផ្ញើលុយទៅគណនីមួយ។",
                consent=True,
                contact_phone=f"+8551{number:07d}",
                unit=units[code],
            )
            at = timezone.make_aware(dt.datetime.combine(month.replace(day=2), dt.time(10)))
            Report.objects.filter(pk=report.pk).update(created_at=at)
    datasets_regenerate()


def test_a_visitor_finds_the_cybercrime_statistics_downloads_them_and_asks_for_more(
    new_page, opendata_site, catalogue, cyber_supervisor
):
    checks = Checks("opendata")

    # ---- 1. From the footer of the home page to the catalogue (a phone, Khmer) --------------------
    visitor = new_page("mobile")
    visitor.goto("/")
    visitor.locator("footer a[href='/opendata/']").click()
    visitor.wait_for_url("**/opendata/")
    assert visitor.locator("main .card").count() == 5
    checks.step(visitor, "catalogue")

    # ---- 2. Search in Khmer, then filter by theme --------------------------------------------------
    visitor.locator("main input[name=q]").fill("បទល្មើស")
    visitor.locator("main form[role=search] button[type=submit]").click()
    visitor.wait_for_url("**/opendata/?*")
    cards = visitor.locator("main .card h2")
    assert cards.count() == 1 and "បទល្មើសបច្ចេកវិទ្យា" in cards.inner_text()
    checks.step(visitor, "search-khmer")
    visitor.goto("/opendata/")
    visitor.locator("main nav a[href*='theme=JUST']").click()
    visitor.wait_for_url("**theme=JUST*")
    assert visitor.locator("main .card h2").count() == 1
    checks.step(visitor, "theme-justice")

    # ---- 3. The dataset, its dictionary and versions; the CSV download ---------------------------
    visitor.locator("main .card h2 a").click()
    visitor.wait_for_url("**/opendata/cybercrime-reports/")
    page_text = main_text(visitor)
    assert "CC BY 4.0" in page_text and "reports" in page_text
    checks.step(visitor, "dataset")
    with visitor.expect_download() as info:
        visitor.locator("main .opendata-latest a[href$='/v1.csv']").click()
    assert info.value.suggested_filename == "cybercrime-reports-v1.csv"
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte order mark, for Excel"
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))
    assert rows[0] == HEADER
    phnom_penh = [row for row in rows[1:] if row[1] == "12" and row[4] == "ALL" and row[7] == "ALL"]
    assert [row[10] for row in phnom_penh] == ["15"]
    kandal = [row for row in rows[1:] if row[1] == "08" and row[7] == "telegram" and row[4] != "ALL"]
    assert kandal and kandal[0][10] == "" and kandal[0][11] == "primary", "2 reports: hidden"
    assert "+8551" not in data.decode("utf-8") and "CY-E2E-" not in data.decode("utf-8")

    # ---- 4. The same page on a desktop -------------------------------------------------------------
    desktop = new_page("desktop")
    desktop.goto("/opendata/cybercrime-reports/")
    checks.step(desktop, "dataset-desktop", phone=False)

    # ---- 5. Asking the data owner for more detail -------------------------------------------------
    visitor.locator("main a[href='/opendata/request/?dataset=cybercrime-reports']").click()
    visitor.wait_for_url("**/opendata/request/**")
    visitor.locator("main button[type=submit]").click()  # nothing filled in: the errors first
    assert visitor.locator(".error-summary").is_visible()
    checks.step(visitor, "request-errors")
    visitor.locator("main textarea[name=what]").fill("ចំនួនរបាយការណ៍តាមស្រុក ឆ្នាំ ២០២៥")
    visitor.locator("main textarea[name=purpose]").fill("ការសិក្សាស្រាវជ្រាវអំពីការឆបោកតាមអនឡាញ")
    visitor.locator("main input[name=name]").fill("ចាន់ ស្រីមុំ")
    visitor.locator("main input[name=email]").fill("sreymom@example.org")
    visitor.locator("main button[type=submit]").click()
    visitor.wait_for_url("**/opendata/request/sent/")
    assert t(visitor, "Request sent") in main_text(visitor)
    checks.step(visitor, "request-sent")
    request = DataRequest.objects.get()
    assert request.owner_role == "cyber_supervisor" and request.dataset.slug == "cybercrime-reports"

    assert not checks.problems, "\n\n".join(checks.problems)
