"""Reads of open data. The public's pages read the catalogue as the public sees it (published datasets
only, whoever is signed in) from the cache: one small query tells whether it changed (the newest
release and the last edit of a dataset), so every web process sees a new release at once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Max, Min, Q, QuerySet
from django.http import Http404

from nokor.accounts.roles import Role
from nokor.core.access import get_for_user
from nokor.core.text import normalize_for_search
from nokor.opendata.models import DataRequest, Dataset, Release

CACHE_SECONDS = 24 * 3600
MAX_VERSION = 2**31 - 1  # the largest a version column holds on every database
_PUBLIC = AnonymousUser()
# Who reads every data request that is in their scope; other owners read those routed to their roles.
READ_ALL = frozenset({Role.ADMINISTRATOR, Role.AUDITOR})


def public_datasets() -> QuerySet[Dataset]:
    return Dataset.objects.visible_to(_PUBLIC)


def public_releases() -> QuerySet[Release]:
    return Release.objects.visible_to(_PUBLIC)


def _version() -> str:
    stamp = Dataset.objects.aggregate(edited=Max("updated_at"), release=Max("releases__id"))
    return f"{stamp['edited']}:{stamp['release']}"


def catalogue_changed() -> None:
    """Forget the cached catalogue (the version check also notices; this frees the memory at once)."""
    cache.delete("opendata:catalogue")


def catalogue() -> list[dict[str, Any]]:
    """Every published dataset with its latest release, as plain data in both languages (cached)."""
    version = _version()
    cached = cache.get("opendata:catalogue")
    if cached is not None and cached[0] == version:
        return cached[1]
    datasets = list(
        public_datasets()
        .annotate(
            latest_version=Max("releases__version"),
            first_released=Min("releases__created_at"),
        )
        .order_by("position", "slug")
    )
    wanted = Q(pk__in=[])
    for dataset in datasets:
        if dataset.latest_version:
            wanted |= Q(dataset_id=dataset.pk, version=dataset.latest_version)
    latest = {release.dataset_id: release for release in Release.objects.filter(wanted)}
    entries = [_entry(dataset, latest.get(dataset.pk)) for dataset in datasets]
    cache.set("opendata:catalogue", (version, entries), CACHE_SECONDS)
    return entries


def _entry(dataset: Dataset, release: Release | None) -> dict[str, Any]:
    fields = [
        "slug", "title_km", "title_en", "description_km", "description_en", "keywords_km", "keywords_en",
        "publisher_km", "publisher_en", "licence_title", "licence_url", "frequency", "spatial_km",
        "spatial_en", "spatial_uri", "themes",
    ]  # fmt: skip
    entry: dict[str, Any] = {name: getattr(dataset, name) for name in fields}
    entry["theme_codes"] = dataset.theme_codes
    entry["issued"] = dataset.first_released
    entry["search"] = normalize_for_search(
        " ".join(
            [dataset.title_km, dataset.title_en, dataset.description_km, dataset.description_en]
            + [dataset.keywords_km, dataset.keywords_en, dataset.slug]
        )
    )
    entry["latest"] = (
        None
        if release is None
        else {
            "version": release.version,
            "created_at": release.created_at,
            "checked_at": release.checked_at,
            "temporal_start": release.temporal_start,
            "temporal_end": release.temporal_end,
            "row_count": release.row_count,
            "csv_size": release.csv_size,
            "json_size": release.json_size,
            "sha256": release.sha256,
        }
    )
    return entry


def search(entries: list[dict[str, Any]], *, text: str = "", theme: str = "") -> list[dict[str, Any]]:
    """The entries whose titles, descriptions or keywords (either language) hold every word of
    ``text``, in ``theme`` when given."""
    words = normalize_for_search(text).split()
    return [
        entry
        for entry in entries
        if all(word in entry["search"] for word in words) and (not theme or theme in entry["theme_codes"])
    ]


def public_dataset(slug: str) -> Dataset:
    """A published dataset (404 for any other)."""
    return get_for_user(Dataset.objects.select_related("owner_unit"), _PUBLIC, slug=slug)


def public_release(slug: str, version: int) -> Release:
    """A release of a published dataset (404 for any other)."""
    if not 0 < version <= MAX_VERSION:
        raise Http404
    return get_for_user(
        Release.objects.select_related("dataset"), _PUBLIC, dataset__slug=slug, version=version
    )


def requests_for(user: Any) -> QuerySet[DataRequest]:
    """The data requests a staff member handles: those in their scope routed to one of their roles
    (administrators and auditors: every one in their scope)."""
    visible = DataRequest.objects.visible_to(user, "view").select_related("dataset", "owner_unit")
    if user.has_any_role(READ_ALL):
        return visible
    return visible.filter(owner_role__in={a.role for a in user.active_roles})
