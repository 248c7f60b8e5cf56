"""manage.py audit verify: check the audit chain; exits 1 naming the first broken event."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from nokor.audit.services import verify_chain


class Command(BaseCommand):
    help = "Audit trail tools. 'verify' checks that no event was edited, deleted, inserted or reordered."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action: str, **options):
        checked, broken = verify_chain()
        if broken:
            raise CommandError(
                f"Audit chain broken at event #{broken.seq}: {broken.reason} ({checked} intact before it)."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} events verified."))
