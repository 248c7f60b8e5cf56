"""Attack tests of every upload of the platform (issue 10): polyglots, wrong extensions, huge files, zip
and pixel bombs, SVG and HTML with script, PDF with JavaScript or attached files — each refused with a
clear message, the rest of the form kept, nothing half-saved (no row, no file); and every accepted file
sent back so that no browser runs it on our origin (nokor/core/uploads.py).

The upload paths: a service application's document page, the public scam report's evidence page, an
investigator adding evidence to a case, a plan report's evidence, and the three imports (assets, staff,
plan targets)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import struct
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from PIL import Image

from nokor.accounts.roles import Role
from nokor.core.uploads import file_response

pytestmark = pytest.mark.django_db

_case_numbers = itertools.count(1)


# --------------------------------------------------------------------------------------------------
# The files: good ones and attacks, made here
# --------------------------------------------------------------------------------------------------
def png_bytes(size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(**options: Any) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "white").save(buffer, format="JPEG", **options)
    return buffer.getvalue()


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def pdf_bytes(*objects: bytes) -> bytes:
    """A small PDF of the given objects (numbered from 1; the first is the catalog)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    start = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start))
    return out.getvalue()


def flate_stream(data: bytes, dictionary: bytes = b"") -> bytes:
    packed = zlib.compress(data)
    return b"<< %s /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (
        dictionary,
        len(packed),
        packed,
    )


_PAGES = (b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>")
# Page content: compressed, as real PDFs are (its bytes must never be mistaken for names).
_CONTENT = flate_stream(b"BT /F1 12 Tf 72 712 Td (Receipt 1234 /JS is only text here) Tj ET" * 50)


def good_pdf() -> bytes:
    """A PDF with a compressed page and an object stream of harmless objects."""
    harmless = flate_stream(b"6 0 << /Title (Receipt) /Producer (Scanner) >>", b"/Type /ObjStm /N 1 /First 4")
    return pdf_bytes(b"<< /Type /Catalog /Pages 2 0 R >>", *_PAGES, _CONTENT, harmless)


def pdf_with(catalog: bytes, *more: bytes) -> bytes:
    return pdf_bytes(catalog, *_PAGES, _CONTENT, *more)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_pixel_bomb() -> bytes:
    """A few hundred bytes that claim 50,000 × 50,000 pixels (7.5 GB once decoded)."""
    header = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\0" * 4096))
        + png_chunk(b"IEND", b"")
    )


