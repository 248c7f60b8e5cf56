"""Reporting a cybercrime: every state change of a report made by the person who reports it (submitting,
adding information later), the reads the reporter makes, and the rules they share with the API.

Each change runs in one transaction, writes its audit event and queues its notification in it. The
same ``report_submit`` serves the step-by-step pages, the one-page "attempt only" report and the JSON
API, so the three can never validate differently: it raises :class:`ReportError` with a message per
field (``category``, ``identifiers[1]``, ``transfers[0].amount``, ``contact.email``…).

References are ``CY-2026-000123-7`` (year, number of the year, Luhn check digit, the same scheme as
application references). The tracking code is random (12 characters of Crockford's base 32, 60 bits),
shown once and stored only as an HMAC-SHA256 keyed with the server's secret key; a reporter follows
the report with the reference and the code, compared in constant time.

Priority (higher is more urgent) is a score of what makes a report urgent; its band sets the time by
which an investigator should first look at it (``SLA``):

=============================================  ======
money lost, in US dollars (riel at KHR_PER_USD)  +1 (any), +2 (≥ 100), +3 (≥ 1,000), +4 (≥ 10,000)
still in contact with the scammer                +2 (more can still be lost)
victim a child, elderly or otherwise vulnerable  +2
sensitive category (sextortion, image abuse)     +3
possible trafficking into a scam compound        +6 (always urgent: a person may be held)
other reports naming the same identifiers        +1 (1-2), +2 (3-9), +3 (10 or more)
=============================================  ======

Bands: urgent from 6 (first look within 24 hours), high from 3 (72 hours), normal below (7 days).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from nokor.accounts.adapter import normalize_phone
from nokor.audit.services import audit_record
from nokor.core import throttle
from nokor.core.models import Sequence
from nokor.core.text import current_language, latin_digits, strip_invisible
from nokor.core.uploads import EXTENSIONS, SUPPORTED_TYPES, sha256_hex, validate_upload
from nokor.cyber.models import (
    AllowListEntry,
    Category,
    EvidenceFile,
    IdentifierKind,
    Institution,
    Report,
    Sighting,
    Transfer,
)
from nokor.cyber.normalize import KINDS, Identifier, normalize
from nokor.geography.models import AdministrativeUnit
from nokor.notifications.services import email_send, notify, render_event, sms_send
from nokor.services.reference import luhn_digit

# Limits of one report (and of one addition to it).
MAX_IDENTIFIERS = 20
MAX_TRANSFERS = 20
MAX_EVIDENCE_FILES = 10
EVIDENCE_MAX_MB = 10
EVIDENCE_TYPES = SUPPORTED_TYPES  # screenshots (PNG, JPEG) and PDF, read from the bytes
MAX_DESCRIPTION = 10_000
MAX_AMOUNT = Decimal("999999999999.99")  # what Transfer.amount holds (14 digits, 2 decimals)
EARLIEST_INCIDENT = dt.date(1990, 1, 1)

# Where the reporter follows a report (the cyber URLs are mounted at /cyber/).
STATUS_PATH = "/cyber/report/status/"
MINE_PATH = "/cyber/report/mine/{reference}/"

# --- priority and first-look deadlines (see the module docstring) -----------------------------------
KHR_PER_USD = 4000  # the rate the riel is held near; used only to rank losses, never to convert money
URGENT, HIGH, NORMAL = "urgent", "high", "normal"
PRIORITY_URGENT_FROM = 6
PRIORITY_HIGH_FROM = 3
SLA = {URGENT: dt.timedelta(hours=24), HIGH: dt.timedelta(hours=72), NORMAL: dt.timedelta(days=7)}
_LOSS_POINTS = ((Decimal(10_000), 4), (Decimal(1_000), 3), (Decimal(100), 2), (Decimal("0.01"), 1))
_OTHER_REPORT_POINTS = ((10, 3), (3, 2), (1, 1))

# --- references and tracking codes --------------------------------------------------------------
REFERENCE_PREFIX = "CY"
NUMBERS_PER_YEAR = 1_000_000_000  # Report.number = year × this + the number of the year
_REFERENCE = re.compile(r"^CY-(\d{4})-(\d{6,})-(\d)$")
# Hyphens people paste (the pages show references with non-breaking hyphens so they do not wrap).
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"))
TRACKING_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U
TRACKING_LENGTH = 12
_TRACKING_SALT = "nokor.cyber.report-tracking-code"
_TRACKING_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_NO_MATCH_HASH = "0" * 64  # compared against when the reference is unknown, so both take as long


def report_retry_after() -> int | None:
    """Count one report filed from the current client IP (pages and API share the budget,
    ``CYBER_REPORT_RATE_LIMIT`` an hour, 20 by default); the seconds to wait when over it."""
    limit = getattr(settings, "CYBER_REPORT_RATE_LIMIT", 20)
    return throttle.retry_after("cyber-report", limit=limit, window_seconds=3600)


def status_retry_after() -> int | None:
    """Count one status check from the current client IP (``CYBER_STATUS_RATE_LIMIT`` a minute, 10 by
    default): with 60-bit codes this only stops a flood, but it keeps guessing out of reach."""
    limit = getattr(settings, "CYBER_STATUS_RATE_LIMIT", 10)
    return throttle.retry_after("cyber-status", limit=limit, window_seconds=60)


class ReportError(Exception):
    """A report (or an addition to it) refused: a translated message for each field at fault."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()))


