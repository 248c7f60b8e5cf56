"""Forms of the investigators' pages: the actions on a report (one or several), cases and their tasks and
notes, freeze requests and their answers, referrals. Forms only parse what was typed; the rules live in
the services (``triage``, ``cases``, ``freeze``, ``referrals``), whose errors come back on these forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nokor.core.text import strip_invisible
from nokor.cyber import cases, freeze, triage
from nokor.cyber.forms_report import AmountField
from nokor.cyber.models import (
    INVESTIGATORS,
    Case,
    CaseEvent,
    FreezeRequest,
    Institution,
    ReferralOrganisation,
)
from nokor.cyber.models import Transfer as TransferModel
from nokor.geography.models import AdministrativeUnit, Level
from nokor.services.forms_engine import DateAnswerField

NOTIFY_LABEL = _("Tell the reporter about this change (by e-mail, SMS or their account)")


def _clean_text(value: str) -> str:
    return "\n".join(strip_invisible(line) for line in (value or "").splitlines()).strip()


class StaffForm(forms.Form):
    """A form whose service errors (``TriageError``, ``CaseError``) are shown on the field at fault."""

    def add_service_error(self, error: triage.TriageError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)


class TextAreaField(forms.CharField):
    def __init__(self, *, rows: int = 4, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        return super().clean(_clean_text(value or ""))


# --------------------------------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------------------------------
class NotifyForm(StaffForm):
    notify = forms.BooleanField(label=NOTIFY_LABEL, required=False)


class RejectForm(NotifyForm):
    reason = TextAreaField(
        label=_("Reason for not taking the report further"),
        max_length=triage.MAX_REASON,
        help_text=_("Kept for the record. The reporter does not read it: write them a message if needed."),
        error_messages={"required": _("Give the reason for not taking the report further.")},
    )
    field_order = ["reason", "notify"]


class MergeForm(NotifyForm):
    into = forms.CharField(
        label=_("Reference of the report to merge into"),
        max_length=40,
        help_text=_("For example CY-2026-000123-7. This report is then closed; its details keep counting."),
        error_messages={"required": _("Enter the reference of the report to merge into.")},
    )
    field_order = ["into", "notify"]


class LinkCaseForm(NotifyForm):
    case = forms.CharField(
        label=_("Case number"),
        max_length=40,
        help_text=_("For example CASE-2026-000123."),
        error_messages={"required": _("Enter the case number.")},
    )
    field_order = ["case", "notify"]


class OpenCaseForm(StaffForm):
    title = forms.CharField(
        label=_("Title of the case"),
        max_length=cases.MAX_TITLE,
        error_messages={"required": _("Give the case a title.")},
    )
    summary = TextAreaField(label=_("Summary"), max_length=cases.MAX_TEXT, required=False)


class MessageForm(NotifyForm):
    public_note = TextAreaField(
        label=_("Message to the reporter"),
        max_length=triage.MAX_PUBLIC_NOTE,
        required=False,
        help_text=_(
            "Shown with the status when the reporter follows the report. Never write internal details."
        ),
    )
    field_order = ["public_note", "notify"]


class ReferralForm(StaffForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=ReferralOrganisation.objects.filter(is_active=True),
        empty_label=_("Choose an organisation"),
        error_messages={"required": _("Choose the organisation to refer to.")},
    )
    note = TextAreaField(
        label=_("Note for the organisation"),
        max_length=4000,
        required=False,
        help_text=_("Where the person is held or was last in contact, who to call, any danger to them."),
    )


class ReferenceListField(forms.Field):
    """The references of the reports ticked in the queue (one value per checkbox)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return list(dict.fromkeys(strip_invisible(str(item)).strip() for item in values if str(item).strip()))


