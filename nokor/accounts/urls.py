from django.urls import path

from nokor.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("data/", views.data_export, name="data_export"),
    path("delete/", views.account_delete, name="delete"),
    path("security/", views.security, name="security"),
    path("team/<str:code>/", views.team, name="team"),
]
