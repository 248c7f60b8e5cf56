"""Every event that notifies a person. Each has a template per language in
templates/notifications/events/<event>.<language>.txt: the first line is the subject, the rest the body,
with Django template variables. A test checks that every event has both languages."""

from django.utils.translation import gettext_lazy as _

EVENTS: dict[str, object] = {
    "account.welcome": _("Welcome to Nokor (after sign-up)"),
    "account.password_changed": _("Your password was changed"),
    "staff.welcome": _("A staff account was created for you"),
    "document.ready": _("Your document is ready to download"),
    "application.submitted": _("Application received, with a copy of the answers"),
    "application.info_requested": _("The office needs more information"),
    "application.info_provided": _("The applicant answered (to the officer)"),
    "application.approved": _("Application approved"),
    "application.refused": _("Application refused, with the reasons and how to appeal"),
    "application.message": _("A message from the office"),
    "application.appeal_dismissed": _("Appeal dismissed"),
    "application.assigned": _("An application was assigned to you (to the officer)"),
    "application.escalated": _("An application was escalated (to supervisors)"),
    "application.due_soon": _("An application is due soon (to the officer)"),
    "cyber.report_received": _("Cybercrime report received, with the urgent next steps"),
    "cyber.report_status": _("The status of a cybercrime report changed"),
    "academy.assigned": _("Mandatory training was assigned to you"),
    "academy.due_soon": _("Your mandatory training is due soon"),
    "academy.overdue": _("Your mandatory training is overdue"),
    "staff.imported": _("A staff account was created for you from a staff list"),
    "infrastructure.incident_opened": _("A monitored service is down (to the system's accountable person)"),
    "infrastructure.incident_resolved": _(
        "A monitored service works again (to the system's accountable person)"
    ),
    "strategy.report_submitted": _("A progress report waits for approval (to the approvers)"),
    "strategy.report_returned": _("A progress report was returned for correction (to its author)"),
    "strategy.report_approved": _("A progress report was approved (to its author)"),
    "strategy.report_due": _("Progress reports are due soon (to focal points)"),
    "strategy.report_overdue": _("Progress reports are overdue (to focal points)"),
    "opendata.data_requested": _("Someone asked for data (to the data owner)"),
}
