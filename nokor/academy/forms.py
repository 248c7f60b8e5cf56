"""The quiz form: one field per question, in the order the attempt shows them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nokor.academy.grading import parse_number
from nokor.core.text import in_language


def field_name(question: dict[str, Any]) -> str:
    return f"q{question['id']}"


class QuizForm(forms.Form):
    """Answers to the questions of one attempt; every question must be answered."""

    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, questions: list[dict[str, Any]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for number, question in enumerate(questions, start=1):
            label = f"{number}. {in_language(question['text_km'], question['text_en'])}"
            self.fields[field_name(question)] = self._field(question, label, number)

    @staticmethod
    def _field(question: dict[str, Any], label: str, number: int) -> forms.Field:
        kind = question["kind"]
        # The number in the message: the error summary lists every question left unanswered.
        required = {"required": _("Answer question %(number)s.") % {"number": number}}
        if kind in ("single", "multiple"):
            choices = [(str(c["id"]), in_language(c["text_km"], c["text_en"])) for c in question["choices"]]
            if kind == "single":
                return forms.ChoiceField(
                    label=label, choices=choices, widget=forms.RadioSelect, error_messages=required
                )
            return forms.MultipleChoiceField(
                label=label,
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Tick every answer that is right."),
                error_messages={
                    "required": _("Tick at least one answer to question %(number)s.") % {"number": number}
                },
            )
        if kind == "true_false":
            return forms.ChoiceField(
                label=label,
                choices=[("true", _("True")), ("false", _("False"))],
                widget=forms.RadioSelect,
                error_messages=required,
            )
        if kind == "numeric":
            return forms.CharField(
                label=label,
                max_length=40,
                help_text=_("Write a number (Khmer or Latin digits)."),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                error_messages=required,
            )
        return forms.CharField(
            label=label,
            max_length=200,
            widget=forms.TextInput(attrs={"autocomplete": "off"}),
            error_messages=required,
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for number, question in enumerate(self.questions, start=1):
            name = field_name(question)
            if question["kind"] == "numeric" and cleaned.get(name) and parse_number(cleaned[name]) is None:
                self.add_error(
                    name, _("Write a number for question %(number)s, like 25 or ២៥.") % {"number": number}
                )
        return cleaned

    def answers(self) -> dict[str, Any]:
        """The answers keyed by question id, as the grading expects them."""
        return {str(q["id"]): self.cleaned_data.get(field_name(q)) for q in self.questions}

    def rows(self) -> list[tuple[dict[str, Any], forms.BoundField]]:
        return [(question, self[field_name(question)]) for question in self.questions]
