"""Releases: numbered, immutable, a new one only when the content changed, old ones kept; the files
(CSV with a byte order mark, JSON) and their SHA-256; the tasks and the command."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.core.management import call_command
from django.utils import timezone

from nokor.audit.models import AuditEvent
from nokor.opendata import tasks
from nokor.opendata.models import Dataset, Release
from nokor.opendata.services import catalogue_sync, dataset_regenerate, datasets_regenerate
from nokor.opendata.tests.conftest import read_csv


def cyber_dataset() -> Dataset:
    catalogue_sync()
    return Dataset.objects.get(slug="cybercrime-reports")


def test_the_catalogue_is_created_once_and_never_overwritten(db):
    assert catalogue_sync() == 5
    Dataset.objects.filter(slug="cybercrime-reports").update(title_en="Edited by an administrator")
    assert catalogue_sync() == 0
    assert Dataset.objects.get(slug="cybercrime-reports").title_en == "Edited by an administrator"
    assert Dataset.objects.get(slug="office-connectivity").suppression_threshold == 0
    assert Dataset.objects.get(slug="cybercrime-reports").licence_url.endswith("/by/4.0/")


def test_a_first_regeneration_publishes_version_1_with_its_files(make_cyber_report):
    for _ in range(6):
        make_cyber_report()
    release = dataset_regenerate(dataset=cyber_dataset())
    assert release.version == 1 and release.row_count == 4  # the cell and its three totals
    data = release.csv_file.read()
    assert data.startswith(b"\xef\xbb\xbf") and hashlib.sha256(data).hexdigest() == release.sha256
    assert read_csv(data)[0]["reports"] == "6"
    document = json.loads(release.json_file.read())
    assert document["rows"][0]["reports"] == 6 and document["columns"][0]["name"] == "month"
    assert [column["name"] for column in release.columns] == [c["name"] for c in document["columns"]]
    assert AuditEvent.objects.filter(action="opendata.release.publish", object_id=str(release.pk)).exists()


def test_an_unchanged_regeneration_makes_no_version_and_records_the_check(make_cyber_report):
    make_cyber_report()
    dataset = cyber_dataset()
    first = dataset_regenerate(dataset=dataset)
    later = timezone.now() + dt.timedelta(days=1)
    assert dataset_regenerate(dataset=dataset, now=later) is None
    assert Release.objects.filter(dataset=dataset).count() == 1
    first.refresh_from_db()
    assert first.checked_at == later and first.created_at < later


def test_a_changed_regeneration_makes_a_new_version_and_keeps_the_old_one(make_cyber_report):
    for _ in range(6):
        make_cyber_report()
    dataset = cyber_dataset()
    first = dataset_regenerate(dataset=dataset)
    old_csv = first.csv_file.read()
    for _ in range(5):
        make_cyber_report(channel="facebook")
    second = dataset_regenerate(dataset=dataset)
    assert second.version == 2 and second.sha256 != first.sha256
    first.refresh_from_db()
    with first.csv_file.open("rb") as stored:
        assert stored.read() == old_csv  # the old version is untouched and still there
    assert first.csv_file.name != second.csv_file.name


def test_the_tasks_and_the_command_regenerate_every_dataset(db, capsys):
    assert tasks.regenerate_datasets.call() == {
        "cybercrime-reports": 1,
        "service-performance": 1,
        "training-completions": 1,
        "office-connectivity": 1,
        "digital-strategy-indicators": 1,
    }
    assert tasks.regenerate_dataset.call("cybercrime-reports") is None
    call_command("regenerate_datasets")
    assert "cybercrime-reports: unchanged" in capsys.readouterr().out
    assert datasets_regenerate()["service-performance"] is None


def test_the_nightly_job_is_registered():
    from nokor.core.tasks import PERIODIC_JOBS

    assert PERIODIC_JOBS["opendata.regenerate_nightly"].every == dt.timedelta(days=1)
