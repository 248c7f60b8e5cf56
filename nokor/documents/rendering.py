"""From a Document row to PDF bytes: the bilingual HTML template, its QR code, WeasyPrint.

Templates are Django templates (``documents/pdf/<type>.html`` extending ``documents/pdf/base.html``),
rendered with the Khmer font installed on the machine (fonts-khmeros or fonts-noto-core). WeasyPrint may
fetch nothing but ``data:`` URLs: a template can never make the server read a file or call the network.
"""

from __future__ import annotations

import base64
import functools
import io
import re
from typing import Any

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from nokor.core.formatting import format_date
from nokor.documents.models import Document

_KHMER = re.compile("[\u1780-\u17ff\u19e0-\u19ff]")


def _install_khmer_text_layer() -> None:
    """Make the Khmer text of our PDFs extractable (search, copy, screen readers, pdftotext).

    A PDF maps each glyph to text once, for the whole font. Khmer shaping draws one glyph in clusters
    that mean different text (a consonant with a pre-base vowel, with or without a subscript), so
    readers that trust that map extract garbled Khmer. We wrap each drawn line that holds Khmer in a
    marked-content span whose ``/ActualText`` is the line's real text, which readers use instead. Done
    once per process, around WeasyPrint's line drawing; if a WeasyPrint upgrade renames that function
    the PDFs stay correct, only extraction degrades (and the rendering test fails, so we notice).
    """
    import pydyf
    from weasyprint.draw import text as weasy_text

    original = getattr(weasy_text, "draw_first_line", None)
    if original is None or getattr(original, "nokor_actual_text", False):
        return

    @functools.wraps(original)
    def draw_first_line(stream: Any, textbox: Any, *args: Any, **kwargs: Any) -> Any:
        text = getattr(textbox, "text", "")
        if not _KHMER.search(text):
            return original(stream, textbox, *args, **kwargs)
        properties = pydyf.Dictionary({"ActualText": pydyf.String(text)})
        pydyf.Stream.begin_marked_content(stream, "Span", properties)
        try:
            return original(stream, textbox, *args, **kwargs)
        finally:
            pydyf.Stream.end_marked_content(stream)

    draw_first_line.nokor_actual_text = True  # type: ignore[attr-defined]
    weasy_text.draw_first_line = draw_first_line


def qr_data_uri(url: str) -> str:
    """An SVG QR code of `url` as a data URI (segno's file output: its inline SVG lacks the namespace)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, border=0, dark="#000")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def template_context(document: Document) -> dict[str, Any]:
    """What every document template receives (``context`` holds what the issuing app passed)."""
    unit = document.issuer_unit
    return {
        "document": document,
        "context": document.context,
        "holder_name": document.holder_name,
        "title_km": document.title_km,
        "title_en": document.title_en,
        "issuer_km": unit.name_km,
        "issuer_en": unit.name_latin,
        "issuer_type_km": unit.type_km,
        "issuer_type_en": unit.type_en,
        # The letterhead names the issuing unit under its province (and district, commune).
        "issuer_chain_km": [f"{u.type_km}{u.name_km}" for u in unit.ancestors()],
        "issued_on_km": format_date(document.issued_on, "km", style="official"),
        "issued_on_en": format_date(document.issued_on, "en", style="official"),
        "fields": [
            {"km": label.km, "en": label.en, "value": value}
            for label, value in document.verification_fields()
        ],
        "code": document.display_code,
        "verification_url": document.verification_url(),
        "verify_address": settings.SITE_URL.split("://", 1)[-1] + "/verify",
        "qr_code": qr_data_uri(document.verification_url()),
    }


def render_html(document: Document) -> str:
    """The document's HTML, as WeasyPrint receives it (bilingual by design: the active language does
    not change it)."""
    with translation.override("km"):
        return render_to_string(document.template_name, template_context(document))


def html_to_pdf(html: str, *, identifier: str = "") -> bytes:
    """PDF bytes of an HTML page, with the rules of every PDF we make: extractable Khmer text, and no
    fetching of anything but ``data:`` URLs (also used by other apps' reports, e.g. the cyber case
    report)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    _install_khmer_text_layer()
    fetcher = URLFetcher(allowed_protocols=("data",), allow_redirects=False, fail_on_errors=True)
    return HTML(string=html, url_fetcher=fetcher).write_pdf(
        pdf_identifier=identifier.encode("ascii") if identifier else None, custom_metadata=True
    )


def render_pdf(document: Document) -> bytes:
    """The unsigned PDF of `document`."""
    return html_to_pdf(render_html(document), identifier=document.code)
