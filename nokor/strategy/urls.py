"""Pages of the strategy app, under /plan/: progress reporting and targets (here), the dashboards,
public page and exports (urls_dashboard)."""

from django.urls import include, path

from nokor.strategy import views

app_name = "strategy"

urlpatterns = [
    path("reports/", views.report_list, name="reports"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("reports/<int:pk>/approve/", views.report_approve, name="report_approve"),
    path("reports/<int:pk>/return/", views.report_return, name="report_return"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("approvals/", views.approvals, name="approvals"),
    path("overview/", views.overview, name="overview"),
    path("targets/export/", views.targets_export, name="targets_export"),
    path("targets/import/", views.targets_import, name="targets_import"),
    path("", include("nokor.strategy.urls_dashboard")),
]
