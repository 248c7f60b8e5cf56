from django.urls import path

from nokor.services import views, views_paper

app_name = "services"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("my/", views.my_applications, name="my_applications"),
    path("my/<uuid:pk>/", views.my_application, name="my_application"),
    path("my/<uuid:pk>/page/<slug:page_id>/", views.page, name="page"),
    path("my/<uuid:pk>/check/", views.check_answers, name="check"),
    path("my/<uuid:pk>/confirmation/", views.confirmation, name="confirmation"),
    path("my/<uuid:pk>/answer/", views.answer_info, name="answer_info"),
    path("my/<uuid:pk>/appeal/", views.appeal, name="appeal"),
    path("my/<uuid:pk>/feedback/", views.feedback, name="feedback"),
    path("applications/<uuid:pk>/report-payment/", views.report_payment, name="report_payment"),
    path("applications/<uuid:pk>/files/<uuid:attachment_id>/", views.attachment, name="attachment"),
    path("queue/", views.queue, name="queue"),
    path("queue/<uuid:pk>/", views.queue_detail, name="queue_detail"),
    path("queue/<uuid:pk>/<slug:action>/", views.queue_action, name="queue_action"),
    path("integrity/", views.integrity_reports, name="integrity_reports"),
    path("performance/", views.performance, name="performance"),
    path("<slug:slug>/", views.service_detail, name="service_detail"),
    path("<slug:slug>/eligibility/", views.eligibility, name="eligibility"),
    path("<slug:slug>/start/", views.start, name="start"),
    path("<slug:slug>/paper-form/", views_paper.paper_form, name="paper_form"),
]
