"""Bulk import of staff from a CSV or Excel (.xlsx) file, with a dry run first.

Columns (the header row names them, in English or Khmer, in any order): name, e-mail and/or phone, unit
code, position, and optionally role (else the role chosen on the form). Every row is checked — missing
name, no e-mail and no phone, a bad e-mail or phone, an e-mail or phone already used by an account or by
an earlier row of the file, an unknown unit code or one outside the importer's units, an unknown role or
one a file may not give (administrator) — and the outcome of each row is shown with its row number.

Nothing is written unless every row is good: the import runs in one transaction (any error, or a
failure half-way, leaves no account behind). Accounts are made by ``accounts.services.staff_create``
(audited), with no usable password: the welcome message tells each person to choose one with "Forgot
your password?" (by e-mail), and, like every staff account, they must set up two-factor authentication
before any staff page. The new staff are then enrolled at once by the active assignment rules.

The upload and its progress live in private storage under ``academy/imports/<id>/`` (``meta.json``
written once, ``status.json`` rewritten as the background task advances, the file itself), not in the
database: the progress must be readable while the import's single transaction is still open. Only the
person who uploaded a file can see its import; files are deleted after ``KEEP_DAYS`` days. The storage,
file reading and background run are the shared ones of ``nokor.core.tabular_import``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from nokor.accounts.adapter import normalize_phone
from nokor.accounts.models import User
from nokor.accounts.roles import Role
from nokor.audit.services import audit_record
from nokor.core import tabular_import
from nokor.core.tabular_import import ImportFileError, ImportStore
from nokor.core.tasks import enqueue
from nokor.core.text import latin_digits, normalize_for_search
from nokor.geography.models import AdministrativeUnit

logger = logging.getLogger(__name__)

ROOT = "academy/imports"
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
KEEP_DAYS = 7
PAGE_SIZE = 50
IMPORTER_ROLES = frozenset({Role.ADMINISTRATOR})
# A file never makes an administrator: that is a deliberate, single decision in the administration.
IMPORTABLE_ROLES = [role for role in Role.values if role != Role.ADMINISTRATOR]
EXTENSIONS = {".csv": "csv", ".xlsx": "xlsx"}

# Header names accepted for each column (compared casefolded, without spaces around).
HEADERS = {
    "name": {"name", "full name", "full_name", "ឈ្មោះ", "ឈ្មោះពេញ", "គោត្តនាម និងនាម"},
    "email": {"email", "e-mail", "e-mail address", "email address", "អ៊ីមែល", "អាសយដ្ឋានអ៊ីមែល"},
    "phone": {"phone", "phone number", "telephone", "mobile", "ទូរស័ព្ទ", "លេខទូរស័ព្ទ"},
    "unit": {"unit code", "unit", "unit_code", "code", "កូដអង្គភាព", "លេខកូដអង្គភាព", "អង្គភាព"},
    "position": {"position", "job title", "title", "មុខតំណែង", "មុខងារ"},
    "role": {"role", "តួនាទី"},
}
SAMPLE = [
    ["name", "email", "phone", "unit code", "position", "role"],
    ["សុខ ដារ៉ា", "dara.sok@example.gov.kh", "012345678", "0801", "Deputy chief of office", "service_officer"],
]


# The shared import error: its argument is a code, turned into a message by error_message.
StaffImportError = ImportFileError
STORE = ImportStore(ROOT)


def import_rows(import_id: str) -> list[dict[str, Any]]:
    """The outcome of every row of the last check (empty before the check has run)."""
    return STORE.rows(import_id)


# --------------------------------------------------------------------------------------------------
# Reading a file
# --------------------------------------------------------------------------------------------------
def _cell_text(value: Any, column: str) -> str:
    """A cell as text. Spreadsheets turn 012345678 into the number 12345678 and 08 into 8 (also in the
    CSV files they save): a phone number of bare digits gets its leading 0 back, a unit code its
    leading zero to an even length."""
    text = tabular_import.cell_text(value)
    digits = latin_digits(text)
    if column == "phone" and digits.isdigit() and not digits.startswith(("0", "855")):
        return "0" + digits
    if column == "unit" and digits.isdigit() and len(digits) % 2:
        return "0" + digits
    return text


def _check_columns(found: list[str]) -> None:
    missing = [key for key in ("name", "unit") if key not in found]
    if "email" not in found and "phone" not in found:
        missing.append("email")
    if missing:
        raise StaffImportError("columns:" + ",".join(missing))


def read_file(data: bytes, kind: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The columns found and the non-empty rows as (row number in the file, {column: text}). Raises
    StaffImportError with a code for a file that cannot be used at all."""
    return tabular_import.read_table(
        data, kind, headers=HEADERS, check_columns=_check_columns, cell=_cell_text, max_rows=MAX_ROWS
    )


# --------------------------------------------------------------------------------------------------
# Checking rows
# --------------------------------------------------------------------------------------------------
def _role_names() -> dict[str, str]:
    """Role values and their labels in both languages, casefolded, to the role value."""
    names: dict[str, str] = {}
    for value, label in Role.choices:
        names[value.casefold()] = value
        for language in ("en", "km"):
            with translation.override(language):
                names[normalize_for_search(str(label))] = value
    return names


