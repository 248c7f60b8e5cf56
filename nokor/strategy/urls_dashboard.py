"""Leadership dashboard, public transparency page and exports of the strategy plan (included by
nokor/strategy/urls.py inside the "strategy" namespace, under /plan/)."""

from django.urls import path

from nokor.strategy import exports, views_dashboard, views_public

urlpatterns = [
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("dashboard/strategy/<str:code>/", views_dashboard.dashboard_strategy, name="dashboard_strategy"),
    path("dashboard/objective/<str:code>/", views_dashboard.dashboard_objective, name="dashboard_objective"),
    path("dashboard/indicator/<str:code>/", views_dashboard.dashboard_indicator, name="dashboard_indicator"),
    path(
        "dashboard/indicator/<str:code>/provinces/",
        views_dashboard.dashboard_provinces,
        name="dashboard_provinces",
    ),
    path(
        "dashboard/indicator/<str:code>/provinces/<str:province>/",
        views_dashboard.dashboard_records,
        name="dashboard_records",
    ),
    path("dashboard/plan-status.xlsx", exports.plan_status_excel, name="export_excel"),
    path("dashboard/progress-report.pdf", exports.progress_report_pdf, name="export_pdf"),
    path("public/", views_public.public_page, name="public"),
]
