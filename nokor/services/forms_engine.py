"""The form engine: a service's questions are data (a *form definition*), turned into one Django form per
page, navigated page by page, stored as JSON answers and summarised on the "check your answers" page.

Form definition (JSON, checked by ``form_schema.json`` and :func:`validate_definition`)::

    {
      "pages": [
        {"id": "address",                                  # unique in the definition
         "title": {"km": "…", "en": "…"},                  # the page heading: the question
         "hint": {"km": "…", "en": "…"},                   # optional
         "show_if": {"field": "kind", "equals": "birth"},  # optional; or {"field": …, "in": [..]}
         "fields": [
           {"name": "village",                             # unique in the definition (answers are flat)
            "type": "unit",                                # see the types below
            "label": {"km": "…", "en": "…"}, "hint": {…},  # hint optional
            "required": true,                              # optional, true by default
            "show_if": {…},                                # optional, like a page's
            … options of the type …}]}],
      "routing_field": "village",          # a required unit question shown to everyone: decides the office
      "applicant_name_field": "full_name", # a required text question: the applicant's name in the queues
      "eligibility": [{"id": "citizen", "question": {…}, "hint": {…}?, "exit_unless": "yes",
                       "exit_message": {…}}],             # asked before starting; an exit page otherwise
      "declaration": {"km": "…", "en": "…"}               # signed on the "check your answers" page
    }

Texts are ``{"km": …, "en": …}``; Khmer is required, English falls back to Khmer.

Field types, their options and what is stored in the answers:

=============  ==========================================  ============================================
type           options                                     answer stored (JSON)
=============  ==========================================  ============================================
text           max_length (200)                            string, zero-width characters removed
textarea       max_length (2000)                           string (lines kept)
number         min, max                                    integer (whole numbers only; Khmer digits
                                                           and thousands separators accepted)
date           not_in_future, not_in_past,                 "YYYY-MM-DD"; min_working_days_ahead counts
               min_working_days_ahead                      working days from today (weekends and
                                                           Holiday rows skipped)
choice         choices [{value, label}], multiple          the value (radios), or a list of values
                                                           (checkboxes, with "multiple": true)
yesno          -                                           "yes" or "no"
phone          -                                           E.164 ("+85512345678"), Khmer digits accepted
email          -                                           the address
national_id    -                                           the 9 digits of the Khmer national identity
                                                           card number (spaces, dashes and Khmer digits
                                                           accepted when typed)
unit           levels ([1..4], any level when absent)      the administrative unit's code ("08010101")
file           accept (PDF, JPEG, PNG), max_size_mb (5)    not in the page answers: the uploaded file is
                                                           returned apart by to_json, and the caller
                                                           stores {"attachment": id, "name": …}
=============  ==========================================  ============================================

Conditions (``show_if``) refer to an *earlier* choice or yes/no question. A page or field whose
condition does not hold is skipped, and its stale answer is ignored (see :func:`effective_answers`). A
field whose condition depends on a question of the *same* page is always shown (no JavaScript is
needed) and is required only when the condition holds on the submitted page.

National identity card number: the number printed on the Khmer national identity card is 9 digits
(e.g. 010 234 567). People type it with spaces or dashes, in Latin or Khmer digits; those are accepted
and only the 9 digits are stored. Anything else is refused with an example of the expected form.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from nokor.accounts.adapter import PhoneField
from nokor.core.formatting import format_date, parse_number
from nokor.core.text import latin_digits, strip_invisible
from nokor.core.uploads import SUPPORTED_TYPES, formats_phrase, validate_upload
from nokor.geography.forms import UnitField
from nokor.geography.models import AdministrativeUnit
from nokor.services import calendar

SCHEMA_PATH = Path(__file__).with_name("form_schema.json")
FIELD_TYPES = (
    "text",
    "textarea",
    "number",
    "date",
    "choice",
    "yesno",
    "phone",
    "email",
    "national_id",
    "unit",
    "file",
)
CONDITION_TYPES = ("choice", "yesno")
DEFAULT_MAX_LENGTH = {"text": 200, "textarea": 2000}
DEFAULT_MAX_SIZE_MB = 5
# The finest unit a routing question must reach for each level of office (a commune office needs at
# least the commune, so a district is not enough).
ROUTING_MIN_LEVEL = {"commune": 3, "district": 2, "province": 1, "national": 1}
NATIONAL_ID_DIGITS = 9
_ID_SEPARATORS = re.compile(r"[\s.\-/]")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
_EARLIEST_YEAR, _LATEST_YEAR = 1900, 2100

Definition = dict[str, Any]
Answers = dict[str, Any]


# ---------------------------------------------------------------------------------------------------
# Reading a definition
# ---------------------------------------------------------------------------------------------------
def _language(language: str | None) -> str:
    code = language or translation.get_language() or "km"
    return "en" if code.lower().startswith("en") else "km"


def text_in(text: dict | None, language: str | None) -> str:
    """A ``{"km", "en"}`` text in the language asked for, Khmer when that one is missing."""
    if not text:
        return ""
    return text.get(_language(language)) or text.get("km") or ""


def iter_fields(definition: Definition) -> Iterator[tuple[dict, dict]]:
    """Every (page, field) of a definition, in order."""
    for page in definition.get("pages", []):
        for field in page.get("fields", []):
            yield page, field


def page_by_id(definition: Definition, page_id: str) -> dict | None:
    """The page with this id, or None."""
    return next((page for page in definition.get("pages", []) if page.get("id") == page_id), None)


def field_by_name(definition: Definition, name: str) -> dict | None:
    """The field with this name, or None."""
    return next((field for _page, field in iter_fields(definition) if field.get("name") == name), None)


def page_of_field(definition: Definition, name: str) -> str | None:
    """The id of the page that asks this field, or None."""
    return next((page["id"] for page, field in iter_fields(definition) if field.get("name") == name), None)


def field_label(definition: Definition, name: str, language: str | None = None) -> str:
    """A field's label in a language (the name itself for a field the definition no longer has)."""
    field = field_by_name(definition, name)
    return text_in(field["label"], language) if field else name


