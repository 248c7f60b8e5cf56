"""Paper forms for assisted filing at a commune office: every question of an online form, drawn as boxes
and lines to fill in by hand, then typed in by the officer who files it on the citizen's behalf.

One shape for every question, whatever it comes from: a service's form definition (the forms engine)
or a Django form (the cybercrime report). ``services/paper/form.html`` draws the sections, with the
office-use box, the documents to bring and the fee, the declaration and the signature.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from nokor.geography.forms import UnitField
from nokor.geography.models import Level
from nokor.services.forms_engine import DateAnswerField, Definition, field_by_name, text_in


@dataclass
class PaperField:
    """One question on paper: ``kind`` says how it is drawn (line, lines, date, digits, choice, check,
    unit, file)."""

    name: str
    label: str
    kind: str
    hint: str = ""
    optional: bool = False
    choices: list[str] = field(default_factory=list)
    multiple: bool = False
    cells: int = 0  # boxes for digits (kind "digits")
    levels: list[str] = field(default_factory=list)  # lines for a place (kind "unit")
    condition: str = ""  # when to answer it, in words

    @property
    def boxes(self) -> range:
        return range(self.cells)


@dataclass
class PaperSection:
    title: str
    fields: list[PaperField]
    hint: str = ""
    condition: str = ""


_KIND_OF_TYPE = {
    "text": "line",
    "email": "line",
    "textarea": "lines",
    "number": "line",
    "date": "date",
    "phone": "digits",
    "national_id": "digits",
    "choice": "choice",
    "yesno": "choice",
    "unit": "unit",
    "file": "file",
}
_CELLS = {"phone": 10, "national_id": 9}


def _condition_text(definition: Definition, condition: dict | None, language: str) -> str:
    """``show_if`` in words: "Answer only if “Sex” is “Female”"."""
    if not condition:
        return ""
    asked = field_by_name(definition, condition["field"]) or {}
    wanted = condition["in"] if "in" in condition else [condition["equals"]]
    labels = {choice["value"]: text_in(choice["label"], language) for choice in asked.get("choices", [])}
    labels.update({"yes": _("Yes"), "no": _("No")})
    answers = " / ".join(f"“{labels.get(value, value)}”" for value in wanted)
    return _("Answer only if “%(question)s” is %(answers)s.") % {
        "question": text_in(asked.get("label"), language) or condition["field"],
        "answers": answers,
    }


def _unit_levels(levels: Any) -> list[str]:
    """The lines of a place question: from the deepest level it asks for up to the province, so the
    place can be found whatever its name."""
    deepest = max(levels or [Level.VILLAGE])
    return [Level(level).label for level in range(deepest, 0, -1)]


def sections_from_definition(definition: Definition, language: str) -> list[PaperSection]:
    """A service's form on paper: one section per page of its definition, every field of it."""
    sections = []
    for page in definition.get("pages", []):
        fields = []
        for spec in page.get("fields", []):
            kind = _KIND_OF_TYPE[spec["type"]]
            choices = [text_in(choice["label"], language) for choice in spec.get("choices", [])]
            if spec["type"] == "yesno":
                choices = [_("Yes"), _("No")]
            fields.append(
                PaperField(
                    name=spec["name"],
                    label=text_in(spec["label"], language),
                    kind=kind,
                    hint=text_in(spec.get("hint"), language),
                    optional=not spec.get("required", True),
                    choices=choices,
                    multiple=bool(spec.get("multiple")),
                    cells=_CELLS.get(spec["type"], 0),
                    levels=_unit_levels(spec.get("levels")) if kind == "unit" else [],
                    condition=_condition_text(definition, spec.get("show_if"), language),
                )
            )
        sections.append(
            PaperSection(
                title=text_in(page.get("title"), language),
                hint=text_in(page.get("hint"), language),
                condition=_condition_text(definition, page.get("show_if"), language),
                fields=fields,
            )
        )
    return sections


def _kind_of_form_field(form_field: forms.Field, choices: list[str]) -> str:
    if isinstance(form_field, forms.BooleanField):
        return "check"
    if isinstance(form_field, forms.FileField):
        return "file"
    if choices:
        return "choice"
    if isinstance(form_field.widget, forms.Textarea):
        return "lines"
    if isinstance(form_field, DateAnswerField):
        return "date"
    return "line"


def field_from_form(name: str, form_field: forms.Field) -> PaperField:
    """A Django form field on paper (its label, help text and choices, drawn by its widget)."""
    if isinstance(form_field, UnitField):
        kind, choices = "unit", []
    else:
        choices = [str(label) for value, label in getattr(form_field, "choices", []) if value != ""]
        kind = _kind_of_form_field(form_field, choices)
    return PaperField(
        name=name,
        label=str(form_field.label or ""),
        kind=kind,
        hint=str(form_field.help_text or ""),
        optional=not form_field.required and kind != "check",
        choices=choices,
        multiple=isinstance(form_field, forms.MultipleChoiceField),
        levels=_unit_levels(form_field.levels) if kind == "unit" else [],
    )


def section_from_form(
    title: str, form: forms.Form, *, hint: str = "", condition: str = "", leave_out: tuple[str, ...] = ()
) -> PaperSection:
    """A Django form on paper, every field of it in order, but its hidden fields (the page fills them)
    and those in ``leave_out``."""
    fields = [
        field_from_form(name, form_field)
        for name, form_field in form.fields.items()
        if name not in leave_out and not form_field.widget.is_hidden
    ]
    return PaperSection(title=title, fields=fields, hint=hint, condition=condition)


def office_rows(*, fee: bool) -> list[str]:
    """The office-use box: what the officer who receives the paper writes on it."""
    rows = [_("Reference number"), _("Received by (name and signature)"), _("Date received")]
    if fee:
        rows.append(_("Fee receipt number"))
    rows.append(_("Typed into Nokor by, on"))
    return rows


def paper_response(
    request: HttpRequest,
    *,
    title: str,
    sections: list[PaperSection],
    back_url: str,
    back_label: str,
    fee: bool = False,
    **context: Any,
) -> HttpResponse:
    """The paper form page: ``sections`` under the letterhead and the office-use box, ready to print.
    ``context`` adds the template's optional parts (intro, declaration, service, eligibility)."""
    context.update(
        title=title,
        sections=sections,
        office_rows=office_rows(fee=fee),
        back_url=back_url,
        back_label=back_label,
    )
    return render(request, "services/paper/form.html", context)
