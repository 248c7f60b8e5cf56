from django.urls import path

from nokor.documents import views

app_name = "documents"
urlpatterns = [
    path("verify/", views.verify_start, name="verify_start"),
    path("verify/<str:code>", views.verify, name="verify"),
    path("documents/", views.my_documents, name="mine"),
    path("documents/<str:code>/", views.detail, name="detail"),
    path("documents/<str:code>/download", views.download, name="download"),
    path("documents/<str:code>/revoke", views.revoke, name="revoke"),
    path("documents/<str:code>/reissue", views.reissue, name="reissue"),
]