def field_choices(definition: Definition, language: str | None = None) -> list[tuple[str, str]]:
    """(name, label) of every question, in order: for choosing the answers an applicant must fix."""
    return [(field["name"], text_in(field["label"], language)) for _page, field in iter_fields(definition)]


# ---------------------------------------------------------------------------------------------------
# Checking a definition
# ---------------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _schema_validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "definition"


def _value_at(document: Any, parts) -> Any:
    for part in parts:
        try:
            document = document[part]
        except (KeyError, IndexError, TypeError):
            return None
    return document


def _schema_message(error: SchemaError, definition: Any) -> str:
    parts = list(error.absolute_path)
    if error.validator == "enum" and len(parts) >= 3 and parts[-1] == "type" and parts[-3] == "fields":
        return _("%(path)s: unknown type '%(type)s'") % {"path": _path(parts[:-1]), "type": error.instance}
    if "propertyNames" in error.schema_path:
        kind = _value_at(definition, [*parts, "type"])
        return _("%(path)s: '%(option)s' is not an option of a %(type)s field") % {
            "path": _path(parts),
            "option": error.instance,
            "type": kind,
        }
    if error.validator == "oneOf" and parts and parts[-1] == "show_if":
        return _("%(path)s: a condition needs exactly one of 'equals' and 'in'") % {"path": _path(parts)}
    return _("%(path)s: %(problem)s") % {"path": _path(parts), "problem": error.message}


