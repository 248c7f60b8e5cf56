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
    "cyber.report_submit": _("Received your cybercrime report"),
    "cyber.report_add_information": _("Received more information for your report"),
    "cyber.report_triage": _("Assessed your report"),
    "cyber.report_reject": _("Decided not to take your report further"),
    "cyber.report_merge": _("Joined your report to another one about the same scam"),
    "cyber.report_message": _("Wrote to you about your report"),
    "cyber.case_link_report": _("Linked your report to an investigation"),
    "cyber.case_unlink_report": _("Unlinked your report from an investigation"),
    "cyber.referral_make": _("Referred you to an organisation that helps victims"),
    "cyber.evidence_add": _("Received a file you sent as evidence"),
    "cyber.evidence.viewed": _("Opened a file you sent as evidence"),
    "cyber.evidence.sensitive_opened": _("Opened a file you sent as evidence"),
    "cyber.evidence.downloaded": _("Downloaded a file you sent as evidence"),
    "cyber.evidence.exported": _("Included a file you sent in a case report"),
    "cyber.evidence.transferred": _("Handed a file you sent to another investigator or agency"),
    "cyber.case_report_export": _("Included your report in a case report"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, _("Changed your records")))
