"""manage.py load_gazetteer [--file PATH]: load or refresh the administrative tree."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from nokor.geography.loader import DEFAULT_FILE, load_gazetteer, read_rows


class Command(BaseCommand):
    help = "Load the NCDD gazetteer (via Pumi, MIT licence) into the administrative tree. Safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DEFAULT_FILE)

    def handle(self, *args, file: Path, verbosity: int, **options):
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        total = len(read_rows(file))
        with tqdm(total=total, unit="unit", disable=verbosity == 0, desc="gazetteer") as bar:
            report = load_gazetteer(file, progress=bar.update)
            bar.update(total - bar.n)
        if report.errors:
            raise CommandError("Nothing loaded: " + "; ".join(report.errors[:10]))
        self.stdout.write(
            f"{report.created} added, {report.updated} updated, {report.retired} retired, "
            f"{report.unchanged} unchanged."
        )
