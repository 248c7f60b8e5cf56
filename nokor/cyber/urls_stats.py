"""URL patterns of the cybercrime statistics, for ``nokor/cyber/urls.py`` (namespace ``cyber``, mounted
at ``cyber/``) to include: ``urlpatterns = [..., *stats_urlpatterns]``."""

from django.urls import path

from nokor.cyber import views_stats

stats_urlpatterns = [
    path("statistics/", views_stats.public_statistics, name="statistics"),
    path("staff/statistics/", views_stats.staff_statistics, name="staff_statistics"),
    path("staff/statistics/<slug:table>.csv", views_stats.staff_statistics_csv, name="staff_statistics_csv"),
]
