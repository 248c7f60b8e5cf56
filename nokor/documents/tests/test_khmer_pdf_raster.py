"""Khmer shaping in our PDFs, checked by eye once and by pixels ever after.

A residence certificate with fixed content (holder, dates, verification code, so the same QR code) is
rendered unsigned, page 1 is rasterised with ``pdftoppm -r 100 -gray``, and the top of the page (the
letterhead, the title and the fields, all in Khmer) is compared with ``reference/residence_certificate_
top.png``, a reviewed image in which the subscripts (coeng) and the vowels sit in their clusters:
ក្រសួងមហាផ្ទៃ, ព្រះរាជាណាចក្រកម្ពុជា, លិខិតបញ្ជាក់ទីលំនៅ. A font, Pango or HarfBuzz change that breaks
shaping moves far more pixels than the tolerance allows; the second test shows it, by rendering the same
page with every Khmer character shaped on its own (as a renderer without Khmer shaping draws it).

After a deliberate change of the document layout or of the fonts, regenerate the reference, look at it
(every cluster shaped) and commit it::

    NOKOR_UPDATE_REFERENCE=1 .venv/bin/python -m pytest nokor/documents/tests/test_khmer_pdf_raster.py
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from nokor.documents.rendering import html_to_pdf, render_html
from nokor.documents.tests.conftest import run

REFERENCE = Path(__file__).parent / "reference" / "residence_certificate_top.png"
# The top of an A4 page at 100 dpi (827 × 1169 px): letterhead, title, statement and fields.
CROP = (0, 0, 827, 640)
MEAN_DIFFERENCE_LIMIT = 0.02  # of full scale (255)
DIFFERING_PIXELS_LIMIT = 0.005  # share of pixels differing by more than…
DIFFERING_BY = 64

_KHMER_CHARACTER = re.compile("([\u1780-\u17ff])")


@pytest.fixture
def certificate(issue, citizen):
    """A residence certificate whose every rendered value is fixed (nothing depends on today)."""
    document = issue(
        holder_name="សុខ ចាន់ថា",
        context={
            "address": "ភូមិត្រពាំងពោធិ៍ ឃុំអំពៅព្រៃ ស្រុកកណ្តាលស្ទឹង ខេត្តកណ្តាល",
            "date_of_birth": "1990-04-17",
            "sex_km": "ស្រី",
            "sex_en": "Female",
            "id_number": "010203040",
        },
    )
    document.code = "7Q2M9XKT4CHW8NRD3"
    document.issued_on = dt.date(2026, 3, 14)
    return document


def _page_one(pdf: bytes, tmp_path: Path) -> Image.Image:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    run("pdftoppm", "-r", "100", "-gray", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page"))
    (png,) = tmp_path.glob("page*.png")
    with Image.open(png) as image:
        return image.convert("L").crop(CROP)


def _difference(image: Image.Image, reference: Image.Image) -> tuple[float, float]:
    """Mean absolute difference (share of full scale) and share of pixels differing by more than
    DIFFERING_BY; images of different sizes are as different as can be."""
    if image.size != reference.size:
        return 1.0, 1.0
    histogram = ImageChops.difference(image, reference).histogram()
    pixels = image.size[0] * image.size[1]
    mean = sum(value * count for value, count in enumerate(histogram)) / pixels / 255
    differing = sum(histogram[DIFFERING_BY + 1 :]) / pixels
    return mean, differing


def _reference() -> Image.Image:
    with Image.open(REFERENCE) as image:
        return image.convert("L")


def _unshaped(html: str) -> str:
    """The same page with each Khmer character in its own inline block, so none is shaped with its
    neighbours: subscripts and vowels drawn as separate glyphs, in logical order."""
    head, body = html.split("<body>", 1)
    style = "<style>.unshaped { display: inline-block; }</style>"
    body = _KHMER_CHARACTER.sub(r'<span class="unshaped">\1</span>', body)
    return head.replace("</head>", style + "</head>") + "<body>" + body


def test_khmer_in_a_rendered_certificate_matches_the_reviewed_reference(certificate, tmp_path):
    image = _page_one(html_to_pdf(render_html(certificate)), tmp_path)
    if os.environ.get("NOKOR_UPDATE_REFERENCE") == "1":
        REFERENCE.parent.mkdir(exist_ok=True)
        image.save(REFERENCE, optimize=True)
    mean, differing = _difference(image, _reference())
    assert mean < MEAN_DIFFERENCE_LIMIT, f"mean difference {mean:.4f}"
    assert differing < DIFFERING_PIXELS_LIMIT, f"{differing:.4%} of pixels differ by more than {DIFFERING_BY}"


def test_khmer_drawn_without_shaping_is_caught_by_the_comparison(certificate, tmp_path):
    html = _unshaped(render_html(certificate))
    assert "ក្រសួងមហាផ្ទៃ" not in html  # no cluster left whole
    image = _page_one(html_to_pdf(html), tmp_path)
    mean, differing = _difference(image, _reference())
    assert mean >= MEAN_DIFFERENCE_LIMIT or differing >= DIFFERING_PIXELS_LIMIT


def test_the_reference_is_small_and_the_size_of_the_crop():
    assert REFERENCE.stat().st_size < 100_000
    assert _reference().size == (CROP[2] - CROP[0], CROP[3] - CROP[1])
