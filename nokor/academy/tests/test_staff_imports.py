"""Bulk import of staff from CSV or Excel: a dry run with the outcome of every row, errors reported per
row with nothing imported, the real import in one transaction, in the background with its progress."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.hashers import is_password_usable
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse

from nokor.academy import imports
from nokor.academy.models import Enrolment
from nokor.academy.tests.test_staff_assignments import make_rule, make_staff, run_tasks
from nokor.accounts.models import RoleAssignment, User
from nokor.accounts.roles import Role
from nokor.audit.models import AuditEvent
from nokor.notifications.models import Channel, Message

HEADER = "name,email,phone,unit code,position,role\n"


def csv_file(body: str, name: str = "staff.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + body).encode("utf-8"), content_type="text/csv")


def upload(client, file, role=Role.SERVICE_OFFICER):
    response = client.post("/academy/staff/import/", {"file": file, "default_role": role})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def check(client, file, role=Role.SERVICE_OFFICER):
    """Upload and run the dry run; returns the status page's URL."""
    url = upload(client, file, role)
    run_tasks()
    return url


def confirm(client, url):
    response = client.post(url + "confirm/")
    assert response.status_code == 302
    run_tasks()


def import_id(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


GOOD = (
    "សុខ ដារ៉ា,dara.sok@example.gov.kh,012 345 678,0801,Deputy chief of office,\n"
    "Chan Vanna,vanna.chan@example.gov.kh,,08,Clerk,cyber_investigator\n"
    "Keo Sophea,,+855 97 765 4321,080101,Commune clerk,Service supervisor\n"
)


def test_a_good_file_is_checked_then_imported_with_roles(login, administrator, units):
    client = login(administrator)
    client.cookies["nokor_language"] = "en"
    url = check(client, csv_file(GOOD))
    page = client.get(url).content.decode()
    assert "All 3 rows are good. Import them to create the accounts." in page
    assert not User.objects.filter(email="dara.sok@example.gov.kh").exists()  # the dry run writes nothing

    confirm(client, url)

    dara = User.objects.get(email="dara.sok@example.gov.kh")
    assert dara.is_staff and dara.must_change_password and not is_password_usable(dara.password)
    assert dara.full_name == "សុខ ដារ៉ា" and dara.phone == "+85512345678"
    assert RoleAssignment.objects.get(user=dara).role == Role.SERVICE_OFFICER  # the form's default
    vanna = User.objects.get(email="vanna.chan@example.gov.kh")
    assert RoleAssignment.objects.get(user=vanna).role == Role.CYBER_INVESTIGATOR
    sophea = User.objects.get(phone="+855977654321")  # phone only
    assignment = RoleAssignment.objects.get(user=sophea)
    assert (assignment.role, assignment.unit.code) == (Role.SERVICE_SUPERVISOR, "080101")
    event = AuditEvent.objects.get(action="academy.staff_import")
    assert event.actor == administrator and event.details["created"] == 3
    assert dara.position == "Deputy chief of office"
    assert AuditEvent.objects.filter(action="staff.create", actor=administrator).count() == 3
    told = Message.objects.get(user=dara, event="staff.imported", channel=Channel.EMAIL)
    assert f"https://nokor.example.gov.kh{reverse('account_reset_password')}" in told.body
    assert imports.import_get(user=administrator, import_id=import_id(url))[1]["state"] == "done"
    assert "3 staff accounts created" in client.get(url).content.decode()


def test_imported_staff_are_enrolled_by_the_active_rules(login, administrator, trainer, staff_course, units):
    make_rule(trainer, staff_course, unit_code="08")
    client = login(administrator)
    confirm(client, check(client, csv_file(GOOD)))
    enrolled = Enrolment.objects.filter(course=staff_course, user__email__endswith="@example.gov.kh")
    assert enrolled.count() == 2
    assert (
        Enrolment.objects.filter(course=staff_course, user__phone="+855977654321").get().unit_code == "080101"
    )


def test_errors_are_reported_per_row_and_nothing_is_imported(login, administrator, officer_kandal, units):
    body = (
        "Good One,good.one@example.gov.kh,,08,Clerk,\n"  # row 2
        "Bad Unit,bad.unit@example.gov.kh,,99,Clerk,\n"  # row 3: no such unit
        "Twice,good.one@example.gov.kh,,08,Clerk,\n"  # row 4: same e-mail as row 2
        f"Taken,{officer_kandal.email.upper()},,08,Clerk,\n"  # row 5: an account has it
        "No Contact,,,08,Clerk,\n"  # row 6
        "Bad Phone,bad.phone@example.gov.kh,12,08,Clerk,\n"  # row 7
        "Admin,admin.row@example.gov.kh,,08,Clerk,administrator\n"  # row 8: a file makes no admin
        "Odd Role,odd.role@example.gov.kh,,08,Clerk,astronaut\n"  # row 9
    )
    client = login(administrator)
    client.cookies["nokor_language"] = "en"
    url = check(client, csv_file(body))
    _meta, status = imports.import_get(user=administrator, import_id=import_id(url))
    assert status["state"] == "checked" and status["errors"] == 7
    errors = {
        row["row"]: [code for code, _params in row["errors"]] for row in imports.import_rows(import_id(url))
    }
    assert errors == {
        2: [],
        3: ["unit_unknown"],
        4: ["email_duplicate"],
        5: ["email_exists"],
        6: ["contact_missing"],
        7: ["phone_invalid"],
        8: ["role_not_allowed"],
        9: ["role_unknown"],
    }

    page = client.get(url).content.decode()
    assert "7 rows have errors. Correct the file and upload it again: nothing was imported." in page
    assert "There is no unit with the code “99”." in page
    assert "The e-mail address good.one@example.gov.kh is already on row 2 of this file." in page
    assert "Give an e-mail address or a phone number." in page
    assert "confirm/" not in page  # no import button while a row is wrong

    client.post(url + "confirm/")
    run_tasks()
    assert not User.objects.filter(email__endswith="@example.gov.kh").exists()
    assert not AuditEvent.objects.filter(action="academy.staff_import").exists()


def test_the_error_page_lists_the_row_numbers_in_english(login, administrator, units):
    client = login(administrator)
    client.cookies["nokor_language"] = "en"
    url = check(
        client, csv_file("Bad Unit,bad.unit@example.gov.kh,,99,Clerk,\nX,bad.unit@example.gov.kh,,08,,\n")
    )
    html = client.get(url + "?only=errors").content.decode()
    assert "There is no unit with the code “99”." in html
    assert "The e-mail address bad.unit@example.gov.kh is already on row 2 of this file." in html
    assert "<title>Error:" in html


def test_rows_that_went_bad_since_the_check_stop_the_whole_import(login, administrator, units):
    client = login(administrator)
    url = check(client, csv_file(GOOD))
    User.objects.create_user(email="vanna.chan@example.gov.kh", password="x" * 12)  # signed up meanwhile
    confirm(client, url)
    assert not User.objects.filter(email="dara.sok@example.gov.kh").exists()
    _meta, status = imports.import_get(user=administrator, import_id=import_id(url))
    assert status["state"] == "failed" and status["file_error"]["code"] == "changed"


def test_an_excel_file_is_imported_and_spreadsheet_numbers_are_read_as_text(login, administrator, units):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ឈ្មោះ", "អ៊ីមែល", "លេខទូរស័ព្ទ", "កូដអង្គភាព", "មុខតំណែង"])
    sheet.append(["ម៉ៅ សុភា", "sophea.mao@example.gov.kh", 12888777, 8, "មន្ត្រី"])  # 012… and 08 as numbers
    sheet.append([None, None, None, None, None])  # blank rows are skipped
    sheet.append(["Lim Dara", "dara.lim@example.gov.kh", None, 801, "Clerk"])
    out = io.BytesIO()
    workbook.save(out)
    client = login(administrator)
    file = SimpleUploadedFile("staff.xlsx", out.getvalue())
    confirm(client, check(client, file))
    sophea = User.objects.get(email="sophea.mao@example.gov.kh")
    assert sophea.phone == "+85512888777"
    assert RoleAssignment.objects.get(user=sophea).unit.code == "08"
    assert RoleAssignment.objects.get(user__email="dara.lim@example.gov.kh").unit.code == "0801"


def test_a_file_without_the_needed_columns_is_refused_whole(login, administrator, units):
    client = login(administrator)
    file = SimpleUploadedFile("staff.csv", b"name,position\nA,B\n")
    url = check(client, file)
    _meta, status = imports.import_get(user=administrator, import_id=import_id(url))
    assert status["state"] == "failed"
    assert status["file_error"] == {"code": "columns", "params": {"columns": ["unit", "email"]}}


def test_a_semicolon_csv_from_a_spreadsheet_program_is_read(login, administrator, units):
    client = login(administrator)
    # as a spreadsheet program saves it: semicolons, and the leading zeros of numbers lost
    data = "\ufeffname;email;phone;unit code\nSemi Colon;semi@example.gov.kh;12345678;8\n".encode()
    confirm(client, check(client, SimpleUploadedFile("staff.csv", data)))
    semi = User.objects.get(email="semi@example.gov.kh", is_staff=True)
    assert semi.phone == "+85512345678"
    assert RoleAssignment.objects.get(user=semi).unit.code == "08"


def test_a_kandal_administrator_imports_only_into_kandal(login, units):
    kandal_admin = make_staff(Role.ADMINISTRATOR, "08", key="admin_kandal")
    client = login(kandal_admin)
    url = check(
        client, csv_file("Far,far@example.gov.kh,,1701,Clerk,\nNear,near@example.gov.kh,,0801,Clerk,\n")
    )
    rows = imports.import_rows(import_id(url))
    assert [code for code, _p in rows[0]["errors"]] == ["unit_outside"] and rows[1]["errors"] == []


def test_only_the_uploader_sees_an_import_and_only_administrators_import(
    login, administrator, trainer, units
):
    url = check(login(administrator), csv_file(GOOD))
    other_admin = make_staff(Role.ADMINISTRATOR, None, key="admin_two")
    assert login(other_admin).get(url).status_code == 404
    assert login(trainer).get("/academy/staff/import/").status_code == 403


def test_the_upload_form_refuses_other_files_and_says_why(login, administrator, units):
    client = login(administrator)
    response = client.post(
        "/academy/staff/import/",
        {"file": SimpleUploadedFile("staff.pdf", b"%PDF-1.4"), "default_role": Role.SERVICE_OFFICER},
    )
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()


def test_the_status_page_shows_progress_and_polls_while_running(login, administrator, units):
    client = login(administrator)
    url = upload(client, csv_file(GOOD))  # queued: no worker has run yet
    html = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert "<progress" in html
    run_tasks()
    assert 'hx-trigger="every 2s"' not in client.get(url).content.decode()


def test_old_import_files_are_purged(login, administrator, units):
    import datetime as dt

    from django.utils import timezone

    url = check(login(administrator), csv_file(GOOD))
    assert imports.imports_purge() == 0
    assert imports.imports_purge(now=timezone.now() + dt.timedelta(days=8)) == 1
    with pytest.raises(Http404):
        imports.import_get(user=administrator, import_id=import_id(url))


def test_the_sample_file_has_the_columns_the_import_reads(login, administrator, units):
    data = login(administrator).get("/academy/staff/import/sample.csv").content
    columns, rows = imports.read_file(data, "csv")
    assert set(columns) == {"name", "email", "phone", "unit", "position", "role"} and len(rows) == 1
