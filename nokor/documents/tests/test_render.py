"""Rendering: the task makes one signed PDF with the Khmer header, the code and a Khmer font, and tells
the holder; signatures are valid, and trusted once the demo CA is."""

import asyncio
import re

from django_tasks_db.models import DBTaskResult
from PIL import Image

from nokor.documents import signing
from nokor.documents.models import Document
from nokor.documents.tasks import render_document
from nokor.documents.tests.conftest import run
from nokor.notifications.models import Message


def _rendered(issue, tmp_path):
    document = issue()
    assert render_document.call(document.pk) == "rendered"
    document.refresh_from_db()
    path = tmp_path / "document.pdf"
    path.write_bytes(document.file.read())
    return document, path


def test_render_writes_a_pdf_with_the_khmer_header_and_the_code(issue, signing_keys, tmp_path):
    document, path = _rendered(issue, tmp_path)
    assert document.render_status == Document.RenderStatus.READY
    assert document.file.name == f"documents/{document.issued_on:%Y/%m}/{document.code}.pdf"
    text = run("pdftotext", "-layout", str(path), "-").stdout
    assert "ព្រះរាជាណាចក្រកម្ពុជា" in text
    assert "ជាតិ សាសនា ព្រះមហាក្សត្រ" in text
    assert "ក្រសួងមហាផ្ទៃ" in text
    assert "លិខិតបញ្ជាក់ទីលំនៅ" in text and "Residence certificate" in text
    assert "ថ្ងៃទី" in text and "ព.ស." in text  # the official Khmer date, in Khmer digits
    assert document.display_code in text
    assert f"https://nokor.example.gov.kh/verify/{document.code}" in text
    assert re.search(r"^Pages:\s+1$", run("pdfinfo", str(path)).stdout, re.MULTILINE)  # one sheet


def test_the_holder_is_told_once_when_the_document_is_ready(issue, signing_keys, citizen, tmp_path):
    document, _path = _rendered(issue, tmp_path)
    messages = Message.objects.filter(user=citizen, event="document.ready")
    assert messages.count() >= 1
    assert all(document.get_absolute_url() == m.link for m in messages)
    count = messages.count()
    assert render_document.call(document.pk) == "skipped"
    assert Message.objects.filter(user=citizen, event="document.ready").count() == count


def test_a_second_render_does_nothing(issue, signing_keys, tmp_path):
    document, path = _rendered(issue, tmp_path)
    before = (document.file.name, document.rendered_at, path.read_bytes())
    assert render_document.call(document.pk) == "skipped"
    document.refresh_from_db()
    assert (document.file.name, document.rendered_at, document.file.read()) == before


def test_the_signature_is_valid_and_trusted_once_the_demo_ca_is(issue, signing_keys, tmp_path):
    _document, path = _rendered(issue, tmp_path)
    untrusted = run("pdfsig", str(path), check=False).stdout
    assert "Signature Type: ETSI.CAdES.detached" in untrusted  # PAdES
    assert "Signature is Valid." in untrusted
    assert "Total document signed" in untrusted
    assert "Nokor demo signing" in untrusted

    nss = tmp_path / "nss"
    nss.mkdir()
    run("certutil", "-N", "-d", f"sql:{nss}", "--empty-password")
    run(
        "certutil",
        "-A",
        "-n",
        "nokor-demo",
        "-t",
        "CT,C,C",
        "-i",
        str(signing_keys.chain),
        "-d",
        f"sql:{nss}",
    )
    trusted = run("pdfsig", "-nssdir", f"sql:{nss}", str(path), check=False).stdout
    assert "Signature is Valid." in trusted
    assert "Certificate is Trusted." in trusted


def test_a_changed_byte_breaks_the_signature(issue, signing_keys, tmp_path):
    _document, path = _rendered(issue, tmp_path)
    data = bytearray(path.read_bytes())
    at = data.index(b"/Title")  # inside the signed range
    data[at + 1 : at + 6] = b"Xitle"
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    assert "Signature is Valid." not in run("pdfsig", str(tampered), check=False).stdout


def test_khmer_is_drawn_with_an_embedded_khmer_font(issue, signing_keys, tmp_path):
    _document, path = _rendered(issue, tmp_path)
    fonts = run("pdffonts", str(path)).stdout
    khmer_fonts = [line for line in fonts.splitlines() if "Khmer" in line]
    assert khmer_fonts, fonts
    assert all(" yes yes " in line for line in khmer_fonts)  # embedded (subset)
    run("pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page"))
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    width, height = image.size
    dark = sum(image.histogram()[:128])
    assert dark > width * height * 0.01  # text, lines and the QR code: not a blank page
    header = image.crop((width // 4, 0, 3 * width // 4, height // 8))
    assert header.getextrema()[0] < 64  # the kingdom's header is drawn at the top


def test_missing_keys_mark_the_document_failed_and_retry(issue, settings, tmp_path, caplog):
    settings.SIGNING_KEY_FILE = tmp_path / "absent-key.pem"
    settings.SIGNING_CERT_FILE = tmp_path / "absent-cert.pem"
    document = issue()
    queued = DBTaskResult.objects.count()
    try:
        render_document.call(document.pk)
    except signing.SigningUnavailable as exc:
        assert "absent-key.pem" in str(exc)
    else:
        raise AssertionError("rendering without keys must fail")
    document.refresh_from_db()
    assert document.render_status == Document.RenderStatus.FAILED
    assert "SigningUnavailable" in document.render_error and "documents_demo_ca" in document.render_error
    assert not document.file
    assert DBTaskResult.objects.count() == queued + 1  # the retry, with back-off
    assert any(r.levelname == "ERROR" and document.code in r.getMessage() for r in caplog.records)


def test_a_retry_after_a_failure_renders_the_document(issue, settings, demo_ca, tmp_path):
    settings.SIGNING_KEY_FILE = tmp_path / "absent-key.pem"
    document = issue()
    try:
        render_document.call(document.pk)
    except signing.SigningUnavailable:
        pass
    settings.SIGNING_KEY_FILE = demo_ca.key
    settings.SIGNING_CERT_FILE = demo_ca.cert
    settings.SIGNING_CHAIN_FILE = demo_ca.chain
    assert render_document.call(document.pk) == "rendered"
    document.refresh_from_db()
    assert document.render_status == Document.RenderStatus.READY and document.render_error == ""


def test_signing_works_inside_a_running_event_loop(signing_keys):
    from weasyprint import HTML

    pdf = HTML(string="<p>test</p>").write_pdf()
    signer = signing.load_signer()

    async def sign_in_a_loop():
        return signing.sign_pdf(pdf, signer=signer, reason="test", location="test")

    signed = asyncio.run(sign_in_a_loop())
    assert signed.startswith(b"%PDF") and len(signed) > len(pdf)
