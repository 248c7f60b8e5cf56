"""How official fees are paid. Today: at the office, against a numbered receipt the officer records.
An online provider is a class with the same interface, added to PROVIDERS (and to the officer form):
`code`, `label`, `clean_receipt(text) -> str` (raise ValueError with a message for people)."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _


class OfficePayment:
    """Paid in cash at the office; the officer records the receipt number printed on the receipt book."""

    code = "office"
    label = _("Paid at the office")
    _format = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/\-. ]{0,59}$")

    def clean_receipt(self, text: str) -> str:
        value = " ".join(text.split())
        if not self._format.match(value):
            raise ValueError(_("Enter the receipt number as printed (letters, digits, / and -)."))
        return value


PROVIDERS = {provider.code: provider for provider in (OfficePayment(),)}
METHOD_CHOICES = [(code, provider.label) for code, provider in PROVIDERS.items()]