def validate_definition(definition: Any, *, responsible_level: str | None = None) -> None:
    """Check a form definition; raise ValidationError listing every problem with its path.

    First against ``form_schema.json`` (shape, types, options), then the rules across fields: unique
    page ids, field names and eligibility ids, unique choice values, conditions that refer to an
    earlier choice or yes/no question with values it can take, a routing field that is a required
    unit question asked of everyone, an applicant-name field that is a required text question, number
    and date limits that can be met. With ``responsible_level`` ("commune", …) the routing question
    must also reach a unit fine enough for that level of office.
    """
    schema_errors = sorted(_schema_validator().iter_errors(definition), key=lambda e: list(map(str, e.path)))
    if schema_errors:
        raise ValidationError([_schema_message(error, definition) for error in schema_errors])
    errors = _cross_field_errors(definition, responsible_level)
    if errors:
        raise ValidationError(errors)


def _cross_field_errors(definition: Definition, responsible_level: str | None) -> list[str]:
    errors: list[str] = []
    pages_seen: set[str] = set()
    fields_seen: dict[str, dict] = {}  # name -> field, the questions asked before the current one
    unconditional: set[str] = set()  # fields on pages everyone sees, without a condition of their own
    for p, page in enumerate(definition["pages"]):
        where = f"pages[{p}]"
        if page["id"] in pages_seen:
            errors.append(
                _("%(path)s: the page id '%(id)s' is used twice") % {"path": where, "id": page["id"]}
            )
        pages_seen.add(page["id"])
        if "show_if" in page:
            errors += _condition_errors(f"{where}.show_if", page["show_if"], fields_seen)
        for f, field in enumerate(page["fields"]):
            path = f"{where}.fields[{f}]"
            if field["name"] in fields_seen:
                errors.append(
                    _("%(path)s: the field name '%(name)s' is used twice")
                    % {"path": path, "name": field["name"]}
                )
            if "show_if" in field:
                errors += _condition_errors(f"{path}.show_if", field["show_if"], fields_seen)
            errors += _field_errors(path, field)
            fields_seen[field["name"]] = field
            if "show_if" not in page and "show_if" not in field and field.get("required", True):
                unconditional.add(field["name"])
    errors += _special_field_errors(definition, fields_seen, unconditional, responsible_level)
    eligibility_ids = [question["id"] for question in definition.get("eligibility", [])]
    for q, question_id in enumerate(eligibility_ids):
        if question_id in eligibility_ids[:q]:
            errors.append(
                _("%(path)s: the question id '%(id)s' is used twice")
                % {"path": f"eligibility[{q}]", "id": question_id}
            )
    return errors


def _condition_errors(path: str, condition: dict, earlier: dict[str, dict]) -> list[str]:
    target = earlier.get(condition["field"])
    if target is None:
        return [
            _("%(path)s: '%(name)s' is not a question asked before this one")
            % {"path": path, "name": condition["field"]}
        ]
    if target["type"] not in CONDITION_TYPES:
        return [
            _("%(path)s: a condition can only depend on a choice or yes/no question, not '%(name)s'")
            % {"path": path, "name": condition["field"]}
        ]
    allowed = (
        {"yes", "no"} if target["type"] == "yesno" else {choice["value"] for choice in target["choices"]}
    )
    values = condition["in"] if "in" in condition else [condition["equals"]]
    return [
        _("%(path)s: '%(value)s' is not an answer '%(name)s' can have")
        % {"path": path, "value": value, "name": condition["field"]}
        for value in values
        if value not in allowed
    ]


def _field_errors(path: str, field: dict) -> list[str]:
    errors = []
    if field["type"] == "choice":
        values = [choice["value"] for choice in field["choices"]]
        for value in sorted({v for v in values if values.count(v) > 1}):
            errors.append(
                _("%(path)s: the choice '%(value)s' is listed twice") % {"path": path, "value": value}
            )
    if field["type"] == "number" and field.get("min", 0) > field.get("max", field.get("min", 0)):
        errors.append(_("%(path)s: 'min' is larger than 'max'") % {"path": path})
    if field["type"] == "date":
        future = field.get("not_in_past") or field.get("min_working_days_ahead")
        if field.get("not_in_future") and future:
            errors.append(
                _("%(path)s: a date cannot be both not in the future and in the future") % {"path": path}
            )
    return errors


