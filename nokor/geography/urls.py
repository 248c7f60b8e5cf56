from django.urls import path

from nokor.geography import views

app_name = "geography"
urlpatterns = [path("units/search/", views.unit_search, name="unit_search")]
