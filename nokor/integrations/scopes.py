"""What an API key may be allowed to do: one registry of scopes, each a line.

An operation names the scope it needs with ``auth=api_auth("scope")`` (nokor.integrations.auth); a key
is granted a subset of these when an administrator creates it. Add a scope here with the operation that
needs it.
"""

from django.utils.translation import gettext_lazy as _

SCOPES = {
    "scam-check:read": _("Check phone numbers, web addresses and accounts against the scam list"),
    "documents:verify": _("Verify issued documents by their code"),
    "applications:read-own-org": _("Read the applications filed by members of the organisation"),
    "reports:create": _("File cybercrime reports"),
    "opendata:read": _("Read the open datasets"),
    "academy:verify": _("Verify training certificates"),
    "infrastructure:read": _("Read the connectivity of offices"),
    "strategy:read": _("Read the indicators of the digital strategy plan"),
}


def scope_choices() -> list[tuple[str, str]]:
    """The scopes as form choices (name, description), in the registry's order."""
    return [(name, f"{name} — {description}") for name, description in SCOPES.items()]
