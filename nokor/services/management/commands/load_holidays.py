"""manage.py load_holidays [--from YEAR] [--to YEAR]: seed the public holidays from the `holidays` package."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from nokor.services.calendar import seed_holidays

FIRST_YEAR, LAST_YEAR = 2024, 2030


class Command(BaseCommand):
    help = (
        "Add Cambodia's public holidays (names in English and Khmer) to the editable holiday table. "
        "Days already there are kept as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", type=int, default=FIRST_YEAR)
        parser.add_argument("--to", dest="last", type=int, default=LAST_YEAR)

    def handle(self, *args, first: int, last: int, **options):
        if first > last:
            raise CommandError("--from must not be after --to")
        added = seed_holidays(first, last)
        self.stdout.write(f"{added} holidays added for {first}-{last}.")
