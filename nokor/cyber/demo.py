"""Demo data of cybercrime reporting (`seed_demo`): the categories and institutions, the demo citizen's
report of an investment scam (a payment, three identifiers, a screenshot) and an anonymous report of a
phishing attempt naming the same phone number written differently. When the Kandal investigator exists,
a case of the Kandal cyber unit with the citizen's report and a second victim's report linked, a task,
notes and a freeze request to the bank. Idempotent."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from nokor.accounts.demo import CITIZENS, STAFF
from nokor.accounts.models import User
from nokor.cyber import cases, freeze, reference_data, reports
from nokor.cyber.models import Case, CaseEvent, Institution, Report
from nokor.geography.models import AdministrativeUnit

SCAM_DESCRIPTION = (
    "មានគេទាក់ទងខ្ញុំតាម Telegram ហើយណែនាំឱ្យវិនិយោគលើគេហទំព័រជួញដូររូបិយប័ណ្ណគ្រីបតូ។ "
    "ខ្ញុំបានផ្ទេរប្រាក់ ១ ២០០ ដុល្លារទៅគណនី ABA ។ ឥឡូវនេះគេហទំព័រមិនអនុញ្ញាតឱ្យខ្ញុំដកប្រាក់ទេ "
    "ហើយពួកគេទាមទារ «ពន្ធ» ៣០០ ដុល្លារទៀត។"
)
ATTEMPT_DESCRIPTION = "សារ SMS ថាគណនីធនាគាររបស់ខ្ញុំត្រូវបានបិទ ហើយឱ្យចុចលើតំណភ្ជាប់ដើម្បីផ្ទៀងផ្ទាត់។"
SECOND_VICTIM_DESCRIPTION = (
    "ខ្ញុំបានស្គាល់គេតាម Telegram (@crypto_profit_kh)។ គេបានឱ្យខ្ញុំផ្ទេរប្រាក់ ៥០០ ដុល្លារ ទៅគណនី ABA "
    "ដើម្បីចូលរួមវិនិយោគ ហើយបន្ទាប់មកគេបានបិទការទំនាក់ទំនង។"
)
CASE_TITLE = "Crypto investment scam on Telegram (@crypto_profit_kh)"


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
    seed_case()  # additive: not in the list returned, so seeding twice still returns nothing new
    return made


def seed_case() -> str | None:
    """The demo case of the Kandal cyber unit, once; None when it exists or its people are missing."""
    investigator_person = next(person for person in STAFF if person.key == "investigator_kandal")
    investigator = User.objects.filter(email=investigator_person.email).first()
    citizen = User.objects.filter(email=CITIZENS[0].email).first()
    first = Report.objects.filter(reporter=citizen, description=SCAM_DESCRIPTION).first() if citizen else None
    if investigator is None or first is None or Case.objects.filter(title=CASE_TITLE).exists():
        return None
    aba = Institution.objects.filter(code="ABA").first()
    with transaction.atomic():
        second = reports.report_submit(
            by=None,
            category="online-fraud",
            description=SECOND_VICTIM_DESCRIPTION,
            channel=Report.Channel.TELEGRAM,
            incident_date=timezone.localdate() - dt.timedelta(days=2),
            identifiers=[reports.IdentifierInput("@crypto_profit_kh")],
            transfers=[
                reports.TransferInput(
                    amount=Decimal("500.00"),
                    currency="USD",
                    institution=aba,
                    to_account="000 123 456",
                    transaction_id="FT2611250417",
                    paid_on=timezone.localdate() - dt.timedelta(days=1),
                )
            ],
            unit=first.unit,
        ).report
        case = cases.case_open(
            by=investigator,
            title=CASE_TITLE,
            summary=(
                "Two victims in Kandal paid the same ABA account after being recruited on Telegram "
                "to a fake crypto-currency investment site."
            ),
            reports=[first, second],
        )
        cases.case_task_add(
            case=case,
            by=investigator,
            title="Ask ABA Bank for the holder of account 000 123 456",
            due_on=timezone.localdate() + dt.timedelta(days=2),
            assignee=investigator,
        )
        cases.case_note(
            case=case,
            by=investigator,
            kind=CaseEvent.Kind.CONTACT,
            text="Called the first victim: the site still shows her balance and asks for a 300 USD “tax”.",
        )
        cases.case_note(
            case=case,
            by=investigator,
            kind=CaseEvent.Kind.NOTE,
            text="The Telegram account and the web site are named in both reports.",
        )
        if aba is not None:
            freeze.freeze_request(
                case=case,
                by=investigator,
                institution=aba,
                account="000 123 456",
                transfers=list(freeze.candidate_transfers(case, aba)),
                note="Two victims paid this account in the last three days.",
            )
    return case.reference
