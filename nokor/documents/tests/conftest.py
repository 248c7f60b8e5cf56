"""Fixtures of the documents tests: a demo CA made once per run, private media, documents to verify."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile

from nokor.documents.models import Document
from nokor.documents.services import document_issue
from nokor.documents.signing import SigningPaths, create_demo_ca

FAKE_PDF = b"%PDF-1.7\n% a stand-in for a rendered document\n%%EOF\n"


@pytest.fixture(scope="session")
def demo_ca(tmp_path_factory) -> SigningPaths:
    directory = tmp_path_factory.mktemp("signing")
    paths = SigningPaths(
        key=directory / "signing-key.pem", cert=directory / "signing-cert.pem", chain=directory / "chain.pem"
    )
    create_demo_ca(paths)
    return paths


@pytest.fixture
def signing_keys(settings, demo_ca) -> SigningPaths:
    settings.SIGNING_KEY_FILE = demo_ca.key
    settings.SIGNING_CERT_FILE = demo_ca.cert
    settings.SIGNING_CHAIN_FILE = demo_ca.chain
    return demo_ca


@pytest.fixture(autouse=True)
def _private_media_and_fresh_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://nokor.example.gov.kh"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def issue(units, citizen):
    """Issue a residence certificate (Kandal, to the citizen unless told otherwise); not rendered."""

    def make(*, holder=citizen, unit="08", by=None, **overrides) -> Document:
        fields = {
            "document_type": "residence_certificate",
            "holder": holder,
            "holder_name": holder.full_name if holder else "សុខ ចាន់ថា",
            "issuer_unit": units[unit],
            "data": {"holder_name": holder.full_name if holder else "សុខ ចាន់ថា", "address": "ភូមិត្រពាំងពោធិ៍"},
            "context": {
                "address": "ភូមិត្រពាំងពោធិ៍ ឃុំអំពៅព្រៃ ស្រុកកណ្តាលស្ទឹង ខេត្តកណ្តាល",
                "date_of_birth": "1990-04-17",
                "sex_km": "ស្រី",
                "sex_en": "Female",
                "id_number": "010203040",
            },
            "by": by,
        }
        fields.update(overrides)
        return document_issue(**fields)

    return make


@pytest.fixture
def ready_document(issue) -> Document:
    """A document whose PDF is stored (a stand-in file: rendering is tested on its own)."""
    document = issue()
    document.file.save(f"{document.code}.pdf", ContentFile(FAKE_PDF), save=False)
    document.render_status = Document.RenderStatus.READY
    document.save(update_fields=["file", "render_status"])
    return document


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run a command-line tool (poppler-utils, certutil) and return its output."""
    if shutil.which(args[0]) is None:
        pytest.fail(f"{args[0]} is not installed: run scripts/install-system-packages.sh")
    return subprocess.run(args, capture_output=True, text=True, check=check, timeout=120)
