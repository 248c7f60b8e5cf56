"""Search finds Khmer names with or without zero-width spaces and across the common spelling variants
(nokor.core.text.KHMER_VARIANTS), in every app's search, and Khmer lists sort in Khmer order."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from nokor.core.text import KHMER_VARIANTS, khmer_order, khmer_sort_key, normalize_for_search
from nokor.geography.models import AdministrativeUnit, Level

ZWSP = "\u200b"


# --------------------------------------------------------------------------------------------------
# The normaliser
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("កណ្ដាល", "កណ្តាល"),  # subscript DA / subscript TA
        ("បណ្ដុះបណ្ដាល", "បណ្តុះបណ្តាល"),
        ("ឲ្យ", "អោយ"),
        ("ឱ្យ", "ឲ្យ"),
        ("ឱកាស", "អោកាស"),
        ("ឳពុក", "ឪពុក"),
        ("ឳ", "អៅ"),
        ("ឥឡូវ", "អិឡូវ"),
        ("ឦសាន", "អីសាន"),
        ("ឧត្តរមានជ័យ", "អុត្តរមានជ័យ"),
        ("ឩ", "អូ"),
        ("ឯកភ្នំ", "អេកភ្នំ"),
        ("ឰ", "អៃ"),
        ("ឮ", "លឺ"),
        ("ឭ", "លឹ"),
        ("ឬ", "រឺ"),
        ("ឫស្សីកែវ", "រឹស្សីកែវ"),
        ("\u17a3ង្គរ", "អង្គរ"),  # deprecated QAQ
        ("\u17a4ន", "អាន"),  # deprecated QAA
        ("ក\u17b4ង", "កង"),  # invisible inherent vowels
        ("ក\u17b5ង", "កង"),
        ("យុទ្ធសាស្រ្ត", "យុទ្ធសាស្ត្រ"),  # subscript RO typed first
        ("ស្រ្តី", "ស្ត្រី"),
        ("បី៊", "ប៊ី"),  # register shifter typed after the vowel
        ("កេីត", "កើត"),  # split vowel
        ("សេាម", "សោម"),
        (f"ភ្នំ{ZWSP}ពេញ", "ភ្នំពេញ"),
        ("០១២", "012"),
        ("Phnom  PENH", "phnom penh"),
    ],
)
def test_spelling_variants_meet_on_one_search_form(typed, stored):
    assert normalize_for_search(typed) == normalize_for_search(stored)


def test_the_search_form_is_a_fixed_point_and_keeps_different_words_apart():
    for variant, canonical, _why in KHMER_VARIANTS:
        assert normalize_for_search(normalize_for_search(variant)) == normalize_for_search(variant)
        assert variant not in normalize_for_search(f"ក{variant}ក") or variant == canonical
    assert normalize_for_search("កណ្តាល") != normalize_for_search("កណ្ឌាល")
    assert normalize_for_search("ឱ") != normalize_for_search("អូ")  # ឱ is the vowel ោ, ឩ is ូ
    assert normalize_for_search("ស្ត្រី") != normalize_for_search("ស្តី")


# --------------------------------------------------------------------------------------------------
# Every search, through its view
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("query", ["កណ្ដាល", f"កណ្ត{ZWSP}ាល", "កណ្តាល", "kandal"])
def test_unit_picker_finds_a_province_however_its_name_is_typed(client, units, query):
    response = client.get(reverse("geography:unit_search"), {"q": query, "levels": "1"})
    assert response.status_code == 200
    assert "កណ្តាល" in response.content.decode()
    assert "សៀមរាប" not in response.content.decode()


def test_unit_picker_finds_a_name_typed_with_spelled_out_vowels(client, units):
    AdministrativeUnit.objects.create(
        code="22",
        level=Level.PROVINCE,
        name_km="ឧត្តរមានជ័យ",
        name_latin="Oddar Meanchey",
        search_name=AdministrativeUnit.make_search_name("ឧត្តរមានជ័យ", "Oddar Meanchey"),
    )
    response = client.get(reverse("geography:unit_search"), {"q": "អុត្តរ", "levels": "1"})
    assert "ឧត្តរមានជ័យ" in response.content.decode()


def test_services_queue_finds_an_applicant_by_a_variant_spelling(login, officer_kandal, citizen, units):
    from nokor.services import services as ops
    from nokor.services.catalogue import load_catalogue
    from nokor.services.models import Service
    from nokor.services.tests.conftest import RESIDENCE_ANSWERS, png_upload

    load_catalogue()
    application = ops.application_start(
        service=Service.objects.get(slug="residence-certificate"), applicant=citizen
    )
    upload = png_upload()
    upload.sniffed_content_type = "image/png"
    answers = {**RESIDENCE_ANSWERS, "full_name": "ឱក សុភ័ក្ត្រ"}
    ops.application_save_page(
        application=application, by=citizen, page_answers=answers, files={"id_document": upload}
    )
    application = ops.application_submit(application=application, by=citizen)

    client = login(officer_kandal)
    for query in ["អោក សុភ័ក្រ្ត", f"ឱក សុ{ZWSP}ភ័ក្ត្រ", "អោក"]:
        response = client.get(reverse("services:queue"), {"q": query})
        assert response.status_code == 200
        assert application.reference in response.content.decode(), query
    assert application.reference not in client.get(reverse("services:queue"), {"q": "សុខា"}).content.decode()


def test_site_list_finds_an_office_by_a_variant_spelling(login, infrastructure_officer, units):
    from nokor.infrastructure.models import Site
    from nokor.infrastructure.tests.conftest import make_site

    make_site(units["080101"], name="សាលាឃុំកណ្តាលស្ទឹង")
    make_site(units["080101"], name="ប៉ុស្តិ៍នគរបាលអំពៅព្រៃ")
    renamed = make_site(units["1701"], name="ការិយាល័យ")
    renamed.name_km = "ការិយាល័យឧត្តរ"
    renamed.save(update_fields=["name_km"])
    assert Site.objects.get(pk=renamed.pk).search_name == Site.make_search_name("ការិយាល័យឧត្តរ", "ការិយាល័យ")

    client = login(infrastructure_officer)
    for query, expected in [
        ("កណ្ដាលស្ទឹង", "សាលាឃុំកណ្តាលស្ទឹង"),  # subscript DA typed, subscript TA stored
        (f"សាលា{ZWSP}ឃុំ", "សាលាឃុំកណ្តាលស្ទឹង"),
        ("អុត្តរ", "ការិយាល័យឧត្តរ"),  # spelled-out vowel, saved through update_fields
    ]:
        page = client.get(reverse("infrastructure:sites"), {"q": query}).content.decode()
        assert expected in page, query
        assert "ប៉ុស្តិ៍នគរបាលអំពៅព្រៃ" not in page, query


def test_open_data_catalogue_finds_a_dataset_by_a_variant_spelling(client, db):
    from nokor.opendata.services import datasets_regenerate

    datasets_regenerate()
    for query in ["យុទ្ធសាស្រ្ត", "បណ្ដុះបណ្ដាល"]:
        response = client.get(reverse("opendata:catalogue"), {"q": query})
        assert response.status_code == 200
        assert response.context["found"] == 1, query


def test_staff_search_in_the_admin_finds_a_person_by_a_variant_spelling(login, administrator, officer_kandal):
    officer_kandal.full_name = "ឯក ស្រីពៅ"
    officer_kandal.save()
    client = login(administrator)
    response = client.get(reverse("admin:accounts_user_changelist"), {"q": f"អេក{ZWSP} ស្រីពៅ"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [officer_kandal]


# --------------------------------------------------------------------------------------------------
# Khmer order
# --------------------------------------------------------------------------------------------------
# Reviewed: the order of ICU's km collation (PostgreSQL 15, ICU 72) for these names of the gazetteer;
# subscript DA before TA, nikahit before the vowel oo with reahmuk, clusters after the simple consonant,
# independent vowels just after their spelled-out form, ឫ after the words of RO, Latin after Khmer.
KHMER_ORDER = [
    "កណ្ដាលស្ទឹង", "កណ្តាល", "កែប", "កំពង់ចាម", "កំពង់ឆ្នាំង", "កំពង់ធំ", "កំពង់ស្ពឺ", "កំពត", "កោះកុង",
    "ក្រចេះ", "តាកែវ", "ត្បូងឃ្មុំ", "បន្ទាយមានជ័យ", "បាត់ដំបង", "ប៉ៃលិន", "ពោធិ៍សាត់", "ព្រៃវែង",
    "ព្រះវិហារ", "ព្រះសីហនុ", "ភ្នំពេញ", "មណ្ឌលគិរី", "រតនគិរី", "រំដួល", "ឫស្សីកែវ", "សៀមរាប",
    "ស្ទឹងត្រែង", "ស្វាយរៀង", "អង្គរជុំ", "អង្គរបុរី", "អន្លង់វែង", "ឥន្ទ្រទេវី", "ឧត្តរមានជ័យ", "អូររាំង",
    "ឯកភ្នំ", "Kandal",
]  # fmt: skip


def test_the_office_list_sorts_the_offices_of_a_unit_in_khmer_order(login, infrastructure_officer, units):
    from nokor.infrastructure.tests.conftest import make_site

    for name in reversed(KHMER_ORDER):
        make_site(units["080101"], name=name)
    client = login(infrastructure_officer)
    client.cookies["nokor_language"] = "km"
    response = client.get(reverse("infrastructure:sites"), {"unit": "08"})
    assert [site.name_km for site in response.context["page_obj"].object_list] == KHMER_ORDER


def test_the_python_key_follows_the_reviewed_khmer_order():
    assert sorted(reversed(KHMER_ORDER), key=khmer_sort_key) == KHMER_ORDER


def test_khmer_order_sorts_a_queryset_on_every_database(db):
    AdministrativeUnit.objects.bulk_create(
        AdministrativeUnit(
            code=f"{90 + i // 10}{i % 10}", level=Level.PROVINCE, name_km=name, name_latin=name
        )
        for i, name in enumerate(reversed(KHMER_ORDER))
    )
    names = list(
        AdministrativeUnit.objects.order_by(khmer_order("name_km")).values_list("name_km", flat=True)
    )
    assert names == KHMER_ORDER
    reverse_names = AdministrativeUnit.objects.order_by(khmer_order("name_km").desc())
    assert list(reverse_names.values_list("name_km", flat=True)) == KHMER_ORDER[::-1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the ICU collation is PostgreSQL's")
def test_the_khmer_collation_is_icu_km_on_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT collprovider, colliculocale FROM pg_collation WHERE collname = 'khmer'")
        assert cursor.fetchone() == ("i", "km-KH")


def test_the_unit_picker_offers_matches_in_khmer_order(client, units):
    for code, name in [("0802", "ល្វាឯម"), ("0803", "កៀនស្វាយ"), ("0804", "ខ្សាច់កណ្ដាល")]:
        AdministrativeUnit.objects.create(
            code=code,
            level=Level.DISTRICT,
            parent=units["08"],
            name_km=name,
            name_latin=code,
            search_name=AdministrativeUnit.make_search_name(name, code),
        )
    response = client.get(reverse("geography:unit_search"), {"q": "កណ្តាល", "levels": "2"})
    page = response.content.decode()
    positions = [page.index(name) for name in ["កណ្តាលស្ទឹង", "កៀនស្វាយ", "ខ្សាច់កណ្ដាល", "ល្វាឯម"]]
    assert positions == sorted(positions)
