"""Backup and restore of an installation: the database and the file store in one archive
(``manage.py backup``, ``manage.py restore``).

The archive is a tar file:

* ``manifest.json``: when, which database engine, the applied migrations, the row count of every table
  and the SHA-256 and size of every stored file;
* ``database.dump`` (PostgreSQL, ``pg_dump`` custom format) or ``database.sqlite3`` (SQLite's online
  backup);
* ``files/…``: the file store (``MEDIA_ROOT``: attachments, evidence, issued documents, datasets).

Consistency: on PostgreSQL the row counts and ``pg_dump`` read one exported snapshot, so the manifest
describes exactly the dump even while people keep working. The files are copied after the database:
a file is stored before the row that names it is committed, so every file the dump refers to is in the
archive (a file stored meanwhile may be there too, unreferenced). The document-signing key is a secret
kept apart (``NOKOR_SIGNING_KEY_FILE``): it is not in the archive.

A restore goes into an empty installation only (no table, empty file store), then proves itself: every
table has the row count of the manifest, every file its hash, and the audit chain verifies.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
FILES = "files"
CHUNK = 1 << 20


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


@dataclass
class Verification:
    tables: int = 0
    rows: int = 0
    files: int = 0
    audit_events: int = 0
    problems: list[str] = field(default_factory=list)


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def _pg_env() -> dict[str, str]:
    """The connection of the default database for the PostgreSQL client tools."""
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    names = {"USER": "PGUSER", "PASSWORD": "PGPASSWORD", "HOST": "PGHOST", "PORT": "PGPORT"}
    for key, variable in names.items():
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _table_names() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def _count_rows(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 (names from the catalogue)
        counts[table] = cursor.fetchone()[0]
    return counts


def _stored_files(root: Path) -> Iterator[tuple[Path, str]]:
    """Every file of the store with its path relative to it, in a stable order."""
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, path.relative_to(root).as_posix()


def _sha256(stream) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
    archive.addfile(info, io.BytesIO(data))


def _migrations() -> dict[str, str]:
    """The last applied migration of every app."""
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def backup(target: Path) -> tuple[Path, dict]:
    """Write an archive of the database and the file store; return its path and its manifest. ``target``
    is a folder (the archive is named after the time) or a file name."""
    stamp = timezone.now()
    path = target / f"nokor-backup-{stamp:%Y%m%dT%H%M%SZ}.tar" if target.is_dir() else target
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="nokor-backup-") as work, tarfile.open(partial, "w") as archive:
        work_dir = Path(work)
        if _is_postgresql():
            database_name, counts = _dump_postgresql(work_dir / PG_DUMP)
        else:
            database_name, counts = _copy_sqlite(work_dir / SQLITE_COPY)
        archive.add(work_dir / database_name, arcname=database_name)
        files = {}
        for file_path, name in _stored_files(Path(settings.MEDIA_ROOT)):
            with file_path.open("rb") as stream:
                digest, size = _sha256(stream)
            archive.add(file_path, arcname=f"{FILES}/{name}")
            files[name] = {"sha256": digest, "size": size}
        manifest = {
            "format": FORMAT,
            "created_at": stamp.isoformat(),
            "engine": connection.vendor,
            "database": database_name,
            "migrations": _migrations(),
            "tables": counts,
            "files": files,
        }
        _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
    partial.replace(path)  # a backup cut short never looks like a whole one
    return path, manifest


def _dump_postgresql(output: Path) -> tuple[str, dict[str, int]]:
    """pg_dump and the row counts from one exported snapshot."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _count_rows(cursor, _table_names())
        _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={output}"], _pg_env())
    return PG_DUMP, counts


def _copy_sqlite(output: Path) -> tuple[str, dict[str, int]]:
    """SQLite's online backup (a consistent copy even while others write), counted from the copy."""
    connection.ensure_connection()
    copy = sqlite3.connect(output)
    try:
        connection.connection.backup(copy)
        tables = [
            row[0]
            for row in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name"
            )
        ]
        counts = {table: copy.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}  # noqa: S608
    finally:
        copy.close()
    return SQLITE_COPY, counts


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        # The PostgreSQL client tools with arguments of our own making, never a shell.
        completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed (apt install postgresql-client).") from error
    if completed.returncode:
        raise BackupError(f"{command[0]} failed: {completed.stderr.strip()}")


def read_manifest(archive_path: Path) -> dict:
    try:
        with tarfile.open(archive_path) as archive:
            member = archive.extractfile(MANIFEST)
            manifest = json.load(member) if member else None
    except (OSError, tarfile.TarError, KeyError, json.JSONDecodeError) as error:
        raise BackupError(f"{archive_path} is not a Nokor backup: {error}") from error
    if not manifest or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive_path} is not a Nokor backup of format {FORMAT}.")
    return manifest


def restore(archive_path: Path) -> Verification:
    """Restore an archive into this installation, which must be empty; then verify it."""
    manifest = read_manifest(archive_path)
    if manifest["engine"] != connection.vendor:
        raise BackupError(
            f"This backup is of a {manifest['engine']} database; this installation uses {connection.vendor}."
        )
    if connection.vendor == "sqlite":  # a fresh installation may not have its data folder yet
        Path(connection.settings_dict["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    existing = _table_names()
    if existing:
        raise BackupError(
            f"Restore needs an empty database: this one has {len(existing)} tables. "
            "Create a new database (or remove the SQLite file) and try again."
        )
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(media.iterdir()):
        raise BackupError(f"Restore needs an empty file store: {media} is not empty.")
    with tempfile.TemporaryDirectory(prefix="nokor-restore-") as work, tarfile.open(archive_path) as archive:
        work_dir = Path(work)
        archive.extract(manifest["database"], work_dir, filter="data")
        if manifest["engine"] == "postgresql":
            _run(
                ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                 f"--dbname={connection.settings_dict['NAME']}", str(work_dir / PG_DUMP)],
                _pg_env(),
            )  # fmt: skip
        else:
            _restore_sqlite(work_dir / SQLITE_COPY)
        media.mkdir(parents=True, exist_ok=True)
        members = [m for m in archive.getmembers() if m.name.startswith(f"{FILES}/") and m.isfile()]
        for member in members:
            member.name = member.name[len(FILES) + 1 :]
            archive.extract(member, media, filter="data")  # no absolute paths, no "..", no devices
    return verify(manifest)


def _restore_sqlite(copy: Path) -> None:
    name = Path(connection.settings_dict["NAME"])
    connection.close()
    shutil.copyfile(copy, name)


def verify(manifest: dict) -> Verification:
    """Compare this installation with a manifest: row counts, file hashes, and the audit chain."""
    from nokor.audit.services import verify_chain

    result = Verification()
    tables = manifest["tables"]
    with connection.cursor() as cursor:
        counts = _count_rows(cursor, [t for t in tables if t in set(_table_names())])
    for table, expected in tables.items():
        found = counts.get(table)
        if found != expected:
            result.problems.append(f"table {table}: {found} rows, the backup had {expected}")
    result.tables, result.rows = len(counts), sum(counts.values())
    media = Path(settings.MEDIA_ROOT)
    for name, expected in manifest["files"].items():
        path = media / name
        if not path.is_file():
            result.problems.append(f"file {name}: missing")
            continue
        with path.open("rb") as stream:
            digest, _size = _sha256(stream)
        if digest != expected["sha256"]:
            result.problems.append(f"file {name}: its content differs from the backup")
    result.files = len(manifest["files"])
    checked, broken = verify_chain()
    result.audit_events = checked
    if broken:
        result.problems.append(f"audit chain broken at event #{broken.seq}: {broken.reason}")
    return result
