"""manage.py refresh_indicators: recompute the aggregate table of the plan's indicators now, and print
how long it took (the nightly task does the same)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from nokor.strategy.aggregation import refresh
from nokor.strategy.models import Indicator


class Command(BaseCommand):
    help = "Recompute the aggregated values of the plan's indicators (all, or --automatic only)."

    def add_arguments(self, parser):
        parser.add_argument("--automatic", action="store_true", help="Only the automatic indicators.")

    def handle(self, *args, **options):
        indicators = Indicator.objects.all()
        if options["automatic"]:
            indicators = indicators.filter(source=Indicator.Source.AUTOMATIC)
        done = refresh(indicators)
        self.stdout.write(
            f"Recomputed {done['indicators']} indicators ({done['rows']} values) in {done['seconds']} s."
        )
