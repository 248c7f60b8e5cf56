"""manage.py regenerate_datasets: regenerate every open dataset now (the nightly task does the same),
and print what changed and how long it took."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from nokor.opendata import services


class Command(BaseCommand):
    help = "Regenerate every open dataset; a dataset whose content changed gets a new release."

    def handle(self, *args, **options):
        started = time.monotonic()
        result = services.datasets_regenerate()
        for slug, version in result.items():
            self.stdout.write(f"  {slug}: {f'version {version}' if version else 'unchanged'}")
        self.stdout.write(f"Regenerated {len(result)} datasets in {time.monotonic() - started:.1f} s.")
