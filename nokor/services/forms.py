"""Forms of the services pages (the questions of a service come from forms_engine)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class StartForm(forms.Form):
    FOR_ME, FOR_SOMEONE = "me", "someone"
    who = forms.ChoiceField(
        label=_("Who is this application for?"),
        choices=[(FOR_ME, _("For me")), (FOR_SOMEONE, _("For someone else (I file it on their behalf)"))],
        widget=forms.RadioSelect,
        initial=FOR_ME,
        error_messages={"required": _("Choose who the application is for.")},
    )
    mandate = forms.CharField(
        label=_("Your relationship to them and why you file for them"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: “I am her son; she cannot travel.” This is shown to the person concerned."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("who") == self.FOR_SOMEONE and not (cleaned.get("mandate") or "").strip():
            self.add_error("mandate", _("Say who you are filing for and why."))
        return cleaned


class EligibilityForm(forms.Form):
    def __init__(self, questions: list[dict], language: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            label = question["question"].get(language) or question["question"]["km"]
            self.fields[question["id"]] = forms.ChoiceField(
                label=label,
                choices=[("yes", _("Yes")), ("no", _("No"))],
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose yes or no.")},
            )


class DeclarationForm(forms.Form):
    confirm = forms.BooleanField(error_messages={"required": _("Tick the box to confirm the declaration.")})


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reasons"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": _("Give the reasons.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class OptionalReasonForm(ReasonForm):
    reason = forms.CharField(
        label=_("Comment (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )


class TextForm(forms.Form):
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": _("Write something first.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RequestInfoForm(forms.Form):
    message = forms.CharField(
        label=_("What is needed"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": _("Say what information is needed.")},
    )
    fields = forms.MultipleChoiceField(
        label=_("Answers to fix"), required=False, widget=forms.CheckboxSelectMultiple
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, field_choices: list[tuple[str, str]], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fields"].choices = field_choices


class AssignForm(forms.Form):
    """Assign to an officer from the list (the office's own first), or to anyone else by e-mail."""

    officer = forms.ChoiceField(label=_("Officer"), required=False)
    email = forms.EmailField(
        label=_("Or another officer's e-mail"),
        required=False,
        help_text=_("For an officer of an office above this one, or of the ministry, not in the list."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, officers: list[tuple[str, str]], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = officers

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if bool(data.get("officer")) == bool(data.get("email")):
            raise forms.ValidationError(_("Choose an officer from the list, or enter one e-mail."))
        return data


class ReceiptForm(forms.Form):
    receipt_number = forms.CharField(
        label=_("Receipt number"), max_length=60, error_messages={"required": _("Enter the receipt number.")}
    )


class AnswerInfoForm(forms.Form):
    message = forms.CharField(
        label=_("Your answer"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": _("Write your answer to the office.")},
    )


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the decision wrong?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        error_messages={"required": _("Explain why the decision is wrong.")},
    )


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            ("upheld", _("Uphold the appeal: approve the application")),
            ("dismissed", _("Dismiss the appeal: the refusal stands")),
        ],
        error_messages={"required": _("Choose a decision.")},
    )
    reason = forms.CharField(
        label=_("Reasons"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": _("Give the reasons for the decision.")},
    )


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with this service?"),
        coerce=int,
        widget=forms.RadioSelect,
        choices=[
            (5, _("Very satisfied")),
            (4, _("Satisfied")),
            (3, _("Neither satisfied nor dissatisfied")),
            (2, _("Dissatisfied")),
            (1, _("Very dissatisfied")),
        ],
        error_messages={"required": _("Choose how satisfied you are.")},
    )
    comment = forms.CharField(
        label=_("How could we improve it?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PaymentReportForm(forms.Form):
    description = forms.CharField(
        label=_("What happened?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text=_(
            "Who asked, when, and for what. Your report is confidential: "
            "only supervisors and auditors see it."
        ),
        error_messages={"required": _("Describe what happened.")},
    )
    amount_asked = forms.CharField(label=_("Amount asked, if any"), required=False, max_length=100)
