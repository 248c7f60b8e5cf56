"""Downloads of the plan's status: the Excel workbook (every level of the plan, in the reader's
language) and the Khmer PDF progress report for the minister; both audited, both for leadership only."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from nokor.audit.models import AuditEvent
from nokor.strategy.models import Activity, Indicator, Objective, Strategy
from nokor.strategy.tests.test_dashboard import WITHIN_CHARTER, aggregate, english


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith('attachment; filename="nokor-plan-status-')
    return load_workbook(io.BytesIO(response.content)).active


def test_the_excel_export_holds_every_level_of_the_plan_with_targets_values_and_lights(login, plan, approver):
    aggregate(WITHIN_CHARTER, 2025, 3, 90)
    sheet = _sheet(english(login(approver)).get(reverse("strategy:export_excel")))
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    assert (
        header[:3] == ["Level", "Code", "Title"] and "Target 2027" in header and header[-1] == "Traffic light"
    )
    levels = [row[0] for row in rows[1:]]
    assert levels.count("Strategy") == Strategy.objects.count() == 6
    assert levels.count("Objective") == Objective.objects.count()
    assert levels.count("Activity") == Activity.objects.count()
    assert levels.count("Indicator") == Indicator.objects.count()
    within = next(row for row in rows if row[1] == WITHIN_CHARTER)
    column = dict(zip(header, within, strict=True))
    assert column["Baseline"] == 70 and column["Baseline year"] == 2022
    assert column["Target 2025"] == 85 and column["Target 2027"] == 95
    assert column["Latest value"] == 90 and column["Period"] == "2025 Q3"
    assert column["Expected (target)"] == pytest.approx(83.75)
    assert column["Traffic light"] == "On track"
    strategy_5 = next(row for row in rows if row[0] == "Strategy" and row[1] == "5")
    assert strategy_5[-1] == "On track"
    assert rows.index(strategy_5) < rows.index(within)  # in the order of the plan
    event = AuditEvent.objects.get(action="strategy.plan_status_export")
    assert event.actor == approver and event.details["format"] == "xlsx"


def test_the_excel_export_is_in_khmer_for_a_khmer_reader(login, plan, approver):
    client = login(approver)
    client.cookies["nokor_language"] = "km"
    sheet = _sheet(client.get(reverse("strategy:export_excel")))
    titles = [row[2].value for row in sheet.iter_rows(min_row=2)]
    assert Strategy.objects.get(code="1").title_km in titles


def test_the_progress_report_is_a_khmer_pdf(login, plan, approver, tmp_path):
    aggregate(WITHIN_CHARTER, 2025, 3, 90)
    response = english(login(approver)).get(reverse("strategy:export_pdf"))  # Khmer whatever the reader's
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-") and len(pdf) > 10_000
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "ព្រះរាជាណាចក្រកម្ពុជា" in text and "ក្រសួងមហាផ្ទៃ" in text
    assert Strategy.objects.get(code="5").title_km in text.replace("\n", " ") or "5.2" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    assert "Khmer" in fonts
    event = AuditEvent.objects.get(action="strategy.progress_report_export")
    assert event.actor == approver and event.details["format"] == "pdf"


def test_the_exports_are_for_leadership_only(login, plan, citizen, officer_kandal):
    for name in ("strategy:export_excel", "strategy:export_pdf"):
        assert login(citizen).get(reverse(name)).status_code == 403
        assert login(officer_kandal).get(reverse(name)).status_code == 403
    assert (
        not AuditEvent.objects.filter(action__startswith="strategy.")
        .exclude(action="strategy.plan_load")
        .exists()
    )
