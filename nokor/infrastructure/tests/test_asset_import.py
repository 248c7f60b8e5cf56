"""Asset import from CSV or Excel: the dry run writes nothing, errors are reported per row with their
numbers and nothing is imported, a 500-row file is imported whole in the background, only the uploader
sees an import, and an office outside the importer's units is refused."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from nokor.academy.tests.test_staff_assignments import run_tasks
from nokor.audit.models import AuditEvent
from nokor.infrastructure import imports
from nokor.infrastructure.models import Asset

pytestmark = pytest.mark.django_db

HEADER = "type,serial number,model,status,office,purchase date,end of life\n"


def csv_file(body: str, name: str = "assets.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + body).encode("utf-8"), content_type="text/csv")


def rows_for(site, count: int, start: int = 0) -> str:
    return "".join(
        f"laptop,SN-{n:05d},ThinkPad,in use,{site.pk},2024-01-01,2029-01-01\n"
        for n in range(start, start + count)
    )


def check(client, file) -> str:
    response = client.post("/infrastructure/assets/import/", {"file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    run_tasks()
    return response["Location"]


def import_id(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def test_a_good_file_of_500_rows_is_checked_then_imported(login, infrastructure_officer, estate):
    client = login(infrastructure_officer)
    client.cookies["nokor_language"] = "en"
    url = check(client, csv_file(rows_for(estate["kandal"], 500)))
    page = client.get(url).content.decode()
    assert "All 500 rows are good. Import them to create the assets." in page
    assert Asset.objects.count() == 2  # the dry run writes nothing (the estate's two assets)

    assert client.post(url).status_code == 302
    run_tasks()

    assert Asset.objects.filter(serial__startswith="SN-").count() == 500
    imported = Asset.objects.get(serial="SN-00042")
    assert imported.unit_code == "080101" and imported.end_of_life.isoformat() == "2029-01-01"
    assert "500 assets imported" in client.get(url).content.decode()
    event = AuditEvent.objects.get(action="infrastructure.asset_import")
    assert event.actor == infrastructure_officer and event.details["created"] == 500


def test_one_bad_row_is_reported_with_its_number_and_nothing_is_imported(
    login, infrastructure_officer, estate
):
    client = login(infrastructure_officer)
    client.cookies["nokor_language"] = "en"
    body = (
        rows_for(estate["kandal"], 3)
        + "toaster,SN-X,,in use,999999,2024-13-01,\n"
        + rows_for(estate["kandal"], 1)
    )
    url = check(client, csv_file(body))
    _meta, status = imports.import_get(user=infrastructure_officer, import_id=import_id(url))
    assert status["state"] == "checked" and status["errors"] == 2  # row 5 bad; row 6 repeats row 2
    problems = {
        row["row"]: [code for code, _p in row["errors"]] for row in imports.STORE.rows(import_id(url))
    }
    assert problems[5] == ["type_unknown", "site_unknown", "date_invalid"]
    assert problems[6] == ["serial_duplicate"]
    page = client.get(url + "?only=errors").content.decode()
    assert "2 rows have errors" in page and "“toaster” is not a type of asset." in page
    assert "is already on row 2 of this file" in page
    response = client.post(url)  # confirming is refused
    run_tasks()
    assert response.status_code == 302
    assert not Asset.objects.filter(serial__startswith="SN-").exists()


def test_a_serial_already_in_the_inventory_is_an_error(login, infrastructure_officer, estate):
    client = login(infrastructure_officer)
    url = check(client, csv_file(f"laptop,k-1,,spare,{estate['kandal'].pk},,\n"))
    rows = imports.STORE.rows(import_id(url))
    assert [code for code, _p in rows[0]["errors"]] == ["serial_exists"]


def test_rows_that_went_bad_since_the_check_stop_the_whole_import(login, infrastructure_officer, estate):
    client = login(infrastructure_officer)
    url = check(client, csv_file(rows_for(estate["kandal"], 10)))
    Asset.objects.create(
        site=estate["kandal"],
        unit=estate["kandal"].unit,
        unit_code="080101",
        asset_type="laptop",
        serial="SN-00007",
    )
    client.post(url)
    run_tasks()
    _meta, status = imports.import_get(user=infrastructure_officer, import_id=import_id(url))
    assert status["state"] == "failed" and status["file_error"]["code"] == "changed"
    assert Asset.objects.filter(serial__startswith="SN-").count() == 1  # only the one made above


def test_a_failure_half_way_leaves_nothing(login, infrastructure_officer, estate, monkeypatch):
    client = login(infrastructure_officer)
    url = check(client, csv_file(rows_for(estate["kandal"], 1200)))
    real = Asset.objects.bulk_create
    calls = []

    def fail_on_third_batch(objs, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(objs, *args, **kwargs)

    monkeypatch.setattr(Asset.objects, "bulk_create", fail_on_third_batch)
    client.post(url)
    run_tasks()
    _meta, status = imports.import_get(user=infrastructure_officer, import_id=import_id(url))
    assert status["state"] == "failed" and len(calls) == 3
    assert not Asset.objects.filter(serial__startswith="SN-").exists()


def test_an_office_outside_the_importer_units_is_refused(login, infra_officer_kandal, estate):
    client = login(infra_officer_kandal)
    url = check(client, csv_file(rows_for(estate["phnom_penh"], 1)))
    rows = imports.STORE.rows(import_id(url))
    assert [code for code, _p in rows[0]["errors"]] == ["site_unknown"]


def test_an_excel_file_with_khmer_headers_and_dates_is_read(login, infrastructure_officer, estate):
    import datetime as dt

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ប្រភេទ", "លេខស៊េរី", "ការិយាល័យ", "ផុតអាយុកាល"])
    sheet.append(["Printer", "PR-9", estate["kandal"].pk, dt.datetime(2030, 6, 1)])  # noqa: DTZ001  (a spreadsheet date)
    buffer = io.BytesIO()
    workbook.save(buffer)
    client = login(infrastructure_officer)
    url = check(client, SimpleUploadedFile("assets.xlsx", buffer.getvalue()))
    client.post(url)
    run_tasks()
    printer = Asset.objects.get(serial="PR-9")
    assert printer.asset_type == "printer" and printer.end_of_life == dt.date(2030, 6, 1)


def test_a_file_without_the_needed_columns_is_refused_whole(login, infrastructure_officer, estate):
    client = login(infrastructure_officer)
    client.cookies["nokor_language"] = "en"
    url = check(client, SimpleUploadedFile("a.csv", b"model,status\nX,spare\n"))
    page = client.get(url).content.decode()
    assert "Columns are missing: type, serial number, office." in page


def test_only_the_uploader_sees_an_import_and_the_page_polls_while_running(
    login, infrastructure_officer, administrator, estate
):
    client = login(infrastructure_officer)
    response = client.post(
        "/infrastructure/assets/import/", {"file": csv_file(rows_for(estate["kandal"], 1))}
    )
    url = response["Location"]
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in page and 'http-equiv="refresh"' in page
    assert login(administrator).get(url).status_code == 404


def test_the_upload_form_refuses_other_files(login, infrastructure_officer):
    response = login(infrastructure_officer).post(
        "/infrastructure/assets/import/", {"file": SimpleUploadedFile("a.pdf", b"%PDF")}
    )
    assert response.status_code == 200 and "error-summary" in response.content.decode()


def test_the_sample_file_is_read_by_the_import(login, infrastructure_officer):
    data = login(infrastructure_officer).get("/infrastructure/assets/import/sample.csv").content
    rows = imports.read_file(data, "csv")
    assert rows[0][1]["type"] == "laptop" and rows[0][1]["serial"] == "PF3ABC12"


def test_old_import_files_are_purged(login, infrastructure_officer, estate):
    import datetime as dt

    from django.utils import timezone

    client = login(infrastructure_officer)
    check(client, csv_file(rows_for(estate["kandal"], 1)))
    assert imports.imports_purge() == 0
    assert imports.imports_purge(now=timezone.now() + dt.timedelta(days=8)) == 1
