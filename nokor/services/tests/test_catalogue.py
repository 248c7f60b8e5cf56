"""The six services of the catalogue: every file is valid and can be filled in from start to finish, and
loading is idempotent, all or nothing, and versions a changed form."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation

from nokor.services import forms_engine as engine
from nokor.services.catalogue import CATALOGUE_DIR, CatalogueError, load_catalogue, read_catalogue, read_entry
from nokor.services.models import Holiday, Service, ServiceVersion

FILES = sorted(CATALOGUE_DIR.glob("*.json"))
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def catalogue_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, folder)
    return folder


def test_the_catalogue_has_the_six_services():
    assert [path.stem for path in FILES] == [
        "assembly-notice",
        "association-ngo-registration",
        "birth-certificate-copy",
        "family-book-update",
        "id-card-replacement",
        "residence-certificate",
    ]


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_each_catalogue_file_is_valid(path):
    entry = read_entry(path)
    assert entry.fields["name_km"] and entry.fields["name_en"]
    assert entry.definition["eligibility"], "every service asks who it is for before starting"


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_catalogue_texts_hold_no_zero_width_characters(path):
    text = path.read_text(encoding="utf-8")
    assert not any(char in text for char in INVISIBLE)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_every_text_has_khmer_and_english(path):
    def walk(node, where="$"):
        if isinstance(node, dict):
            if "km" in node:
                assert node["km"].strip() and node.get("en", "").strip(), where
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}[{index}]")

    walk(json.loads(path.read_text(encoding="utf-8"))["form_definition"])


def _valid_value(spec: dict, today: dt.date):
    """A value a person could type for a question, as a form would post it."""
    kind = spec["type"]
    if kind == "date":
        if spec.get("not_in_future"):
            return "2000-01-15"
        return (today + dt.timedelta(days=40)).isoformat()
    if kind == "choice":
        value = spec["choices"][0]["value"]
        return [value] if spec.get("multiple") else value
    return {
        "text": "Sok Dara",
        "textarea": "Line one\nLine two",
        "number": str(spec.get("min", 1)),
        "yesno": "yes",
        "phone": "012 345 678",
        "email": "dara@example.com",
        "national_id": "010 234 567",
    }.get(kind)


@pytest.mark.parametrize("language", ["km", "en"])
@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_each_service_can_be_filled_in_to_the_end(units, path, language):
    """Walk every page as an applicant would, taking the first option each time, until nothing is missing."""
    definition = read_entry(path).definition
    units_by_level = {4: "08010101", 3: "080101", 2: "0801", 1: "08"}
    today = dt.date.today()  # noqa: DTZ011 (a date well ahead either way)
    answers: dict = {}
    page_id = engine.visible_pages(definition, answers)[0]["id"]
    seen = []
    with translation.override(language):
        while page_id:
            seen.append(page_id)
            page = engine.page_by_id(definition, page_id)
            data, files = {}, {}
            for spec in page["fields"]:
                if spec["type"] == "unit":
                    data[spec["name"]] = units_by_level[max(spec.get("levels", [4]))]
                elif spec["type"] == "file":
                    files[spec["name"]] = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
                else:
                    data[spec["name"]] = _valid_value(spec, today)
            form = engine.build_page_form(
                definition, page_id, language=language, data=data, files=files, initial=answers
            )
            assert form.is_valid(), (page_id, form.errors)
            assert form.title
            page_answers, uploads = engine.to_json(definition, page_id, form.cleaned_data)
            answers.update(page_answers)
            answers.update({name: {"attachment": "x", "name": "scan.pdf"} for name in uploads})
            json.dumps(answers)  # JSON-safe
            page_id = engine.next_page_id(definition, answers, page_id)
        assert engine.missing_answers(definition, answers) == []
        rows = engine.summary_rows(definition, answers, language)
    assert all(row["label"] for row in rows)
    assert answers[definition["routing_field"]]
    assert answers[definition["applicant_name_field"]] == "Sok Dara"
    assert len(seen) == len(engine.visible_pages(definition, answers))


def test_the_family_book_asks_the_page_of_the_kind_of_change_only():
    definition = read_entry(CATALOGUE_DIR / "family-book-update.json").definition
    pages = [page["id"] for page in engine.visible_pages(definition, {"change_kind": "death"})]
    assert "death" in pages
    assert not {"birth", "marriage", "move_in", "move_out"} & set(pages)


def test_the_assembly_date_must_be_5_working_days_ahead():
    definition = read_entry(CATALOGUE_DIR / "assembly-notice.json").definition
    assert engine.field_by_name(definition, "assembly_date")["min_working_days_ahead"] == 5


# --- Loading --------------------------------------------------------------------------------------
def test_loading_creates_each_service_with_its_first_form_version(db):
    report = load_catalogue()
    assert len(report.created) == 6 and len(report.new_versions) == 6
    for service in Service.objects.select_related("current_version"):
        assert service.current_version.number == 1
        assert service.current_version.created_by is None
    lango = Service.objects.get(slug="association-ngo-registration")
    assert lango.responsible_level == "national" and lango.needs_supervisor_approval
    assert lango.processing_days == 45
    assert "\n" in lango.documents_en  # lines of the file are joined


def test_loading_twice_creates_no_new_version(db):
    load_catalogue()
    report = load_catalogue()
    assert report.created == [] and report.updated == [] and report.new_versions == []
    assert ServiceVersion.objects.count() == 6


def test_a_changed_definition_makes_version_2_and_keeps_version_1(db, catalogue_copy):
    load_catalogue(catalogue_copy)
    path = catalogue_copy / "residence-certificate.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["form_definition"]["pages"][0]["title"]["en"] = "Your name"
    data["name_en"] = "Certificate of residence"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    report = load_catalogue(catalogue_copy)

    assert report.new_versions == ["residence-certificate"]
    assert report.updated == ["residence-certificate"]
    service = Service.objects.get(slug="residence-certificate")
    assert service.name_en == "Certificate of residence"
    assert service.current_version.number == 2
    first = service.versions.get(number=1)
    assert first.form_definition["pages"][0]["title"]["en"] == "What is your name?"
    assert ServiceVersion.objects.count() == 7


def test_an_invalid_file_means_nothing_is_loaded(db, catalogue_copy):
    path = catalogue_copy / "residence-certificate.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["form_definition"]["routing_field"] = "house"
    data["fee_riel"] = -5
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (catalogue_copy / "broken.json").write_text("{not json", encoding="utf-8")

    with pytest.raises(CatalogueError) as raised:
        load_catalogue(catalogue_copy)

    messages = raised.value.messages
    assert any(m.startswith("broken.json: cannot read") for m in messages)
    assert (
        "residence-certificate.json: form_definition.routing_field: 'house' must be a unit field" in messages
    )
    assert any(m.startswith("residence-certificate.json: fee_riel:") for m in messages)
    assert not Service.objects.exists()


def test_a_file_must_be_named_after_its_slug_and_hold_only_known_keys(catalogue_copy):
    source = catalogue_copy / "assembly-notice.json"
    data = json.loads(source.read_text(encoding="utf-8"))
    data["colour"] = "blue"
    (catalogue_copy / "assembly.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CatalogueError) as raised:
        read_catalogue(catalogue_copy)
    assert "assembly.json: unknown key 'colour'" in raised.value.messages
    assert "assembly.json: the file name must be the slug: assembly-notice.json" in raised.value.messages


def test_a_form_changed_in_the_admin_is_kept_unless_forced(db, administrator, catalogue_copy):
    from nokor.services.catalogue import service_version_create

    load_catalogue(catalogue_copy)
    service = Service.objects.get(slug="assembly-notice")
    edited = json.loads(json.dumps(service.current_version.form_definition))
    edited["pages"][0]["title"]["en"] = "Edited in the admin"
    service_version_create(service=service, definition=edited, by=administrator)

    report = load_catalogue(catalogue_copy)
    assert report.skipped == ["assembly-notice"]
    service.refresh_from_db()
    assert service.current_version.number == 2

    forced = load_catalogue(catalogue_copy, force=True)
    assert forced.new_versions == ["assembly-notice"]
    service.refresh_from_db()
    assert service.current_version.number == 3
    assert (
        service.current_version.form_definition
        == read_entry(catalogue_copy / "assembly-notice.json").definition
    )


def test_the_command_loads_the_services_and_the_holidays(db, capsys):
    call_command("load_services")
    assert Service.objects.count() == 6
    assert (
        Holiday.objects.filter(date__year=2024).exists() and Holiday.objects.filter(date__year=2030).exists()
    )
    call_command("load_services")
    assert "0 services added, 0 updated, 0 new form versions, 0 holidays added." in capsys.readouterr().out


def test_the_command_refuses_an_invalid_catalogue(db, catalogue_copy):
    from django.core.management.base import CommandError

    (catalogue_copy / "assembly-notice.json").write_text("[]", encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing loaded"):
        call_command("load_services", "--path", str(catalogue_copy), "--no-holidays")
    assert not Service.objects.exists()


def test_load_holidays_takes_a_range_of_years(db):
    call_command("load_holidays", "--from", "2027", "--to", "2027")
    assert {day.year for day in Holiday.objects.values_list("date", flat=True)} == {2027}
