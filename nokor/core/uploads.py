"""Uploaded files: checking them on the way in, and sending them back safely.

Every upload of the platform goes through :func:`validate_upload` (service applications, cyber reports
and evidence, plan evidence, CSV/Excel imports). What a file is comes from its bytes, never from its
name or the type the browser declared (both are chosen by the sender), and then its content is checked
for what a browser, a PDF reader or a spreadsheet library could be made to do with it:

* **Size.** :class:`SizeLimitUploadHandler` stops writing a file to disk once it passes
  ``settings.UPLOAD_MAX_BYTES`` (the rest of the request is read and thrown away), so nothing larger is
  ever held; each field then has its own, smaller limit.
* **Images** (JPEG, PNG) are opened with Pillow, with its decompression-bomb limit turned into a
  refusal, and decoded (a JPEG at 1/8 scale, cheap) or verified (a PNG's chunks). An image carrying web
  page code (an HTML/JavaScript/SVG payload appended or hidden in a comment) or that is also a ZIP
  archive is refused. Images are not re-encoded: police evidence must keep its exact bytes and hash.
* **PDF** files are scanned, without running anything, for the names of active content: ``/JavaScript``,
  ``/JS``, ``/Launch``, embedded and attached files, ``/RichMedia``, ``/XFA`` forms — in the file's
  objects and in its compressed object streams, names written with ``#xx`` escapes included. A PDF whose
  object streams cannot be unpacked for this (encrypted, unusual filters) is refused rather than taken
  unchecked, and so is one that is also a ZIP archive. (pyHanko reads only well-formed cross-reference
  tables, while PDF readers repair broken ones and find hidden objects: scanning the bytes sees those.)
* **Excel workbooks** (.xlsx, a ZIP archive) are refused before openpyxl opens them when they unpack to
  too much (total size, ratio of an entry, number of entries: a "zip bomb") or are not a workbook.
* **CSV** files must be text (no NUL byte, no binary signature).

Files are sent back by :func:`file_response`: as an attachment (inline only for raster images), with
``X-Content-Type-Options: nosniff``, a content type from an allow-list (never one a browser executes)
and ``Content-Security-Policy: sandbox``, so even a file that slipped through runs nothing on our origin.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import io
import mmap
import os
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Enough bytes to recognise every supported format (and to see that a CSV file is text).
HEAD_SIZE = 4096

# The signatures ("magic numbers") the binary formats start with.
_SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"PK\x03\x04", XLSX),  # a ZIP archive: a workbook only if its entries say so (checked below)
)
# Documents people scan or photograph: what citizens, officers and investigators upload.
SUPPORTED_TYPES = (PDF, JPEG, PNG)
# Files of rows to import.
TABLE_TYPES = (CSV, XLSX)
# Names people know the formats by, and the extension a stored file gets.
FORMAT_NAMES = {PDF: "PDF", JPEG: "JPG", PNG: "PNG", CSV: "CSV", XLSX: "Excel (.xlsx)"}
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", CSV: ".csv", XLSX: ".xlsx"}
# A name may end in any of these for its type (files are stored under EXTENSIONS whatever their name).
_NAME_EXTENSIONS = {
    PDF: {".pdf"},
    JPEG: {".jpg", ".jpeg", ".jpe", ".jfif"},
    PNG: {".png"},
    CSV: {".csv"},
    XLSX: {".xlsx"},
}
MEGABYTE = 1024 * 1024

# Limits of what a file may unpack to.
MAX_PDF_UNPACKED = 64 * MEGABYTE  # all the object streams of a PDF together
MAX_ZIP_UNPACKED = 128 * MEGABYTE  # all the entries of a workbook together
MAX_ZIP_RATIO = 100  # an entry over 1 MB may be at most this many times its compressed size
MAX_ZIP_ENTRIES = 5000

# Web page code in an image: what a browser sniffing it, or a page including it, would run.
_MARKUP = re.compile(
    rb"<(?:script|html|svg|iframe|body|object|embed|!doctype|\?php)[\s/>]|javascript:", re.IGNORECASE
)
# PDF names that make a reader run code, open programs or carry other files.
_PDF_ACTIVE = frozenset(
    {
        b"JavaScript",
        b"JS",
        b"Launch",
        b"EmbeddedFile",
        b"EmbeddedFiles",
        b"FileAttachment",
        b"RichMedia",
        b"XFA",
    }
)
_PDF_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]*)")
_PDF_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_PDF_FLATE = {b"FlateDecode", b"Fl"}
# Content types a stored file may be sent with; anything else goes as application/octet-stream.
SERVABLE_TYPES = frozenset(
    {PDF, JPEG, PNG, CSV, XLSX, "image/gif", "image/webp", "application/json", "application/zip"}
)
INLINE_TYPES = frozenset({JPEG, PNG, "image/gif", "image/webp"})
FILE_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"


# --------------------------------------------------------------------------------------------------
# While the request arrives
# --------------------------------------------------------------------------------------------------
class SizeLimitUploadHandler(FileUploadHandler):
    """First of the upload handlers: passes a file's bytes on until it exceeds
    ``settings.UPLOAD_MAX_BYTES``, then drops the rest and hands over an empty stand-in that carries the
    real size, so the form refuses it as too large without the file having been kept anywhere."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        return raw_data if self.received <= settings.UPLOAD_MAX_BYTES else None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile | None:
        if self.received <= settings.UPLOAD_MAX_BYTES:
            return None  # the next handler (memory or temporary file) has it all
        stand_in = InMemoryUploadedFile(
            io.BytesIO(b""), self.field_name, self.file_name, self.content_type, file_size, self.charset
        )
        stand_in.truncated = True
        return stand_in


