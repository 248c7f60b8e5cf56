"""Staff pages of the infrastructure app (monitors, status page and risks come from urls_monitoring)."""

from django.urls import path

from nokor.infrastructure import views_assets, views_sites, views_systems
from nokor.infrastructure.urls_monitoring import monitoring_urlpatterns

app_name = "infrastructure"

urlpatterns = [
    path("sites/", views_sites.site_list, name="sites"),
    path("sites/new/", views_sites.site_create, name="site_create"),
    path("sites/unconnected/", views_sites.sites_unconnected, name="sites_unconnected"),
    path("sites/<int:pk>/", views_sites.site_detail, name="site_detail"),
    path("sites/<int:pk>/edit/", views_sites.site_edit, name="site_edit"),
    path("sites/<int:pk>/links/new/", views_sites.link_create, name="link_create"),
    path("links/<int:pk>/edit/", views_sites.link_edit, name="link_edit"),
    path("assets/", views_assets.asset_list, name="assets"),
    path("assets/<int:pk>/", views_assets.asset_detail, name="asset_detail"),
    path("assets/<int:pk>/edit/", views_assets.asset_edit, name="asset_edit"),
    path("assets/import/", views_assets.asset_import, name="asset_import"),
    path("assets/import/sample.csv", views_assets.asset_import_sample, name="asset_import_sample"),
    path("assets/import/<str:token>/", views_assets.asset_import_status, name="asset_import_status"),
    path("systems/", views_systems.system_list, name="systems"),
    path("systems/new/", views_systems.system_create, name="system_create"),
    path("systems/completeness/", views_systems.system_completeness, name="systems_completeness"),
    path("systems/<int:pk>/", views_systems.system_detail, name="system_detail"),
    path("systems/<int:pk>/edit/", views_systems.system_edit, name="system_edit"),
    *monitoring_urlpatterns,
]
