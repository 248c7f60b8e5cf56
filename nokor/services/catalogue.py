"""The service catalogue as files: one JSON file per e-service in ``nokor/services/catalogue/``, loaded into
`Service` and `ServiceVersion` rows by ``manage.py load_services``.

A file holds the service's fields (see ``SERVICE_FIELDS``) and its ``form_definition``. Long texts may be
written as a list of lines, joined with line breaks. The file is named after the service's slug.

Loading is idempotent: a service is created or its texts refreshed, and a new form version is made only
when the definition differs from the current one. A service whose current version was made by someone in
the admin is left alone (reported as skipped) unless ``force`` is given, so that restarting the platform
does not undo an administrator's change. Every file is checked first; if any is invalid nothing is
written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from nokor.services.forms_engine import validate_definition
from nokor.services.models import Service, ServiceVersion

CATALOGUE_DIR = Path(__file__).with_name("catalogue")
SERVICE_FIELDS = (
    "slug",
    "name_km",
    "name_en",
    "summary_km",
    "summary_en",
    "eligibility_km",
    "eligibility_en",
    "documents_km",
    "documents_en",
    "fee_riel",
    "processing_days",
    "responsible_level",
    "needs_supervisor_approval",
    "appeal_days",
    "output_document_type",
)
OPTIONAL_FIELDS = ("is_active",)


class CatalogueError(Exception):
    """One or more catalogue files are invalid; `messages` names each problem with its file."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class CatalogueEntry:
    """One service read from its file: the Service fields and the form definition."""

    path: Path
    fields: dict[str, Any]
    definition: dict[str, Any]

    @property
    def slug(self) -> str:
        return self.fields["slug"]


@dataclass
class LoadReport:
    """What a load did, by service slug."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _joined(value: Any) -> Any:
    return "\n".join(value) if isinstance(value, list) else value


def read_entry(path: Path) -> CatalogueEntry:
    """Read and check one catalogue file; ValidationError with the problems found."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValidationError(f"cannot read: {error}") from error
    if not isinstance(data, dict):
        raise ValidationError("the file must hold a JSON object")
    missing = [f"missing '{name}'" for name in (*SERVICE_FIELDS, "form_definition") if name not in data]
    if missing:
        raise ValidationError(missing)
    allowed = {*SERVICE_FIELDS, *OPTIONAL_FIELDS, "form_definition"}
    problems = [f"unknown key '{name}'" for name in sorted(data) if name not in allowed]
    fields = {name: _joined(data[name]) for name in (*SERVICE_FIELDS, *OPTIONAL_FIELDS) if name in data}
    if path.stem != fields["slug"]:
        problems.append(f"the file name must be the slug: {fields['slug']}.json")
    try:
        Service(**fields).full_clean(exclude=["current_version"], validate_unique=False)
    except ValidationError as error:
        problems += [
            f"{name}: {message}" for name, messages in error.message_dict.items() for message in messages
        ]
    try:
        validate_definition(data["form_definition"], responsible_level=fields.get("responsible_level"))
    except ValidationError as error:
        problems += [f"form_definition.{message}" for message in error.messages]
    if problems:
        raise ValidationError(problems)
    return CatalogueEntry(path=path, fields=fields, definition=data["form_definition"])


def read_catalogue(directory: Path | None = None) -> list[CatalogueEntry]:
    """Every service file of a folder, checked; CatalogueError listing the problems of all files."""
    directory = Path(directory or CATALOGUE_DIR)
    paths = sorted(directory.glob("*.json"))
    if not paths:
        raise CatalogueError([f"{directory}: no catalogue files (*.json)"])
    entries, problems = [], []
    for path in paths:
        try:
            entries.append(read_entry(path))
        except ValidationError as error:
            problems += [f"{path.name}: {message}" for message in error.messages]
    slugs = [entry.slug for entry in entries]
    problems += [
        f"slug '{slug}' is used by several files" for slug in sorted({s for s in slugs if slugs.count(s) > 1})
    ]
    if problems:
        raise CatalogueError(problems)
    return entries


def service_version_create(*, service: Service, definition: dict, by: Any = None) -> ServiceVersion:
    """Add a form version to a service (the next number) and make it the current one."""
    last = service.versions.aggregate(last=Max("number"))["last"] or 0
    version = ServiceVersion.objects.create(
        service=service, number=last + 1, form_definition=definition, created_by=by if by and by.pk else None
    )
    service.current_version = version
    service.save(update_fields=["current_version", "updated_at"])
    return version


@transaction.atomic
def load_catalogue(directory: Path | None = None, *, force: bool = False) -> LoadReport:
    """Create or refresh the services of the catalogue files (all or nothing; see the module docstring)."""
    report = LoadReport()
    for entry in read_catalogue(directory):
        service = Service.objects.select_related("current_version").filter(slug=entry.slug).first()
        current = service.current_version if service else None
        if current is not None and current.created_by_id and current.form_definition != entry.definition:
            if not force:
                report.skipped.append(entry.slug)
                continue
        if service is None:
            service = Service.objects.create(**entry.fields)
            report.created.append(entry.slug)
        else:
            changed = [name for name, value in entry.fields.items() if getattr(service, name) != value]
            if changed:
                for name in changed:
                    setattr(service, name, entry.fields[name])
                service.save(update_fields=[*changed, "updated_at"])
                report.updated.append(entry.slug)
        if current is None or current.form_definition != entry.definition:
            service_version_create(service=service, definition=entry.definition)
            report.new_versions.append(entry.slug)
    return report