# --------------------------------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------------------------------
def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def sniff_content_type(head: bytes, *, text: bool = False) -> str | None:
    """The type of a file from its first bytes (PDF, JPEG, PNG, or a ZIP taken as a workbook), or None
    when it is none of them. With ``text``, UTF-8 text without a signature is taken as CSV."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if text and head and _is_text(head):
        return CSV
    return None


def _read_head(uploaded_file: IO[bytes]) -> bytes:
    uploaded_file.seek(0)
    head = uploaded_file.read(HEAD_SIZE)
    uploaded_file.seek(0)
    return head


@contextlib.contextmanager
def _contents(uploaded_file: Any) -> Iterator[bytes | mmap.mmap]:
    """The file's bytes for a search: mapped from disk when it is on disk (the operating system pages
    it in and out), else read (then it is an in-memory upload, within Django's memory limit)."""
    try:
        fileno = uploaded_file.fileno()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        fileno = None
    if fileno is not None:
        with contextlib.suppress(AttributeError, OSError, ValueError):
            uploaded_file.flush()  # what a handler wrote may still be in the file object's buffer
        with mmap.mmap(fileno, 0, access=mmap.ACCESS_READ) as view:
            yield view
        return
    uploaded_file.seek(0)
    yield uploaded_file.read()
    uploaded_file.seek(0)


def formats_phrase(accept: list[str] | tuple[str, ...]) -> str:
    """ "PDF, JPG or PNG": the accepted formats as a phrase for messages and hints."""
    names = [FORMAT_NAMES[content_type] for content_type in accept]
    if len(names) == 1:
        return names[0]
    return str(_("%(first)s or %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]})


def _damaged(content_type: str) -> ValidationError:
    return ValidationError(
        _("The file is damaged or is not really a %(format)s file. Choose another file."),
        code="damaged",
        params={"format": FORMAT_NAMES[content_type]},
    )


def _hidden_content() -> ValidationError:
    return ValidationError(
        _(
            "The file contains hidden content (web page code or another file inside it), which we do "
            "not accept. Take a new photo or screenshot, or save the document again, and upload that."
        ),
        code="hidden_content",
    )


def _check_not_zip(uploaded_file: Any) -> None:
    """Refuse a file that is also a ZIP archive (a PDF or image with a JAR or workbook inside)."""
    uploaded_file.seek(0)
    also_zip = zipfile.is_zipfile(uploaded_file)
    uploaded_file.seek(0)
    if also_zip:
        raise _hidden_content()


def _check_image(uploaded_file: Any, content_type: str) -> None:
    from PIL import Image, UnidentifiedImageError

    expected = "JPEG" if content_type == JPEG else "PNG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            uploaded_file.seek(0)
            with Image.open(uploaded_file, formats=[expected]) as image:
                if image.format != expected:
                    raise _damaged(content_type)
                if expected == "JPEG":  # decoding at 1/8 scale reads every part of the file, cheaply
                    image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
                    image.load()
                else:
                    image.verify()  # every chunk and its checksum
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise ValidationError(
            _("The image is too large: it has more than %(count)s million pixels. Make it smaller."),
            code="too_many_pixels",
            params={"count": Image.MAX_IMAGE_PIXELS // 1_000_000},
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise _damaged(content_type) from error
    finally:
        uploaded_file.seek(0)
    with _contents(uploaded_file) as data:
        if _MARKUP.search(data):
            raise _hidden_content()
    _check_not_zip(uploaded_file)


def _pdf_names(data: bytes | mmap.mmap, start: int = 0, end: int | None = None) -> set[bytes]:
    """The names (``/Name``) in a part of a PDF, ``#xx`` escapes decoded."""
    end = len(data) if end is None else end
    return {
        _PDF_HEX.sub(lambda hexa: bytes([int(hexa.group(1), 16)]), match.group(1))
        for match in _PDF_NAME.finditer(data, start, end)
    }


def _pdf_refused() -> ValidationError:
    return ValidationError(
        _(
            "The PDF contains scripts, attached files or actions that start other programs, which we do "
            "not accept. Print it to a new PDF, or scan the paper, and upload that."
        ),
        code="pdf_active_content",
    )


def _pdf_unchecked() -> ValidationError:
    return ValidationError(
        _(
            "The PDF is protected or packed in a way we cannot check. Print it to a new PDF without a "
            "password, or scan the paper, and upload that."
        ),
        code="pdf_unchecked",
    )


def _check_pdf(uploaded_file: Any) -> None:
    """Scan the objects outside streams, and every object stream unpacked, for active content."""
    budget = MAX_PDF_UNPACKED
    with _contents(uploaded_file) as data:
        position = 0
        while True:
            opening = _PDF_STREAM.search(data, position)
            before_end = opening.start() if opening else len(data)
            if _pdf_names(data, position, before_end) & _PDF_ACTIVE:
                raise _pdf_refused()
            if opening is None:
                break
            closing = data.find(b"endstream", opening.end())
            closing = len(data) if closing < 0 else closing
            # The stream's dictionary: from its object's header to the "stream" keyword.
            header_start = max(position, data.rfind(b"obj", max(position, before_end - 4096), before_end))
            dictionary = _pdf_names(data, header_start, before_end)
            if b"ObjStm" in dictionary:  # objects packed in a stream: unpack and scan them too
                filters = dictionary & {b"FlateDecode", b"Fl", b"LZWDecode", b"ASCIIHexDecode"}
                filters |= dictionary & {b"ASCII85Decode", b"RunLengthDecode", b"Crypt", b"DecodeParms"}
                if not filters or not filters <= _PDF_FLATE:
                    raise _pdf_unchecked()
                unpacker = zlib.decompressobj()
                try:
                    unpacked = unpacker.decompress(data[opening.end() : closing], budget + 1)
                except zlib.error as error:
                    raise _pdf_unchecked() from error
                budget -= len(unpacked)
                if budget < 0:
                    raise _pdf_unchecked()
                if _pdf_names(unpacked) & _PDF_ACTIVE:
                    raise _pdf_refused()
            position = closing + len(b"endstream")
    _check_not_zip(uploaded_file)


def _zip_bomb() -> ValidationError:
    return ValidationError(
        _(
            "The workbook unpacks to far more data than its size suggests, which we do not accept. Open "
            "it in Excel and save it again, or save it as CSV, and upload that."
        ),
        code="zip_bomb",
    )


def check_workbook(uploaded_file: Any) -> None:
    """Refuse an .xlsx file that is not a workbook or would unpack to too much ("zip bomb"), before
    openpyxl opens it. Only the archive's directory is read: Python's zipfile never unpacks an entry
    beyond the size the directory declares, so the declared sizes are the ones to limit."""
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise _damaged(XLSX) from error
    finally:
        uploaded_file.seek(0)
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _damaged(XLSX)
    if len(entries) > MAX_ZIP_ENTRIES or sum(entry.file_size for entry in entries) > MAX_ZIP_UNPACKED:
        raise _zip_bomb()
    for entry in entries:
        if entry.file_size > MEGABYTE and entry.file_size > MAX_ZIP_RATIO * max(entry.compress_size, 1):
            raise _zip_bomb()


def _check_csv(uploaded_file: Any) -> None:
    with _contents(uploaded_file) as data:
        if data.find(b"\x00") >= 0:
            raise _damaged(CSV)


_CONTENT_CHECKS = {
    JPEG: lambda upload: _check_image(upload, JPEG),
    PNG: lambda upload: _check_image(upload, PNG),
    PDF: _check_pdf,
    XLSX: check_workbook,
    CSV: _check_csv,
}


def validate_upload(uploaded_file: Any, accept: list[str] | tuple[str, ...], max_size_mb: int) -> str:
    """Check an uploaded file's real type, its size and its content; return the type read from its bytes.

    Raises ValidationError with a message for the person uploading it: the file is empty, too large, not
    of an accepted type (whatever its name or declared type says), named as another type, damaged, or
    carrying active or hidden content (see the module's docstring). The file is rewound afterwards.
    """
    size = getattr(uploaded_file, "size", None) or 0
    if size == 0:
        raise ValidationError(_("The selected file is empty. Choose another file."), code="empty")
    if getattr(uploaded_file, "truncated", False) or size > max_size_mb * MEGABYTE:
        raise ValidationError(
            _("The file must be smaller than %(size)s MB."), code="too_large", params={"size": max_size_mb}
        )
    content_type = sniff_content_type(_read_head(uploaded_file), text=CSV in accept)
    if content_type not in accept:
        raise ValidationError(
            _("The file must be a %(formats)s."),
            code="wrong_type",
            params={"formats": formats_phrase(accept)},
        )
    extension = os.path.splitext(getattr(uploaded_file, "name", "") or "")[1].lower()
    if content_type in TABLE_TYPES and extension not in _NAME_EXTENSIONS[content_type]:
        # An import is read by its name's extension: a name and content that disagree are refused.
        # (Documents and photos are stored under the extension of their real type, whatever their name.)
        raise ValidationError(
            _(
                "The file is a %(format)s file but its name ends in “%(extension)s”. Rename it or "
                "choose another file."
            ),
            code="wrong_extension",
            params={"format": FORMAT_NAMES[content_type], "extension": extension or "—"},
        )
    _CONTENT_CHECKS[content_type](uploaded_file)
    uploaded_file.seek(0)
    return content_type


def sha256_hex(uploaded_file: Any) -> str:
    """The SHA-256 digest of an uploaded file, read in chunks (the file is rewound afterwards)."""
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------------
# Sending back
# --------------------------------------------------------------------------------------------------
def file_response(
    handle: IO[bytes], *, filename: str, content_type: str, inline: bool = False
) -> FileResponse:
    """A stored file as a response that no browser will run: an attachment (inline only for a raster
    image), a content type from the allow-list, no sniffing, and a sandbox with nothing allowed."""
    content_type = content_type.split(";", 1)[0].strip().lower()
    if content_type not in SERVABLE_TYPES:
        content_type = "application/octet-stream"
    response = FileResponse(
        handle,
        as_attachment=not (inline and content_type in INLINE_TYPES),
        filename=filename,
        content_type="text/csv; charset=utf-8" if content_type == CSV else content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP  # django-csp keeps a policy the view has set
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
