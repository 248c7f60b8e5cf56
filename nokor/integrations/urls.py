"""URLs of partner integrations (API keys, webhooks), under /partners/."""

from django.urls import path

from nokor.integrations import views

app_name = "integrations"
urlpatterns = [
    path("", views.organisation_list, name="organisations"),
    path("new/", views.organisation_create, name="organisation_create"),
    path("<int:pk>/", views.organisation_detail, name="organisation"),
    path("<int:pk>/keys/new/", views.api_key_create, name="api_key_create"),
    path("keys/<int:pk>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("<int:pk>/webhooks/new/", views.subscription_create, name="subscription_create"),
    path("webhooks/<int:pk>/deactivate/", views.subscription_deactivate, name="subscription_deactivate"),
    path("<int:pk>/deliveries/", views.delivery_log, name="deliveries"),
    path("deliveries/<uuid:pk>/", views.delivery_detail, name="delivery"),
    path("deliveries/<uuid:pk>/resend/", views.delivery_resend, name="delivery_resend"),
]
