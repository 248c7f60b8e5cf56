"""File checks: the type comes from the bytes, never from the name or the declared type."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from nokor.core.uploads import sniff_content_type, validate_upload

PDF = b"%PDF-1.4\n1 0 obj\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
ALL = ["application/pdf", "image/jpeg", "image/png"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PDF, "application/pdf"),
        (JPEG, "image/jpeg"),
        (PNG, "image/png"),
        (b"GIF89a", None),
        (b"", None),
        (b"MZ\x90\x00", None),
        (b" %PDF-1.4", None),
    ],
)
def test_the_type_is_read_from_the_first_bytes(head, expected):
    assert sniff_content_type(head) == expected


def test_a_png_renamed_pdf_and_declared_pdf_is_refused_when_only_pdf_is_accepted():
    disguised = SimpleUploadedFile("statutes.pdf", PNG + b"\x00" * 100, content_type="application/pdf")
    with pytest.raises(ValidationError) as raised:
        validate_upload(disguised, ["application/pdf"], 5)
    assert raised.value.messages == ["The file must be a PDF."]


def test_every_accepted_format_is_named_in_the_message():
    text = SimpleUploadedFile("card.jpg", b"hello, this is text", content_type="image/jpeg")
    with pytest.raises(ValidationError) as raised:
        validate_upload(text, ALL, 5)
    assert raised.value.messages == ["The file must be a PDF, JPG or PNG."]


def test_a_jpeg_named_anything_is_accepted_as_a_jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="JPEG")
    photo = SimpleUploadedFile("IMG_0001.HEIC", buffer.getvalue(), content_type="application/octet-stream")
    assert validate_upload(photo, ALL, 5) == "image/jpeg"
    assert photo.read(3) == JPEG[:3]  # rewound for whoever stores it


def test_a_file_over_the_size_limit_is_refused():
    big = SimpleUploadedFile("card.pdf", PDF + b"0" * (5 * 1024 * 1024), content_type="application/pdf")
    with pytest.raises(ValidationError) as raised:
        validate_upload(big, ALL, 5)
    assert raised.value.messages == ["The file must be smaller than 5 MB."]


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match="empty"):
        validate_upload(SimpleUploadedFile("card.pdf", b"", content_type="application/pdf"), ALL, 5)
