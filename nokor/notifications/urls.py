from django.urls import path

from nokor.notifications import views, views_inbound

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("preferences/", views.preferences, name="preferences"),
    path("<uuid:pk>/", views.message_detail, name="message"),
    path("sms/inbound/", views_inbound.sms_inbound, name="sms_inbound"),
]
