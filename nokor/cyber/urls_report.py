"""URL patterns of cybercrime reporting, for ``nokor/cyber/urls.py`` (namespace ``cyber``, mounted at
``cyber/``) to include: ``urlpatterns = [..., *report_urlpatterns]``."""

from django.urls import path

from nokor.cyber import views_paper
from nokor.cyber import views_report as views

report_urlpatterns = [
    path("report/", views.report_start, name="report_start"),
    path("report/restart/", views.report_restart, name="report_restart"),
    path("report/new/<slug:step>/", views.report_step, name="report_step"),
    path("report/check/", views.report_check, name="report_check"),
    path("report/sent/", views.report_confirmation, name="report_confirmation"),
    path("report/attempt/", views.report_attempt, name="report_attempt"),
    path("report/paper-form/", views_paper.report_paper_form, name="report_paper_form"),
    path("report/status/", views.report_status, name="report_status"),
    path("report/status/<str:reference>/", views.report_status_detail, name="report_status_detail"),
    path("report/status/<str:reference>/add/", views.report_add_information, name="report_add_information"),
    path("report/mine/", views.report_mine, name="report_mine"),
    path("report/mine/<str:reference>/", views.report_mine_detail, name="report_mine_detail"),
]
