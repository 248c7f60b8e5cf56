"""Entering the real targets with an Excel round trip: download a workbook of the indicators × the plan's
years with the current targets, fill it in, upload it. The upload is checked first (a dry run listing,
row by row, the targets that would change and the errors); applying it writes every change in one
transaction, audited — a file with any error writes nothing. The file waits in private storage between
the two steps (:class:`nokor.core.tabular_import.ImportStore`: only the uploader may apply it)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from nokor.audit.services import audit_record
from nokor.core import tabular_import
from nokor.core.tabular_import import ImportFileError, ImportStore
from nokor.core.text import latin_digits
from nokor.strategy.models import YEARS, Indicator, Target

STORE = ImportStore("strategy-targets")
HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("code", "indicator code", "លេខកូដ"),
    "indicator": ("indicator", "សូចនាករ"),
    "unit": ("unit", "ឯកតា"),
    **{str(year): (str(year), f"target {year}", f"គោលដៅ {year}") for year in YEARS},
}


def workbook() -> bytes:
    """The targets workbook: one row per indicator, one column per year (the demo ones marked)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Targets"
    sheet.append(["code", "indicator", "unit", *[str(year) for year in YEARS], "demo targets"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    indicators = Indicator.objects.prefetch_related("targets").order_by(
        "objective__strategy__position", "code"
    )
    for indicator in indicators:
        targets = {target.year: target for target in indicator.targets.all()}
        demo = [str(year) for year, target in sorted(targets.items()) if target.is_demo]
        sheet.append(
            [
                indicator.code,
                indicator.title,
                str(indicator.get_unit_display()),
                *[float(targets[year].value) if year in targets else None for year in YEARS],
                ", ".join(demo),
            ]
        )
    sheet.column_dimensions["B"].width = 70
    notes = book.create_sheet("Read me")
    for line in (
        _("Type each indicator's target for each year in its column; leave a cell empty to keep it."),
        _("Numbers only. Percentages between 0 and 100; yes/no as 1 (yes) or 0 (no)."),
        _("Do not change the codes. Upload the file on the targets page: you will see the changes first."),
    ):
        notes.append([str(line)])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


@dataclass
class CheckedRow:
    number: int
    code: str
    indicator: Indicator | None = None
    changes: dict[int, tuple[Decimal | None, Decimal]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _number(text: str) -> Decimal:
    try:
        value = Decimal(latin_digits(text).replace(",", "").replace(" ", ""))
    except InvalidOperation as exc:
        raise ValueError from exc
    if not value.is_finite():
        raise ValueError
    return value


def check(data: bytes, kind: str) -> list[CheckedRow]:
    """Every row of an uploaded workbook with its changes and problems (nothing is written)."""

    def columns(found: list[str]) -> None:
        tabular_import.require_columns(found, "code")

    _found, rows = tabular_import.read_table(
        data, kind, headers=HEADERS, check_columns=columns, max_rows=2000
    )
    indicators = {i.code: i for i in Indicator.objects.prefetch_related("targets")}
    checked, seen = [], set()
    for number, row in rows:
        result = CheckedRow(number=number, code=row.get("code", ""))
        checked.append(result)
        indicator = indicators.get(result.code)
        if indicator is None:
            result.problems.append(
                _("There is no indicator with the code “%(code)s”.") % {"code": result.code}
            )
            continue
        if result.code in seen:
            result.problems.append(_("This indicator is already in an earlier row."))
            continue
        seen.add(result.code)
        result.indicator = indicator
        current = {target.year: target.value for target in indicator.targets.all()}
        for year in YEARS:
            text = row.get(str(year), "")
            if not text:
                continue
            try:
                value = _number(text)
                indicator.check_value(value)
            except ValueError:
                result.problems.append(
                    _("%(year)s: “%(text)s” is not a number.") % {"year": year, "text": text[:40]}
                )
                continue
            except ValidationError as exc:
                result.problems.append(f"{year}: {exc.messages[0]}")
                continue
            if current.get(year) != value:  # an unchanged (demo) value stays as it is
                result.changes[year] = (current.get(year), value)
    return checked


def error_message(code: str) -> str:
    """A file-level error (``ImportFileError``) in words."""
    if code.startswith("columns:"):
        return _("The workbook has no “code” column: start from the downloaded workbook.")
    return {
        "empty": _("The workbook is empty."),
        "too_many": _("The workbook has too many rows."),
        "encoding": _("The file cannot be read: save it as an Excel workbook (.xlsx)."),
    }.get(code, _("The file cannot be read: save it as an Excel workbook (.xlsx)."))


def upload(*, by: Any, filename: str, data: bytes) -> tuple[str, list[CheckedRow]]:
    """Keep an uploaded workbook and check it (the dry run); returns its id and the checked rows."""
    if not filename.lower().endswith(".xlsx"):
        raise ImportFileError("unreadable")
    import_id = STORE.create(by=by, filename=filename, data=data)
    rows = check(data, "xlsx")
    STORE.set_status(import_id, state="checked", errors=sum(bool(r.problems) for r in rows))
    return import_id, rows


def checked_upload(*, user: Any, import_id: str) -> list[CheckedRow]:
    """Check again a kept workbook (404 for anyone but its uploader)."""
    meta, _status = STORE.get(user=user, import_id=import_id)
    return check(STORE.source(import_id, meta), meta["kind"])


@transaction.atomic
def targets_apply(*, by: Any, import_id: str) -> int:
    """Write every change of a checked workbook (no longer demo targets); nothing when any row has an
    error. Returns how many targets changed."""
    rows = checked_upload(user=by, import_id=import_id)
    if any(row.problems for row in rows):
        raise ImportFileError("not_ready")
    changed = 0
    for row in rows:
        for year, (old, new) in row.changes.items():
            Target.objects.update_or_create(
                indicator=row.indicator, year=year, defaults={"value": new, "is_demo": False}
            )
            audit_record(
                action="strategy.target_set",
                actor=by,
                obj=row.indicator,
                details={"year": year, "old": old, "new": new},
            )
            changed += 1
    STORE.set_status(import_id, state="done", changed=changed)
    return changed
