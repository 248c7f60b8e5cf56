"""``manage.py seed_api_key``: a partner organisation with a key holding every scope, for the benchmark
(bench/scenarios.py) and for trying the API by hand. Prints the key, the only time it is shown, in the
line the benchmark harness reads: ``NOKOR_SEED {"integrations": {"token": …}}``. Each run makes a new key
(earlier ones keep working)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from nokor.integrations import services
from nokor.integrations.models import Organisation
from nokor.integrations.scopes import SCOPES

MARKER = "NOKOR_SEED "
NAME_EN = "Benchmark bank"


class Command(BaseCommand):
    help = "Create a partner organisation (once) and a new API key with every scope; print the key."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rate-limit", type=int, default=1_000_000_000, help="calls a minute")

    def handle(self, *args, **options) -> None:
        organisation = Organisation.objects.filter(name_en=NAME_EN).first() or services.organisation_create(
            by=None, name_km="ធនាគារសាកល្បង", name_en=NAME_EN, kind=Organisation.Kind.BANK
        )
        _key, token = services.api_key_create(
            by=None,
            organisation=organisation,
            label="Benchmark",
            scopes=list(SCOPES),
            rate_limit=options["rate_limit"],
        )
        self.stdout.write(MARKER + json.dumps({"integrations": {"token": token}}))