@dataclass(frozen=True)
class IdentifierInput:
    """An identifier of the scammer as the reporter wrote it, with the kind they chose (optional)."""

    text: str
    kind: str | None = None


@dataclass(frozen=True)
class TransferInput:
    """One payment to the scammer as the reporter described it."""

    amount: Decimal | str
    currency: str = Transfer.Currency.USD
    institution: Institution | None = None
    institution_text: str = ""
    to_account: str = ""
    transaction_id: str = ""
    paid_on: dt.date | None = None


@dataclass(frozen=True)
class EvidenceInput:
    """A file of evidence: an upload, or a django File opened from the draft storage."""

    file: Any
    name: str


@dataclass(frozen=True)
class SubmittedReport:
    """A report just filed, with its tracking code: the only time the code exists in clear."""

    report: Report
    tracking_code: str
    identifiers: list[Identifier]


# --------------------------------------------------------------------------------------------------
# References and tracking codes
# --------------------------------------------------------------------------------------------------
def make_reference(year: int, number: int) -> str:
    """``CY-2026-000123-7``: the year, the number of the year and a Luhn check digit over both."""
    body = f"{year:04d}{number:06d}"
    return f"{REFERENCE_PREFIX}-{year:04d}-{number:06d}-{luhn_digit(body)}"


def normalize_reference(text: str) -> str | None:
    """The canonical reference if ``text`` is one (any case, spaces, Khmer digits), else None."""
    candidate = re.sub(r"\s+", "", latin_digits(strip_invisible(text or ""))).upper()
    candidate = candidate.translate(_DASHES)
    match = _REFERENCE.match(candidate)
    if not match:
        return None
    year, number, check = match.groups()
    return candidate if luhn_digit(year + number) == int(check) else None


def new_tracking_code() -> str:
    """A fresh random tracking code (12 characters, 60 bits)."""
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def format_tracking_code(code: str) -> str:
    """``ABCD-EFGH-JKLM``: the code in groups of four, as shown and printed."""
    return "-".join(code[index : index + 4] for index in range(0, len(code), 4))


def canonical_tracking_code(text: str) -> str:
    """The code as typed, upper-cased, without separators; O, I and L read as 0, 1 and 1."""
    cleaned = latin_digits(strip_invisible(text or "")).upper().translate(_TRACKING_LOOKALIKES)
    return re.sub(r"[^0-9A-Z]", "", cleaned)[:64]


def hash_tracking_code(code: str, secret: str | None = None) -> str:
    """The stored form of a tracking code: HMAC-SHA256 keyed with the secret key (hex, 64 characters)."""
    return salted_hmac(
        _TRACKING_SALT, canonical_tracking_code(code), secret=secret, algorithm="sha256"
    ).hexdigest()


def tracking_code_matches(stored_hash: str, code: str) -> bool:
    """Whether ``code`` is the one behind ``stored_hash`` (constant time; old keys still accepted)."""
    secrets_to_try = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    results = [
        constant_time_compare(hash_tracking_code(code, secret), stored_hash) for secret in secrets_to_try
    ]
    return any(results)