def _special_field_errors(
    definition: Definition, fields: dict[str, dict], unconditional: set[str], responsible_level: str | None
) -> list[str]:
    errors = []
    for key, kind in (("routing_field", "unit"), ("applicant_name_field", "text")):
        name = definition[key]
        field = fields.get(name)
        if field is None:
            errors.append(_("%(path)s: there is no field '%(name)s'") % {"path": key, "name": name})
        elif field["type"] != kind:
            errors.append(
                _("%(path)s: '%(name)s' must be a %(type)s field") % {"path": key, "name": name, "type": kind}
            )
        elif name not in unconditional:
            errors.append(
                _("%(path)s: '%(name)s' must be a required question asked of everyone (no condition)")
                % {"path": key, "name": name}
            )
    routing = fields.get(definition["routing_field"])
    if responsible_level and routing is not None and routing["type"] == "unit":
        needed = ROUTING_MIN_LEVEL[responsible_level]
        coarsest = min(routing.get("levels") or [1])
        if coarsest < needed:
            errors.append(
                _("routing_field: a %(level)s office needs a unit of level %(needed)s or finer; set 'levels'")
                % {"level": responsible_level, "needed": needed}
            )
    return errors


# ---------------------------------------------------------------------------------------------------
# Conditions and navigation
# ---------------------------------------------------------------------------------------------------
def condition_holds(condition: dict | None, answers: Answers) -> bool:
    """Whether a ``show_if`` condition holds for these answers (no condition always holds)."""
    if not condition:
        return True
    answer = answers.get(condition["field"])
    wanted = condition["in"] if "in" in condition else [condition["equals"]]
    if isinstance(answer, list):  # checkboxes: any ticked value counts
        return any(value in wanted for value in answer)
    return answer in wanted


def _walk(definition: Definition, answers: Answers) -> Iterator[tuple[dict, list[dict], Answers]]:
    """Visible pages with their visible fields, and the answers that count so far (stale ones dropped)."""
    effective: Answers = {}
    for page in definition.get("pages", []):
        if not condition_holds(page.get("show_if"), effective):
            continue
        shown = []
        for field in page["fields"]:
            if condition_holds(field.get("show_if"), effective):
                shown.append(field)
                if field["name"] in answers:
                    effective[field["name"]] = answers[field["name"]]
        yield page, shown, effective


def effective_answers(definition: Definition, answers: Answers) -> Answers:
    """The answers that count: those of questions still asked given the other answers (an answer
    left on a page that a changed earlier answer now skips is dropped)."""
    result: Answers = {}
    for _page, _fields, effective in _walk(definition, answers):
        result = effective
    return dict(result)


def visible_pages(definition: Definition, answers: Answers) -> list[dict]:
    """The pages asked, in order, given the answers so far."""
    return [page for page, _fields, _effective in _walk(definition, answers)]


def visible_fields(definition: Definition, answers: Answers) -> list[tuple[dict, dict]]:
    """(page, field) of every question asked, in order, given the answers so far."""
    return [(page, field) for page, fields, _effective in _walk(definition, answers) for field in fields]


def next_page_id(definition: Definition, answers: Answers, current_id: str) -> str | None:
    """The next page to ask after `current_id`, or None when the next step is "check your answers"."""
    return _neighbour(definition, answers, current_id, +1)


def previous_page_id(definition: Definition, answers: Answers, current_id: str) -> str | None:
    """The page asked before `current_id`, or None on the first page."""
    return _neighbour(definition, answers, current_id, -1)


def _neighbour(definition: Definition, answers: Answers, current_id: str, step: int) -> str | None:
    order = [page["id"] for page in definition["pages"]]
    if current_id not in order:
        raise KeyError(current_id)
    visible = {page["id"] for page in visible_pages(definition, answers)}
    index = order.index(current_id) + step
    while 0 <= index < len(order):
        if order[index] in visible:
            return order[index]
        index += step
    return None


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def missing_answers(definition: Definition, answers: Answers, language: str | None = None) -> list[dict]:
    """The required questions still unanswered, as ``{"page_id", "field", "label"}``, in order."""
    return [
        {"page_id": page["id"], "field": field["name"], "label": text_in(field["label"], language)}
        for page, field in visible_fields(definition, answers)
        if field.get("required", True) and _is_empty(answers.get(field["name"]))
    ]


