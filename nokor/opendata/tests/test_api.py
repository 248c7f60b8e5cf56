"""The open data API router: the catalogue, a dataset with its releases, a release's rows."""

from __future__ import annotations

import pytest
from ninja.testing import TestClient

from nokor.opendata.api import router
from nokor.opendata.models import Dataset
from nokor.opendata.services import datasets_regenerate


@pytest.fixture
def api(make_cyber_report):
    for _ in range(6):
        make_cyber_report()
    datasets_regenerate()
    return TestClient(router)


def test_the_api_lists_the_published_datasets(api):
    Dataset.objects.filter(slug="office-connectivity").update(is_published=False)
    response = api.get("/opendata/datasets")
    assert response.status_code == 200
    slugs = [dataset["slug"] for dataset in response.json()]
    assert "cybercrime-reports" in slugs and "office-connectivity" not in slugs
    cyber = next(dataset for dataset in response.json() if dataset["slug"] == "cybercrime-reports")
    assert cyber["themes"] == ["JUST", "TECH"] and cyber["latest"]["version"] == 1


def test_the_api_gives_a_dataset_with_its_releases(api):
    body = api.get("/opendata/datasets/cybercrime-reports").json()
    assert [release["version"] for release in body["releases"]] == [1]
    assert body["releases"][0]["csv_url"].endswith("/opendata/cybercrime-reports/v1.csv")
    assert body["columns"][0]["name"] == "month"
    assert api.get("/opendata/datasets/no-such-thing").status_code == 404


def test_the_api_gives_the_rows_of_a_release(api):
    body = api.get("/opendata/datasets/cybercrime-reports/releases/1").json()
    assert body["version"] == 1 and body["rows"][0]["reports"] == 6
    assert api.get("/opendata/datasets/cybercrime-reports/releases/2").status_code == 404
    assert api.get(f"/opendata/datasets/cybercrime-reports/releases/{2**70}").status_code == 404
