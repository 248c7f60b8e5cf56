"""URLs of open data."""

from django.urls import path, re_path

from nokor.opendata import views

app_name = "opendata"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("catalog.jsonld", views.catalog_jsonld, name="catalog_jsonld"),
    path("request/", views.request_data, name="request"),
    path("request/paper-form/", views.request_paper_form, name="request_paper_form"),
    path("request/sent/", views.request_done, name="request_done"),
    path("requests/", views.requests, name="requests"),
    path("<slug:slug>/", views.dataset, name="dataset"),
    re_path(
        r"^(?P<slug>[-\w]+)/v(?P<version>[0-9]{1,9})\.(?P<kind>csv|json)$", views.download, name="download"
    ),
]
