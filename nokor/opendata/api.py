"""The open data API: the catalogue, one dataset with its releases, and a release's rows as JSON. Open to
anyone, like the pages (the same published datasets, through the same selectors)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema

from nokor.opendata import selectors

router = Router(tags=["open data"])


class LatestReleaseOut(Schema):
    version: int
    created_at: dt.datetime
    temporal_start: dt.date | None
    temporal_end: dt.date | None
    row_count: int
    sha256: str


class DatasetOut(Schema):
    slug: str
    title_km: str
    title_en: str
    description_km: str
    description_en: str
    themes: list[str]
    keywords_km: str
    keywords_en: str
    frequency: str
    licence_url: str
    latest: LatestReleaseOut | None


class ReleaseOut(Schema):
    version: int
    created_at: dt.datetime
    temporal_start: dt.date | None
    temporal_end: dt.date | None
    row_count: int
    sha256: str
    csv_url: str
    json_url: str


class ColumnOut(Schema):
    name: str
    type: str
    description_km: str
    description_en: str
    unit: str


class DatasetDetailOut(DatasetOut):
    columns: list[ColumnOut]
    releases: list[ReleaseOut]


class ReleaseDataOut(Schema):
    dataset: str
    version: int
    columns: list[ColumnOut]
    rows: list[dict[str, Any]]


def _dataset(entry: dict[str, Any]) -> dict[str, Any]:
    return {**entry, "themes": entry["theme_codes"]}


@router.get(
    "/opendata/datasets",
    response=list[DatasetOut],
    auth=None,
    summary="List the open datasets",
    description="Every published dataset with its metadata in Khmer and English and its latest release.",
)
def dataset_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_dataset(entry) for entry in selectors.catalogue()]


@router.get(
    "/opendata/datasets/{slug}",
    response=DatasetDetailOut,
    auth=None,
    summary="An open dataset with its releases",
    description="The dataset's metadata, the data dictionary of its latest release, and its releases "
    "(newest first, at most 100) with the addresses of their CSV and JSON files.",
)
def dataset_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    dataset = selectors.public_dataset(slug)
    entry = next(entry for entry in selectors.catalogue() if entry["slug"] == dataset.slug)
    releases = list(dataset.releases.order_by("-version")[:100])
    return {
        **_dataset(entry),
        "columns": releases[0].columns if releases else [],
        "releases": [
            {
                "version": release.version,
                "created_at": release.created_at,
                "temporal_start": release.temporal_start,
                "temporal_end": release.temporal_end,
                "row_count": release.row_count,
                "sha256": release.sha256,
                **{
                    f"{kind}_url": request.build_absolute_uri(
                        reverse("opendata:download", args=[dataset.slug, release.version, kind])
                    )
                    for kind in ("csv", "json")
                },
            }
            for release in releases
        ],
    }


@router.get(
    "/opendata/datasets/{slug}/releases/{version}",
    response=ReleaseDataOut,
    auth=None,
    summary="The rows of a release",
    description="The rows of one release of a dataset as JSON, with its data dictionary; hidden figures "
    "are null, and the `suppressed` column says why.",
)
def release_data(request: HttpRequest, slug: str, version: int) -> dict[str, Any]:
    release = selectors.public_release(slug, version)
    with release.json_file.open("rb") as stored:
        document = json.load(stored)
    return {
        "dataset": slug,
        "version": release.version,
        "columns": document["columns"],
        "rows": document["rows"],
    }
