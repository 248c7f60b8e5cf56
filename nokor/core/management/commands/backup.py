"""manage.py backup [--output PATH]: the database and the file store in one archive (nokor/core/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from nokor.core import backup


class Command(BaseCommand):
    help = "Back up the database and the file store into one tar archive (restore it with manage.py restore)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=str(settings.DATA_DIR / "backups"),
            help="a folder (the archive is named after the time) or an archive file name",
        )

    def handle(self, *args, output: str, **options):
        target = Path(output)
        if not target.suffix:
            target.mkdir(parents=True, exist_ok=True)
        try:
            path, manifest = backup.backup(target)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {len(manifest['tables'])} tables ({rows:,} rows) and {len(manifest['files'])} "
                f"files to {path}"
            )
        )
