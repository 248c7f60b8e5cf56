"""manage.py demo_totp: print the current two-factor code of the demo staff accounts (demo mode only)."""

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Print the current TOTP code shared by the demo staff accounts."

    def handle(self, *args, **options):
        if not (settings.DEMO or settings.DEBUG):
            raise CommandError("Only in demo mode (NOKOR_DEMO=1).")
        from nokor.accounts.demo import DEMO_TOTP_SECRET

        counters = list(yield_hotp_counters_from_time())
        self.stdout.write(format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counters[len(counters) // 2])))
