"""Pages of open data: the public catalogue with search and theme filters, a dataset with its releases
and data dictionary, the downloads, the DCAT-AP catalogue, the request for data, and the data owners'
list of requests."""

from __future__ import annotations

import json
from typing import Any

from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from nokor.audit.services import audit_view
from nokor.core import throttle
from nokor.core.access import PUBLIC, rule, staff_with
from nokor.core.db_router import replica_reads
from nokor.core.text import current_language, in_language
from nokor.opendata import dcat, selectors, services
from nokor.opendata.forms import CatalogueSearchForm, DataRequestForm
from nokor.opendata.models import REQUEST_READERS, Frequency, Theme
from nokor.services import paper

PAGE_SIZE = 10
RELEASES_PAGE_SIZE = 10
REQUESTS_PAGE_SIZE = 25
REQUESTS_AN_HOUR = 10  # data requests from one address


def _shown(entry: dict[str, Any]) -> dict[str, Any]:
    """A catalogue entry in the reader's language."""
    themes = dict(Theme.choices)
    return {
        **entry,
        "title": in_language(entry["title_km"], entry["title_en"]),
        "description": in_language(entry["description_km"], entry["description_en"]),
        "theme_names": [themes[code] for code in entry["theme_codes"] if code in themes],
    }


@rule(PUBLIC)
@replica_reads
def catalogue(request: HttpRequest) -> HttpResponse:
    """The catalogue: every published dataset, searched by words and filtered by theme."""
    form = CatalogueSearchForm(request.GET or None)
    text, theme = "", ""
    if form.is_valid():
        text, theme = form.cleaned_data["q"], form.cleaned_data["theme"]
    entries = selectors.catalogue()
    found = selectors.search(entries, text=text, theme=theme)
    counts = {code: 0 for code in Theme.values}
    for entry in selectors.search(entries, text=text):
        for code in entry["theme_codes"]:
            counts[code] += 1
    themes = [
        {"code": code, "label": label, "count": counts[code], "current": code == theme}
        for code, label in Theme.choices
        if counts[code]
    ]
    page_obj = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "opendata/catalogue.html",
        {
            "form": form,
            "page_obj": page_obj,
            "datasets": [_shown(entry) for entry in page_obj.object_list],
            "found": len(found),
            "themes": themes,
            "searching": bool(text or theme),
        },
    )


@rule(PUBLIC)
@replica_reads
def dataset(request: HttpRequest, slug: str) -> HttpResponse:
    """A dataset: its metadata, its releases with their downloads, its data dictionary, how to cite it."""
    found = selectors.public_dataset(slug)
    page_obj = Paginator(found.releases.order_by("-version"), RELEASES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    releases = list(page_obj.object_list)
    latest = releases[0] if page_obj.number == 1 and releases else found.releases.order_by("-version").first()
    metadata = [
        {"key": _("Publisher"), "value": found.publisher},
        {"key": _("Licence"), "value": found.licence_title},
        {"key": _("Themes"), "value": ", ".join(str(Theme(code).label) for code in found.theme_codes)},
        {"key": _("Keywords"), "value": ", ".join(found.keyword_list(current_language()))},
        {"key": _("Updated"), "value": Frequency(found.frequency).label},
        {"key": _("Area covered"), "value": found.spatial},
    ]
    if found.suppression_threshold > 1:
        metadata.append(
            {
                "key": _("Small counts"),
                "value": _("Counts below %(count)s are hidden, with others where needed to protect them.")
                % {"count": found.suppression_threshold},
            }
        )
    # The data dictionary's types and units in the reader's language (the files keep the codes).
    words = {
        "string": _("text"), "integer": _("whole number"), "number": _("number"), "date": _("date"),
        "month": _("month (YYYY-MM)"), "applications": _("applications"), "offices": _("offices"),
        "people": _("people"), "reports": _("reports"),
    }  # fmt: skip
    columns = [
        {
            **column,
            "description": in_language(column["description_km"], column["description_en"]),
            "type": words.get(column["type"], column["type"]),
            "unit": words.get(column.get("unit", ""), column.get("unit", "")),
        }
        for column in (latest.columns if latest else [])
    ]
    return render(
        request,
        "opendata/dataset.html",
        {"dataset": found, "metadata": metadata, "latest": latest, "releases": releases, "page_obj": page_obj,
         "columns": columns},
    )  # fmt: skip


CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


@rule(PUBLIC)
@replica_reads
def download(request: HttpRequest, slug: str, version: str, kind: str) -> FileResponse:
    """The CSV or JSON file of a release, as an attachment."""
    release = selectors.public_release(slug, int(version))
    stored = release.csv_file if kind == "csv" else release.json_file
    response = FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=f"{slug}-v{version}.{kind}",
        content_type=CONTENT_TYPES[kind],
    )
    # A release never changes: browsers and shared caches may keep it.
    patch_cache_control(response, public=True, max_age=86400)
    return response


