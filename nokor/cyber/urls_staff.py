"""URL patterns of the investigators' work on reports and cases, for ``nokor/cyber/urls.py`` (namespace
``cyber``, mounted at ``cyber/``): the triage queue and a report, cases, freeze requests, referrals."""

from django.urls import path, re_path

from nokor.cyber import views_case, views_triage

# Only the actions these views know, so that other staff pages under a report or a case (evidence) are
# never shadowed by these patterns.
_REPORT_ACTION = "|".join(views_triage.REPORT_FORMS)
_CASE_ACTION = "|".join(views_case.CASE_FORMS)

staff_urlpatterns = [
    path("staff/reports/", views_triage.queue, name="triage"),
    path("staff/reports/bulk/", views_triage.queue_bulk, name="triage_bulk"),
    path("staff/reports/<str:reference>/", views_triage.report_detail, name="staff_report"),
    path(
        "staff/reports/<str:reference>/<slug:action>/", views_triage.report_action, name="staff_report_action"
    ),
    path("staff/referrals/", views_triage.referral_list, name="referrals"),
    path("staff/cases/", views_case.case_list, name="cases"),
    path("staff/cases/new/", views_case.case_new, name="case_new"),
    path("staff/cases/<str:reference>/", views_case.case_detail, name="case_detail"),
    path("staff/cases/<str:reference>/report.pdf", views_case.case_report_pdf, name="case_report_pdf"),
    path("staff/cases/<str:reference>/freeze/", views_case.freeze_new, name="freeze_new"),
    re_path(
        rf"^staff/cases/(?P<reference>[^/]+)/(?P<action>{_CASE_ACTION})/$",
        views_case.case_action,
        name="case_action",
    ),
    path("staff/freezes/", views_case.freeze_list, name="freezes"),
    path("staff/freezes/<str:reference>/", views_case.freeze_detail, name="freeze_detail"),
    path("staff/freezes/<str:reference>/print/", views_case.freeze_print, name="freeze_print"),
]