# --------------------------------------------------------------------------------------------------
# Priority
# --------------------------------------------------------------------------------------------------
def priority_score(
    *,
    loss_khr: int = 0,
    loss_usd_cents: int = 0,
    ongoing_contact: bool = False,
    vulnerable_victim: bool = False,
    sensitive: bool = False,
    trafficking_flag: bool = False,
    other_reports: int = 0,
) -> int:
    """The priority score of a report (the table in the module docstring)."""
    score = 0
    loss_usd = Decimal(loss_usd_cents) / 100 + Decimal(loss_khr) / KHR_PER_USD
    score += next((points for threshold, points in _LOSS_POINTS if loss_usd >= threshold), 0)
    score += 2 if ongoing_contact else 0
    score += 2 if vulnerable_victim else 0
    score += 3 if sensitive else 0
    score += 6 if trafficking_flag else 0
    score += next((points for threshold, points in _OTHER_REPORT_POINTS if other_reports >= threshold), 0)
    return score


def priority_band(score: int) -> str:
    """``urgent``, ``high`` or ``normal``: the band of a priority score."""
    if score >= PRIORITY_URGENT_FROM:
        return URGENT
    if score >= PRIORITY_HIGH_FROM:
        return HIGH
    return NORMAL


def other_reports_naming(pairs: set[tuple[str, str]], *, exclude_report: Report | None = None) -> int:
    """How many other reports name one of these (kind, value) identifiers: one query on the
    (kind, value) index of sightings. Values on the allow-list (a bank's own hotline) never count."""
    if not pairs:
        return 0
    condition = reduce(or_, (Q(kind=kind, value=value) for kind, value in sorted(pairs)))
    allowed = set(AllowListEntry.objects.filter(condition).values_list("kind", "value"))
    pairs = pairs - allowed
    if not pairs:
        return 0
    condition = reduce(or_, (Q(kind=kind, value=value) for kind, value in sorted(pairs)))
    sightings = Sighting.objects.filter(condition)
    if exclude_report is not None:
        sightings = sightings.exclude(report_id=exclude_report.pk)
    return sightings.values("report_id").distinct().count()