class BulkForm(StaffForm):
    """One action on the reports ticked in the queue."""

    TRIAGE, LINK, OPEN, REJECT = "triage", "link", "open", "reject"
    ACTIONS = (TRIAGE, LINK, OPEN, REJECT)

    action = forms.ChoiceField(choices=[(action, action) for action in ACTIONS])
    reports = ReferenceListField(
        label=_("Reports"), error_messages={"required": _("Select at least one report.")}
    )
    case = forms.CharField(label=_("Case number"), max_length=40, required=False)
    title = forms.CharField(label=_("Title of the new case"), max_length=cases.MAX_TITLE, required=False)
    reason = TextAreaField(
        label=_("Reason for not taking them further"), max_length=triage.MAX_REASON, required=False, rows=2
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        action = data.get("action")
        needs = {
            self.LINK: ("case", _("Enter the case number to link the reports to.")),
            self.OPEN: ("title", _("Give the new case a title.")),
            self.REJECT: ("reason", _("Give the reason for not taking the reports further.")),
        }
        if action in needs:
            name, message = needs[action]
            if not (data.get(name) or "").strip():
                self.add_error(name, message)
        return data


# --------------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------------
def unit_choices(user: Any, current: AdministrativeUnit | None = None):
    """Provinces and districts in the investigator's scope (and the case's current unit)."""
    prefixes = user.unit_prefixes_for(INVESTIGATORS) or set()
    rows = AdministrativeUnit.objects.filter(level__lte=Level.DISTRICT)
    if "" not in prefixes:
        condition = Q(pk__in=[])
        for prefix in prefixes:
            condition |= Q(code__startswith=prefix)
        if current is not None:
            condition |= Q(pk=current.pk)
        rows = rows.filter(condition)
    elif current is not None:
        rows = rows | AdministrativeUnit.objects.filter(pk=current.pk)
    return rows.order_by("code")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AdministrativeUnit) -> str:
        return f"{obj.code} · {obj.name}"


class InvestigatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class CaseForm(StaffForm):
    """A new case, or the edit of one (with the version read, for optimistic locking)."""

    title = forms.CharField(
        label=_("Title"), max_length=cases.MAX_TITLE, error_messages={"required": _("Give the case a title.")}
    )
    summary = TextAreaField(label=_("Summary"), max_length=cases.MAX_TEXT, required=False, rows=6)
    unit = UnitChoiceField(
        label=_("Unit in charge"), queryset=AdministrativeUnit.objects.none(), required=False
    )
    investigator = InvestigatorChoiceField(
        label=_("Assigned investigator"),
        queryset=cases.eligible_investigators(None),
        required=False,
        help_text=_("An investigator whose unit covers the unit in charge."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, case: Case | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_choices(user, case.unit if case is not None else None)
        # A new case's unit is known only once opened: the service checks the investigator against it.
        self.fields["investigator"].queryset = (
            investigators_in_scope(user) if case is None else cases.eligible_investigators(case.unit)
        )
        if case is None:
            del self.fields["version"]
            self.fields["unit"].empty_label = _("The default: your unit, or the first report's")
            self.fields["investigator"].empty_label = _("Yourself")
        else:
            self.fields["unit"].empty_label = _("Ministry (national)")
            self.fields["investigator"].empty_label = _("Nobody yet")


def investigators_in_scope(user: Any):
    """Investigators whose scope overlaps the user's (the service checks the case unit exactly)."""
    from nokor.accounts.models import RoleAssignment, User

    prefixes = user.unit_prefixes_for(INVESTIGATORS) or set()
    holders = RoleAssignment.objects.active().filter(role__in=INVESTIGATORS)
    if "" not in prefixes:
        condition = Q(unit__isnull=True)
        for prefix in prefixes:
            condition |= Q(unit__code__startswith=prefix)
        holders = holders.filter(condition)
    return User.objects.filter(pk__in=holders.values("user_id"), is_active=True, is_staff=True).order_by(
        "full_name", "pk"
    )


class StatusForm(StaffForm):
    status = forms.ChoiceField(label=_("New status"), choices=Case.Status.choices)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("Choose the outcome (to close the case)")), *Case.Outcome.choices],
        required=False,
    )
    outcome_note = TextAreaField(label=_("Details"), max_length=cases.MAX_TEXT, required=False, rows=3)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = cases.TRANSITIONS[case.status]
        self.fields["status"].choices = [
            (value, label) for value, label in Case.Status.choices if value in allowed
        ]


