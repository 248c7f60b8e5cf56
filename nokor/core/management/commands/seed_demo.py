"""manage.py seed_demo: demo people for every role and a little data in each app (idempotent).

Each app that has demo data provides `<app>/demo.py` with a `seed()` function; this command runs them in
dependency order. Passwords are printed only in demo mode (NOKOR_DEMO=1)."""

from __future__ import annotations

import importlib

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from nokor.geography.models import AdministrativeUnit

DEMO_MODULES = [
    "nokor.accounts.demo",
    "nokor.documents.demo",
    "nokor.services.demo",
    "nokor.cyber.demo",
    "nokor.academy.demo",
    "nokor.infrastructure.demo",
    "nokor.strategy.demo",
    "nokor.opendata.demo",
]


class Command(BaseCommand):
    help = "Create demo users for every role and sample data. Refuses to run unless NOKOR_DEMO=1 or DEBUG."

    def handle(self, *args, **options):
        if not (settings.DEMO or settings.DEBUG):
            raise CommandError("Demo data is only for demo installations: set NOKOR_DEMO=1.")
        if not AdministrativeUnit.objects.exists():
            call_command("load_gazetteer", verbosity=0)
        call_command("load_services", verbosity=0)
        people = []
        for module_name in DEMO_MODULES:
            result = importlib.import_module(module_name).seed()
            if module_name == "nokor.accounts.demo":
                people = result
        from nokor.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD})")
        for email, what in people:
            self.stdout.write(f"  {email:42} {what}")
        self.stdout.write(
            f"Staff two-factor: add the TOTP secret {DEMO_TOTP_SECRET} to an authenticator app, "
            "or run: NOKOR_DEMO=1 .venv/bin/python manage.py demo_totp"
        )