def _chunks(values: list[Any], size: int = 500) -> Iterator[list[Any]]:
    return tabular_import.chunks(values, size)


@dataclass
class Checked:
    """The outcome of every row, and what is needed to create the accounts of the good ones."""

    rows: list[dict[str, Any]]
    units: dict[str, AdministrativeUnit]

    @property
    def error_count(self) -> int:
        return tabular_import.error_count(self.rows)


def check_rows(rows: list[tuple[int, dict[str, str]]], *, prefixes: set[str], default_role: str) -> Checked:
    """Check every row (a few bulk queries for the whole file); each row gets its list of errors
    as (code, parameters), translated when shown."""
    role_names = _role_names()
    codes = sorted({row.get("unit", "") for _n, row in rows if row.get("unit")})
    units: dict[str, AdministrativeUnit] = {}
    for chunk in _chunks(codes):
        units.update({u.code: u for u in AdministrativeUnit.objects.current().filter(code__in=chunk)})
    results: list[dict[str, Any]] = []
    emails_seen: dict[str, int] = {}
    phones_seen: dict[str, int] = {}
    for number, row in rows:
        errors: list[tuple[str, dict[str, Any]]] = []
        name = row.get("name", "")
        email = row.get("email", "").strip().lower()
        raw_phone = latin_digits(row.get("phone", "").strip())
        phone = ""
        unit_code = latin_digits(row.get("unit", "").strip())
        position = row.get("position", "")
        role_text = row.get("role", "").strip()
        if not name:
            errors.append(("name_missing", {}))
        elif len(name) > 200:
            errors.append(("name_long", {}))
        if not email and not raw_phone:
            errors.append(("contact_missing", {}))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(("email_invalid", {"value": email}))
            else:
                if email in emails_seen:
                    errors.append(("email_duplicate", {"value": email, "row": emails_seen[email]}))
                else:
                    emails_seen[email] = number
        if raw_phone:
            try:
                phone = normalize_phone(raw_phone)
            except ValidationError:
                errors.append(("phone_invalid", {"value": raw_phone}))
            else:
                if phone in phones_seen:
                    errors.append(("phone_duplicate", {"value": raw_phone, "row": phones_seen[phone]}))
                else:
                    phones_seen[phone] = number
        if not unit_code:
            errors.append(("unit_missing", {}))
        elif unit_code not in units:
            errors.append(("unit_unknown", {"value": unit_code}))
        elif "" not in prefixes and not any(unit_code.startswith(prefix) for prefix in prefixes):
            errors.append(("unit_outside", {"value": unit_code}))
        if len(position) > 200:
            errors.append(("position_long", {}))
        role = default_role
        if role_text:
            role = role_names.get(role_text.casefold()) or role_names.get(normalize_for_search(role_text), "")
            if not role:
                errors.append(("role_unknown", {"value": role_text}))
            elif role not in IMPORTABLE_ROLES:
                errors.append(("role_not_allowed", {"value": role_text}))
        results.append(
            {
                "row": number,
                "name": name,
                "email": email,
                "phone": phone or raw_phone,
                "unit": unit_code,
                "unit_name": units[unit_code].name_latin if unit_code in units else "",
                "position": position,
                "role": role,
                "errors": errors,
            }
        )
    _mark_existing(results, emails_seen, phones_seen)
    return Checked(rows=results, units=units)


def _mark_existing(results: list[dict[str, Any]], emails: dict[str, int], phones: dict[str, int]) -> None:
    """An e-mail or phone number already used by an account (any account, citizen or staff)."""
    taken_emails: set[str] = set()
    for chunk in _chunks(list(emails)):
        taken_emails.update(
            User.objects.annotate(lower_email=Lower("email"))
            .filter(lower_email__in=chunk)
            .values_list("lower_email", flat=True)
        )
    taken_phones: set[str] = set()
    for chunk in _chunks(list(phones)):
        taken_phones.update(User.objects.filter(phone__in=chunk).values_list("phone", flat=True))
    by_row = {row["row"]: row for row in results}
    for email in taken_emails:
        by_row[emails[email]]["errors"].append(("email_exists", {"value": email}))
    for phone in taken_phones:
        by_row[phones[phone]]["errors"].append(("phone_exists", {"value": by_row[phones[phone]]["phone"]}))


