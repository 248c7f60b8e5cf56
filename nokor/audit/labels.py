"""Plain-language names of audited actions, shown to citizens in 'who viewed my data'."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "personal_data.view": _("Viewed your data"),
    "personal_data.export": _("Exported your data"),
    "document.verify": _("Verified by QR"),
    "account.signup": _("Created your account"),
    "account.login": _("Signed in"),
    "account.password_change": _("Changed your password"),
    "staff.create": _("Created your staff account"),
    "role.assign": _("Gave you a role"),
    "role.end": _("Ended a role of yours"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, _("Changed your records")))