# ---------------------------------------------------------------------------------------------------
# Form fields of each type
# ---------------------------------------------------------------------------------------------------
class TextAnswerField(forms.CharField):
    """One line of text: zero-width characters removed, spaces collapsed."""

    def to_python(self, value):
        return strip_invisible(super().to_python(value))


class LongTextAnswerField(forms.CharField):
    """Several lines of text: zero-width characters removed on each line, the lines kept."""

    widget = forms.Textarea(attrs={"rows": 5})

    def to_python(self, value):
        text = super().to_python(value)
        return "\n".join(strip_invisible(line) for line in text.splitlines()).strip()


class WholeNumberField(forms.Field):
    """A whole number typed in Latin or Khmer digits, with optional limits."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})

    def __init__(self, *, min_value: int | None = None, max_value: int | None = None, **kwargs) -> None:
        self.min_value, self.max_value = min_value, max_value
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not strip_invisible(value)):
            return None
        if isinstance(value, int):
            return value
        try:
            number = parse_number(str(value))
        except ValueError:
            raise ValidationError(gettext_lazy("Enter a whole number, like 25."), code="invalid") from None
        if number != number.to_integral_value():
            raise ValidationError(gettext_lazy("Enter a whole number, like 25."), code="invalid")
        return int(number)

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        low, high = self.min_value, self.max_value
        params = {"min": low, "max": high}
        if low is not None and high is not None and not low <= value <= high:
            raise ValidationError(
                gettext_lazy("Enter a number between %(min)s and %(max)s."), code="range", params=params
            )
        if low is not None and value < low:
            raise ValidationError(
                gettext_lazy("Enter a number of %(min)s or more."), code="min_value", params=params
            )
        if high is not None and value > high:
            raise ValidationError(
                gettext_lazy("Enter a number of %(max)s or less."), code="max_value", params=params
            )


class DateAnswerField(forms.Field):
    """A date from the browser's date picker ("2026-11-25"), or typed as 25/11/2026 (Khmer digits too).

    A native date input is used rather than three boxes: it is what phones show best, and browsers
    without one fall back to a text box that accepts the typed forms above.
    """

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def __init__(
        self, *, not_in_future: bool = False, not_in_past: bool = False, working_days_ahead: int = 0, **kwargs
    ) -> None:
        self.not_in_future, self.not_in_past, self.working_days_ahead = (
            not_in_future,
            not_in_past,
            working_days_ahead,
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, dt.date):
            return value
        text = latin_digits(strip_invisible(value or ""))
        if not text:
            return None
        for date_format in _DATE_FORMATS:
            try:
                day = dt.datetime.strptime(text, date_format).date()  # noqa: DTZ007 (a calendar day)
            except ValueError:
                continue
            if _EARLIEST_YEAR <= day.year <= _LATEST_YEAR:
                return day
        raise ValidationError(gettext_lazy("Enter a real date, like 25/11/2026."), code="invalid")

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        today = calendar.today()
        if self.not_in_future and value > today:
            raise ValidationError(gettext_lazy("The date must be today or in the past."), code="future")
        if self.not_in_past and value < today:
            raise ValidationError(gettext_lazy("The date must be today or in the future."), code="past")
        if self.working_days_ahead:
            earliest = calendar.add_working_days(today, self.working_days_ahead)
            if value < earliest:
                raise ValidationError(
                    gettext_lazy(
                        "Enter a date in the future, at least %(days)s working days from today "
                        "(%(earliest)s or later)."
                    ),
                    code="too_soon",
                    params={"days": self.working_days_ahead, "earliest": format_date(earliest)},
                )


class NationalIdField(forms.CharField):
    """The 9-digit number of a Khmer national identity card; spaces, dashes and Khmer digits accepted."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"})

    def to_python(self, value):
        text = _ID_SEPARATORS.sub("", latin_digits(strip_invisible(super().to_python(value))))
        if text and not (text.isascii() and text.isdigit() and len(text) == NATIONAL_ID_DIGITS):
            raise ValidationError(
                gettext_lazy("Enter the 9-digit number printed on the ID card, like 010 234 567."),
                code="invalid",
            )
        return text


