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
person who uploaded a file can see its import; files are deleted after ``KEEP_DAYS`` days.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nokor.accounts.adapter import normalize_phone
from nokor.accounts.models import User
from nokor.accounts.roles import Role
from nokor.audit.services import audit_record
from nokor.core.tasks import enqueue
from nokor.core.text import latin_digits, normalize_for_search, strip_invisible
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


class StaffImportError(ValueError):
    """The file cannot be taken (the message is shown)."""


# --------------------------------------------------------------------------------------------------
# Storage of an import
# --------------------------------------------------------------------------------------------------
def _path(import_id: str, name: str) -> str:
    return f"{ROOT}/{uuid.UUID(str(import_id))}/{name}"


def _write_json(name: str, data: dict[str, Any]) -> None:
    payload = json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
    try:
        target = default_storage.path(name)
    except NotImplementedError:  # remote storage: replace the object
        if default_storage.exists(name):
            default_storage.delete(name)
        default_storage.save(name, ContentFile(payload))
        return
    os.makedirs(os.path.dirname(target), exist_ok=True)
    temporary = f"{target}.{uuid.uuid4().hex}.tmp"
    with open(temporary, "wb") as handle:
        handle.write(payload)
    os.replace(temporary, target)  # readers see the old or the new status, never half of one


def _read_json(name: str) -> dict[str, Any] | None:
    try:
        with default_storage.open(name, "rb") as handle:
            return json.loads(handle.read().decode("utf-8"))
    except (FileNotFoundError, OSError, ValueError):
        return None


def _status(import_id: str) -> dict[str, Any]:
    return _read_json(_path(import_id, "status.json")) or {"state": "queued", "processed": 0, "total": 0}


def _set_status(import_id: str, **changes: Any) -> dict[str, Any]:
    """Update the small status file (the rows' outcomes, large, go to their own file once per phase)."""
    if "rows" in changes:
        _write_json(_path(import_id, "rows.json"), {"rows": changes.pop("rows")})
    status = {**_status(import_id), **changes, "updated_at": timezone.now().isoformat()}
    _write_json(_path(import_id, "status.json"), status)
    return status


def import_rows(import_id: str) -> list[dict[str, Any]]:
    """The outcome of every row of the last check (empty before the check has run)."""
    return (_read_json(_path(import_id, "rows.json")) or {}).get("rows", [])


# --------------------------------------------------------------------------------------------------
# Reading a file
# --------------------------------------------------------------------------------------------------
def _header_key(value: Any) -> str | None:
    text = normalize_for_search(str(value or "")).replace("_", " ").strip()
    for key, names in HEADERS.items():
        if text in {normalize_for_search(name).replace("_", " ") for name in names}:
            return key
    return None


def _cell_text(value: Any, column: str) -> str:
    """A cell as text. Spreadsheets turn 012345678 into the number 12345678 and 08 into 8 (also in the
    CSV files they save): a phone number of bare digits gets its leading 0 back, a unit code its
    leading zero to an even length."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = strip_invisible(str(value))
    digits = latin_digits(text)
    if column == "phone" and digits.isdigit() and not digits.startswith(("0", "855")):
        return "0" + digits
    if column == "unit" and digits.isdigit() and len(digits) % 2:
        return "0" + digits
    return text


def _rows_csv(data: bytes) -> Iterator[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StaffImportError("encoding") from exc
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample.splitlines()[0] if sample else "", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text), dialect)


def _rows_xlsx(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise StaffImportError("unreadable") from exc
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def read_file(data: bytes, kind: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The columns found and the non-empty rows as (row number in the file, {column: text}). Raises
    StaffImportError with a code for a file that cannot be used at all."""
    reader = _rows_csv(data) if kind == "csv" else _rows_xlsx(data)
    try:
        header = next(reader, None)
        if header is None:
            raise StaffImportError("empty")
        columns = [_header_key(value) for value in header]
        found = [key for key in columns if key]
        missing = [key for key in ("name", "unit") if key not in found]
        if "email" not in found and "phone" not in found:
            missing.append("email")
        if missing:
            raise StaffImportError("columns:" + ",".join(missing))
        rows = []
        for number, values in enumerate(reader, start=2):
            row = {
                key: _cell_text(value, key)
                for key, value in zip(columns, values, strict=False)
                if key is not None
            }
            if not any(row.values()):
                continue
            if len(rows) >= MAX_ROWS:
                raise StaffImportError("too_many")
            rows.append((number, row))
    except csv.Error as exc:
        raise StaffImportError("unreadable") from exc
    if not rows:
        raise StaffImportError("empty")
    return found, rows


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
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass
class Checked:
    """The outcome of every row, and what is needed to create the accounts of the good ones."""

    rows: list[dict[str, Any]]
    units: dict[str, AdministrativeUnit]

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row["errors"])


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


