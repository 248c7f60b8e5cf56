"""Every event that notifies a person. Each has a template per language in
templates/notifications/events/<event>.<language>.txt: the first line is the subject, the rest the body,
with Django template variables. A test checks that every event has both languages."""

from django.utils.translation import gettext_lazy as _

EVENTS: dict[str, object] = {
    "account.welcome": _("Welcome to Nokor (after sign-up)"),
    "account.password_changed": _("Your password was changed"),
    "staff.welcome": _("A staff account was created for you"),
}
