"""URL patterns of the monitors, the public status page and the risk register."""

from django.urls import path

from nokor.infrastructure import views_monitors, views_risks, views_status

monitoring_urlpatterns = [
    path("status/", views_status.status_page, name="status"),
    path("status.json", views_status.status_json, name="status_json"),
    path("monitors/", views_monitors.monitor_list, name="monitors"),
    path("monitors/new/", views_monitors.monitor_create, name="monitor_create"),
    path("monitors/<int:pk>/", views_monitors.monitor_detail, name="monitor_detail"),
    path("monitors/<int:pk>/edit/", views_monitors.monitor_edit, name="monitor_edit"),
    path("monitors/<int:pk>/maintenance/", views_monitors.maintenance_create, name="maintenance_create"),
    path(
        "systems/<int:pk>/monitor/",
        views_monitors.monitor_create_for_system,
        name="monitor_create_for_system",
    ),
    path("incidents/<int:pk>/updates/", views_monitors.incident_update, name="incident_update"),
    path("risks/", views_risks.risk_list, name="risks"),
    path("risks/new/", views_risks.risk_create, name="risk_create"),
    path("risks/<int:pk>/", views_risks.risk_edit, name="risk_edit"),
]