def _file_error(code: str) -> dict[str, Any]:
    if code.startswith("columns:"):
        return {"code": "columns", "params": {"columns": code.split(":", 1)[1].split(",")}}
    return {"code": code, "params": {}}


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
    import_id = str(uuid.uuid4())
    default_storage.save(_path(import_id, f"source{extension}"), ContentFile(data))
    meta = {
        "id": import_id,
        "by": by.pk,
        "filename": os.path.basename(filename)[:200],
        "kind": EXTENSIONS[extension],
        "default_role": default_role,
        "created_at": timezone.now().isoformat(),
    }
    _write_json(_path(import_id, "meta.json"), meta)
    _set_status(import_id, state="queued", dry_run=True, processed=0, total=0)
    from nokor.academy import tasks

    enqueue(tasks.staff_import_run, import_id, True)
    return import_id


def import_get(*, user: Any, import_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The meta data and status of an import — only for the person who uploaded it (404 otherwise)."""
    try:
        meta = _read_json(_path(import_id, "meta.json"))
    except ValueError:
        meta = None
    if meta is None or meta.get("by") != user.pk or not import_prefixes(user):
        raise Http404
    return meta, _status(import_id)


def import_confirm(*, by: Any, import_id: str) -> None:
    """Queue the real import of a file whose dry run found no error."""
    _meta, status = import_get(user=by, import_id=import_id)
    if status.get("state") != "checked" or status.get("errors"):
        raise StaffImportError("not_ready")
    _set_status(import_id, state="queued", dry_run=False, processed=0)
    from nokor.academy import tasks

    enqueue(tasks.staff_import_run, import_id, False)


def import_run(*, import_id: str, dry_run: bool) -> str:
    """The background task's work: read, check every row, and (not a dry run, no error) create every
    account in one transaction. Progress and result go to the status file; returns the final state."""
    meta = _read_json(_path(import_id, "meta.json"))
    if meta is None:
        return "missing"
    if not dry_run and _status(import_id).get("state") == "done":
        return "done"  # a re-run after a worker died once the import had committed
    importer = User.objects.filter(pk=meta["by"], is_active=True).first()
    if importer is None:
        _set_status(import_id, state="failed", file_error={"code": "failed", "params": {}})
        return "failed"
    _set_status(import_id, state="checking", dry_run=dry_run, processed=0, total=0)
    try:
        with default_storage.open(
            _path(import_id, f"source.{'csv' if meta['kind'] == 'csv' else 'xlsx'}")
        ) as f:
            data = f.read()
        _columns, rows = read_file(data, meta["kind"])
    except StaffImportError as error:
        _set_status(import_id, state="failed", file_error=_file_error(str(error)), rows=[], errors=0)
        return "failed"
    checked = check_rows(rows, prefixes=import_prefixes(importer), default_role=meta["default_role"])
    errors = checked.error_count
    if dry_run or errors:
        _set_status(
            import_id,
            state="checked" if dry_run else "failed",
            file_error={"code": "changed", "params": {}} if not dry_run else None,
            rows=checked.rows,
            errors=errors,
            total=len(checked.rows),
            processed=len(checked.rows) if dry_run else 0,
        )
        return "checked" if dry_run else "failed"
    _set_status(
        import_id, state="importing", total=len(checked.rows), processed=0, rows=checked.rows, errors=0
    )
    try:
        created = _create_all(import_id, meta, importer, checked)
    except Exception:
        logger.exception("staff import %s failed; rolled back", import_id)
        _set_status(import_id, state="failed", file_error={"code": "failed", "params": {}}, processed=0)
        return "failed"
    _set_status(import_id, state="done", processed=len(checked.rows), created=created)
    return "done"


def _create_all(import_id: str, meta: dict[str, Any], importer: Any, checked: Checked) -> int:
    from nokor.academy import assignments
    from nokor.accounts.services import staff_create
    from nokor.notifications.services import notify

    total = len(checked.rows)
    step = max(1, total // 100)
    with assignments.hook_paused(), transaction.atomic():
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
            if index % step == 0:
                _set_status(import_id, processed=index)
        audit_record(
            action="academy.staff_import",
            actor=importer,
            details={
                "import": import_id,
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
    now = now or timezone.now()
    try:
        folders, _files = default_storage.listdir(ROOT)
    except (FileNotFoundError, NotImplementedError):
        return 0
    removed = 0
    for folder in folders:
        meta = _read_json(f"{ROOT}/{folder}/meta.json") or {}
        created = meta.get("created_at")
        if created and dt.datetime.fromisoformat(created) > now - dt.timedelta(days=KEEP_DAYS):
            continue
        _subfolders, files = default_storage.listdir(f"{ROOT}/{folder}")
        for name in files:
            default_storage.delete(f"{ROOT}/{folder}/{name}")
        try:
            os.rmdir(default_storage.path(f"{ROOT}/{folder}"))
        except (NotImplementedError, OSError):
            pass
        removed += 1
    return removed


def sample_csv() -> bytes:
    """A file to start from, with the header row and one example."""
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out).writerows(SAMPLE)
    return out.getvalue().encode("utf-8")
