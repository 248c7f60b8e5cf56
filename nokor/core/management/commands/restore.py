"""manage.py restore ARCHIVE: into an empty installation, then verified (nokor/core/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from nokor.core import backup


class Command(BaseCommand):
    help = (
        "Restore a backup made with manage.py backup into an empty installation (empty database, empty "
        "file store), then check row counts, file hashes and the audit chain. Exits 1 on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")

    def handle(self, *args, archive: str, **options):
        try:
            result = backup.restore(Path(archive))
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        if result.problems:
            differences = "\n".join(result.problems)
            raise CommandError(f"The restored installation differs from the backup:\n{differences}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored and verified: {result.tables} tables ({result.rows:,} rows), {result.files} files "
                f"with their hashes, audit chain intact ({result.audit_events} events)."
            )
        )
