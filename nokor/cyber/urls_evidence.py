"""URL patterns of the evidence pages (investigators), for ``nokor/cyber/urls.py`` (namespace ``cyber``,
mounted at ``cyber/``) to include: ``urlpatterns = [..., *evidence_urlpatterns]``."""

from django.urls import path

from nokor.cyber import views_evidence

evidence_urlpatterns = [
    path("staff/evidence/<uuid:pk>/", views_evidence.evidence_detail, name="evidence_detail"),
    path("staff/evidence/<uuid:pk>/download/", views_evidence.evidence_download, name="evidence_download"),
    path("staff/evidence/<uuid:pk>/view/", views_evidence.evidence_view, name="evidence_view"),
    path("staff/evidence/<uuid:pk>/verify/", views_evidence.evidence_verify, name="evidence_verify"),
    path("staff/evidence/<uuid:pk>/transfer/", views_evidence.evidence_transfer, name="evidence_transfer"),
    path(
        "staff/evidence/<uuid:pk>/legal-hold/", views_evidence.evidence_legal_hold, name="evidence_legal_hold"
    ),
    path("staff/evidence/<uuid:pk>/delete/", views_evidence.evidence_delete, name="evidence_delete"),
    path("staff/cases/<str:reference>/evidence/add/", views_evidence.evidence_add, name="evidence_add"),
    path(
        "staff/reports/<str:reference>/evidence/add/",
        views_evidence.evidence_add_to_report,
        name="evidence_add_to_report",
    ),
]
