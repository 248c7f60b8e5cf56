from django import template
from django.utils.translation import gettext as _

from nokor.accounts.roles import Role
from nokor.audit.labels import action_label
from nokor.geography.models import AdministrativeUnit

register = template.Library()
register.filter("action_label", action_label)


@register.filter
def actor_display(event) -> str:
    """Role and unit for staff ('Service officer, Kandal'), never a staff member's name."""
    label = event.actor_label
    if label == "citizen":
        return _("A citizen")
    if label == "staff":
        return _("Ministry staff")
    if not label:
        return _("The public")
    if label.startswith("partner:"):
        return _("%(organisation)s, a partner organisation, through its API key") % {
            "organisation": label.removeprefix("partner:")
        }
    parts = [part.partition("@") for part in label.split(";")]
    units = {
        u.code: u
        for u in AdministrativeUnit.objects.filter(code__in=[code for _r, _s, code in parts if code])
    }
    shown = []
    for role, _sep, code in parts:
        role_name = Role(role).label if role in Role.values else role
        where = units[code].name if code in units else _("Nationwide")
        shown.append(f"{role_name}, {where}")
    return "; ".join(shown)
