"""URL patterns of the scam check and the indicators pages, for ``nokor/cyber/urls.py`` (namespace
``cyber``, mounted at ``cyber/``) to include: ``urlpatterns = [..., *check_urlpatterns]``."""

from django.urls import path

from nokor.cyber import views_check, views_paper

check_urlpatterns = [
    path("check/", views_check.check, name="check"),
    path("check/dispute/", views_check.dispute, name="check_dispute"),
    path("check/dispute/sent/", views_check.dispute_sent, name="check_dispute_sent"),
    path("check/dispute/paper-form/", views_paper.dispute_paper_form, name="check_dispute_paper_form"),
    path("staff/indicators/", views_check.indicator_list, name="indicators"),
    path("staff/indicators/verdict/", views_check.indicator_verdict, name="indicator_verdict"),
    path("staff/indicators/export.csv", views_check.indicators_csv, name="indicators_csv"),
    path("staff/indicators/export.stix.json", views_check.indicators_stix, name="indicators_stix"),
]
