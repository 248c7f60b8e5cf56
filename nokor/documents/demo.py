"""Demo data of issued documents (`seed_demo`): the demo signing CA and one residence certificate for
the demo citizen, issued by Kandal. Idempotent."""

from __future__ import annotations

from nokor.accounts.demo import CITIZENS
from nokor.accounts.models import User
from nokor.documents.models import Document
from nokor.documents.services import document_issue
from nokor.documents.signing import create_demo_ca
from nokor.geography.models import AdministrativeUnit


def seed() -> list[str]:
    """Make the demo CA (if no key is configured yet) and issue the sample document once."""
    written = [str(path) for path in create_demo_ca()]
    citizen = User.objects.filter(email=CITIZENS[0].email).first()
    kandal = AdministrativeUnit.objects.filter(code="08").first()
    if citizen is None or kandal is None or Document.objects.filter(holder=citizen).exists():
        return written
    document_issue(
        document_type="residence_certificate",
        holder=citizen,
        holder_name=citizen.full_name,
        issuer_unit=kandal,
        data={"holder_name": citizen.full_name, "address": "ភូមិត្រពាំងពោធិ៍ ខេត្តកណ្តាល"},
        context={
            "address": "ភូមិត្រពាំងពោធិ៍ ឃុំអំពៅព្រៃ ស្រុកកណ្តាលស្ទឹង ខេត្តកណ្តាល",
            "date_of_birth": "1990-04-17",
            "sex_km": "ស្រី",
            "sex_en": "Female",
        },
    )
    return written
