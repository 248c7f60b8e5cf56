"""The public pages (catalogue with search and themes, dataset, downloads, DCAT-AP JSON-LD), the
request for data routed to its owner, and the owners' staff page: access rules and query counts."""

from __future__ import annotations

import html
import json

import pytest
import rdflib
from django.urls import reverse

from nokor.audit.models import AuditEvent
from nokor.core.navigation import staff_menu
from nokor.notifications.models import Message
from nokor.opendata import views
from nokor.opendata.models import DataRequest, Dataset
from nokor.opendata.services import datasets_regenerate
from nokor.opendata.tests.conftest import read_csv

CATALOGUE = reverse("opendata:catalogue")


@pytest.fixture
def published(make_cyber_report):
    for _ in range(6):
        make_cyber_report()
    datasets_regenerate()
    return Dataset.objects.get(slug="cybercrime-reports")


def titles(response) -> list[str]:
    return [entry["title_en"] for entry in response.context["datasets"]]


# --------------------------------------------------------------------------------------------------
# Catalogue
# --------------------------------------------------------------------------------------------------
def test_the_catalogue_lists_every_published_dataset(english, published):
    Dataset.objects.filter(slug="office-connectivity").update(is_published=False)
    response = english.get(CATALOGUE)
    assert response.status_code == 200
    assert "Cybercrime reports statistics" in titles(response)
    assert "Internet connectivity of offices" not in titles(response)
    assert response.context["found"] == 4


@pytest.mark.parametrize("query", ["cybercrime", "SCAM", "បទល្មើសបច្ចេកវិទ្យា", "police reports", "ការឆបោក"])
def test_search_finds_words_of_titles_descriptions_and_keywords_in_both_languages(english, published, query):
    assert titles(english.get(CATALOGUE, {"q": query})) == ["Cybercrime reports statistics"]


def test_the_theme_filter_keeps_the_datasets_of_that_theme(english, published):
    response = english.get(CATALOGUE, {"theme": "EDUC"})
    assert titles(response) == ["Training completions"]
    assert {theme["code"] for theme in response.context["themes"]} >= {"EDUC", "JUST", "GOVE", "TECH"}
    assert english.get(CATALOGUE, {"q": "nothing like this"}).context["found"] == 0


