"""The administrative tree: loader idempotence and history, subtree queries, Khmer-safe search, picker."""

import csv
from pathlib import Path

import pytest
from django import forms

from nokor.geography.forms import UnitField
from nokor.geography.loader import DEFAULT_FILE, load_gazetteer
from nokor.geography.models import AdministrativeUnit

ZWSP = "\u200b"


@pytest.fixture
def small_file(tmp_path):
    """The first provinces of the real file, with all their descendants."""
    with DEFAULT_FILE.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["code"][:2] in {"08", "17"}]
    path = tmp_path / "units.csv"
    _write(path, rows)
    return path, rows


def _write(path: Path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0].keys()))
        writer.writeheader()
        writer.writerows(rows)


def test_loading_twice_changes_nothing(db, small_file):
    path, rows = small_file
    first = load_gazetteer(path)
    assert first.created == len(rows) and not first.errors
    second = load_gazetteer(path)
    assert not second.changed and second.unchanged == len(rows)


def test_changed_file_retires_and_adds_without_deleting(db, small_file, tmp_path):
    path, rows = small_file
    load_gazetteer(path)
    dropped = rows[-1]["code"]
    renamed = dict(rows[1], name_latin="Renamed District")
    new = dict(rows[-1], code="17999999", name_latin="New Village")
    changed = tmp_path / "changed.csv"
    _write(changed, [rows[0], renamed, *rows[2:-1], new])
    report = load_gazetteer(changed)
    assert (report.created, report.updated, report.retired) == (1, 1, 1)
    retired = AdministrativeUnit.objects.get(code=dropped)
    assert retired.valid_to is not None and not retired.is_current
    assert AdministrativeUnit.objects.get(code=rows[1]["code"]).name_latin == "Renamed District"
    assert AdministrativeUnit.objects.current().filter(code="17999999").exists()
    assert not AdministrativeUnit.objects.current().filter(code=dropped).exists()


def test_a_file_with_an_orphan_changes_nothing(db, small_file, tmp_path):
    path, rows = small_file
    orphan = tmp_path / "orphan.csv"
    _write(orphan, [*rows, dict(rows[-1], code="99999999", parent_code="999999")])
    report = load_gazetteer(orphan)
    assert report.errors and not AdministrativeUnit.objects.exists()


def test_everything_under_a_province_is_one_prefix_query(db, small_file, django_assert_num_queries):
    path, rows = small_file
    load_gazetteer(path)
    kandal = AdministrativeUnit.objects.get(code="08")
    with django_assert_num_queries(1):
        under = list(AdministrativeUnit.objects.under(kandal))
    assert len(under) == sum(1 for r in rows if r["code"].startswith("08"))
    assert all(u.code.startswith("08") for u in under)


def test_search_matches_khmer_with_or_without_zero_width_spaces(units):
    assert AdministrativeUnit.objects.search("កណ្តាល").filter(code="08").exists()
    assert AdministrativeUnit.objects.search(f"កណ្{ZWSP}តាល").filter(code="08").exists()
    assert AdministrativeUnit.objects.search("kandal").filter(code="08").exists()
    assert AdministrativeUnit.objects.search("KANDAL").filter(code="08").exists()


def test_full_name_reads_from_village_to_province(units):
    village = AdministrativeUnit.objects.get(code="08010101")
    assert village.full_name().count(",") == 3


class AddressForm(forms.Form):
    village = UnitField(levels=(4,))
    jurisdiction = UnitField(required=False)


def test_picker_accepts_a_chosen_code(units):
    form = AddressForm({"village": "08010101"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["village"].code == "08010101"


def test_picker_without_javascript_resolves_a_unique_name(units):
    form = AddressForm({"village_q": "Trapeang Pou"})
    assert form.is_valid(), form.errors


def test_picker_asks_to_choose_when_several_match_and_keeps_the_text(units):
    form = AddressForm({"jurisdiction_q": "Kandal"})
    assert not form.is_valid()
    html = str(form["jurisdiction"])
    assert 'value="Kandal"' in html and 'value="08"' in html and 'value="0801"' in html


def test_picker_refuses_the_wrong_level_and_unknown_names(units):
    assert "village" in AddressForm({"village": "08"}).errors
    form = AddressForm({"village_q": "Nowhere"})
    assert not form.is_valid() and "Nowhere" in str(form.errors["village"])


def test_search_endpoint_returns_matches_as_a_fragment_for_htmx(client, units):
    response = client.get("/units/search/?q=kandal&field=unit", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="unit" value="08"' in body and "<html" not in body


def test_search_endpoint_is_a_full_page_without_javascript(client, units):
    body = client.get("/units/search/?q=kandal").content.decode()
    assert "<html" in body and "កណ្តាល" in body  # Khmer is the default language