class PhoneAnswerField(PhoneField):
    """A phone number (Khmer digits accepted), stored in E.164."""

    def to_python(self, value):
        return super().to_python(latin_digits(strip_invisible(value or "")))


class UploadField(forms.FileField):
    """A PDF, JPEG or PNG file, its type read from its bytes (see uploads.py), up to a size."""

    widget = forms.FileInput

    def __init__(self, *, accept: list[str], max_size_mb: int, **kwargs) -> None:
        self.accept, self.max_size_mb = list(accept), max_size_mb
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = ",".join(self.accept)

    def validate(self, value):
        super().validate(value)
        if isinstance(value, UploadedFile):
            value.sniffed_content_type = validate_upload(value, self.accept, self.max_size_mb)


# ---------------------------------------------------------------------------------------------------
# The form of one page
# ---------------------------------------------------------------------------------------------------
class PageForm(forms.Form):
    """The questions of one page. `page`, `title` and `hint` are there for the template; a field with
    a condition on a question of the same page carries it as `show_if` (and as a `data-show-if`
    attribute, for progressive reveal), and is required only when the submitted answer asks it."""

    def __init__(self, *args, definition: Definition, page: dict, language: str, answers: Answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.definition, self.page, self.language = definition, page, language
        self.title = text_in(page["title"], language)
        self.hint = text_in(page.get("hint"), language)
        self.conditional: dict[str, dict] = {}
        earlier = effective_answers(definition, answers)
        on_page = {field["name"] for field in page["fields"]}
        for spec in page["fields"]:
            condition = spec.get("show_if")
            same_page = bool(condition) and condition["field"] in on_page
            if condition and not same_page and not condition_holds(condition, earlier):
                continue
            field = make_field(spec, language)
            if same_page:
                self.conditional[spec["name"]] = spec
                field.show_if = condition
                field.widget.attrs["data-show-if"] = json.dumps(condition, ensure_ascii=False)
                # Shown to everyone (no JavaScript needed), so the browser must not insist on it.
                field.widget.use_required_attribute = lambda initial: False
            self.fields[spec["name"]] = field
        if self.is_bound:  # required only when the answer given on this page asks it
            for name, spec in self.conditional.items():
                controller = spec["show_if"]["field"]
                if not condition_holds(spec["show_if"], {controller: self[controller].data}):
                    self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        submitted = {
            spec["name"]: _json_value(spec, cleaned.get(spec["name"]))
            for spec in self.page["fields"]
            if spec["name"] in self.fields and spec["type"] != "file"
        }
        for name, spec in self.conditional.items():
            if condition_holds(spec["show_if"], submitted):
                if spec.get("required", True) and name not in self._errors and _is_empty(cleaned.get(name)):
                    self.add_error(
                        name, ValidationError(self.fields[name].error_messages["required"], code="required")
                    )
            else:  # not asked: whatever was typed there does not count
                self._errors.pop(name, None)
                cleaned[name] = None
        return cleaned


def make_field(spec: dict, language: str) -> forms.Field:
    """The Django form field of one question of a definition, its texts in `language`."""
    kind = spec["type"]
    with translation.override(language):
        common = {
            "label": text_in(spec["label"], language),
            "help_text": text_in(spec.get("hint"), language),
            "required": spec.get("required", True),
        }
        field = _FIELD_MAKERS[kind](spec, common)
        if kind == "file" and not common["help_text"]:
            field.help_text = _("%(formats)s, smaller than %(size)s MB.") % {
                "formats": formats_phrase(field.accept),
                "size": field.max_size_mb,
            }
    return field


def _text_field(spec: dict, common: dict) -> forms.Field:
    max_length = spec.get("max_length", DEFAULT_MAX_LENGTH[spec["type"]])
    field_class = TextAnswerField if spec["type"] == "text" else LongTextAnswerField
    return field_class(
        max_length=max_length,
        error_messages={
            "required": gettext_lazy("Enter an answer to this question."),
            "max_length": gettext_lazy(
                "Enter no more than %(limit_value)d characters (you entered %(show_value)d)."
            ),
        },
        **common,
    )


def _choice_field(spec: dict, common: dict) -> forms.Field:
    choices = [
        (choice["value"], text_in(choice["label"], translation.get_language())) for choice in spec["choices"]
    ]
    if spec.get("multiple"):
        return forms.MultipleChoiceField(
            choices=choices,
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "required": gettext_lazy("Choose at least one option."),
                "invalid_choice": gettext_lazy("Choose from the options shown."),
            },
            **common,
        )
    return forms.ChoiceField(
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose one of the options."),
            "invalid_choice": gettext_lazy("Choose from the options shown."),
        },
        **common,
    )


