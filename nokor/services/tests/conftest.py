"""Fixtures of the services tests: the real catalogue, and an application walked through its pages."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from nokor.services import services as ops
from nokor.services.catalogue import load_catalogue
from nokor.services.models import Service

RESIDENCE_ANSWERS = {
    "full_name": "សុខា ចាន់",
    "latin_name": "Sokha Chan",
    "sex": "female",
    "date_of_birth": "1990-04-17",
    "national_id": "010234567",
    "phone": "+85512345678",
    "village": "08010101",
    "house": "No. 12, Street 3",
    "living_since": "2015-01-01",
    "purpose": "bank",
    "purpose_other": None,
}


def png_upload(name="id.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def catalogue(units):
    load_catalogue()
    return {service.slug: service for service in Service.objects.all()}


@pytest.fixture
def residence(catalogue):
    return catalogue["residence-certificate"]


@pytest.fixture
def submitted(residence, citizen):
    """A residence certificate application of the demo citizen, submitted to Ampov Prey commune (Kandal)."""
    application = ops.application_start(service=residence, applicant=citizen)
    upload = png_upload()
    upload.sniffed_content_type = "image/png"
    ops.application_save_page(
        application=application, by=citizen, page_answers=RESIDENCE_ANSWERS, files={"id_document": upload}
    )
    return ops.application_submit(application=application, by=citizen)
