"""The domain-neutral half of bulk imports from a CSV or Excel (.xlsx) file, with a dry run first.

An import app supplies its columns (header names accepted in English or Khmer), a check of the rows,
and the writing of the good ones; this module does the rest, the same way for every import:

* **Storage.** The upload and its progress live in private storage under ``<root>/<id>/``
  (``meta.json`` written once, ``status.json`` rewritten as the background task advances,
  ``rows.json`` with each row's outcome, the file itself), not in the database: the progress must be
  readable while the import's single transaction is still open. Only the uploader sees an import.
* **Reading.** :func:`read_table` turns the file into numbered rows of ``{column: text}``.
* **Running.** :func:`run_import` is the background task's skeleton: read, check every row, and (not a
  dry run, no error) write them all in one transaction — any error, or a failure half-way, writes
  nothing. Progress and the outcome go to the status file.
* **Purging.** :meth:`ImportStore.purge` deletes imports older than a number of days.

Each row's errors are a list of ``(code, parameters)``, translated only when shown.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from nokor.core.text import normalize_for_search, strip_invisible
from nokor.core.uploads import check_workbook

logger = logging.getLogger(__name__)

EXTENSIONS = {".csv": "csv", ".xlsx": "xlsx"}
RUNNING_STATES = ("queued", "checking", "importing")


class ImportFileError(ValueError):
    """The file cannot be taken; the argument is a code (``columns:a,b`` names missing columns)."""


# --------------------------------------------------------------------------------------------------
# Storage of an import
# --------------------------------------------------------------------------------------------------
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


class ImportStore:
    """The imports of one kind, in private storage under ``root``."""

    def __init__(self, root: str) -> None:
        self.root = root

    def path(self, import_id: str, name: str) -> str:
        return f"{self.root}/{uuid.UUID(str(import_id))}/{name}"

    def create(self, *, by: Any, filename: str, data: bytes, **extra: Any) -> str:
        """Keep an uploaded file (CSV or .xlsx) with its meta data, queued; returns the import's id."""
        extension = os.path.splitext(filename.lower())[1]
        if extension not in EXTENSIONS:
            raise ImportFileError("unreadable")
        import_id = str(uuid.uuid4())
        default_storage.save(self.path(import_id, f"source{extension}"), ContentFile(data))
        meta = {
            "id": import_id,
            "by": by.pk,
            "filename": os.path.basename(filename)[:200],
            "kind": EXTENSIONS[extension],
            "created_at": timezone.now().isoformat(),
            **extra,
        }
        _write_json(self.path(import_id, "meta.json"), meta)
        self.set_status(import_id, state="queued", dry_run=True, processed=0, total=0)
        return import_id

    def meta(self, import_id: str) -> dict[str, Any] | None:
        try:
            return _read_json(self.path(import_id, "meta.json"))
        except ValueError:  # not a UUID
            return None

    def get(self, *, user: Any, import_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The meta data and status of an import — only for the person who uploaded it (404 otherwise)."""
        meta = self.meta(import_id)
        if meta is None or meta.get("by") != user.pk:
            raise Http404
        return meta, self.status(import_id)

    def source(self, import_id: str, meta: dict[str, Any]) -> bytes:
        with default_storage.open(self.path(import_id, f"source.{meta['kind']}")) as handle:
            return handle.read()

    def status(self, import_id: str) -> dict[str, Any]:
        return _read_json(self.path(import_id, "status.json")) or {
            "state": "queued",
            "processed": 0,
            "total": 0,
        }

    def set_status(self, import_id: str, **changes: Any) -> dict[str, Any]:
        """Update the small status file (the rows' outcomes, large, go to their own file once per phase)."""
        if "rows" in changes:
            _write_json(self.path(import_id, "rows.json"), {"rows": changes.pop("rows")})
        status = {**self.status(import_id), **changes, "updated_at": timezone.now().isoformat()}
        _write_json(self.path(import_id, "status.json"), status)
        return status

    def rows(self, import_id: str) -> list[dict[str, Any]]:
        """The outcome of every row of the last check (empty before the check has run)."""
        return (_read_json(self.path(import_id, "rows.json")) or {}).get("rows", [])

    def confirm(self, *, by: Any, import_id: str) -> None:
        """Mark for the real import a file whose dry run found no error (the caller queues the task)."""
        _meta, status = self.get(user=by, import_id=import_id)
        if status.get("state") != "checked" or status.get("errors"):
            raise ImportFileError("not_ready")
        self.set_status(import_id, state="queued", dry_run=False, processed=0)

    def purge(self, *, keep_days: int, now: dt.datetime | None = None) -> int:
        """Delete the files of imports older than ``keep_days`` days; returns how many were removed."""
        now = now or timezone.now()
        try:
            folders, _files = default_storage.listdir(self.root)
        except (FileNotFoundError, NotImplementedError):
            return 0
        removed = 0
        for folder in folders:
            meta = _read_json(f"{self.root}/{folder}/meta.json") or {}
            created = meta.get("created_at")
            if created and dt.datetime.fromisoformat(created) > now - dt.timedelta(days=keep_days):
                continue
            _subfolders, files = default_storage.listdir(f"{self.root}/{folder}")
            for name in files:
                default_storage.delete(f"{self.root}/{folder}/{name}")
            try:
                os.rmdir(default_storage.path(f"{self.root}/{folder}"))
            except (NotImplementedError, OSError):
                pass
            removed += 1
        return removed


# --------------------------------------------------------------------------------------------------
# Reading a file
# --------------------------------------------------------------------------------------------------
def _normal_header(value: Any) -> str:
    return normalize_for_search(str(value or "")).replace("_", " ").strip()


def header_map(headers: dict[str, Iterable[str]]) -> dict[str, str]:
    """Accepted header names (normalised) to column keys."""
    return {_normal_header(name): key for key, names in headers.items() for name in names}


def cell_text(value: Any) -> str:
    """A cell as text: whole numbers without ".0", dates in ISO form, invisible characters removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return strip_invisible(str(value))


def _rows_csv(data: bytes) -> Iterator[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError("encoding") from exc
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample.splitlines()[0] if sample else "", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text), dialect)


def _rows_xlsx(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        check_workbook(io.BytesIO(data))  # not a "zip bomb", before openpyxl unpacks anything
    except ValidationError as exc:
        raise ImportFileError("unreadable") from exc
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportFileError("unreadable") from exc
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def read_table(
    data: bytes,
    kind: str,
    *,
    headers: dict[str, Iterable[str]],
    check_columns: Callable[[list[str]], None] | None = None,
    cell: Callable[[Any, str], str] | None = None,
    max_rows: int = 20_000,
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The columns found and the non-empty rows as (row number in the file, {column: text}).

    ``check_columns`` raises ImportFileError("columns:...") when a needed column is missing; ``cell``
    turns a cell of a column into text (default :func:`cell_text`). Raises ImportFileError with a code
    for a file that cannot be used at all.
    """
    names = header_map(headers)
    to_text = cell or (lambda value, _column: cell_text(value))
    reader = _rows_csv(data) if kind == "csv" else _rows_xlsx(data)
    try:
        header = next(reader, None)
        if header is None:
            raise ImportFileError("empty")
        columns = [names.get(_normal_header(value)) for value in header]
        found = [key for key in columns if key]
        if check_columns is not None:
            check_columns(found)
        rows = []
        for number, values in enumerate(reader, start=2):
            row = {
                key: to_text(value, key)
                for key, value in zip(columns, values, strict=False)
                if key is not None
            }
            if not any(row.values()):
                continue
            if len(rows) >= max_rows:
                raise ImportFileError("too_many")
            rows.append((number, row))
    except csv.Error as exc:
        raise ImportFileError("unreadable") from exc
    if not rows:
        raise ImportFileError("empty")
    return found, rows


def require_columns(found: list[str], *needed: str) -> None:
    """For ``check_columns``: every column in ``needed`` must be in the file."""
    missing = [key for key in needed if key not in found]
    if missing:
        raise ImportFileError("columns:" + ",".join(missing))


def file_error(code: str) -> dict[str, Any]:
    """The status file's form of an ImportFileError code."""
    if code.startswith("columns:"):
        return {"code": "columns", "params": {"columns": code.split(":", 1)[1].split(",")}}
    return {"code": code, "params": {}}


def chunks(values: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def error_count(rows: list[dict[str, Any]]) -> int:
    return sum(1 for row in rows if row["errors"])


# --------------------------------------------------------------------------------------------------
# The background run
# --------------------------------------------------------------------------------------------------
def run_import(
    store: ImportStore,
    import_id: str,
    *,
    dry_run: bool,
    importer: Callable[[dict[str, Any]], Any],
    read: Callable[[bytes, str], list[tuple[int, dict[str, str]]]],
    check: Callable[[dict[str, Any], Any, list[tuple[int, dict[str, str]]]], Any],
    write: Callable[[dict[str, Any], Any, Any, Callable[[int], None]], int],
) -> str:
    """The background task's work: read, check every row, and (not a dry run, no error) write every row
    in one transaction. ``importer(meta)`` is the uploader, still allowed to import (or None);
    ``check(meta, importer, rows)`` returns an object whose ``rows`` are the outcomes (dicts with
    "errors"); ``write(meta, importer, checked, progress)`` writes them all and returns how many.
    Progress and the result go to the status file; returns the final state."""
    meta = store.meta(import_id)
    if meta is None:
        return "missing"
    if not dry_run and store.status(import_id).get("state") == "done":
        return "done"  # a re-run after a worker died once the import had committed
    user = importer(meta)
    if user is None:
        store.set_status(import_id, state="failed", file_error={"code": "failed", "params": {}})
        return "failed"
    store.set_status(import_id, state="checking", dry_run=dry_run, processed=0, total=0)
    try:
        rows = read(store.source(import_id, meta), meta["kind"])
    except ImportFileError as error:
        store.set_status(import_id, state="failed", file_error=file_error(str(error)), rows=[], errors=0)
        return "failed"
    checked = check(meta, user, rows)
    errors = error_count(checked.rows)
    if dry_run or errors:
        store.set_status(
            import_id,
            state="checked" if dry_run else "failed",
            file_error={"code": "changed", "params": {}} if not dry_run else None,
            rows=checked.rows,
            errors=errors,
            total=len(checked.rows),
            processed=len(checked.rows) if dry_run else 0,
        )
        return "checked" if dry_run else "failed"
    total = len(checked.rows)
    store.set_status(import_id, state="importing", total=total, processed=0, rows=checked.rows, errors=0)
    step = max(1, total // 100)

    def progress(index: int) -> None:
        if index % step == 0:
            store.set_status(import_id, processed=index)

    try:
        with transaction.atomic():
            created = write(meta, user, checked, progress)
    except Exception:
        logger.exception("import %s under %s failed; rolled back", import_id, store.root)
        store.set_status(import_id, state="failed", file_error={"code": "failed", "params": {}}, processed=0)
        return "failed"
    store.set_status(import_id, state="done", processed=total, created=created)
    return "done"


# --------------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------------
def status_context(status: dict[str, Any], message: Callable[[str, dict[str, Any]], str]) -> dict[str, Any]:
    """What the shared status templates need from a status (``message`` translates an error code)."""
    state = status.get("state", "queued")
    error = status.get("file_error")
    total = status.get("total")
    return {
        "state": state,
        "running": state in RUNNING_STATES,
        "percent": round(100 * status.get("processed", 0) / total) if total else None,
        "file_error": message(error["code"], error["params"]) if error else "",
        "error_count": status.get("errors", 0),
        "error_summary": bool(error or status.get("errors")),
    }


def sample_csv(rows: list[list[str]]) -> bytes:
    """A file to start from (UTF-8 with a byte-order mark, so spreadsheet programs read the Khmer)."""
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")
