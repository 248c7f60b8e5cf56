"""Status by SMS: a citizen with a feature phone texts an application reference to the gateway number
and gets its status and next step back, through the SMS channel like every other message.

The gateway posts each received SMS to our webhook (nokor.notifications.views_inbound), signed with the
shared secret NOKOR_SMS_INBOUND_SECRET. An application is looked up only when the sender's number is the
applicant's verified phone number: anyone else, or a wrong reference, gets the same neutral answer, so a
guessed reference reveals nothing (not even that it exists).

A cybercrime report is followed as on its status page: its reference followed by its tracking code
("CY-2026-000123-7 ABCD-EFGH-JKLM"), whatever the phone; a wrong reference and a wrong code get the same
answer (the webhook's budget per sender number makes guessing a 60-bit code hopeless).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from nokor.accounts.models import User
from nokor.audit.services import audit_view
from nokor.core.access import VIEW
from nokor.core.formatting import format_date
from nokor.core.text import latin_digits
from nokor.cyber import reports
from nokor.cyber.models import Report
from nokor.notifications.models import Message
from nokor.notifications.services import sms_send
from nokor.services.models import Application, Status
from nokor.services.reference import normalize_reference

# The reference anywhere at the end of the text, whatever separates its parts: "status nk 2026 000123 3".
_REFERENCE = re.compile(r"NK(\d{4})(\d{6,})(\d)$")
# A report's reference (six-digit number) then its tracking code, in the text as typed (upper-cased).
_REPORT = re.compile(r"CY[^0-9A-Z]*(\d{4})[^0-9A-Z]*(\d{6})[^0-9A-Z]*(\d)(.*)$")
MAX_TEXT = 160  # one SMS; anything longer is not a status request


def parse_reference(text: str) -> str | None:
    """The canonical application reference in an SMS (Latin or Khmer digits, any case, spaces or hyphens,
    after an optional word such as STATUS or ស្ថានភាព), else None."""
    compact = re.sub(r"[^0-9A-Z]", "", latin_digits(text[:MAX_TEXT]).upper())
    match = _REFERENCE.search(compact)
    if match is None:
        return None
    year, number, check = match.groups()
    return normalize_reference(f"NK-{year}-{number}-{check}")


def parse_report(text: str) -> tuple[str, str] | None:
    """The canonical cybercrime report reference and the tracking code in an SMS, else None."""
    match = _REPORT.search(latin_digits(text[:MAX_TEXT]).upper())
    if match is None:
        return None
    year, number, check, rest = match.groups()
    reference = reports.normalize_reference(f"CY-{year}-{number}-{check}")
    return (reference, reports.canonical_tracking_code(rest)) if reference else None


def _sender(phone: str) -> tuple[str, User | None]:
    """The sender's number in E.164 ("" if it is not a phone number) and the account whose verified
    phone number it is."""
    from nokor.accounts.adapter import normalize_phone

    try:
        number = normalize_phone(phone[:30])
    except ValidationError:
        return "", None
    return number, User.objects.filter(phone=number, phone_verified=True, is_active=True).first()


def _next_step(application: Application, language: str) -> str:
    status = application.status
    if status in (Status.SUBMITTED, Status.IN_REVIEW, Status.AWAITING_APPROVAL) and application.deadline:
        return _("Expected decision by %(date)s.") % {"date": format_date(application.deadline, language)}
    if status == Status.INFO_REQUESTED:
        return _("The office needs more information from you: sign in to Nokor or visit the office.")
    if status == Status.APPROVED:
        return _("Sign in to Nokor to download your document, or collect it at the office.")
    if status == Status.REFUSED and application.appeal_open_until:
        return _("You may appeal until %(date)s: sign in to Nokor to read the reasons.") % {
            "date": format_date(application.appeal_open_until, language)
        }
    if status == Status.APPEALED:
        return _("We will tell you the outcome of your appeal.")
    return ""


def status_text(application: Application, language: str) -> str:
    """The SMS answering a status request, in `language`."""
    with translation.override(language):
        text = _("Nokor: application %(reference)s (%(service)s): %(status)s.") % {
            "reference": application.reference,
            "service": application.service.name,
            "status": application.get_status_display(),
        }
        return f"{text} {_next_step(application, language)}".strip()


def neutral_text(language: str) -> str:
    """The answer that reveals nothing: no such reference, or not for this phone number."""
    with translation.override(language):
        return _(
            "Nokor: no application with this reference is linked to this phone number. Send the reference "
            "as written on your receipt, for example NK-2026-000123-3."
        )


def report_text(report: Report | None) -> str:
    """The SMS answering a report status request in the active language (None: wrong reference or code)."""
    if report is None:
        return _("The reference number or the tracking code is not right. Check both and try again.")
    text = _("Nokor: report %(reference)s: %(status)s.") % {
        "reference": report.reference,
        "status": report.get_status_display(),
    }
    return f"{text} {reports.status_explanation(report)}".strip()


@transaction.atomic
def sms_status_reply(*, sender: str, text: str, gateway_id: str = "") -> Message | None:
    """Answer one received SMS with the status of the application it names (when the sender is its
    applicant's verified phone, audited as a view of their data) or with the neutral answer; None when
    the sender is not a phone number we can answer. A gateway that posts the same SMS twice (same
    ``gateway_id``) gets one answer. A cybercrime report's reference with its tracking code is answered
    with the report's status."""
    key = f"sms-in:{gateway_id[:100]}" if gateway_id else f"sms-in:{uuid.uuid4()}"
    answered = Message.objects.filter(idempotency_key=key).first()
    if answered is not None:
        return answered
    number, user = _sender(sender)
    if not number:
        return None
    language = (user.preferred_language if user else "") or settings.LANGUAGE_CODE
    tracked = parse_report(text)
    if tracked is not None:
        with translation.override(language):
            report = reports.report_for_tracking(reference=tracked[0], code=tracked[1])
            return sms_send(to=number, body=report_text(report), key=key)
    reference = parse_reference(text)
    application: Any = None
    if reference and user is not None:
        application = (
            Application.objects.visible_to(user, VIEW)
            .select_related("service")
            .filter(reference=reference, applicant=user)
            .first()
        )
    with translation.override(language):
        if application is None:
            return sms_send(to=number, body=neutral_text(language), key=key)
        audit_view(actor=user, obj=application, subject=user, unit=application.unit, what="status by SMS")
        return sms_send(to=number, body=status_text(application, language), user=user, key=key)