class NoteForm(StaffForm):
    kind = forms.ChoiceField(
        label=_("Kind of entry"),
        choices=[(kind, label) for kind, label in CaseEvent.Kind.choices if kind in cases.NOTE_KINDS],
        initial=CaseEvent.Kind.NOTE,
    )
    text = TextAreaField(
        label=_("Text"), max_length=cases.MAX_TEXT, error_messages={"required": _("Write the note.")}
    )


class TaskForm(StaffForm):
    title = forms.CharField(
        label=_("Task"), max_length=300, error_messages={"required": _("Say what needs to be done.")}
    )
    due_on = DateAnswerField(label=_("Due"), required=False, not_in_past=True)
    assignee = InvestigatorChoiceField(
        label=_("Assigned to"), queryset=cases.eligible_investigators(None), required=False, empty_label="—"
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = cases.eligible_investigators(case.unit)


class LinkReportForm(StaffForm):
    report = forms.CharField(
        label=_("Reference of the report"),
        max_length=40,
        help_text=_("For example CY-2026-000123-7."),
        error_messages={"required": _("Enter the reference of the report to link.")},
    )


# --------------------------------------------------------------------------------------------------
# Freeze requests
# --------------------------------------------------------------------------------------------------
class TransferChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: TransferModel) -> str:
        bank = obj.institution.code if obj.institution_id else obj.institution_text or "—"
        day = obj.paid_on.strftime("%d/%m/%Y") if obj.paid_on else "—"
        account = obj.to_account or "—"
        return f"{obj.report.reference} · {day} · {bank} {account} · {obj.amount} {obj.currency}"


class FreezeInstitutionForm(StaffForm):
    """The first step of a freeze request: which bank or e-wallet."""

    institution = forms.ModelChoiceField(
        label=_("Bank or e-wallet"),
        queryset=Institution.objects.all(),
        empty_label=_("Choose the bank or e-wallet"),
        error_messages={"required": _("Choose the bank or e-wallet.")},
    )


class FreezeForm(StaffForm):
    institution = forms.ModelChoiceField(queryset=Institution.objects.all(), widget=forms.HiddenInput)
    all = forms.CharField(widget=forms.HiddenInput, required=False)
    account = forms.CharField(
        label=_("Account to freeze"),
        max_length=100,
        error_messages={"required": _("Enter the account to freeze.")},
    )
    transfers = TransferChoiceField(
        label=_("Transfers concerned"), queryset=TransferModel.objects.none(), required=False
    )
    amount = AmountField(
        label=_("Amount to freeze"),
        required=False,
        help_text=_("Leave empty to ask for the sum of the transfers chosen."),
    )
    currency = forms.ChoiceField(
        label=_("Currency"),
        choices=[("", _("The transfers' currency")), *TransferModel.Currency.choices],
        required=False,
    )
    note = TextAreaField(label=_("Note to the institution"), max_length=4000, required=False, rows=3)

    def __init__(self, *args: Any, case: Case, institution: Institution | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["transfers"].queryset = freeze.candidate_transfers(case, institution)


class FreezeAnswerForm(StaffForm):
    status = forms.ChoiceField(
        label=_("The institution's answer"),
        choices=[(value, label) for value, label in FreezeRequest.Status.choices if value in freeze.ANSWERS],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the institution's answer.")},
    )
    frozen_amount = AmountField(
        label=_("Amount frozen"),
        required=False,
        help_text=_("For a partial freeze. Leave empty when all of it was frozen."),
    )
    note = TextAreaField(label=_("What the institution said"), max_length=4000, required=False, rows=3)
