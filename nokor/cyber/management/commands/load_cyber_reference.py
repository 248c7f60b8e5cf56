"""manage.py load_cyber_reference: the cybercrime categories (with their urgent next steps) and the banks
and e-wallets. Idempotent: missing rows are created, edited rows are kept unless --update is given."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from nokor.cyber import reference_data


class Command(BaseCommand):
    help = "Load the cybercrime categories and institutions (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--update",
            action="store_true",
            help="Reset existing rows to the shipped texts (overwrites edits made in the admin).",
        )

    def handle(self, *args, **options):
        counts = reference_data.load(update=options["update"])
        if options["verbosity"]:
            self.stdout.write(
                f"Cyber reference data: {counts['created']} created, {counts['updated']} updated."
            )
