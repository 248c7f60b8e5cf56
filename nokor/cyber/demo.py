"""Demo data of cybercrime reporting (`seed_demo`): the categories and institutions, the demo citizen's
report of an investment scam (a payment, three identifiers, a screenshot) and an anonymous report of a
phishing attempt naming the same phone number written differently. Idempotent."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from nokor.accounts.demo import CITIZENS
from nokor.accounts.models import User
from nokor.cyber import reference_data, reports
from nokor.cyber.models import Institution, Report
from nokor.geography.models import AdministrativeUnit

SCAM_DESCRIPTION = (
    "មានគេទាក់ទងខ្ញុំតាម Telegram ហើយណែនាំឱ្យវិនិយោគលើគេហទំព័រជួញដូររូបិយប័ណ្ណគ្រីបតូ។ "
    "ខ្ញុំបានផ្ទេរប្រាក់ ១ ២០០ ដុល្លារទៅគណនី ABA ។ ឥឡូវនេះគេហទំព័រមិនអនុញ្ញាតឱ្យខ្ញុំដកប្រាក់ទេ "
    "ហើយពួកគេទាមទារ «ពន្ធ» ៣០០ ដុល្លារទៀត។"
)
ATTEMPT_DESCRIPTION = "សារ SMS ថាគណនីធនាគាររបស់ខ្ញុំត្រូវបានបិទ ហើយឱ្យចុចលើតំណភ្ជាប់ដើម្បីផ្ទៀងផ្ទាត់។"


def _screenshot() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (360, 640), "#e8edf7").save(buffer, format="PNG")
    return SimpleUploadedFile("telegram-chat.png", buffer.getvalue(), content_type="image/png")


def seed() -> list[str]:
    reference_data.load()
    made = []
    citizen = User.objects.filter(email=CITIZENS[0].email).first()
    if (
        citizen is not None
        and not Report.objects.filter(reporter=citizen, description=SCAM_DESCRIPTION).exists()
    ):
        submitted = reports.report_submit(
            by=citizen,
            category="online-fraud",
            description=SCAM_DESCRIPTION,
            channel=Report.Channel.TELEGRAM,
            incident_date=timezone.localdate() - dt.timedelta(days=3),
            ongoing_contact=True,
            identifiers=[
                reports.IdentifierInput("@crypto_profit_kh"),
                reports.IdentifierInput("012 345 678"),
                reports.IdentifierInput("hxxps://kh-crypto-profit[.]com/invest"),
            ],
            transfers=[
                reports.TransferInput(
                    amount=Decimal("1200.00"),
                    currency="USD",
                    institution=Institution.objects.filter(code="ABA").first(),
                    to_account="000 123 456",
                    transaction_id="FT2611250001",
                    paid_on=timezone.localdate() - dt.timedelta(days=2),
                )
            ],
            evidence=[reports.EvidenceInput(file=_screenshot(), name="telegram-chat.png")],
            contact_email=citizen.email or "",
            consent=True,
            unit=AdministrativeUnit.objects.filter(code="08").first(),
        )
        made.append(submitted.report.reference)
    if not Report.objects.filter(reporter=None, description=ATTEMPT_DESCRIPTION).exists():
        submitted = reports.report_submit(
            by=None,
            category="phishing",
            description=ATTEMPT_DESCRIPTION,
            channel=Report.Channel.SMS,
            attempt_only=True,
            identifiers=[
                reports.IdentifierInput("+855 12 345 678"),
                reports.IdentifierInput("hxxps://aba-secure-login[.]com/verify"),
            ],
        )
        made.append(submitted.report.reference)
    return made
