"""The academy's staff pages (included in urls.py's urlpatterns, under the "academy" namespace)."""

from django.urls import path

from nokor.academy import views_staff

staff_urlpatterns = [
    path("staff/", views_staff.staff_home, name="staff_home"),
    path("staff/rules/", views_staff.rule_list, name="staff_rules"),
    path("staff/rules/new/", views_staff.rule_create, name="staff_rule_create"),
    path("staff/rules/<int:pk>/", views_staff.rule_edit, name="staff_rule_edit"),
    path("staff/rules/<int:pk>/active/", views_staff.rule_toggle, name="staff_rule_toggle"),
    path("staff/reports/", views_staff.report, name="staff_report"),
    path("staff/reports/export.<str:file_format>", views_staff.report_export, name="staff_report_export"),
    path("staff/overdue/", views_staff.overdue, name="staff_overdue"),
    path("staff/import/", views_staff.import_start, name="staff_import"),
    path("staff/import/sample.csv", views_staff.import_sample, name="staff_import_sample"),
    path("staff/import/<uuid:import_id>/", views_staff.import_status, name="staff_import_status"),
    path("staff/import/<uuid:import_id>/confirm/", views_staff.import_confirm, name="staff_import_confirm"),
]
