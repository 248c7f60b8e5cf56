"""The form engine: every question type, conditions, navigation, answers as JSON, the summary, and the
checks of a form definition."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from nokor.services import forms_engine as engine
from nokor.services.models import Holiday

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32


def t(text: str) -> dict:
    return {"km": f"{text} (km)", "en": text}


DEFINITION = {
    "pages": [
        {
            "id": "about",
            "title": t("About you"),
            "fields": [
                {"name": "full_name", "type": "text", "label": t("Full name"), "max_length": 20},
                {"name": "story", "type": "textarea", "label": t("Story"), "required": False},
                {"name": "copies", "type": "number", "label": t("Copies"), "min": 1, "max": 5},
                {"name": "born", "type": "date", "label": t("Born"), "not_in_future": True},
                {
                    "name": "purpose",
                    "type": "choice",
                    "label": t("Purpose"),
                    "choices": [
                        {"value": "work", "label": t("Work")},
                        {"value": "other", "label": t("Other")},
                    ],
                },
                {
                    "name": "purpose_other",
                    "type": "text",
                    "label": t("Say what for"),
                    "show_if": {"field": "purpose", "equals": "other"},
                },
                {
                    "name": "languages",
                    "type": "choice",
                    "multiple": True,
                    "required": False,
                    "label": t("Languages"),
                    "choices": [{"value": "km", "label": t("Khmer")}, {"value": "en", "label": t("English")}],
                },
                {"name": "married", "type": "yesno", "label": t("Married?")},
                {"name": "phone", "type": "phone", "label": t("Phone")},
                {"name": "email", "type": "email", "label": t("Email"), "required": False},
                {"name": "national_id", "type": "national_id", "label": t("ID number")},
            ],
        },
        {
            "id": "spouse",
            "title": t("Your spouse"),
            "show_if": {"field": "married", "equals": "yes"},
            "fields": [{"name": "spouse_name", "type": "text", "label": t("Spouse's name")}],
        },
        {
            "id": "address",
            "title": t("Where do you live?"),
            "fields": [
                {"name": "village", "type": "unit", "label": t("Village"), "levels": [4]},
                {
                    "name": "wedding_place",
                    "type": "text",
                    "label": t("Where did you marry?"),
                    "show_if": {"field": "married", "in": ["yes"]},
                },
            ],
        },
        {
            "id": "documents",
            "title": t("Documents"),
            "fields": [
                {
                    "name": "id_card",
                    "type": "file",
                    "label": t("ID card"),
                    "accept": ["application/pdf"],
                    "max_size_mb": 1,
                }
            ],
        },
    ],
    "routing_field": "village",
    "applicant_name_field": "full_name",
    "eligibility": [
        {
            "id": "citizen",
            "question": t("Citizen?"),
            "exit_unless": "yes",
            "exit_message": t("Citizens only."),
        }
    ],
    "declaration": t("I declare."),
}

GOOD_ABOUT = {
    "full_name": "Sok Dara",
    "story": "",
    "copies": "2",
    "born": "1990-04-17",
    "purpose": "work",
    "married": "no",
    "phone": "012 345 678",
    "national_id": "010234567",
}


def about_form(data: dict, language: str = "en"):
    return engine.build_page_form(DEFINITION, "about", language=language, data=data)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_the_definition_used_by_these_tests_is_valid():
    engine.validate_definition(DEFINITION)


def test_a_page_with_good_answers_is_valid_and_cleaned():
    form = about_form(GOOD_ABOUT)
    assert form.is_valid(), form.errors
    answers, files = engine.to_json(DEFINITION, "about", form.cleaned_data)
    assert answers["copies"] == 2
    assert answers["born"] == "1990-04-17"
    assert answers["phone"] == "+85512345678"
    assert answers["story"] is None and answers["purpose_other"] is None
    assert files == {}


@time_machine.travel(dt.datetime(2026, 3, 5, 3, tzinfo=dt.UTC), tick=False)
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "", "Enter an answer to this question."),
        ("full_name", "x" * 21, "Enter no more than 20 characters (you entered 21)."),
        ("copies", "two", "Enter a whole number, like 25."),
        ("copies", "2.5", "Enter a whole number, like 25."),
        ("copies", "9", "Enter a number between 1 and 5."),
        ("born", "31/02/2001", "Enter a real date, like 25/11/2026."),
        ("born", "2026-03-06", "The date must be today or in the past."),
        ("born", "", "Enter a date."),
        ("purpose", "", "Choose one of the options."),
        ("purpose", "holiday", "Choose from the options shown."),
        ("married", "", "Choose yes or no."),
        ("married", "maybe", "Choose yes or no."),
        ("phone", "12", "This is not a valid phone number."),
        ("phone", "call me", "Enter a phone number, like 012 345 678"),
        ("phone", "", "Enter a phone number, like 012 345 678."),
        ("email", "dara@", "Enter an email address in the right form, like name@example.com."),
        ("national_id", "01023456", "Enter the 9-digit number printed on the ID card, like 010 234 567."),
        ("national_id", "AB1234567", "Enter the 9-digit number printed on the ID card, like 010 234 567."),
        ("national_id", "", "Enter the number of the ID card."),
    ],
)
def test_a_bad_answer_is_refused_with_a_clear_message_and_the_other_answers_are_kept(
    db, field, value, message
):
    form = about_form({**GOOD_ABOUT, field: value})
    assert not form.is_valid()
    assert list(form.errors) == [field]
    assert any(error.startswith(message) for error in form.errors[field]), form.errors[field]
    html = str(form)
    assert 'value="Sok Dara"' in html or field == "full_name"
    assert 'value="010234567"' in html or field == "national_id"
    if value:
        assert f'value="{value}"' in html or field in (
            "purpose",
            "married",
        )  # radios: the bad value is no option


def test_a_checkbox_question_refuses_an_unknown_option():
    form = about_form({**GOOD_ABOUT, "languages": ["km", "fr"]})
    assert not form.is_valid()
    assert form.errors["languages"] == ["Choose from the options shown."]


def test_khmer_digits_are_accepted_in_numbers_id_numbers_phones_and_dates():
    form = about_form(
        {
            **GOOD_ABOUT,
            "copies": "៣",
            "national_id": "០១០ ២៣៤-៥៦៧",
            "phone": "០១២ ៣៤៥ ៦៧៨",
            "born": "១៧/០៤/១៩៩០",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["copies"] == 3
    assert form.cleaned_data["national_id"] == "010234567"
    assert form.cleaned_data["phone"] == "+85512345678"
    assert form.cleaned_data["born"] == dt.date(1990, 4, 17)


def test_zero_width_spaces_are_not_stored():
    form = about_form({**GOOD_ABOUT, "full_name": "សុខ\u200bដារ៉ា", "story": "line\u200b one\nline two"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["full_name"] == "សុខដារ៉ា"
    assert form.cleaned_data["story"] == "line one\nline two"


def test_labels_and_hints_are_in_the_language_asked_with_khmer_as_fallback():
    definition = copy.deepcopy(DEFINITION)
    definition["pages"][0]["fields"][0]["label"] = {"km": "ឈ្មោះ"}
    definition["pages"][0]["fields"][0]["hint"] = {"km": "ជំនួយ", "en": "Help"}
    form = engine.build_page_form(definition, "about", language="en")
    assert form.fields["full_name"].label == "ឈ្មោះ"
    assert form.fields["full_name"].help_text == "Help"
    assert form.fields["copies"].label == "Copies"
    assert form.title == "About you"
    khmer = engine.build_page_form(definition, "about", language="km")
    assert khmer.fields["copies"].label == "Copies (km)"
    assert khmer.title == "About you (km)"


# --- Working days ------------------------------------------------------------------------------------
ASSEMBLY = {
    "pages": [
        {
            "id": "when",
            "title": t("When?"),
            "fields": [
                {"name": "organiser", "type": "text", "label": t("Organiser")},
                {"name": "place", "type": "unit", "label": t("Place")},
                {"name": "day", "type": "date", "label": t("Day"), "min_working_days_ahead": 5},
            ],
        }
    ],
    "routing_field": "place",
    "applicant_name_field": "organiser",
    "declaration": t("I declare."),
}


@time_machine.travel(
    dt.datetime(2026, 3, 5, 3, tzinfo=dt.UTC), tick=False
)  # Thursday 5 March, 10:00 in Phnom Penh
def test_an_assembly_date_less_than_5_working_days_ahead_is_refused_and_holidays_do_not_count(db):
    Holiday.objects.create(date=dt.date(2026, 3, 9), name_en="Test holiday")  # the Monday after

    def day_form(day: str):
        return engine.build_page_form(ASSEMBLY, "when", language="en", data={"organiser": "Dara", "day": day})

    # Fri 6 (1), Mon 9 holiday, Tue 10 (2), Wed 11 (3), Thu 12 (4), Fri 13 (5).
    too_soon = day_form("2026-03-12")
    too_soon.is_valid()
    assert too_soon.errors["day"] == [
        "Enter a date in the future, at least 5 working days from today (13 March 2026 or later)."
    ]
    assert "day" not in day_form("2026-03-13").errors
    assert "day" in day_form("2026-03-04").errors


# --- Conditions and navigation ---------------------------------------------------------------------
def test_a_page_is_asked_only_when_its_condition_holds():
    single = {"married": "no"}
    married = {"married": "yes"}
    assert [p["id"] for p in engine.visible_pages(DEFINITION, single)] == ["about", "address", "documents"]
    assert [p["id"] for p in engine.visible_pages(DEFINITION, married)] == [
        "about",
        "spouse",
        "address",
        "documents",
    ]
    assert engine.next_page_id(DEFINITION, single, "about") == "address"
    assert engine.next_page_id(DEFINITION, married, "about") == "spouse"
    assert engine.previous_page_id(DEFINITION, single, "address") == "about"
    assert engine.previous_page_id(DEFINITION, married, "address") == "spouse"
    assert engine.previous_page_id(DEFINITION, single, "about") is None
    assert engine.next_page_id(DEFINITION, single, "documents") is None


def test_answers_of_a_page_no_longer_asked_do_not_count():
    answers = {"married": "no", "spouse_name": "Chan", "wedding_place": "Phnom Penh", "full_name": "Dara"}
    assert engine.effective_answers(DEFINITION, answers) == {"married": "no", "full_name": "Dara"}
    labels = [row["field"] for row in engine.summary_rows(DEFINITION, answers, "en")]
    assert "spouse_name" not in labels and "wedding_place" not in labels


def test_a_field_whose_condition_is_on_an_earlier_page_is_left_out_when_it_does_not_hold(db):
    single = engine.build_page_form(DEFINITION, "address", language="en", initial={"married": "no"})
    married = engine.build_page_form(DEFINITION, "address", language="en", initial={"married": "yes"})
    assert list(single.fields) == ["village"]
    assert list(married.fields) == ["village", "wedding_place"]


def test_a_field_whose_condition_is_on_the_same_page_is_required_only_when_it_holds():
    form = about_form({**GOOD_ABOUT, "purpose": "other"})
    assert not form.is_valid()
    assert form.errors["purpose_other"] == ["Enter an answer to this question."]
    assert form.fields["purpose_other"].show_if == {"field": "purpose", "equals": "other"}
    blank = engine.build_page_form(DEFINITION, "about", language="en")
    assert blank.fields["purpose_other"].required  # not labelled "optional"
    assert " required" not in str(blank["purpose_other"])  # but the browser does not insist on it

    typed_but_not_asked = about_form({**GOOD_ABOUT, "purpose": "work", "purpose_other": "x" * 500})
    assert typed_but_not_asked.is_valid(), typed_but_not_asked.errors
    answers, _files = engine.to_json(DEFINITION, "about", typed_but_not_asked.cleaned_data)
    assert answers["purpose_other"] is None


def test_missing_answers_lists_the_required_questions_still_asked():
    answers = {"full_name": "Dara", "married": "yes"}
    missing = [item["field"] for item in engine.missing_answers(DEFINITION, answers, "en")]
    assert "spouse_name" in missing and "wedding_place" in missing and "story" not in missing
    assert "full_name" not in missing and "id_card" in missing
    item = engine.missing_answers(DEFINITION, answers, "en")[0]
    assert item == {"page_id": "about", "field": "copies", "label": "Copies"}


def test_the_helpers_find_pages_fields_and_labels():
    assert engine.page_of_field(DEFINITION, "village") == "address"
    assert engine.field_label(DEFINITION, "village", "km") == "Village (km)"
    assert engine.field_label(DEFINITION, "gone", "en") == "gone"
    assert ("spouse_name", "Spouse's name") in engine.field_choices(DEFINITION, "en")
    assert engine.page_by_id(DEFINITION, "nope") is None
    with pytest.raises(KeyError):
        engine.build_page_form(DEFINITION, "nope", language="en")


# --- Units, files, JSON and the summary -------------------------------------------------------------
def test_a_village_is_chosen_by_code_or_by_its_name_and_stored_as_its_code(units):
    by_code = engine.build_page_form(DEFINITION, "address", language="en", data={"village": "08010101"})
    assert by_code.is_valid(), by_code.errors
    by_name = engine.build_page_form(DEFINITION, "address", language="en", data={"village_q": "Trapeang Pou"})
    assert by_name.is_valid(), by_name.errors
    answers, _files = engine.to_json(DEFINITION, "address", by_name.cleaned_data)
    assert answers == {"village": "08010101", "wedding_place": None}
    commune = engine.build_page_form(DEFINITION, "address", language="en", data={"village": "080101"})
    assert not commune.is_valid()
    assert commune.errors["village"] == ["Choose a place."]  # a commune is not among the villages offered


def test_a_file_is_returned_apart_from_the_answers_with_its_real_type():
    upload = SimpleUploadedFile("card.pdf", PDF, content_type="application/pdf")
    form = engine.build_page_form(DEFINITION, "documents", language="en", data={}, files={"id_card": upload})
    assert form.is_valid(), form.errors
    answers, files = engine.to_json(DEFINITION, "documents", form.cleaned_data)
    assert answers == {}
    assert files["id_card"].sniffed_content_type == "application/pdf"


def test_a_png_named_pdf_is_refused_where_only_pdf_is_accepted():
    disguised = SimpleUploadedFile("card.pdf", PNG, content_type="application/pdf")
    form = engine.build_page_form(
        DEFINITION, "documents", language="en", data={}, files={"id_card": disguised}
    )
    assert not form.is_valid()
    assert form.errors["id_card"] == ["The file must be a PDF."]


def test_a_file_too_large_or_missing_is_refused():
    big = SimpleUploadedFile("card.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
    form = engine.build_page_form(DEFINITION, "documents", language="en", data={}, files={"id_card": big})
    assert form.errors["id_card"] == ["The file must be smaller than 1 MB."]
    missing = engine.build_page_form(DEFINITION, "documents", language="en", data={}, files={})
    assert missing.errors["id_card"] == ["Choose a file to upload."]


def test_a_file_already_uploaded_need_not_be_sent_again():
    initial = {"id_card": {"attachment": "a1", "name": "card.pdf"}}
    form = engine.build_page_form(DEFINITION, "documents", language="en", data={}, files={}, initial=initial)
    assert form.is_valid(), form.errors
    assert engine.to_json(DEFINITION, "documents", form.cleaned_data) == ({}, {})


def test_the_summary_shows_answers_in_words(units):
    answers = {
        "full_name": "Sok Dara",
        "copies": 2,
        "born": "1990-04-17",
        "purpose": "other",
        "purpose_other": "Visa",
        "languages": ["km", "en"],
        "married": "no",
        "phone": "+85512345678",
        "national_id": "010234567",
        "village": "08010101",
        "id_card": {"attachment": "a1", "name": "card.pdf"},
    }
    rows = {row["field"]: row for row in engine.summary_rows(DEFINITION, answers, "en")}
    assert rows["born"]["value"] == "17 April 1990"
    assert rows["purpose"]["value"] == "Other"
    assert rows["languages"]["value"] == "Khmer, English"
    assert rows["married"]["value"] == "No"
    assert rows["phone"]["value"] == "012 345 678"
    assert rows["national_id"]["value"] == "010 234 567"
    assert rows["village"]["value"] == "Trapeang Pou, Ampov Prey, Kandal Stueng, Kandal"
    assert rows["id_card"]["value"] == "card.pdf"
    assert rows["story"]["value"] == ""
    assert rows["village"]["page_id"] == "address" and rows["village"]["label"] == "Village"
    khmer = {row["field"]: row for row in engine.summary_rows(DEFINITION, answers, "km")}
    assert khmer["village"]["value"] == "ត្រពាំងពោធិ៍, អំពៅព្រៃ, កណ្តាលស្ទឹង, កណ្តាល"
    assert khmer["born"]["value"] == "១៧ មេសា ១៩៩០"
    assert khmer["purpose"]["label"] == "Purpose (km)"
    renamed = engine.summary_rows(DEFINITION, answers, "en", attachments={"id_card": "scan.pdf"})
    assert {row["field"]: row["value"] for row in renamed}["id_card"] == "scan.pdf"


# --- Checking a definition --------------------------------------------------------------------------
def _broken(change) -> dict:
    definition = copy.deepcopy(DEFINITION)
    change(definition)
    return definition


def _field(definition: dict, name: str) -> dict:
    return engine.field_by_name(definition, name)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: _field(d, "copies").update(type="colour"), "pages[0].fields[2]: unknown type 'colour'"),
        (
            lambda d: _field(d, "copies").update(levels=[4]),
            "pages[0].fields[2]: 'levels' is not an option of a number field",
        ),
        (
            lambda d: _field(d, "purpose").pop("choices"),
            "pages[0].fields[4]: 'choices' is a required property",
        ),
        (lambda d: d.pop("declaration"), "definition: 'declaration' is a required property"),
        (
            lambda d: _field(d, "full_name").update(label={"en": "Name"}),
            "pages[0].fields[0].label: 'km' is a required property",
        ),
        (
            lambda d: _field(d, "purpose_other").update(show_if={"field": "purpose"}),
            "pages[0].fields[5].show_if: a condition needs exactly one of 'equals' and 'in'",
        ),
        (lambda d: d["pages"][1].update(id="about"), "pages[1]: the page id 'about' is used twice"),
        (
            lambda d: _field(d, "spouse_name").update(name="phone"),
            "pages[1].fields[0]: the field name 'phone' is used twice",
        ),
        (lambda d: d.update(routing_field="nowhere"), "routing_field: there is no field 'nowhere'"),
        (lambda d: d.update(routing_field="full_name"), "routing_field: 'full_name' must be a unit field"),
        (
            lambda d: _field(d, "village").update(required=False),
            "routing_field: 'village' must be a required question asked of everyone",
        ),
        (lambda d: d.update(applicant_name_field="ghost"), "applicant_name_field: there is no field 'ghost'"),
        (
            lambda d: d.update(applicant_name_field="copies"),
            "applicant_name_field: 'copies' must be a text field",
        ),
        (
            lambda d: d["pages"][0].update(show_if={"field": "married", "equals": "yes"}),
            "pages[0].show_if: 'married' is not a question asked before this one",
        ),
        (
            lambda d: d["pages"][1].update(show_if={"field": "full_name", "equals": "x"}),
            "pages[1].show_if: a condition can only depend on a choice or yes/no question",
        ),
        (
            lambda d: d["pages"][1].update(show_if={"field": "married", "equals": "si"}),
            "pages[1].show_if: 'si' is not an answer 'married' can have",
        ),
        (
            lambda d: _field(d, "purpose")["choices"].append({"value": "work", "label": t("Again")}),
            "pages[0].fields[4]: the choice 'work' is listed twice",
        ),
        (lambda d: _field(d, "copies").update(min=9), "pages[0].fields[2]: 'min' is larger than 'max'"),
        (lambda d: _field(d, "born").update(not_in_past=True), "pages[0].fields[3]: a date cannot be both"),
        (
            lambda d: _field(d, "id_card").update(accept=["image/gif"]),
            "pages[3].fields[0].accept[0]: 'image/gif' is not one of",
        ),
        (
            lambda d: d["eligibility"].append(copy.deepcopy(d["eligibility"][0])),
            "eligibility[1]: the question id 'citizen' is used twice",
        ),
    ],
)
def test_validate_definition_names_the_place_of_each_problem(change, message):
    with pytest.raises(ValidationError) as raised:
        engine.validate_definition(_broken(change))
    assert any(text.startswith(message) for text in raised.value.messages), raised.value.messages


def test_validate_definition_refuses_a_routing_question_too_coarse_for_the_office():
    definition = _broken(lambda d: _field(d, "village").update(levels=[2, 4]))
    engine.validate_definition(definition, responsible_level="district")
    with pytest.raises(ValidationError, match="a commune office needs a unit of level 3 or finer"):
        engine.validate_definition(definition, responsible_level="commune")


def test_validate_definition_refuses_what_is_not_a_definition():
    with pytest.raises(ValidationError, match="is not of type 'object'"):
        engine.validate_definition(["pages"])
