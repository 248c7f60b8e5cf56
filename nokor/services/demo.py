"""Demo applications (`seed_demo`): the demo citizen's residence certificate in three states, so every
page of the main path has something to show. Idempotent."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from nokor.accounts.demo import CITIZENS, STAFF
from nokor.accounts.models import User
from nokor.services import services as ops
from nokor.services.models import Application, Service

ANSWERS = {
    "full_name": "សុខា ចាន់",
    "latin_name": "Sokha Chan",
    "sex": "female",
    "date_of_birth": "1990-04-17",
    "national_id": "010234567",
    "phone": "+85512345678",
    "village": "08010101",
    "house": "ផ្ទះលេខ ១២ ផ្លូវ ៣",
    "living_since": "2015-01-01",
    "purpose": "bank",
    "purpose_other": None,
}


def _sample_scan() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), "#dde4f7").save(buffer, format="PNG")
    upload = SimpleUploadedFile("id-card.png", buffer.getvalue(), content_type="image/png")
    upload.sniffed_content_type = "image/png"
    return upload


def seed() -> list[str]:
    citizen = User.objects.filter(email=CITIZENS[0].email).first()
    officer = User.objects.filter(email=next(p.email for p in STAFF if p.key == "officer_kandal")).first()
    service = Service.objects.filter(slug="residence-certificate").first()
    if not (citizen and officer and service) or Application.objects.filter(applicant=citizen).exists():
        return []
    made = []
    for outcome in ("submitted", "info_requested", "approved"):
        application = ops.application_start(service=service, applicant=citizen)
        ops.application_save_page(
            application=application, by=citizen, page_answers=ANSWERS, files={"id_document": _sample_scan()}
        )
        application = ops.application_submit(application=application, by=citizen)
        if outcome == "info_requested":
            ops.application_request_info(
                application=application,
                by=officer,
                fields=["id_document"],
                message="សូមផ្ញើរូបថតអត្តសញ្ញាណប័ណ្ណដែលអាចអានបាន។",
            )
        elif outcome == "approved":
            ops.application_claim(application=application, by=officer)
            ops.application_approve(application=Application.objects.get(pk=application.pk), by=officer)
        made.append(application.reference)
    return made
