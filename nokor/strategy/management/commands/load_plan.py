"""manage.py load_plan: create or update the Digital Strategy Plan 2023-2027 from its data file
(idempotent; real targets entered by the planners are kept)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from nokor.strategy.loader import load_plan
from nokor.strategy.models import Indicator


class Command(BaseCommand):
    help = "Load the Digital Strategy Plan 2023-2027 with its indicators and demo targets."

    def handle(self, *args, **options):
        plan = load_plan()
        indicators = Indicator.objects.filter(objective__strategy__plan=plan).count()
        self.stdout.write(
            f"Loaded {plan.code}: {plan.strategies.count()} strategies, {indicators} indicators."
        )