def test_the_catalogue_is_paginated(english, published, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    first = english.get(CATALOGUE)
    third = english.get(CATALOGUE, {"page": 3})
    assert len(first.context["datasets"]) == 2 and len(third.context["datasets"]) == 1
    assert 'rel="next"' in first.content.decode()


def test_the_catalogue_is_read_from_the_cache(client, published, django_assert_max_num_queries):
    client.get(CATALOGUE)
    with django_assert_max_num_queries(1):  # whether the catalogue changed
        assert client.get(CATALOGUE, {"q": "cyber"}).status_code == 200


def test_a_new_release_shows_in_the_catalogue_at_once(english, published, make_cyber_report):
    english.get(CATALOGUE)
    for _ in range(5):
        make_cyber_report(channel="facebook")
    datasets_regenerate()
    entry = next(e for e in english.get(CATALOGUE).context["datasets"] if e["slug"] == "cybercrime-reports")
    assert entry["latest"]["version"] == 2


# --------------------------------------------------------------------------------------------------
# Dataset page and downloads
# --------------------------------------------------------------------------------------------------
def test_the_dataset_page_shows_metadata_releases_dictionary_and_citation(
    english, published, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        response = english.get(reverse("opendata:dataset", args=["cybercrime-reports"]))
    page = response.content.decode()
    assert "Creative Commons Attribution 4.0" in page and "Justice, legal system and public safety" in page
    assert "<code>channel</code>" in page and "How the offender made contact" in page
    assert reverse("opendata:download", args=["cybercrime-reports", 1, "csv"]) in page
    assert "Ministry of Interior (20" in page  # how to cite
    assert published.releases.get().sha256 in page


def test_an_unpublished_dataset_and_its_files_are_not_found(english, published):
    published.is_published = False
    published.save(update_fields=["is_published"])
    assert english.get(reverse("opendata:dataset", args=[published.slug])).status_code == 404
    assert english.get(reverse("opendata:download", args=[published.slug, 1, "csv"])).status_code == 404


def test_the_csv_download_is_an_attachment_with_a_byte_order_mark(client, published):
    response = client.get(reverse("opendata:download", args=["cybercrime-reports", 1, "csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="cybercrime-reports-v1.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(b"".join(response.streaming_content))
    assert list(rows[0])[:4] == ["month", "province_code", "province_name_km", "province_name_en"]


def test_the_json_download_holds_the_rows_and_the_dictionary(client, published):
    response = client.get(reverse("opendata:download", args=["cybercrime-reports", 1, "json"]))
    assert response["Content-Disposition"] == 'attachment; filename="cybercrime-reports-v1.json"'
    document = json.loads(b"".join(response.streaming_content))
    assert document["dataset"] == "cybercrime-reports" and document["rows"][0]["reports"] == 6
    assert client.get("/opendata/cybercrime-reports/v9.csv").status_code == 404


# --------------------------------------------------------------------------------------------------
# DCAT-AP
# --------------------------------------------------------------------------------------------------
def test_the_catalogue_parses_as_dcat_with_rdflib(client, published):
    from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF  # here: pytest's collection probes module names

    response = client.get(reverse("opendata:catalog_jsonld"))
    assert response["Content-Type"].startswith("application/ld+json")
    graph = rdflib.Graph().parse(data=response.content.decode(), format="json-ld")
    catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(catalogs) == 1 and len(datasets) == 5
    assert set(graph.objects(catalogs[0], DCAT.dataset)) == datasets
    cyber = rdflib.URIRef("https://nokor.example/opendata/cybercrime-reports/")
    titles = {(str(t), t.language) for t in graph.objects(cyber, DCTERMS.title)}
    assert ("Cybercrime reports statistics", "en") in titles
    assert ("ស្ថិតិរបាយការណ៍បទល្មើសបច្ចេកវិទ្យា", "km") in titles
    assert graph.value(cyber, DCTERMS.license) == rdflib.URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    publisher = graph.value(cyber, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph
    themes = set(graph.objects(cyber, DCAT.theme))
    assert rdflib.URIRef("http://publications.europa.eu/resource/authority/data-theme/JUST") in themes
    assert rdflib.Literal("online scam", lang="en") in set(graph.objects(cyber, DCAT.keyword))
    assert graph.value(cyber, DCTERMS.accrualPeriodicity) == rdflib.URIRef(
        "http://publications.europa.eu/resource/authority/frequency/DAILY"
    )
    assert graph.value(cyber, DCTERMS.spatial) == rdflib.URIRef("https://sws.geonames.org/1831722/")
    period = graph.value(cyber, DCTERMS.temporal)
    assert (period, RDF.type, DCTERMS.PeriodOfTime) in graph and graph.value(period, DCAT.startDate)
    assert graph.value(cyber, DCTERMS.issued) and graph.value(cyber, DCTERMS.modified)
    distributions = list(graph.objects(cyber, DCAT.distribution))
    assert len(distributions) == 2
    for distribution in distributions:
        assert (distribution, RDF.type, DCAT.Distribution) in graph
        assert graph.value(distribution, DCAT.accessURL) == cyber
        assert graph.value(distribution, DCAT.mediaType) is not None
    downloads = {str(graph.value(d, DCAT.downloadURL)) for d in distributions}
    assert downloads == {
        "https://nokor.example/opendata/cybercrime-reports/v1.csv",
        "https://nokor.example/opendata/cybercrime-reports/v1.json",
    }


# --------------------------------------------------------------------------------------------------
# Request for data
# --------------------------------------------------------------------------------------------------
REQUEST = reverse("opendata:request")
ANSWERS = {
    "dataset": "cybercrime-reports",
    "what": "Reports by district for 2025.",
    "purpose": "A study of scams in rural areas.",
    "name": "Sreymom Chan",
    "email": "sreymom@example.org",
    "organisation": "Royal University of Phnom Penh",
}


def test_the_request_form_opens_with_the_dataset_chosen(english, published):
    response = english.get(REQUEST, {"dataset": "cybercrime-reports"})
    assert response.status_code == 200
    assert 'value="cybercrime-reports" selected' in response.content.decode()


def test_a_request_is_routed_to_the_data_owner_notified_and_audited(english, published, cyber_supervisor):
    response = english.post(REQUEST, ANSWERS)
    assert response.status_code == 302 and response["Location"] == reverse("opendata:request_done")
    request = DataRequest.objects.get()
    assert request.owner_role == "cyber_supervisor" and request.dataset == published
    assert Message.objects.filter(user=cyber_supervisor, event="opendata.data_requested").exists()
    event = AuditEvent.objects.get(action="opendata.data_request.submit")
    assert event.object_id == str(request.pk) and event.details["routed_to"] == "cyber_supervisor"


def test_a_request_about_no_dataset_goes_to_the_administrators(english, published, administrator):
    english.post(REQUEST, {**ANSWERS, "dataset": ""})
    assert DataRequest.objects.get().owner_role == "administrator"
    assert Message.objects.filter(user=administrator, event="opendata.data_requested").exists()


def test_a_request_with_mistakes_is_shown_again_with_what_was_typed(english, published):
    response = english.post(REQUEST, {**ANSWERS, "email": "not an address", "purpose": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page and "Error:" in page
    assert "Reports by district for 2025." in page and "not an address" in page
    assert not DataRequest.objects.exists()


def test_requests_from_one_address_are_limited(english, published, monkeypatch):
    monkeypatch.setattr(views, "REQUESTS_AN_HOUR", 1)
    english.post(REQUEST, ANSWERS)
    response = english.post(REQUEST, ANSWERS)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert DataRequest.objects.count() == 1


def test_the_request_form_takes_no_other_method(english, published):
    assert english.put(REQUEST).status_code == 405


def test_the_request_prints_as_a_paper_form_with_every_question(english, published):
    assert 'href="/opendata/request/paper-form/"' in english.get(REQUEST).content.decode()
    response = english.get(reverse("opendata:request_paper_form"))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    for name in ANSWERS:
        assert f'data-field="{name}"' in page
    for label in [
        "What data do you need?",
        "What will you use it for?",
        "Your e-mail address",
        "Organisation",
    ]:
        assert label in page
    # The dataset is written out by its title, not chosen from the catalogue's (long) list.
    assert "Its title as the catalogue shows it." in page and published.title not in page
    assert 'class="paper__office"' in page and "/static/nokor/css/paper.css" in page


# --------------------------------------------------------------------------------------------------
# The owners' page
# --------------------------------------------------------------------------------------------------
REQUESTS = reverse("opendata:requests")


def test_the_owners_page_refuses_citizens_and_other_staff(login, published, citizen, officer_kandal, client):
    assert client.get(REQUESTS).status_code == 302  # sign in first
    assert login(citizen).get(REQUESTS).status_code == 403
    assert login(officer_kandal).get(REQUESTS).status_code == 403


def test_an_owner_sees_the_requests_routed_to_them_and_each_view_is_audited(
    client, login, published, cyber_supervisor, trainer, administrator, django_assert_max_num_queries
):
    client.post(REQUEST, ANSWERS)
    client.post(REQUEST, {**ANSWERS, "dataset": "training-completions", "name": "Dara Sok"})
    login(cyber_supervisor)
    with django_assert_max_num_queries(12):
        page = client.get(REQUESTS).content.decode()
    assert "Sreymom Chan" in page and "Dara Sok" not in page
    assert AuditEvent.objects.filter(action="personal_data.view", actor=cyber_supervisor).count() == 1
    assert "Dara Sok" in login(trainer).get(REQUESTS).content.decode()
    everything = login(administrator).get(REQUESTS).content.decode()
    assert "Sreymom Chan" in everything and "Dara Sok" in everything


def test_the_staff_menu_offers_the_page_to_owners_only(published, cyber_supervisor, officer_kandal):
    assert REQUESTS in [path for path, _label in staff_menu(cyber_supervisor)]
    assert REQUESTS not in [path for path, _label in staff_menu(officer_kandal)]
