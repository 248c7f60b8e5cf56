"""Bulk import of assets from a CSV or Excel (.xlsx) file, with a dry run first.

Columns (named by the header row, in English or Khmer, in any order): type, serial number, office
(the office's number as shown on its page), and optionally model, status, assigned to (an e-mail
address), purchase date, end of life, warranty end. Every row is checked — a missing or unknown type
or status, a missing serial, a serial already used for that type (by an asset or by an earlier row), an
unknown office or one outside the importer's units, a bad date or an end of life before the purchase —
and the outcome of each row is shown with its row number. Nothing is written unless every row is good:
the import runs in one transaction. Storage, reading and the background run are the shared ones of
``nokor.core.tabular_import``; uploads are deleted after ``KEEP_DAYS`` days.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

from django.db.models.functions import Lower
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from nokor.accounts.models import User
from nokor.audit.services import audit_record
from nokor.core import tabular_import
from nokor.core.tabular_import import ImportFileError, ImportStore
from nokor.core.tasks import enqueue
from nokor.core.text import latin_digits, normalize_for_search
from nokor.infrastructure.models import INFRA_CHANGE, Asset, Site

ROOT = "infrastructure/asset-imports"
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
KEEP_DAYS = 7
PAGE_SIZE = 50
BATCH = 500
STORE = ImportStore(ROOT)

HEADERS = {
    "type": {"type", "asset type", "kind", "ប្រភេទ", "ប្រភេទទ្រព្យសម្បត្តិ"},
    "serial": {"serial", "serial number", "serial no", "s/n", "លេខសម្គាល់", "លេខស៊េរី"},
    "model": {"model", "ម៉ូដែល"},
    "status": {"status", "ស្ថានភាព"},
    "site": {"office", "site", "office number", "site id", "ការិយាល័យ", "លេខការិយាល័យ"},
    "assigned": {"assigned to", "assigned", "user", "e-mail", "email", "អ្នកប្រើ", "ប្រគល់ឱ្យ"},
    "purchase_date": {"purchase date", "purchased", "bought", "កាលបរិច្ឆេទទិញ"},
    "end_of_life": {"end of life", "eol", "end-of-life", "ផុតអាយុកាល"},
    "warranty_end": {"warranty end", "warranty", "warranty ends", "ផុតធានា"},
}
SAMPLE = [
    [
        "type",
        "serial number",
        "model",
        "status",
        "office",
        "assigned to",
        "purchase date",
        "end of life",
        "warranty end",
    ],
    ["laptop", "PF3ABC12", "ThinkPad T14", "in use", "1", "", "2024-03-01", "2029-03-01", "2027-03-01"],
]


def _choice_names(choices: list[tuple[str, Any]]) -> dict[str, str]:
    """Values and labels (English and Khmer), normalised, to the value."""
    names: dict[str, str] = {}
    for value, label in choices:
        names[normalize_for_search(value.replace("_", " "))] = value
        for language in ("en", "km"):
            with translation.override(language):
                names[normalize_for_search(str(label))] = value
    return names


def _date(text: str) -> dt.date | None:
    text = latin_digits(text.strip())[:10]
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007  (a date, no time)
        except ValueError:
            continue
    raise ValueError(text)


def _check_columns(found: list[str]) -> None:
    tabular_import.require_columns(found, "type", "serial", "site")


def read_file(data: bytes, kind: str) -> list[tuple[int, dict[str, str]]]:
    return tabular_import.read_table(
        data, kind, headers=HEADERS, check_columns=_check_columns, max_rows=MAX_ROWS
    )[1]


@dataclass
class Checked:
    rows: list[dict[str, Any]]


def check_rows(rows: list[tuple[int, dict[str, str]]], *, importer: Any) -> Checked:
    """Check every row with a few bulk queries for the whole file; each row gets its list of errors as
    (code, parameters) and, when good, the values to write."""
    types = _choice_names(Asset.Type.choices)
    statuses = _choice_names(Asset.Status.choices)
    site_ids = {int(d) for _n, row in rows if (d := latin_digits(row.get("site", "").strip())).isdigit()}
    sites: dict[int, tuple[int, str]] = {}
    allowed = Site.objects.visible_to(importer, "change")
    for chunk in tabular_import.chunks(sorted(site_ids)):
        sites.update(
            {
                pk: (unit, code)
                for pk, unit, code in allowed.filter(pk__in=chunk).values_list("pk", "unit_id", "unit_code")
            }
        )
    emails = {row.get("assigned", "").strip().lower() for _n, row in rows if row.get("assigned", "").strip()}
    people: dict[str, int] = {}
    for chunk in tabular_import.chunks(sorted(emails)):
        people.update(
            User.objects.annotate(lower_email=Lower("email"))
            .filter(lower_email__in=chunk, is_active=True)
            .values_list("lower_email", "pk")
        )
    results: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in rows:
        errors: list[tuple[str, dict[str, Any]]] = []
        type_text = row.get("type", "").strip()
        asset_type = types.get(normalize_for_search(type_text), "")
        serial = row.get("serial", "").strip()
        status_text = row.get("status", "").strip()
        status = statuses.get(normalize_for_search(status_text), "") if status_text else Asset.Status.IN_USE
        site_text = latin_digits(row.get("site", "").strip())
        email = row.get("assigned", "").strip().lower()
        values: dict[str, Any] = {"model": row.get("model", "").strip()[:200]}
        if not type_text:
            errors.append(("type_missing", {}))
        elif not asset_type:
            errors.append(("type_unknown", {"value": type_text}))
        if not serial:
            errors.append(("serial_missing", {}))
        elif len(serial) > 100:
            errors.append(("serial_long", {}))
        elif asset_type:
            key = (asset_type, serial.casefold())
            if key in seen:
                errors.append(("serial_duplicate", {"value": serial, "row": seen[key]}))
            else:
                seen[key] = number
        if not status:
            errors.append(("status_unknown", {"value": status_text}))
        if not site_text:
            errors.append(("site_missing", {}))
        elif not site_text.isdigit() or int(site_text) not in sites:
            errors.append(("site_unknown", {"value": site_text}))
        else:
            values["site_id"] = int(site_text)
            values["unit_id"], values["unit_code"] = sites[int(site_text)]
        if email:
            if email in people:
                values["assigned_to_id"] = people[email]
            else:
                errors.append(("person_unknown", {"value": email}))
        for column in ("purchase_date", "end_of_life", "warranty_end"):
            text = row.get(column, "").strip()
            if not text:
                values[column] = None
                continue
            try:
                values[column] = _date(text)
            except ValueError:
                errors.append(("date_invalid", {"value": text}))
                values[column] = None
        if values.get("purchase_date") and values.get("end_of_life"):
            if values["end_of_life"] < values["purchase_date"]:
                errors.append(("eol_before_purchase", {}))
        results.append(
            {
                "row": number,
                "type": asset_type or type_text,
                "serial": serial,
                "model": values["model"],
                "status": status or status_text,
                "site": site_text,
                "assigned": email,
                "values": {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()},
                "errors": errors,
            }
        )
    _mark_existing(results, seen)
    return Checked(rows=results)


def _mark_existing(results: list[dict[str, Any]], seen: dict[tuple[str, str], int]) -> None:
    """A serial already used by an asset of the same type (compared without case)."""
    by_row = {row["row"]: row for row in results}
    by_type: dict[str, list[str]] = {}
    for asset_type, serial in seen:
        by_type.setdefault(asset_type, []).append(serial)
    for asset_type, serials in by_type.items():
        for chunk in tabular_import.chunks(serials):
            taken = (
                Asset.objects.annotate(lower_serial=Lower("serial"))
                .filter(asset_type=asset_type, lower_serial__in=chunk)
                .values_list("lower_serial", flat=True)
            )
            for serial in taken:
                row = by_row[seen[(asset_type, serial)]]
                row["errors"].append(("serial_exists", {"value": row["serial"]}))


def error_message(code: str, params: dict[str, Any]) -> str:
    """A row or file error in the reader's language."""
    messages = {
        "type_missing": _("The type is missing."),
        "type_unknown": _("“%(value)s” is not a type of asset."),
        "serial_missing": _("The serial number is missing."),
        "serial_long": _("The serial number is longer than 100 characters."),
        "serial_duplicate": _("The serial number %(value)s is already on row %(row)s of this file."),
        "serial_exists": _("An asset of this type with the serial number %(value)s already exists."),
        "status_unknown": _("“%(value)s” is not a status of an asset."),
        "site_missing": _("The office number is missing."),
        "site_unknown": _("There is no office number %(value)s in the units you manage."),
        "person_unknown": _("There is no account with the e-mail address %(value)s."),
        "date_invalid": _("“%(value)s” is not a date. Write dates as 2025-12-31."),
        "eol_before_purchase": _("The end of life is before the purchase date."),
        "encoding": _("The file is not in UTF-8. In your spreadsheet program, save it as “CSV UTF-8”."),
        "unreadable": _("The file cannot be read. Upload a CSV file or an Excel workbook (.xlsx)."),
        "too_big": _("The file is larger than 10 MB. Split it into smaller files."),
        "empty": _("The file has no rows of assets."),
        "too_many": _("The file has more than %(max)s rows. Split it into smaller files.")
        % {"max": MAX_ROWS},
        "columns": _("Columns are missing: %(columns)s. The first row must name the columns."),
        "failed": _("The import stopped because of an unexpected error. Nothing was imported."),
        "changed": _("Since the check, some rows are no longer good. Nothing was imported."),
        "not_ready": _("This file cannot be imported: check its rows first."),
    }
    message = messages.get(code, code)
    if code == "columns":
        labels = {"type": _("type"), "serial": _("serial number"), "site": _("office")}
        params = {"columns": ", ".join(str(labels.get(c, c)) for c in params.get("columns", []))}
    return message % params if params and "%(" in message else message