def _yesno_field(spec: dict, common: dict) -> forms.Field:
    return forms.ChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose yes or no."),
            "invalid_choice": gettext_lazy("Choose yes or no."),
        },
        **common,
    )


_FIELD_MAKERS = {
    "text": _text_field,
    "textarea": _text_field,
    "number": lambda spec, common: WholeNumberField(
        min_value=spec.get("min"),
        max_value=spec.get("max"),
        error_messages={"required": gettext_lazy("Enter a number.")},
        **common,
    ),
    "date": lambda spec, common: DateAnswerField(
        not_in_future=spec.get("not_in_future", False),
        not_in_past=spec.get("not_in_past", False),
        working_days_ahead=spec.get("min_working_days_ahead", 0),
        error_messages={"required": gettext_lazy("Enter a date.")},
        **common,
    ),
    "choice": _choice_field,
    "yesno": _yesno_field,
    "phone": lambda spec, common: PhoneAnswerField(
        max_length=30,
        error_messages={"required": gettext_lazy("Enter a phone number, like 012 345 678.")},
        **common,
    ),
    "email": lambda spec, common: forms.EmailField(
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": gettext_lazy("Enter an email address, like name@example.com."),
            "invalid": gettext_lazy("Enter an email address in the right form, like name@example.com."),
        },
        **common,
    ),
    "national_id": lambda spec, common: NationalIdField(
        max_length=40,
        error_messages={"required": gettext_lazy("Enter the number of the ID card.")},
        **common,
    ),
    "unit": lambda spec, common: UnitField(levels=tuple(spec.get("levels", ())), **common),
    "file": lambda spec, common: UploadField(
        accept=spec.get("accept", list(SUPPORTED_TYPES)),
        max_size_mb=spec.get("max_size_mb", DEFAULT_MAX_SIZE_MB),
        error_messages={
            "required": gettext_lazy("Choose a file to upload."),
            "empty": gettext_lazy("The selected file is empty. Choose another file."),
            "invalid": gettext_lazy("The file could not be read. Choose it again."),
        },
        **common,
    ),
}


def build_page_form(
    definition: Definition,
    page_id: str,
    *,
    language: str,
    data=None,
    files=None,
    initial: Answers | None = None,
    answers: Answers | None = None,
) -> PageForm:
    """The Django form of one page, its texts in `language` (Khmer when a text lacks it).

    `initial` pre-fills the page (the application's answers can be passed whole); `answers` are the
    answers so far, which decide the fields shown when a field's condition is on an earlier page
    (`initial` is used when they are not given). A file question already answered (initial holds its
    attachment) does not need the file again. KeyError for an unknown page.
    """
    page = page_by_id(definition, page_id)
    if page is None:
        raise KeyError(page_id)
    language = _language(language)
    answers = answers if answers is not None else (initial or {})
    return PageForm(
        data, files, initial=initial, definition=definition, page=page, language=language, answers=answers
    )