# --------------------------------------------------------------------------------------------------
# Validation shared by the pages and the API
# --------------------------------------------------------------------------------------------------
class _Errors:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(str(message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ReportError(self.errors)


def _category(value: Category | str | None, errors: _Errors) -> Category | None:
    if isinstance(value, Category):
        if value.is_active:
            return value
        errors.add("category", _("This category is no longer used. Choose another one."))
        return None
    slug = strip_invisible(str(value or ""))
    if not slug:
        errors.add("category", _("Choose what happened."))
        return None
    category = Category.objects.filter(slug=slug, is_active=True).first()
    if category is None:
        errors.add("category", _("There is no category “%(slug)s”.") % {"slug": slug[:50]})
    return category


def _identifiers(
    items: list[IdentifierInput], errors: _Errors, field: str = "identifiers"
) -> list[Identifier]:
    """The distinct normalised identifiers; a malformed one is kept as written (recognised: False)."""
    if len(items) > MAX_IDENTIFIERS:
        errors.add(field, _("Give at most %(count)s identifiers.") % {"count": MAX_IDENTIFIERS})
        return []
    found: dict[tuple[str, str], Identifier] = {}
    for index, item in enumerate(items):
        kind = (item.kind or "").strip() or None
        if kind is not None and (kind not in KINDS or kind == IdentifierKind.UNKNOWN):
            errors.add(f"{field}[{index}]", _("Unknown kind of identifier “%(kind)s”.") % {"kind": kind[:30]})
            continue
        if not strip_invisible(item.text or ""):
            errors.add(f"{field}[{index}]", _("This identifier is empty."))
            continue
        if len(item.text) > 1024:
            errors.add(f"{field}[{index}]", _("This identifier is too long."))
            continue
        identifier = normalize(item.text, kind)
        found.setdefault((identifier.kind, identifier.normalized[:512]), identifier)
    return list(found.values())


def _amount(value: Decimal | str, errors: _Errors, field: str) -> Decimal | None:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(latin_digits(str(value)).replace(",", ""))
    except InvalidOperation:
        errors.add(field, _("Enter the amount as a number, like 150 or 1,250.50."))
        return None
    if not amount.is_finite() or amount <= 0:
        errors.add(field, _("Enter an amount greater than zero."))
        return None
    if amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        errors.add(field, _("Enter the amount with at most two decimals."))
        return None
    return amount


def _transfers(items: list[TransferInput], errors: _Errors) -> list[Transfer]:
    if len(items) > MAX_TRANSFERS:
        errors.add("transfers", _("Give at most %(count)s payments.") % {"count": MAX_TRANSFERS})
        return []
    transfers = []
    today = timezone.localdate()
    for index, item in enumerate(items):
        field = f"transfers[{index}]"
        amount = _amount(item.amount, errors, f"{field}.amount")
        if item.currency not in Transfer.Currency.values:
            errors.add(f"{field}.currency", _("Choose riel or US dollars."))
        if item.paid_on is not None and not EARLIEST_INCIDENT <= item.paid_on <= today:
            errors.add(f"{field}.paid_on", _("The date must be today or in the past."))
        texts = {
            name: strip_invisible(getattr(item, name) or "")
            for name in ("institution_text", "to_account", "transaction_id")
        }
        for name, text in texts.items():
            if len(text) > 100:
                errors.add(f"{field}.{name}", _("Write at most 100 characters."))
        if amount is not None:
            transfers.append(
                Transfer(
                    institution=item.institution,
                    amount=amount,
                    currency=item.currency,
                    paid_on=item.paid_on,
                    **texts,
                )
            )
    return transfers


def _evidence(
    items: list[EvidenceInput], errors: _Errors, field: str = "evidence"
) -> list[tuple[Any, str, str]]:
    """(file, name, content type read from its bytes) of each acceptable file."""
    if len(items) > MAX_EVIDENCE_FILES:
        errors.add(field, _("Send at most %(count)s files.") % {"count": MAX_EVIDENCE_FILES})
        return []
    accepted = []
    for index, item in enumerate(items):
        try:
            content_type = validate_upload(item.file, EVIDENCE_TYPES, EVIDENCE_MAX_MB)
        except ValidationError as error:
            errors.add(f"{field}[{index}]", f"{item.name}: {' '.join(error.messages)}")
            continue
        accepted.append((item.file, strip_invisible(item.name)[:255] or "file", content_type))
    return accepted


def _contact(email: str, phone: str, errors: _Errors) -> tuple[str, str]:
    email = strip_invisible(email or "").lower()
    phone = strip_invisible(phone or "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.add("contact.email", _("Enter an e-mail address like name@example.com."))
            email = ""
    if phone:
        try:
            phone = normalize_phone(latin_digits(phone))
        except ValidationError as error:
            errors.add("contact.phone", " ".join(error.messages))
            phone = ""
    return email, phone


def _description(text: str, *, required: bool, errors: _Errors) -> str:
    description = "\n".join(strip_invisible(line) for line in (text or "").splitlines()).strip()
    if required and not description:
        errors.add("description", _("Tell us what happened."))
    if len(description) > MAX_DESCRIPTION:
        errors.add("description", _("Write at most %(count)s characters.") % {"count": MAX_DESCRIPTION})
    return description


# --------------------------------------------------------------------------------------------------
# Submitting a report
# --------------------------------------------------------------------------------------------------
@transaction.atomic
def report_submit(
    *,
    by: Any,
    category: Category | str | None,
    description: str = "",
    channel: str = "",
    incident_date: dt.date | None = None,
    attempt_only: bool = False,
    ongoing_contact: bool = False,
    vulnerable_victim: bool = False,
    trafficking_flag: bool = False,
    on_behalf_of: str = "",
    identifiers: list[IdentifierInput] | tuple = (),
    transfers: list[TransferInput] | tuple = (),
    evidence: list[EvidenceInput] | tuple = (),
    contact_email: str = "",
    contact_phone: str = "",
    consent: bool = False,
    unit: AdministrativeUnit | None = None,
    via: str = "web",
) -> SubmittedReport:
    """File a report (signed in or anonymous): reference, tracking code, sightings of every distinct
    identifier, payments and loss totals, evidence files, priority and first-look deadline; audited,
    and the reporter is told it was received."""
    reporter = by if getattr(by, "is_authenticated", False) else None
    errors = _Errors()
    category = _category(category, errors)
    description = _description(description, required=not attempt_only, errors=errors)
    if channel and channel not in Report.Channel.values:
        errors.add("channel", _("Choose how they contacted you."))
    if incident_date is not None and not EARLIEST_INCIDENT <= incident_date <= timezone.localdate():
        errors.add("incident_date", _("The date must be today or in the past."))
    on_behalf_of = strip_invisible(on_behalf_of or "")
    if len(on_behalf_of) > 200:
        errors.add("on_behalf_of", _("Write at most 200 characters."))
    normalized = _identifiers(list(identifiers), errors)
    if attempt_only and not normalized and "identifiers" not in errors.errors:
        errors.add("identifiers", _("Give the phone number, link or account that tried to scam you."))
    if attempt_only and transfers:
        errors.add("transfers", _("A report of an attempt has no payments: report the money lost instead."))
    payments = _transfers(list(transfers), errors)
    files = _evidence(list(evidence), errors)
    contact_email, contact_phone = _contact(contact_email, contact_phone, errors)
    errors.raise_if_any()
    seen = {(i.kind, i.normalized[:512]) for i in normalized}
    for identifier in _payment_identifiers(payments):
        if (identifier.kind, identifier.normalized[:512]) not in seen:
            seen.add((identifier.kind, identifier.normalized[:512]))
            normalized.append(identifier)

    now = timezone.now()
    loss_khr = sum((t.amount for t in payments if t.currency == Transfer.Currency.KHR), Decimal(0))
    loss_usd = sum((t.amount for t in payments if t.currency == Transfer.Currency.USD), Decimal(0))
    pairs = {(i.kind, i.normalized[:512]) for i in normalized if i.recognized}
    score = priority_score(
        loss_khr=int(loss_khr.to_integral_value()),
        loss_usd_cents=int((loss_usd * 100).to_integral_value()),
        ongoing_contact=ongoing_contact,
        vulnerable_victim=vulnerable_victim,
        sensitive=category.sensitive,
        trafficking_flag=trafficking_flag,
        other_reports=other_reports_naming(pairs),
    )
    year = timezone.localdate(now).year
    number = Sequence.next_value(f"cyber-report-{year}")
    code = new_tracking_code()
    report = Report.objects.create(
        # Report.number is unique across years while the sequence restarts each year.
        number=year * NUMBERS_PER_YEAR + number,
        reference=make_reference(year, number),
        tracking_code_hash=hash_tracking_code(code),
        reporter=reporter,
        on_behalf_of=on_behalf_of,
        category=category,
        channel=channel,
        incident_date=incident_date,
        description=description,
        attempt_only=attempt_only,
        ongoing_contact=ongoing_contact,
        vulnerable_victim=vulnerable_victim,
        trafficking_flag=trafficking_flag,
        loss_khr=int(loss_khr.to_integral_value()),
        loss_usd_cents=int((loss_usd * 100).to_integral_value()),
        contact_email=contact_email,
        contact_phone=contact_phone,
        consent=consent,
        unit=unit,
        priority=score,
        sla_due=now + SLA[priority_band(score)],
    )
    for payment in payments:
        payment.report = report
    Transfer.objects.bulk_create(payments)
    Sighting.objects.bulk_create([_sighting(report, identifier, now) for identifier in normalized])
    stored = _store_evidence(report, files, by=reporter, via=via)
    audit_record(
        action="cyber.report_submit",
        actor=reporter,
        obj=report,
        subject=reporter,
        unit=unit,
        details={
            "reference": report.reference,
            "category": category.slug,
            "via": via,
            "attempt_only": attempt_only,
            "on_behalf": bool(on_behalf_of),
            "identifiers": len(normalized),
            "unrecognized": sum(1 for i in normalized if not i.recognized),
            "transfers": len(payments),
            "evidence": [str(item.pk) for item in stored],
            "priority": score,
        },
    )
    _notify_received(report)
    return SubmittedReport(report=report, tracking_code=code, identifiers=normalized)


def _payment_identifiers(payments: list[Transfer]) -> list[Identifier]:
    """The accounts the victim paid to, as identifiers of the scammer: with the bank named, a bank
    account (``ABA:000123456``); otherwise whatever the account is recognised as (a phone number of an
    e-wallet, a Bakong ID…). An account that is not recognised stays only on the payment."""
    found = []
    for payment in payments:
        if not payment.to_account:
            continue
        bank = payment.institution.code if payment.institution else payment.institution_text
        candidates = [normalize(f"{bank}: {payment.to_account}", "bank_account")] if bank else []
        candidates.append(normalize(payment.to_account))
        recognized = next((candidate for candidate in candidates if candidate.recognized), None)
        if recognized is not None:
            found.append(recognized)
    return found


def _sighting(report: Report, identifier: Identifier, now: dt.datetime) -> Sighting:
    return Sighting(
        report=report,
        kind=identifier.kind,
        value=identifier.normalized[:512],
        original=strip_invisible(identifier.original)[:1024],
        registrable_domain=(identifier.registrable_domain or "")[:255],
        recognized=identifier.recognized,
        reported_at=now,
    )


def _store_evidence(
    report: Report, files: list[tuple[Any, str, str]], *, by: Any, via: str
) -> list[EvidenceFile]:
    """Write each file once under a random name, hashed; its audit event opens its chain of custody.
    Files already written are removed again if the transaction fails."""
    stored: list[EvidenceFile] = []
    try:
        for file, name, content_type in files:
            evidence = EvidenceFile(
                report=report,
                unit=report.unit,
                original_name=name,
                content_type=content_type,
                size=file.size,
                sha256=sha256_hex(file),
                collected_by=by,
                collected_where=f"online report ({via})",
                sensitive=report.category.sensitive,
            )
            file.seek(0)
            evidence.file.save(f"{evidence.pk.hex}{EXTENSIONS[content_type]}", file, save=False)
            stored.append(evidence)
            evidence.save(force_insert=True)
            audit_record(
                action="cyber.evidence_add",
                actor=by,
                obj=evidence,
                subject=by,
                unit=report.unit,
                details={"reference": report.reference, "sha256": evidence.sha256, "size": evidence.size},
            )
    except BaseException:
        for evidence in stored:
            evidence.file.delete(save=False)
        raise
    return stored


# --------------------------------------------------------------------------------------------------
# Adding information later
# --------------------------------------------------------------------------------------------------
@transaction.atomic
def report_add_information(
    *,
    report: Report,
    by: Any,
    text: str = "",
    identifiers: list[IdentifierInput] | tuple = (),
    evidence: list[EvidenceInput] | tuple = (),
) -> Report:
    """The reporter adds to a report (with the tracking code, or from their account): text appended
    to the account of what happened, more identifiers, more files; the priority is looked at again."""
    actor = by if getattr(by, "is_authenticated", False) else None
    report = (
        Report.objects.select_for_update(of=("self",)).select_related("category", "unit").get(pk=report.pk)
    )
    errors = _Errors()
    if report.status == Report.Status.CLOSED:
        errors.add("__all__", _("This report is closed: it can no longer be changed."))
        errors.raise_if_any()
    addition = "\n".join(strip_invisible(line) for line in (text or "").splitlines()).strip()
    if len(report.description) + len(addition) > MAX_DESCRIPTION * 3:
        errors.add("text", _("This report is already very long. Send the rest as a file."))
    normalized = _identifiers(list(identifiers), errors)
    existing = set(report.sightings.values_list("kind", "value"))
    new_identifiers = [i for i in normalized if (i.kind, i.normalized[:512]) not in existing]
    if report.evidence.count() + len(evidence) > MAX_EVIDENCE_FILES * 3:
        errors.add("evidence", _("This report already has many files. Contact the investigator."))
    files = _evidence(list(evidence), errors)
    if not (addition or normalized or evidence) and not errors.errors:
        errors.add("__all__", _("Write something, give an identifier or choose a file to add."))
    errors.raise_if_any()

    now = timezone.now()
    fields = ["updated_at"]
    if addition:
        local = timezone.localtime(now)
        report.description = f"{report.description}\n\n--- {local:%Y-%m-%d %H:%M} ---\n{addition}".strip()
        fields.append("description")
    Sighting.objects.bulk_create([_sighting(report, identifier, now) for identifier in new_identifiers])
    stored = _store_evidence(report, files, by=actor, via="follow-up")
    if new_identifiers:
        pairs = {
            (kind, value)
            for kind, value in report.sightings.filter(recognized=True).values_list("kind", "value")
        }
        score = priority_score(
            loss_khr=report.loss_khr,
            loss_usd_cents=report.loss_usd_cents,
            ongoing_contact=report.ongoing_contact,
            vulnerable_victim=report.vulnerable_victim,
            sensitive=report.category.sensitive,
            trafficking_flag=report.trafficking_flag,
            other_reports=other_reports_naming(pairs, exclude_report=report),
        )
        if score > report.priority:
            report.priority = score
            due = now + SLA[priority_band(score)]
            report.sla_due = min(report.sla_due, due) if report.sla_due else due
            fields += ["priority", "sla_due"]
    report.save(update_fields=fields)
    audit_record(
        action="cyber.report_add_information",
        actor=actor,
        obj=report,
        subject=report.reporter,
        unit=report.unit,
        details={
            "reference": report.reference,
            "text_length": len(addition),
            "identifiers": len(new_identifiers),
            "evidence": [str(item.pk) for item in stored],
        },
    )
    return report


# --------------------------------------------------------------------------------------------------
# Telling the reporter
# --------------------------------------------------------------------------------------------------
def _tell_reporter(report: Report, event: str, key: str, context: dict[str, Any]) -> None:
    """The account's channels when the report was filed signed in; otherwise the e-mail and phone the
    reporter gave (in the language they used), or nobody when they gave none."""
    context = {
        "reference": report.reference,
        "category_km": report.category.name_km,
        "category_en": report.category.name_en,
        "site_url": settings.SITE_URL,
        "status_url": f"{settings.SITE_URL}{STATUS_PATH}",
        **context,
    }
    if report.reporter_id is not None:
        if report.reporter.is_active:
            notify(
                user=report.reporter,
                event=event,
                context=context,
                key=key,
                link=MINE_PATH.format(reference=report.reference),
            )
        return
    subject, body = render_event(event, current_language(), {"name": "", **context})
    if report.contact_email:
        email_send(to=report.contact_email, subject=subject, body=body, key=f"{key}:email")
    if report.contact_phone:
        # An SMS in Khmer costs a segment per 70 characters: the subject and where to follow the report.
        sms_send(to=report.contact_phone, body=f"{subject}\n{context['status_url']}", key=f"{key}:sms")


def _bullets(text: str) -> str:
    return "\n".join(f"- {line.strip()}" for line in text.splitlines() if line.strip())


def _notify_received(report: Report) -> None:
    _tell_reporter(
        report,
        "cyber.report_received",
        f"cyber.report_received:{report.pk}",
        {
            "next_steps_km": _bullets(report.category.next_steps_km),
            "next_steps_en": _bullets(report.category.next_steps_en),
        },
    )


def report_notify_status(*, report: Report) -> None:
    """Tell the reporter the status of their report changed (called by the service that changes it,
    in its transaction): the status in words and the message to the reporter, never more."""
    language_labels = {}
    for language in ("km", "en"):
        with translation.override(language):
            language_labels[language] = str(report.get_status_display())
    _tell_reporter(
        report,
        "cyber.report_status",
        f"cyber.report_status:{report.pk}:{report.status}:{report.updated_at.isoformat()}",
        {
            "status_km": language_labels["km"],
            "status_en": language_labels["en"],
            "public_note": report.public_note,
        },
    )


# --------------------------------------------------------------------------------------------------
# Reads of the reporter
# --------------------------------------------------------------------------------------------------
def report_for_tracking(*, reference: str, code: str) -> Report | None:
    """The report with this reference when ``code`` is its tracking code, else None — the same answer,
    in the same time, for an unknown reference and for a wrong code."""
    canonical = normalize_reference(reference)
    report = (
        Report.objects.select_related("category").filter(reference=canonical).first() if canonical else None
    )
    matches = tracking_code_matches(report.tracking_code_hash if report else _NO_MATCH_HASH, code)
    return report if report is not None and matches else None


def my_reports(user: Any):
    """The reports a person filed from their account (newest first); nobody else's, even for staff."""
    if not getattr(user, "is_authenticated", False):
        return Report.objects.none()
    return Report.objects.visible_to(user).filter(reporter=user).select_related("category")


STATUS_TONES = {
    Report.Status.RECEIVED: "grey",
    Report.Status.TRIAGED: "blue",
    Report.Status.LINKED: "green",
    Report.Status.REJECTED: "amber",
    Report.Status.CLOSED: "grey",
}


def status_explanation(report: Report) -> str:
    """What the status means for the reporter, in words."""
    return {
        Report.Status.RECEIVED: _(
            "Your report was received. Investigators look at new reports in order of urgency."
        ),
        Report.Status.TRIAGED: _("An investigator is assessing your report."),
        Report.Status.LINKED: _(
            "Your report is part of an investigation. An investigator may contact you if you gave "
            "contact details."
        ),
        Report.Status.REJECTED: _(
            "Your report will not be investigated further. It is kept, and the details you gave still "
            "help to warn others and to link other reports."
        ),
        Report.Status.CLOSED: _("This report is closed."),
    }.get(report.status, "")
