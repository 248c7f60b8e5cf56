"""Forms of the academy's staff pages: an assignment rule and a staff import file."""

from __future__ import annotations

import os
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nokor.academy import assignments, imports
from nokor.academy.models import TRAINERS, Course
from nokor.accounts.roles import Role
from nokor.core.text import latin_digits
from nokor.core.uploads import MEGABYTE, TABLE_TYPES, validate_upload
from nokor.geography.forms import UnitField
from nokor.geography.models import Level


class NumberField(forms.IntegerField):
    """A whole number; Khmer digits typed in are accepted."""

    def to_python(self, value: Any) -> Any:
        return super().to_python(latin_digits(value) if isinstance(value, str) else value)


class RuleForm(forms.Form):
    """Who must take which course, by when, and how often again."""

    course = forms.ModelChoiceField(
        label=_("Course"), queryset=Course.objects.none(), error_messages={"required": _("Choose a course.")}
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Staff holding one of these roles must take the course. Choose none for every role."),
    )
    unit = UnitField(
        label=_("Unit"),
        levels=(Level.PROVINCE, Level.DISTRICT, Level.COMMUNE),
        required=False,
        help_text=_("Staff of this unit and every unit under it. Leave empty for the whole country."),
    )
    due_days = NumberField(
        label=_("Days to complete after enrolment"),
        required=False,
        min_value=1,
        max_value=3650,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input--short"}),
    )
    due_on = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("With both, each person has until the later of the two."),
    )
    recertify_months = NumberField(
        label=_("Take again every (months)"),
        required=False,
        min_value=1,
        max_value=120,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input--short"}),
        help_text=_("Leave empty when the course is taken once."),
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["course"].queryset = Course.objects.visible_to(user).filter(is_published=True)
        self.fields["course"].label_from_instance = lambda course: course.title

    def clean_unit(self) -> Any:
        unit = self.cleaned_data.get("unit")
        if not assignments.unit_in_scope(self.user, unit, TRAINERS):
            if unit is None:
                raise forms.ValidationError(_("Choose a unit: you may assign training only in your units."))
            raise forms.ValidationError(_("This unit is outside the units you manage."))
        return unit

    def clean_due_on(self) -> Any:
        due_on = self.cleaned_data.get("due_on")
        if due_on is not None and due_on < timezone.localdate() and due_on != self.initial.get("due_on"):
            raise forms.ValidationError(_("The due date must be today or later."))
        return due_on

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors and cleaned.get("due_days") is None and cleaned.get("due_on") is None:
            self.add_error("due_days", _("Give the days to complete, a due date, or both."))
        return cleaned


class ImportForm(forms.Form):
    """A CSV or Excel file of staff, and the role for rows that name none."""

    file = forms.FileField(
        label=_("File of staff (CSV or Excel)"),
        error_messages={"required": _("Choose a file to upload.")},
        help_text=_(
            "Columns: name, e-mail and/or phone, unit code, position, and optionally role. The first row "
            "names the columns."
        ),
    )
    default_role = forms.ChoiceField(
        label=_("Role for rows that name none"),
        choices=[(value, label) for value, label in Role.choices if value in imports.IMPORTABLE_ROLES],
        initial=Role.SERVICE_OFFICER,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        extension = os.path.splitext(upload.name.lower())[1]
        if extension not in imports.EXTENSIONS:
            raise forms.ValidationError(_("Upload a CSV file (.csv) or an Excel workbook (.xlsx)."))
        if upload.size > imports.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB. Split it into smaller files.")
                % {"size": imports.MAX_BYTES // (1024 * 1024)}
            )
        validate_upload(upload, TABLE_TYPES, imports.MAX_BYTES // MEGABYTE)
        return upload
