"""The operations of open data: the catalogue's entries, regeneration of a dataset into a new release
when (and only when) its content changed, and the public's data requests routed to the data owner."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from nokor.accounts.models import RoleAssignment, User
from nokor.accounts.roles import Role
from nokor.audit.services import audit_record
from nokor.notifications.services import notify
from nokor.opendata import selectors
from nokor.opendata.builders import Table, get_builder
from nokor.opendata.catalogue import DATASETS
from nokor.opendata.models import DataRequest, Dataset, Release

logger = logging.getLogger(__name__)


@transaction.atomic
def catalogue_sync() -> int:
    """Create the catalogue's datasets that do not exist yet (never overwrites an existing one)."""
    existing = set(Dataset.objects.values_list("builder", flat=True))
    created = [Dataset(**entry) for entry in DATASETS if entry["builder"] not in existing]
    for dataset in created:
        dataset.full_clean()
        dataset.save()
        audit_record(action="opendata.dataset.create", obj=dataset, details={"builder": dataset.builder})
    if created:
        selectors.catalogue_changed()
    return len(created)


# --------------------------------------------------------------------------------------------------
# Releases
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Content:
    """A built table rendered as the files of a release."""

    table: Table
    csv: bytes
    json: bytes
    sha256: str


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def render(dataset: Dataset, table: Table) -> Content:
    """The CSV (UTF-8 with a byte order mark, so that Excel reads Khmer) and JSON files of a table."""
    names = [column.name for column in table.columns]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows([_cell(value) for value in row] for row in table.rows)
    csv_bytes = ("\ufeff" + text.getvalue()).encode("utf-8")
    document = {
        "dataset": dataset.slug,
        "title": {"km": dataset.title_km, "en": dataset.title_en},
        "licence": dataset.licence_url,
        "columns": [column.as_dict() for column in table.columns],
        "rows": [dict(zip(names, map(_json_value, row), strict=True)) for row in table.rows],
    }
    json_bytes = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Content(table, csv_bytes, json_bytes, hashlib.sha256(csv_bytes).hexdigest())


def dataset_regenerate(*, dataset: Dataset, now: dt.datetime | None = None) -> Release | None:
    """Build the dataset again; publish a new release when its content changed, else record the check
    on the latest release. Returns the new release, or None when nothing changed."""
    content = render(dataset, get_builder(dataset.builder).build(threshold=dataset.suppression_threshold))
    now = now or timezone.now()
    with transaction.atomic():
        current = Dataset.objects.select_for_update().get(pk=dataset.pk)
        latest = current.releases.order_by("-version").first()
        if latest is not None and latest.sha256 == content.sha256:
            Release.objects.filter(pk=latest.pk).update(checked_at=now)
            return None
        release = Release(
            dataset=current,
            version=(latest.version + 1) if latest else 1,
            created_at=now,
            checked_at=now,
            temporal_start=content.table.start,
            temporal_end=content.table.end,
            row_count=len(content.table.rows),
            suppressed_count=content.table.suppressed,
            csv_size=len(content.csv),
            json_size=len(content.json),
            sha256=content.sha256,
            columns=[column.as_dict() for column in content.table.columns],
        )
        stem = f"{current.slug}-v{release.version}"
        release.csv_file.save(f"{stem}.csv", ContentFile(content.csv), save=False)
        release.json_file.save(f"{stem}.json", ContentFile(content.json), save=False)
        names = [release.csv_file.name, release.json_file.name]
        try:
            release.save(force_insert=True)
            audit_record(
                action="opendata.release.publish",
                obj=release,
                details={"dataset": current.slug, "version": release.version, "sha256": release.sha256},
            )
        except Exception:
            for name in names:  # nothing half-written: the files go with the row that failed
                release.csv_file.storage.delete(name)
            raise
        transaction.on_commit(selectors.catalogue_changed)
    logger.info("dataset %s: version %s (%s rows)", current.slug, release.version, release.row_count)
    return release


def datasets_regenerate() -> dict[str, int | None]:
    """Regenerate every dataset of the catalogue (creating the missing entries first): the new version
    of each, or None when it did not change."""
    catalogue_sync()
    result = {}
    for dataset in Dataset.objects.order_by("position", "slug"):
        release = dataset_regenerate(dataset=dataset)
        result[dataset.slug] = release.version if release else None
    return result


# --------------------------------------------------------------------------------------------------
# Data requests
# --------------------------------------------------------------------------------------------------
def owners_of(role: str, unit: Any) -> list[User]:
    """The active holders of ``role`` whose scope covers ``unit`` (None: nationwide holders only)."""
    codes = unit.ancestor_codes() if unit is not None else []
    scope = Q(unit__isnull=True) | Q(unit__code__in=codes)
    user_ids = RoleAssignment.objects.active().filter(scope, role=role).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


@transaction.atomic
def data_request_submit(
    *,
    by: Any,
    dataset: Dataset | None,
    name: str,
    email: str,
    organisation: str,
    what: str,
    purpose: str,
) -> DataRequest:
    """Record a request for data and tell its data owner (the dataset's owner, else the administrators)."""
    role = dataset.owner_role if dataset else Role.ADMINISTRATOR
    unit = dataset.owner_unit if dataset else None
    request = DataRequest.objects.create(
        dataset=dataset,
        requester=by if getattr(by, "is_authenticated", False) else None,
        name=name,
        email=email,
        organisation=organisation,
        what=what,
        purpose=purpose,
        owner_role=role,
        owner_unit=unit,
    )
    owners = owners_of(role, unit) or owners_of(Role.ADMINISTRATOR, None)
    audit_record(
        action="opendata.data_request.submit",
        actor=by,
        obj=request,
        unit=unit,
        details={"dataset": dataset.slug if dataset else "", "routed_to": role, "owners": len(owners)},
    )
    link = reverse("opendata:requests")
    for owner in owners:
        notify(
            user=owner,
            event="opendata.data_requested",
            context={
                "dataset": dataset.title_km if dataset else "",
                "dataset_en": dataset.title_en if dataset else "",
                "requester": name,
                "organisation": organisation,
                "link": link,
            },
            key=f"opendata.data_requested:{request.pk}:{owner.pk}",
            link=link,
        )
    return request
