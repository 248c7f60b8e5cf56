"""Forms of the reporting pages: the progress report (with one number field per indicator value it asks
for), the approver's decision, evidence upload and the targets workbook upload."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from nokor.core.text import latin_digits
from nokor.core.uploads import XLSX, formats_phrase, validate_upload
from nokor.geography.models import AdministrativeUnit
from nokor.strategy import targets
from nokor.strategy.models import Sex, Status
from nokor.strategy.reporting import EVIDENCE_MAX_MB, Cell

NOT_A_NUMBER = _(
    "Enter a number, for example 12 or 12.5 (not a word such as N/A). "
    "Leave it empty if you do not know it yet."
)
LONG_TEXT = {"max_length": _("Write at most %(limit_value)s characters.")}


class NumberField(forms.DecimalField):
    """A number typed in Latin or Khmer digits, with thousands separators allowed; never text."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 20)
        kwargs.setdefault("decimal_places", 4)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.error_messages["invalid"] = NOT_A_NUMBER
        self.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, str):
            value = latin_digits(value).replace(",", "").replace(" ", "").strip()
        try:
            return super().to_python(value)
        except ValidationError as exc:
            raise ValidationError(NOT_A_NUMBER, code="invalid") from exc


def cell_label(cell: Cell, units: dict[str, AdministrativeUnit]) -> str:
    parts = [cell.indicator.title]
    if cell.unit_code and cell.unit_code in units and len(units) > 1:
        parts.append(units[cell.unit_code].name)
    if cell.sex:
        parts.append(str(Sex(cell.sex).label))
    return " – ".join(parts)


class ReportForm(forms.Form):
    """A progress report: the activity's progress and one field per value asked for."""

    activity_status = forms.ChoiceField(label=_("Status of the activity"), choices=Status.choices)
    narrative = forms.CharField(
        label=_("What was done this quarter"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages=LONG_TEXT,
    )
    risks = forms.CharField(
        label=_("Risks and problems"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages=LONG_TEXT,
    )
    budget_spent = forms.IntegerField(
        label=_("Budget spent this quarter (riel)"),
        required=False,
        min_value=0,
        error_messages={"invalid": NOT_A_NUMBER, "min_value": _("Enter an amount that is 0 or more.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, cells: list[Cell], units: dict[str, AdministrativeUnit], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.cells = cells
        for cell in cells:
            field = NumberField(label=cell_label(cell, units))
            field.help_text = str(cell.indicator.get_unit_display())
            self.fields[cell.name] = field

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for cell in self.cells:
            value = cleaned.get(cell.name)
            if value is None:
                continue
            try:
                cell.indicator.check_value(value)
            except ValidationError as exc:
                self.add_error(cell.name, exc)
        return cleaned

    def value_fields(self) -> list[forms.BoundField]:
        return [self[cell.name] for cell in self.cells]

    def values(self) -> dict[str, Decimal | None]:
        return {cell.name: self.cleaned_data.get(cell.name) for cell in self.cells}


class ReturnForm(forms.Form):
    """Return a report with what to correct (ids of its own: the approve form sits on the same page)."""

    comment = forms.CharField(
        label=_("What should be corrected"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write what the focal point should correct."), **LONG_TEXT},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_return_%s")
        super().__init__(*args, **kwargs)


class ApproveForm(forms.Form):
    """Approve a report, with an optional comment (ids of its own: the return form sits on the same page)."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=LONG_TEXT,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_approve_%s")
        super().__init__(*args, **kwargs)


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Evidence file"),
        error_messages={"required": _("Choose the file to add."), "empty": _("The selected file is empty.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from nokor.core.uploads import SUPPORTED_TYPES

        self.fields["file"].help_text = _("%(formats)s, up to %(size)s MB.") % {
            "formats": formats_phrase(SUPPORTED_TYPES),
            "size": EVIDENCE_MAX_MB,
        }
        self.fields["file"].widget.attrs["accept"] = ",".join(SUPPORTED_TYPES)


TARGETS_MAX_MB = 5


class TargetsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Targets workbook (.xlsx)"),
        error_messages={
            "required": _("Choose the workbook to upload."),
            "empty": _("The selected file is empty."),
        },
    )

    def clean_file(self) -> Any:
        """A real workbook, not too large and not a "zip bomb" (nokor/core/uploads.py)."""
        upload = self.cleaned_data["file"]
        try:
            validate_upload(upload, (XLSX,), TARGETS_MAX_MB)
        except ValidationError as error:
            if error.code == "wrong_type":
                raise ValidationError(targets.error_message("unreadable"), code="wrong_type") from error
            raise
        return upload