def error_message(code: str, params: dict[str, Any]) -> str:
    """A row or file error in the reader's language."""
    messages = {
        "name_missing": _("The name is missing."),
        "name_long": _("The name is longer than 200 characters."),
        "contact_missing": _("Give an e-mail address or a phone number."),
        "email_invalid": _("“%(value)s” is not a valid e-mail address."),
        "email_duplicate": _("The e-mail address %(value)s is already on row %(row)s of this file."),
        "email_exists": _("An account with the e-mail address %(value)s already exists."),
        "phone_invalid": _("“%(value)s” is not a valid phone number."),
        "phone_duplicate": _("The phone number %(value)s is already on row %(row)s of this file."),
        "phone_exists": _("An account with the phone number %(value)s already exists."),
        "unit_missing": _("The unit code is missing."),
        "unit_unknown": _("There is no unit with the code “%(value)s”."),
        "unit_outside": _("The unit %(value)s is outside the units you manage."),
        "position_long": _("The position is longer than 200 characters."),
        "role_unknown": _("“%(value)s” is not a role."),
        "role_not_allowed": _("The role “%(value)s” cannot be given by an import."),
        "encoding": _("The file is not in UTF-8. In your spreadsheet program, save it as “CSV UTF-8”."),
        "unreadable": _("The file cannot be read. Upload a CSV file or an Excel workbook (.xlsx)."),
        "empty": _("The file has no rows of staff."),
        "too_many": _("The file has more than %(max)s rows. Split it into smaller files.")
        % {"max": MAX_ROWS},
        "columns": _("Columns are missing: %(columns)s. The first row must name the columns."),
        "failed": _("The import stopped because of an unexpected error. Nothing was imported."),
        "changed": _("Since the check, some rows are no longer good. Nothing was imported."),
    }
    message = messages.get(code, code)
    if code == "columns":
        labels = {"name": _("name"), "unit": _("unit code"), "email": _("e-mail or phone")}
        params = {"columns": ", ".join(str(labels.get(c, c)) for c in params.get("columns", []))}
    return message % params if params and "%(" in message else message


# --------------------------------------------------------------------------------------------------
# The use cases
# --------------------------------------------------------------------------------------------------
def import_prefixes(user: Any) -> set[str]:
    return user.unit_prefixes_for(IMPORTER_ROLES) or set()


def import_start(*, by: Any, filename: str, data: bytes, default_role: str) -> str:
    """Keep an uploaded file and queue its dry run; returns the import's id."""
    extension = os.path.splitext(filename.lower())[1]
    if extension not in EXTENSIONS:
        raise StaffImportError("unreadable")
    if len(data) > MAX_BYTES:
        raise StaffImportError("too_big")
    if default_role not in IMPORTABLE_ROLES:
        raise StaffImportError("role")
    import_id = STORE.create(by=by, filename=filename, data=data, default_role=default_role)
    from nokor.academy import tasks

    enqueue(tasks.staff_import_run, import_id, True)
    return import_id


def import_get(*, user: Any, import_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The meta data and status of an import — only for the person who uploaded it (404 otherwise)."""
    if not import_prefixes(user):
        raise Http404
    return STORE.get(user=user, import_id=import_id)


def import_confirm(*, by: Any, import_id: str) -> None:
    """Queue the real import of a file whose dry run found no error."""
    if not import_prefixes(by):
        raise Http404
    STORE.confirm(by=by, import_id=import_id)
    from nokor.academy import tasks

    enqueue(tasks.staff_import_run, import_id, False)


def import_run(*, import_id: str, dry_run: bool) -> str:
    """The background task's work: read, check every row, and (not a dry run, no error) create every
    account in one transaction. Progress and result go to the status file; returns the final state."""
    return tabular_import.run_import(
        STORE,
        import_id,
        dry_run=dry_run,
        importer=lambda meta: User.objects.filter(pk=meta["by"], is_active=True).first(),
        read=lambda data, kind: read_file(data, kind)[1],
        check=lambda meta, importer, rows: check_rows(
            rows, prefixes=import_prefixes(importer), default_role=meta["default_role"]
        ),
        write=_create_all,
    )


def _create_all(meta: dict[str, Any], importer: Any, checked: Checked, progress: Any) -> int:
    """Create every account (inside the import's transaction), enrol them, and tell each one."""
    from nokor.academy import assignments
    from nokor.accounts.services import staff_create
    from nokor.notifications.services import notify

    with assignments.hook_paused():
        created: list[Any] = []
        for index, row in enumerate(checked.rows, start=1):
            user = staff_create(
                by=importer,
                email=row["email"] or None,
                full_name=row["name"],
                password=None,  # unusable: the person chooses one with "Forgot your password?"
                phone=row["phone"] or None,
                position=row["position"],
                roles=[(row["role"], checked.units[row["unit"]])],
            )
            created.append(user)
            progress(index)
        audit_record(
            action="academy.staff_import",
            actor=importer,
            details={
                "import": meta["id"],
                "file": meta["filename"],
                "created": len(created),
            },
        )
        for rule in assignments.active_rules():
            assignments.rule_apply(rule=rule, by=importer, user_ids=[user.pk for user in created])
        reset_url = f"{settings.SITE_URL}{reverse('account_reset_password')}"
        for user in created:
            notify(
                user=user,
                event="staff.imported",
                context={"email": user.email or "", "reset_url": reset_url},
                key=f"staff.imported:{user.pk}",
            )
    return len(created)


def imports_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the files of imports older than KEEP_DAYS days; returns how many imports were removed."""
    return STORE.purge(keep_days=KEEP_DAYS, now=now)


def sample_csv() -> bytes:
    """A file to start from, with the header row and one example."""
    return tabular_import.sample_csv(SAMPLE)
