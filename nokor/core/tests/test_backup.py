"""Backup and restore (issue 10, "Backups"): a round trip into an empty installation keeps every row, every
file and the audit chain; a restore refuses an installation that is not empty; verification notices a
changed file."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from nokor.audit.models import AuditEvent
from nokor.audit.services import audit_record
from nokor.core import backup

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump reads what is committed


@pytest.fixture
def stored(settings, tmp_path, citizen, officer_kandal):
    """Two people, audit events and two stored files (one in a sub-folder, one binary)."""
    settings.MEDIA_ROOT = tmp_path / "files"
    audit_record(action="test.backup", actor=officer_kandal, obj=citizen, subject=citizen)
    audit_record(action="test.backup", actor=officer_kandal, obj=officer_kandal)
    default_storage.save("attachments/2026/letter.txt", ContentFile("ឯកសារ letter".encode()))
    default_storage.save("documents/scan.bin", ContentFile(os.urandom(70_000)))
    return tmp_path


@pytest.fixture
def empty_installation(tmp_path):
    """The environment of a fresh installation on the same engine: a new database, an empty data folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOKOR_")}
    env.update(NOKOR_DEBUG="1", NOKOR_DATA_DIR=str(tmp_path / "restored"), NOKOR_LOG_LEVEL="WARNING")
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        name = f"nokor_restore_{uuid.uuid4().hex[:12]}"
        params = {"host": db["HOST"] or None, "port": db["PORT"] or None, "user": db["USER"] or None}
        params["password"] = db["PASSWORD"] or None
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
        env["DATABASE_URL"] = f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{name}"
        yield env
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'restored' / 'nokor.sqlite3'}"
        yield env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _restored_count(env: dict[str, str], table: str) -> int:
    url = env["DATABASE_URL"]
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as db:
        return db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608


def test_a_backup_restores_into_an_empty_installation_with_every_row_file_and_the_audit_chain(
    stored, empty_installation
):
    archive = stored / "nokor.tar"
    call_command("backup", output=str(archive), verbosity=0)
    manifest = backup.read_manifest(archive)
    assert manifest["engine"] == connection.vendor
    assert manifest["tables"]["accounts_user"] == 2
    assert manifest["tables"]["audit_auditevent"] == AuditEvent.objects.count() >= 2
    assert set(manifest["files"]) == {"attachments/2026/letter.txt", "documents/scan.bin"}

    restored = _manage(empty_installation, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "Restored and verified" in restored.stdout and "audit chain intact" in restored.stdout

    # Checked again from outside the command: rows, files and the chain.
    for table in ("accounts_user", "audit_auditevent", "geography_administrativeunit"):
        assert _restored_count(empty_installation, table) == manifest["tables"][table]
    files = Path(empty_installation["NOKOR_DATA_DIR"]) / "files"
    for name in manifest["files"]:
        assert _sha256(files / name) == _sha256(stored / "files" / name)
    verified = _manage(empty_installation, "audit", "verify")
    assert verified.returncode == 0 and "Audit chain intact" in verified.stdout

    # A second restore would mix two installations: refused, nothing touched.
    again = _manage(empty_installation, "restore", str(archive))
    assert again.returncode == 1 and "Restore needs an empty database" in again.stderr


def test_verification_names_a_changed_file_and_a_missing_row(stored):
    archive = stored / "nokor.tar"
    call_command("backup", output=str(archive), verbosity=0)
    manifest = backup.read_manifest(archive)
    assert backup.verify(manifest).problems == []

    (stored / "files" / "attachments/2026/letter.txt").write_text("changed")
    manifest["tables"]["accounts_user"] += 1
    problems = backup.verify(manifest).problems
    assert "file attachments/2026/letter.txt: its content differs from the backup" in problems
    assert "table accounts_user: 2 rows, the backup had 3" in problems


def test_an_archive_that_is_not_a_backup_is_refused(tmp_path):
    bogus = tmp_path / "bogus.tar"
    bogus.write_bytes(b"not a tar file")
    with pytest.raises(backup.BackupError, match="is not a Nokor backup"):
        backup.read_manifest(bogus)