# --------------------------------------------------------------------------------------------------
# The use cases
# --------------------------------------------------------------------------------------------------
def may_import(user: Any) -> bool:
    return bool(user.unit_prefixes_for(INFRA_CHANGE))


def import_start(*, by: Any, filename: str, data: bytes) -> str:
    """Keep an uploaded file and queue its dry run; returns the import's id."""
    if os.path.splitext(filename.lower())[1] not in tabular_import.EXTENSIONS:
        raise ImportFileError("unreadable")
    if len(data) > MAX_BYTES:
        raise ImportFileError("too_big")
    import_id = STORE.create(by=by, filename=filename, data=data)
    from nokor.infrastructure import tasks

    enqueue(tasks.asset_import_run, import_id, True)
    return import_id


def import_get(*, user: Any, import_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The meta data and status of an import — only for its uploader, while allowed to import (else 404)."""
    if not may_import(user):
        raise Http404
    return STORE.get(user=user, import_id=import_id)


def import_confirm(*, by: Any, import_id: str) -> None:
    """Queue the real import of a file whose dry run found no error (checked again when it runs)."""
    if not may_import(by):
        raise Http404
    STORE.confirm(by=by, import_id=import_id)
    from nokor.infrastructure import tasks

    enqueue(tasks.asset_import_run, import_id, False)


def import_run(*, import_id: str, dry_run: bool) -> str:
    """The background task's work (see ``tabular_import.run_import``); returns the final state."""
    return tabular_import.run_import(
        STORE,
        import_id,
        dry_run=dry_run,
        importer=lambda meta: User.objects.filter(pk=meta["by"], is_active=True).first(),
        read=read_file,
        check=lambda _meta, importer, rows: check_rows(rows, importer=importer),
        write=_create_all,
    )


def _create_all(meta: dict[str, Any], importer: Any, checked: Checked, progress: Any) -> int:
    """Create every asset in batches (inside the import's single transaction) and audit the import."""
    total = 0
    for batch in tabular_import.chunks(checked.rows, BATCH):
        Asset.objects.bulk_create(
            [
                Asset(
                    asset_type=row["type"],
                    serial=row["serial"],
                    status=row["status"],
                    **{
                        k: (
                            dt.date.fromisoformat(v)
                            if k in ("purchase_date", "end_of_life", "warranty_end") and v
                            else v
                        )
                        for k, v in row["values"].items()
                    },
                )
                for row in batch
            ]
        )
        total += len(batch)
        progress(total)
    audit_record(
        action="infrastructure.asset_import",
        actor=importer,
        details={"import": meta["id"], "file": meta["filename"], "created": total},
    )
    return total


def imports_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the files of imports older than KEEP_DAYS days."""
    return STORE.purge(keep_days=KEEP_DAYS, now=now)


def sample_csv() -> bytes:
    return tabular_import.sample_csv(SAMPLE)
