"""Changes to sites, their internet links, assets and the registry of digital systems. Each change runs
in one transaction, checks the record's version (optimistic locking: two people editing the same
record do not overwrite each other silently) and writes its audit event."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from nokor.audit.services import audit_record
from nokor.infrastructure.models import Asset, Connectivity, DigitalSystem, Site


class InfrastructureError(Exception):
    """A change that cannot be made; ``message`` is shown to the user (on ``field`` when given)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConcurrentChange(InfrastructureError):
    """Someone else changed the record since the page was loaded."""


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [_plain(item) for item in value]
    return value if isinstance(value, bool | int | float | str | type(None)) else str(value)


def _locked(model: type[models.Model], pk: Any, expected_version: int | None) -> Any:
    current = model.objects.select_for_update(of=("self",)).get(pk=pk)
    if expected_version is not None and current.lock_version != expected_version:
        raise ConcurrentChange(
            _(
                "Someone else changed this record while you were reading it. "
                "Here it is as it is now: check it and save again."
            )
        )
    return current


def _apply(obj: models.Model, data: dict[str, Any]) -> list[str]:
    """Set the fields that differ; returns their names."""
    changed = []
    for name, value in data.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


# --------------------------------------------------------------------------------------------------
# Sites and links
# --------------------------------------------------------------------------------------------------
@transaction.atomic
def site_create(*, by: Any, data: dict[str, Any]) -> Site:
    """Add an office."""
    site = Site(**data)
    site.unit_code = site.unit.code
    site.save()
    audit_record(
        action="infrastructure.site_create",
        actor=by,
        obj=site,
        unit=site.unit,
        details={"name": site.name_km, "kind": site.kind},
    )
    return site


@transaction.atomic
def site_update(*, site: Site, by: Any, data: dict[str, Any], expected_version: int | None = None) -> Site:
    """Change an office's details; a new unit moves its assets' scope with it."""
    current = _locked(Site, site.pk, expected_version)
    changed = _apply(current, data)
    if not changed:
        return current
    if "unit" in changed:
        current.unit_code = current.unit.code
        changed.append("unit_code")
        Asset.objects.filter(site=current).update(unit=current.unit, unit_code=current.unit_code)
    current.lock_version += 1
    current.save(update_fields=[*changed, "lock_version", "updated_at"])
    audit_record(
        action="infrastructure.site_update",
        actor=by,
        obj=current,
        unit=current.unit,
        details={"fields": sorted(changed), **{k: _plain(data[k]) for k in changed if k in data}},
    )
    return current


@transaction.atomic
def link_save(*, site: Site, by: Any, data: dict[str, Any], link: Connectivity | None = None) -> Connectivity:
    """Add an internet link to a site, or change one; only one link of a site is its main link."""
    if link is None:
        link = Connectivity(site=site, **data)
        changed = list(data)
        link.save()
        action = "infrastructure.link_create"
    else:
        link = Connectivity.objects.select_for_update(of=("self",)).get(pk=link.pk)
        changed = _apply(link, data)
        if changed:
            link.save(update_fields=[*changed, "updated_at"])
        action = "infrastructure.link_update"
    if link.is_primary:
        Connectivity.objects.filter(site=site, is_primary=True).exclude(pk=link.pk).update(is_primary=False)
    audit_record(
        action=action,
        actor=by,
        obj=link,
        unit=site.unit,
        details={"site": site.pk, **{k: _plain(data[k]) for k in changed if k in data}},
    )
    return link


# --------------------------------------------------------------------------------------------------
# Assets
# --------------------------------------------------------------------------------------------------
def _duplicate_serial(asset_type: str, serial: str, exclude: int | None = None) -> bool:
    return Asset.objects.filter(asset_type=asset_type, serial=serial).exclude(pk=exclude).exists()


@transaction.atomic
def asset_update(
    *, asset: Asset, by: Any, data: dict[str, Any], expected_version: int | None = None
) -> Asset:
    """Change an asset (its site sets its scope)."""
    current = _locked(Asset, asset.pk, expected_version)
    if _duplicate_serial(
        data.get("asset_type", current.asset_type), data.get("serial", current.serial), current.pk
    ):
        raise InfrastructureError(_("Another asset of this type has this serial number."), field="serial")
    changed = _apply(current, data)
    if not changed:
        return current
    if "site" in changed:
        current.unit_id = current.site.unit_id
        current.unit_code = current.site.unit_code
        changed += ["unit", "unit_code"]
    current.lock_version += 1
    current.save(update_fields=[*changed, "lock_version", "updated_at"])
    audit_record(
        action="infrastructure.asset_update",
        actor=by,
        obj=current,
        unit=current.unit,
        details={"fields": sorted(changed), **{k: _plain(data[k]) for k in changed if k in data}},
    )
    return current


# --------------------------------------------------------------------------------------------------
# Digital systems
# --------------------------------------------------------------------------------------------------
def _check_dependencies(system: DigitalSystem | None, dependencies: list[DigitalSystem]) -> None:
    if system is None:
        return
    if any(other.pk == system.pk for other in dependencies):
        raise InfrastructureError(_("A system cannot depend on itself."), field="dependencies")
    # A cycle would make "what breaks if this stops" endless: refuse a dependency that depends on us.
    seen: set[int] = set()
    frontier = {other.pk for other in dependencies}
    while frontier:
        if system.pk in frontier:
            raise InfrastructureError(
                _("These dependencies would make a circle: a chosen system already depends on this one."),
                field="dependencies",
            )
        seen |= frontier
        frontier = (
            set(
                DigitalSystem.dependencies.through.objects.filter(
                    from_digitalsystem_id__in=frontier
                ).values_list("to_digitalsystem_id", flat=True)
            )
            - seen
        )


@transaction.atomic
def system_create(*, by: Any, data: dict[str, Any]) -> DigitalSystem:
    """Register a digital system."""
    data = dict(data)
    dependencies = list(data.pop("dependencies", []))
    system = DigitalSystem.objects.create(**data)
    system.dependencies.set(dependencies)
    audit_record(
        action="infrastructure.system_create",
        actor=by,
        obj=system,
        details={"name": system.name, "dependencies": [d.pk for d in dependencies]},
    )
    return system


@transaction.atomic
def system_update(
    *, system: DigitalSystem, by: Any, data: dict[str, Any], expected_version: int | None = None
) -> DigitalSystem:
    """Change a system's registry entry, its dependencies included."""
    current = _locked(DigitalSystem, system.pk, expected_version)
    data = dict(data)
    dependencies = data.pop("dependencies", None)
    changed = _apply(current, data)
    if dependencies is not None:
        dependencies = list(dependencies)
        _check_dependencies(current, dependencies)
        before = set(current.dependencies.values_list("pk", flat=True))
        if before != {d.pk for d in dependencies}:
            current.dependencies.set(dependencies)
            changed.append("dependencies")
            data["dependencies"] = dependencies
    if not changed:
        return current
    current.lock_version += 1
    current.save(update_fields=[*[c for c in changed if c != "dependencies"], "lock_version", "updated_at"])
    audit_record(
        action="infrastructure.system_update",
        actor=by,
        obj=current,
        details={"fields": sorted(changed), **{k: _plain(data[k]) for k in changed if k in data}},
    )
    return current
