"""manage.py load_services [--path DIR] [--force] [--no-holidays]: load or refresh the service catalogue."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from nokor.services.calendar import seed_holidays
from nokor.services.catalogue import CATALOGUE_DIR, CatalogueError, load_catalogue
from nokor.services.management.commands.load_holidays import FIRST_YEAR, LAST_YEAR


class Command(BaseCommand):
    help = (
        "Load the e-services of the catalogue files (one JSON file per service) and the public holidays. "
        "Safe to re-run: a new form version only when a definition changed; nothing is written if a "
        "file is invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("--path", type=Path, default=CATALOGUE_DIR, help="folder of the catalogue files")
        parser.add_argument(
            "--force",
            action="store_true",
            help="also replace forms changed in the admin",
        )
        parser.add_argument("--no-holidays", action="store_true", help="do not seed the public holidays")

    def handle(self, *args, path: Path, force: bool, no_holidays: bool, **options):
        if not path.is_dir():
            raise CommandError(f"No such folder: {path}")
        try:
            with transaction.atomic():
                report = load_catalogue(path, force=force)
                holidays = 0 if no_holidays else seed_holidays(FIRST_YEAR, LAST_YEAR)
        except CatalogueError as error:
            raise CommandError("Nothing loaded:\n" + "\n".join(error.messages)) from error
        self.stdout.write(
            f"{len(report.created)} services added, {len(report.updated)} updated, "
            f"{len(report.new_versions)} new form versions, {holidays} holidays added."
        )
        for slug in report.skipped:
            self.stdout.write(
                self.style.WARNING(
                    f"{slug}: its form was changed in the admin; kept (use --force to replace it)."
                )
            )
