"""Loads the gazetteer CSV into the administrative tree, idempotently.

A second run with the same file changes nothing. A changed file updates names, retires the units it no
longer lists (``valid_to`` = today; nothing is deleted, records keep pointing at them) and adds new ones.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from nokor.core.bulk import update_in_bulk
from nokor.geography.models import AdministrativeUnit

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "kh_admin_units.csv"
_UPDATABLE = ["name_km", "name_latin", "type_km", "type_en", "search_name", "valid_to", "level", "parent"]


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired)


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    required = {"code", "level", "parent_code", "name_km", "name_latin", "type_km", "type_en"}
    missing = required - set(rows[0].keys() if rows else required)
    if missing:
        raise ValueError(f"{path.name}: missing columns {sorted(missing)}")
    return rows


@transaction.atomic
def load_gazetteer(path: Path = DEFAULT_FILE, progress: Callable[[int], None] | None = None) -> LoadReport:
    """Bring the tree in line with the file; one transaction, so a bad file changes nothing."""
    report = LoadReport()
    rows = read_rows(path)
    today = timezone.localdate()
    existing = {u.code: u for u in AdministrativeUnit.objects.all()}
    first_load = not existing
    seen: set[str] = set()
    # Parents before children: the code length grows with the level.
    rows.sort(key=lambda r: (int(r["level"]), r["code"]))
    for level in (1, 2, 3, 4):
        to_create, to_update = [], []
        for row in (r for r in rows if int(r["level"]) == level):
            code = row["code"].strip()
            seen.add(code)
            parent = existing.get(row["parent_code"].strip()) if row["parent_code"].strip() else None
            if level > 1 and parent is None:
                report.errors.append(f"{code}: parent {row['parent_code']!r} not found")
                continue
            values = {
                "level": level,
                "parent_id": parent.pk if parent else None,
                "name_km": row["name_km"].strip(),
                "name_latin": row["name_latin"].strip(),
                "type_km": row["type_km"].strip(),
                "type_en": row["type_en"].strip(),
                "search_name": AdministrativeUnit.make_search_name(row["name_km"], row["name_latin"]),
                "valid_to": None,
            }
            unit = existing.get(code)
            if unit is None:
                unit = AdministrativeUnit(code=code, valid_from=None if first_load else today, **values)
                to_create.append(unit)
                existing[code] = unit
            elif any(getattr(unit, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(unit, key, value)
                to_update.append(unit)
            else:
                report.unchanged += 1
        AdministrativeUnit.objects.bulk_create(to_create, batch_size=2000)
        update_in_bulk(to_update, _UPDATABLE)
        report.created += len(to_create)
        report.updated += len(to_update)
        if progress:
            progress(len(to_create) + len(to_update))
    if report.errors:
        transaction.set_rollback(True)
        return report
    retired = [u for code, u in existing.items() if code not in seen and u.valid_to is None]
    for unit in retired:
        unit.valid_to = today
    update_in_bulk(retired, ["valid_to"])
    report.retired = len(retired)
    return report
