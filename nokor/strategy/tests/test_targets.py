"""The targets workbook round trip: download, fill in, upload (dry run with errors per row), apply —
audited, and nothing written while any row has an error."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from nokor.audit.models import AuditEvent
from nokor.strategy.models import Target

pytestmark = pytest.mark.django_db


def filled(content: bytes, changes: dict[tuple[str, str], object]) -> SimpleUploadedFile:
    book = load_workbook(io.BytesIO(content))
    sheet = book["Targets"]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        for (code, year), value in changes.items():
            if row[0].value == code:
                row[header.index(year)].value = value
    output = io.BytesIO()
    book.save(output)
    return SimpleUploadedFile("targets.xlsx", output.getvalue())


def test_round_trip_with_a_bad_row_writes_nothing_then_applies(plan, approver, login):
    client = login(approver)
    download = client.get(reverse("strategy:targets_export"))
    assert download.status_code == 200
    content = download.content
    sheet = load_workbook(io.BytesIO(content))["Targets"]
    assert [cell.value for cell in sheet[1]][:4] == ["code", "indicator", "unit", "2023"]
    assert {row[0].value for row in sheet.iter_rows(min_row=2)} >= {"1.1.a", "5.2.a"}

    bad = filled(content, {("1.1.a", "2025"): 65, ("5.2.a", "2026"): "ninety", ("2.1.a", "2027"): 140})
    checked = client.post(reverse("strategy:targets_import"), {"file": bad})
    page = checked.content.decode()
    assert checked.status_code == 200
    assert "is not a number" in page
    assert "between 0 and 100" in page
    import_id = checked.context["import_id"]
    refused = client.post(reverse("strategy:targets_import"), {"import_id": import_id})
    assert "Nothing was changed" in refused.content.decode()
    assert Target.objects.get(indicator__code="1.1.a", year=2025).value == 60  # untouched

    good = filled(content, {("1.1.a", "2025"): 65, ("5.2.a", "2026"): "91.5"})
    checked = client.post(reverse("strategy:targets_import"), {"file": good})
    assert checked.context["errors"] == 0
    assert checked.context["changes"] == 2
    applied = client.post(reverse("strategy:targets_import"), {"import_id": checked.context["import_id"]})
    assert applied.status_code == 302
    target = Target.objects.get(indicator__code="1.1.a", year=2025)
    assert (target.value, target.is_demo) == (Decimal(65), False)
    assert Target.objects.get(indicator__code="5.2.a", year=2026).value == Decimal("91.5")
    assert AuditEvent.objects.filter(action="strategy.target_set").count() == 2


def test_only_planners_handle_targets_and_an_upload_is_the_uploaders(
    plan, approver, administrator, auditor, login
):
    assert login(auditor).get(reverse("strategy:targets_export")).status_code == 403
    content = login(approver).get(reverse("strategy:targets_export")).content
    checked = login(approver).post(
        reverse("strategy:targets_import"), {"file": filled(content, {("1.1.a", "2025"): 70})}
    )
    import_id = checked.context["import_id"]
    assert (
        login(administrator).post(reverse("strategy:targets_import"), {"import_id": import_id}).status_code
        == 404
    )


def test_a_file_that_is_not_a_workbook_is_refused(plan, approver, login):
    upload = SimpleUploadedFile("targets.csv", b"code,2025\n1.1.a,10\n")
    response = login(approver).post(reverse("strategy:targets_import"), {"file": upload})
    assert response.status_code == 400
    assert "Excel workbook" in response.content.decode()