@rule(PUBLIC)
@replica_reads
def catalog_jsonld(request: HttpRequest) -> HttpResponse:
    """The catalogue as DCAT-AP JSON-LD."""
    document = dcat.catalogue_document(selectors.catalogue())
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=1), content_type="application/ld+json; charset=utf-8"
    )
    patch_cache_control(response, public=True, max_age=300)
    return response


@rule(PUBLIC)
def request_data(request: HttpRequest) -> HttpResponse:
    """Ask for data that is not published: the request goes to the dataset's data owner."""
    datasets = selectors.public_datasets()
    if request.method == "POST":
        form = DataRequestForm(request.POST, datasets=datasets)
        if form.is_valid():
            wait = throttle.retry_after("opendata-request", limit=REQUESTS_AN_HOUR, window_seconds=3600)
            if wait:
                response = render(request, "opendata/too_many.html", {"minutes": -(-wait // 60)}, status=429)
                response["Retry-After"] = str(wait)
                return response
            data = form.cleaned_data
            services.data_request_submit(
                by=request.user,
                dataset=data["dataset"],
                name=data["name"],
                email=data["email"],
                organisation=data["organisation"],
                what=data["what"],
                purpose=data["purpose"],
            )
            return redirect("opendata:request_done")
    elif request.method == "GET":
        form = DataRequestForm(initial={"dataset": request.GET.get("dataset", "")}, datasets=datasets)
    else:
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(request, "opendata/request.html", {"form": form})


@rule(PUBLIC)
def request_paper_form(request: HttpRequest) -> HttpResponse:
    """The request for data as boxes and lines, for asking with the help of a commune office."""
    section = paper.section_from_form(
        _("Your request"), DataRequestForm(datasets=selectors.public_datasets())
    )
    for field in section.fields:
        if field.name == "dataset":  # the catalogue's titles would fill pages: the title, written out
            field.kind, field.choices = "line", []
            field.hint = _(
                "Its title as the catalogue shows it. Leave it empty if none fits or you don't know."
            )
    return paper.paper_response(
        request,
        title=_("Ask for data"),
        sections=[section],
        back_url=reverse("opendata:request"),
        back_label=_("Ask for data"),
        intro=_(
            "Tell us what data you need and why. Your request goes to the team that holds the data, who will "
            "answer you by e-mail. Personal data about other people is never given out."
        ),
    )


@rule(PUBLIC)
def request_done(request: HttpRequest) -> HttpResponse:
    return render(request, "opendata/request_done.html")


@rule(staff_with(*REQUEST_READERS))
def requests(request: HttpRequest) -> HttpResponse:
    """The data requests routed to the reader (who asked, for what, why); each view is audited."""
    page_obj = Paginator(selectors.requests_for(request.user), REQUESTS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for data_request in page_obj.object_list:
        audit_view(actor=request.user, obj=data_request, subject=data_request.requester, what="data request")
    return render(request, "opendata/requests.html", {"page_obj": page_obj})
