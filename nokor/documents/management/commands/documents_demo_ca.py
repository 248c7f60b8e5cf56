"""manage.py documents_demo_ca: a demo root CA and signing certificate for issued documents.

Idempotent: existing files are kept. For demo and test installations only; production uses the key and
certificate of the government's certification authority (NOKOR_SIGNING_KEY_FILE and friends)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from nokor.documents.signing import DEMO_CA_NAME, SigningPaths, create_demo_ca


class Command(BaseCommand):
    help = "Create (once) a demo root CA and a document signing certificate at the configured paths."

    def handle(self, *args, **options):
        paths = SigningPaths.from_settings()
        written = create_demo_ca(paths)
        if not written:
            self.stdout.write(f"Signing key and certificates already present: {paths.key}, {paths.cert}")
            return
        for path in written:
            self.stdout.write(f"wrote {path}")
        self.stdout.write(
            self.style.WARNING(
                f"Documents are now signed under '{DEMO_CA_NAME}', which no one trusts by default: "
                f"for demonstrations only. To see signatures as trusted, import {paths.chain} as a "
                "trusted root in the PDF reader."
            )
        )