def workbook_bytes(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def xlsx_zip_bomb() -> bytes:
    """A workbook of about 200 KB whose sheet unpacks to 200 MB (written in pieces, never held whole)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", b'<?xml version="1.0"?><workbook/>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            piece = b" " * (1024 * 1024)
            for _ in range(200):
                sheet.write(piece)
    assert len(buffer.getvalue()) < 1024 * 1024
    return buffer.getvalue()


SCRIPT = b"<script>fetch('/accounts/').then(r=>r.text()).then(t=>alert(t))</script>"
# Each attack: (file name, declared type, bytes or a maker, English words of the expected refusal).
WRONG_TYPE = "The file must be a"
HIDDEN = "hidden content"
PDF_ACTIVE = "scripts, attached files or actions"
DOCUMENT_ATTACKS: dict[str, tuple[str, str, Callable[[], bytes], str]] = {
    "png_with_html_appended": ("receipt.png", "image/png", lambda: png_bytes() + b"<html>" + SCRIPT, HIDDEN),
    "jpeg_with_script_in_its_comment": (
        "photo.jpg",
        "image/jpeg",
        lambda: jpeg_bytes(comment=b"<svg onload=alert(1)>" + SCRIPT),
        HIDDEN,
    ),
    "png_that_is_also_a_zip": (
        "card.png",
        "image/png",
        lambda: png_bytes() + zip_bytes({"a.js": SCRIPT}),
        HIDDEN,
    ),
    "gif_javascript_polyglot": (
        "cat.gif",
        "image/gif",
        lambda: b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;alert(document.cookie);//" + b"\x00;",
        WRONG_TYPE,
    ),
    "svg_with_script": (
        "logo.svg",
        "image/svg+xml",
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg">' + SCRIPT + b"</svg>",
        WRONG_TYPE,
    ),
    "svg_named_png": ("logo.png", "image/png", lambda: b"<svg onload=alert(1)></svg>", WRONG_TYPE),
    "html_named_jpg": ("scan.jpg", "image/jpeg", lambda: b"<!doctype html><html>" + SCRIPT, WRONG_TYPE),
    "png_pixel_bomb": ("map.png", "image/png", png_pixel_bomb, "million pixels"),
    "truncated_jpeg": ("photo.jpg", "image/jpeg", lambda: jpeg_bytes()[:200], "is damaged"),
    "pdf_with_javascript_on_open": (
        "statement.pdf",
        "application/pdf",
        lambda: pdf_with(
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"
        ),
        PDF_ACTIVE,
    ),
    "pdf_with_javascript_hidden_in_an_object_stream": (
        "statement.pdf",
        "application/pdf",
        lambda: pdf_with(
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>",
            flate_stream(b"6 0 << /S /J#61vaScript /J#53 (app.alert(1)) >>", b"/Type /ObjStm /N 1 /First 4"),
        ),
        PDF_ACTIVE,
    ),
    "pdf_launching_a_program": (
        "letter.pdf",
        "application/pdf",
        lambda: pdf_with(b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /Launch /F (cmd.exe) >> >>"),
        PDF_ACTIVE,
    ),
    "pdf_with_an_embedded_file": (
        "letter.pdf",
        "application/pdf",
        lambda: pdf_with(
            b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(x.exe) 6 0 R] >> >> >>",
            b"<< /Type /Filespec /F (x.exe) /EF << /F 7 0 R >> >>",
            flate_stream(b"MZ\x90\x00", b"/Type /EmbeddedFile"),
        ),
        PDF_ACTIVE,
    ),
    "pdf_object_stream_that_cannot_be_checked": (
        "letter.pdf",
        "application/pdf",
        lambda: pdf_with(
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /ObjStm /N 1 /First 4 /Filter /LZWDecode /Length 4 >>\n"
            b"stream\n\x80\x0b\x60\x50\nendstream",
        ),
        "cannot check",
    ),
    "pdf_that_is_also_a_zip": (
        "letter.pdf",
        "application/pdf",
        lambda: good_pdf() + zip_bytes({"payload.html": b"<html>" + SCRIPT}),
        HIDDEN,
    ),
    "windows_program_named_pdf": (
        "letter.pdf",
        "application/pdf",
        lambda: b"MZ\x90\x00" + b"\0" * 64,
        WRONG_TYPE,
    ),
}
WRONG_EXTENSION = "but its name ends in"
TABLE_ATTACKS: dict[str, tuple[str, str, Callable[[], bytes] | None, str]] = {
    "xlsx_zip_bomb": ("staff.xlsx", "application/octet-stream", None, "unpacks to far more data"),
    "word_document_named_xlsx": (
        "staff.xlsx",
        "application/octet-stream",
        lambda: zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
        "is damaged",
    ),
    "csv_named_xlsx": (
        "staff.xlsx",
        "text/csv",
        lambda: b"name,email\nDara,dara@example.org\n",
        WRONG_EXTENSION,
    ),
    "workbook_named_csv": (
        "staff.csv",
        "text/csv",
        lambda: workbook_bytes([["name"], ["Dara"]]),
        WRONG_EXTENSION,
    ),
    "windows_program_named_csv": (
        "staff.csv",
        "text/csv",
        lambda: b"MZ\x90\x00\x03\x00\x00\x00" * 8,
        WRONG_TYPE,
    ),
}


# --------------------------------------------------------------------------------------------------
# The upload paths
# --------------------------------------------------------------------------------------------------
@dataclass
class UploadPath:
    """One form that takes a file: where it is, who uses it, what else it posts and what it saves."""

    url: str
    client: Any
    field: str
    count: Callable[[], int]
    extra: dict[str, str]
    kept: str = ""  # typed in another field: must be in the page again after a refusal
    served: Callable[[], str] | None = None  # where the last accepted file is sent back


def _services(get: Callable[[str], Any]) -> UploadPath:
    from nokor.services.catalogue import load_catalogue
    from nokor.services.models import Application, Attachment

    load_catalogue()
    citizen = get("citizen")
    client = get("login")(citizen)
    client.post("/services/residence-certificate/start/", {"who": "me"})
    application = Application.objects.get(applicant=citizen)

    def served() -> str:
        attachment = Attachment.objects.get(application=application, replaced=False)
        return f"/services/applications/{application.pk}/files/{attachment.pk}/"

    return UploadPath(
        f"/services/my/{application.pk}/page/document/",
        client,
        "id_document",
        Attachment.objects.count,
        {},
        served=served,
    )


def _cyber_report(get: Callable[[str], Any]) -> UploadPath:
    from nokor.cyber import reference_data
    from nokor.cyber.models import EvidenceFile

    cache.clear()  # the report's rate limits count in the cache
    reference_data.load()
    return UploadPath("/cyber/report/new/evidence/", get("client"), "files", EvidenceFile.objects.count, {})


def _cyber_evidence(get: Callable[[str], Any]) -> UploadPath:
    from nokor.cyber import reference_data
    from nokor.cyber.models import Case, EvidenceFile

    cache.clear()
    reference_data.load()
    investigator = get("investigator")
    number = next(_case_numbers)
    case = Case.objects.create(
        number=number,
        reference=f"CASE-UPLOAD-{number:06d}",
        title="Investment scam on Telegram",
        unit=get("units")["12"],
        investigator=investigator,
        created_by=investigator,
    )
    return UploadPath(
        f"/cyber/staff/cases/{case.reference}/evidence/add/",
        get("login")(investigator),
        "file",
        EvidenceFile.objects.count,
        {"description": "Bank statement of the victim", "collected_where": "Kandal office"},
        kept="Bank statement of the victim",
        served=lambda: f"/cyber/staff/evidence/{EvidenceFile.objects.latest('collected_at').pk}/view/",
    )


def _strategy_evidence(get: Callable[[str], Any]) -> UploadPath:
    from nokor.strategy import reporting
    from nokor.strategy.loader import load_plan
    from nokor.strategy.models import Activity, Evidence, ReportingPeriod

    get("units")
    load_plan()
    period = reporting.current_period()
    if period is None:
        today = timezone.localdate()
        period = ReportingPeriod.objects.create(
            year=today.year, quarter=(today.month - 1) // 3 + 1, deadline=today + dt.timedelta(days=20)
        )
    focal_point = get("focal_point")
    report = reporting.report_create(
        by=focal_point,
        activity=Activity.objects.get(code="3.3.1"),
        period=period,
        unit=focal_point.active_roles[0].unit,
    )
    return UploadPath(
        reverse("strategy:evidence_add", args=[report.pk]),
        get("login")(focal_point),
        "file",
        Evidence.objects.count,
        {},
        served=lambda: reverse("strategy:evidence", args=[Evidence.objects.latest("pk").pk]),
    )


def _asset_import(get: Callable[[str], Any]) -> UploadPath:
    get("units")
    client = get("login")(get("infrastructure_officer"))
    return UploadPath("/infrastructure/assets/import/", client, "file", lambda: 0, {})


def _staff_import(get: Callable[[str], Any]) -> UploadPath:
    client = get("login")(get("administrator"))
    # A role other than the form's first choice: still chosen after the refusal.
    return UploadPath(
        "/academy/staff/import/", client, "file", lambda: 0, {"default_role": Role.TRAINER}, kept=Role.TRAINER
    )


def _targets_import(get: Callable[[str], Any]) -> UploadPath:
    from nokor.strategy.loader import load_plan

    get("units")
    load_plan()
    client = get("login")(get("approver"))
    return UploadPath(reverse("strategy:targets_import"), client, "file", lambda: 0, {})


DOCUMENT_PATHS = {
    "service_application": _services,
    "cyber_report": _cyber_report,
    "cyber_case_evidence": _cyber_evidence,
    "plan_report_evidence": _strategy_evidence,
}
TABLE_PATHS = {
    "asset_import": _asset_import,
    "staff_import": _staff_import,
    "targets_import": _targets_import,
}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def files_in(folder) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def make_path(request, name: str) -> UploadPath:
    maker = {**DOCUMENT_PATHS, **TABLE_PATHS}[name]
    path = maker(request.getfixturevalue)
    path.client.cookies["nokor_language"] = "en"
    return path


def post(path: UploadPath, upload: SimpleUploadedFile):
    return path.client.post(path.url, {**path.extra, path.field: upload}, follow=True)


def assert_refused(path: UploadPath, response, expected: str, media, before: tuple[int, list[str]]) -> None:
    page = response.content.decode()
    assert expected in page, page[:3000]
    assert "error-summary" in page or "notice--error" in page
    if path.kept:
        assert path.kept in page  # what else was typed or chosen is kept
    assert (path.count(), files_in(media)) == before  # no row, no file


# --------------------------------------------------------------------------------------------------
# Refused
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("attack", DOCUMENT_ATTACKS)
@pytest.mark.parametrize("path_name", DOCUMENT_PATHS)
def test_every_document_upload_refuses_the_attack_and_keeps_nothing(request, media, path_name, attack):
    path = make_path(request, path_name)
    name, declared, make, expected = DOCUMENT_ATTACKS[attack]
    before = (path.count(), files_in(media))
    response = post(path, SimpleUploadedFile(name, make(), content_type=declared))
    assert_refused(path, response, expected, media, before)


@pytest.mark.parametrize("attack", TABLE_ATTACKS)
@pytest.mark.parametrize("path_name", TABLE_PATHS)
def test_every_import_refuses_the_attack_before_reading_it(request, media, path_name, attack, xlsx_zip_bomb):
    path = make_path(request, path_name)
    name, declared, make, expected = TABLE_ATTACKS[attack]
    if path_name == "targets_import":
        if name.endswith(".csv") and expected == WRONG_TYPE:
            expected = "save it as an Excel workbook"  # its own words: the targets are only in .xlsx
        elif attack == "csv_named_xlsx":
            expected = "save it as an Excel workbook"
    before = (path.count(), files_in(media))
    response = post(path, SimpleUploadedFile(name, make() if make else xlsx_zip_bomb, content_type=declared))
    assert_refused(path, response, expected, media, before)


class StreamedBody(io.RawIOBase):
    """A multipart request body with a file of ``size`` bytes (a PNG signature, then zeros), made while
    it is read: the test never holds it."""

    def __init__(self, boundary: str, fields: dict[str, str], field: str, filename: str, size: int) -> None:
        head = b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
            for key, value in fields.items()
        )
        head += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode() + b"\x89PNG\r\n\x1a\n"
        self.parts: Iterator[bytes] = itertools.chain(
            [head], self._zeros(size - 8), [f"\r\n--{boundary}--\r\n".encode()]
        )
        self.length = len(head) + size - 8 + len(f"\r\n--{boundary}--\r\n")
        self.pending = b""

    @staticmethod
    def _zeros(count: int) -> Iterator[bytes]:
        piece = bytes(64 * 1024)
        while count > 0:
            yield piece[: min(count, len(piece))]
            count -= len(piece)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.pending) < size:
            part = next(self.parts, None)
            if part is None:
                break
            self.pending += part
        if size < 0:
            size = len(self.pending)
        out, self.pending = self.pending[:size], self.pending[size:]
        return out


@pytest.mark.parametrize("path_name", [*DOCUMENT_PATHS, *TABLE_PATHS])
def test_a_huge_file_is_cut_off_while_it_arrives_and_refused(request, media, settings, path_name):
    path = make_path(request, path_name)
    size = settings.UPLOAD_MAX_BYTES + 5 * 1024 * 1024
    filename = "huge.csv" if path_name in TABLE_PATHS else "huge.png"
    body = StreamedBody("nokor-boundary", path.extra, path.field, filename, size)
    before = (path.count(), files_in(media))
    path.client.get(path.url)  # the modules of the page are imported before memory is measured
    tracemalloc.start()
    try:
        response = path.client.request(
            REQUEST_METHOD="POST",
            PATH_INFO=path.url,
            CONTENT_TYPE="multipart/form-data; boundary=nokor-boundary",
            CONTENT_LENGTH=str(body.length),
            **{"wsgi.input": body},
        )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 12 * 1024 * 1024  # the 25 MB never held in memory
    if response.status_code == 302:
        response = path.client.get(response.url)
    # The staff import says it in its own words ("The file is larger than 5 MB. Split it …").
    expected = "is larger than" if path_name == "staff_import" else "must be smaller than"
    assert_refused(path, response, expected, media, before)


# --------------------------------------------------------------------------------------------------
# Accepted, and sent back safely
# --------------------------------------------------------------------------------------------------
EXECUTABLE_TYPES = (
    "text/html",
    "image/svg+xml",
    "application/xhtml+xml",
    "text/xml",
    "application/javascript",
)


def assert_served_safely(response, *, inline_allowed: bool) -> None:
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert not response["Content-Type"].startswith(EXECUTABLE_TYPES)
    if not inline_allowed:
        assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [("receipt.png", png_bytes, "image/png"), ("statement.pdf", good_pdf, "application/pdf")],
)
@pytest.mark.parametrize("path_name", ["service_application", "cyber_case_evidence", "plan_report_evidence"])
def test_a_good_file_is_accepted_and_sent_back_so_no_browser_runs_it(
    request, media, path_name, name, content, content_type
):
    path = make_path(request, path_name)
    count = path.count()
    response = post(path, SimpleUploadedFile(name, content(), content_type=content_type))
    assert response.status_code == 200 and path.count() == count + 1
    served = path.client.get(path.served())
    if served.status_code == 302 and served["Location"].endswith("/download/"):
        # Evidence that is not an image is never shown: downloaded, with the reason recorded.
        served = path.client.post(served["Location"], {"reason": "Read the statement"})
    assert served["Content-Type"] == content_type
    # Only a raster image that passed the checks may be shown inline (the investigator's viewer).
    assert_served_safely(served, inline_allowed=content_type == "image/png")


def test_a_good_workbook_and_csv_pass_the_checks(request, media):
    path = make_path(request, "staff_import")
    good_csv = SimpleUploadedFile("staff.csv", "name,email\nដារា,dara@example.org\n".encode(), "text/csv")
    response = path.client.post(path.url, {**path.extra, "file": good_csv})
    assert response.status_code == 302 and "/academy/staff/import/" in response.url
    book = workbook_bytes([["name", "email"], ["Dara", "dara@example.org"]])
    response = path.client.post(path.url, {**path.extra, "file": SimpleUploadedFile("staff.xlsx", book)})
    assert response.status_code == 302


@pytest.mark.parametrize(
    "declared", [*EXECUTABLE_TYPES, "text/html; charset=utf-8", "application/x-msdownload"]
)
def test_a_stored_file_is_never_sent_with_a_type_a_browser_executes(declared):
    response = file_response(io.BytesIO(SCRIPT), filename="page.html", content_type=declared, inline=True)
    assert response["Content-Type"] == "application/octet-stream"
    assert_served_safely(response, inline_allowed=False)


def test_an_import_refuses_a_zip_bomb_even_if_it_got_past_the_form(xlsx_zip_bomb):
    from nokor.core.tabular_import import ImportFileError, read_table

    with pytest.raises(ImportFileError, match="unreadable"):
        read_table(xlsx_zip_bomb, "xlsx", headers={"name": ["name"]})
