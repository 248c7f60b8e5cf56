from django.urls import path

from nokor.audit import views

app_name = "audit"
urlpatterns = [
    path("my-data/", views.who_viewed, name="who_viewed"),
    path("events/", views.events, name="events"),
]