# ---------------------------------------------------------------------------------------------------
# Answers: storing and showing
# ---------------------------------------------------------------------------------------------------
def _json_value(spec: dict, value: Any) -> Any:
    if _is_empty(value):
        return None
    if isinstance(value, AdministrativeUnit):
        return value.code
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return list(value)
    return value


def to_json(
    definition: Definition, page_id: str, cleaned_data: dict
) -> tuple[Answers, dict[str, UploadedFile]]:
    """Split a page's cleaned data into JSON answers and newly uploaded files.

    Answers: dates as "YYYY-MM-DD", units as their code, empty or not-asked questions as None (so
    they replace an older answer). File questions are never in the answers: a new upload is in the
    second dict (its real type in ``.sniffed_content_type``); the caller stores it and records the
    attachment in the answers.
    """
    page = page_by_id(definition, page_id)
    if page is None:
        raise KeyError(page_id)
    answers: Answers = {}
    files: dict[str, UploadedFile] = {}
    for spec in page["fields"]:
        value = cleaned_data.get(spec["name"])
        if spec["type"] == "file":
            if isinstance(value, UploadedFile):
                files[spec["name"]] = value
            continue
        answers[spec["name"]] = _json_value(spec, value)
    return answers, files


def summary_rows(
    definition: Definition, answers: Answers, language: str | None = None, attachments: dict | None = None
) -> list[dict]:
    """The rows of "check your answers": ``{"page_id", "field", "label", "value"}`` for each question
    asked, in order; value in words (choice labels, yes/no, full unit names, dates written out, the
    file name) and "" when not answered. `attachments` maps a file question to its file name or
    Attachment (by default the name recorded in the answers)."""
    language = _language(language)
    asked = visible_fields(definition, answers)
    codes = [
        answers[field["name"]]
        for _page, field in asked
        if field["type"] == "unit" and answers.get(field["name"])
    ]
    units = {
        unit.code: unit
        for unit in AdministrativeUnit.with_ancestors(list(AdministrativeUnit.objects.filter(code__in=codes)))
    }
    rows = []
    with translation.override(language):
        for page, field in asked:
            value = answers.get(field["name"])
            if field["type"] == "file" and attachments and field["name"] in attachments:
                value = attachments[field["name"]]
            rows.append(
                {
                    "page_id": page["id"],
                    "field": field["name"],
                    "label": text_in(field["label"], language),
                    "value": "" if _is_empty(value) else _display(field, value, language, units),
                }
            )
    return rows


def _display(field: dict, value: Any, language: str, units: dict[str, AdministrativeUnit]) -> str:
    kind = field["type"]
    if kind == "choice":
        labels = {choice["value"]: text_in(choice["label"], language) for choice in field["choices"]}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(v, str(v)) for v in values)
    if kind == "yesno":
        return _("Yes") if value == "yes" else _("No")
    if kind == "date":
        try:
            return format_date(dt.date.fromisoformat(value), language)
        except (TypeError, ValueError):
            return str(value)
    if kind == "unit":
        unit = units.get(value)
        return unit.full_name() if unit else str(value)
    if kind == "phone":
        return _phone_display(value)
    if kind == "national_id" and len(str(value)) == NATIONAL_ID_DIGITS:
        return f"{value[:3]} {value[3:6]} {value[6:]}"
    if kind == "file":
        return value.get("name", "") if isinstance(value, dict) else str(value)
    return str(value)


def _phone_display(value: str) -> str:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    style = phonenumbers.PhoneNumberFormat
    national = phonenumbers.region_code_for_number(number) == "KH"
    return phonenumbers.format_number(number, style.NATIONAL if national else style.INTERNATIONAL)
