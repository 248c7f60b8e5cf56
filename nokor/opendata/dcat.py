"""The catalogue as DCAT-AP JSON-LD (``/opendata/catalog.jsonld``): a ``dcat:Catalog`` of
``dcat:Dataset``s, each with the ``dcat:Distribution``s of its latest release (CSV and JSON), titles and
descriptions tagged with their language (km, en), EU vocabularies for themes and frequencies, GeoNames for
the area covered. Built from the cached catalogue, so it costs no query once cached."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import reverse

from nokor.opendata.models import Frequency, Theme

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "spdx": "http://spdx.org/rdf/terms#",
}
MEDIA_TYPES = {
    "csv": "http://www.iana.org/assignments/media-types/text/csv",
    "json": "http://www.iana.org/assignments/media-types/application/json",
}
FORMATS = {
    "csv": "http://publications.europa.eu/resource/authority/file-type/CSV",
    "json": "http://publications.europa.eu/resource/authority/file-type/JSON",
}


def _both(km: str, en: str) -> list[dict[str, str]]:
    return [{"@value": km, "@language": "km"}, {"@value": en, "@language": "en"}]


def _date(value: dt.date) -> dict[str, str]:
    return {"@value": value.isoformat(), "@type": "xsd:date"}


def _moment(value: dt.datetime) -> dict[str, str]:
    return {"@value": value.isoformat(), "@type": "xsd:dateTime"}


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _publisher(entry: dict[str, Any]) -> dict[str, Any]:
    return {"@type": "foaf:Agent", "foaf:name": _both(entry["publisher_km"], entry["publisher_en"])}


def dataset_node(entry: dict[str, Any]) -> dict[str, Any]:
    """One dataset of the catalogue (see :func:`nokor.opendata.selectors.catalogue`)."""
    page = _absolute(reverse("opendata:dataset", args=[entry["slug"]]))
    node: dict[str, Any] = {
        "@id": page,
        "@type": "dcat:Dataset",
        "dct:identifier": entry["slug"],
        "dct:title": _both(entry["title_km"], entry["title_en"]),
        "dct:description": _both(entry["description_km"], entry["description_en"]),
        "dct:publisher": _publisher(entry),
        "dct:license": {"@id": entry["licence_url"]},
        "dcat:theme": [{"@id": Theme.uri(code)} for code in entry["theme_codes"]],
        "dcat:keyword": [
            {"@value": word.strip(), "@language": language}
            for language in ("km", "en")
            for word in entry[f"keywords_{language}"].split(",")
            if word.strip()
        ],
        "dct:accrualPeriodicity": {"@id": Frequency.uri(entry["frequency"])},
        "dct:spatial": {"@id": entry["spatial_uri"]},
        "dcat:landingPage": {"@id": page},
    }
    latest = entry["latest"]
    if latest is None:
        return node
    node["dct:issued"] = _moment(entry["issued"])
    node["dct:modified"] = _moment(latest["created_at"])
    node["dcat:version"] = str(latest["version"])
    if latest["temporal_start"] or latest["temporal_end"]:
        period: dict[str, Any] = {"@type": "dct:PeriodOfTime"}
        if latest["temporal_start"]:
            period["dcat:startDate"] = _date(latest["temporal_start"])
        if latest["temporal_end"]:
            period["dcat:endDate"] = _date(latest["temporal_end"])
        node["dct:temporal"] = period
    node["dcat:distribution"] = [
        {
            "@id": f"{page}#v{latest['version']}-{kind}",
            "@type": "dcat:Distribution",
            "dct:title": _both(
                f"{entry['title_km']} ({kind.upper()})", f"{entry['title_en']} ({kind.upper()})"
            ),
            "dcat:accessURL": {"@id": page},
            "dcat:downloadURL": {
                "@id": _absolute(reverse("opendata:download", args=[entry["slug"], latest["version"], kind]))
            },
            "dcat:mediaType": {"@id": MEDIA_TYPES[kind]},
            "dct:format": {"@id": FORMATS[kind]},
            "dct:license": {"@id": entry["licence_url"]},
            "dcat:byteSize": {"@value": str(latest[f"{kind}_size"]), "@type": "xsd:nonNegativeInteger"},
            "dct:issued": _moment(latest["created_at"]),
            **(
                {
                    "spdx:checksum": {
                        "@type": "spdx:Checksum",
                        "spdx:algorithm": {"@id": "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"},
                        "spdx:checksumValue": latest["sha256"],
                    }
                }
                if kind == "csv"
                else {}
            ),
        }
        for kind in ("csv", "json")
    ]
    return node


def catalogue_document(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole catalogue as one JSON-LD document."""
    return {
        "@context": CONTEXT,
        "@id": _absolute(reverse("opendata:catalog_jsonld")),
        "@type": "dcat:Catalog",
        "dct:title": _both("ទិន្នន័យបើកចំហរបស់ក្រសួងមហាផ្ទៃ", "Open data of the Ministry of Interior"),
        "dct:description": _both(
            "សំណុំទិន្នន័យសរុបដែលក្រសួងមហាផ្ទៃបានចេញផ្សាយ ដោយលាក់ចំនួនតូចៗ។",
            "Aggregate datasets published by the Ministry of Interior, with small counts hidden.",
        ),
        "dct:publisher": {
            "@type": "foaf:Agent",
            "foaf:name": _both("ក្រសួងមហាផ្ទៃ", "Ministry of Interior"),
        },
        "dct:language": [
            {"@id": "http://publications.europa.eu/resource/authority/language/KHM"},
            {"@id": "http://publications.europa.eu/resource/authority/language/ENG"},
        ],
        "dcat:dataset": [dataset_node(entry) for entry in entries],
    }
