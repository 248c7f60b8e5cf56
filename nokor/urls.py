"""The URL map. Every view declares its access rule (nokor.core.access); third-party views get theirs
here with guard(), and tests walk this map to prove none is missing."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from nokor.accounts import views as account_views
from nokor.api import api
from nokor.core import views as core_views
from nokor.core.access import API, PUBLIC, STAFF, guard

urlpatterns = [
    path("", core_views.home, name="home"),
    path("about/", core_views.about, name="about"),
    path("language/", core_views.language_set, name="language_set"),
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", core_views.metrics, name="metrics"),
    # allauth decides itself which of its pages need a signed-in user (and redirects to sign-in).
    path("accounts/signup/paper-form/", account_views.signup_paper_form, name="account_signup_paper_form"),
    path("accounts/", guard(PUBLIC, include("allauth.urls"))),
    path("me/", include("nokor.accounts.urls")),
    path("audit/", include("nokor.audit.urls")),
    path("inbox/", include("nokor.notifications.urls")),
    path("", include("nokor.documents.urls")),
    path("services/", include("nokor.services.urls")),
    path("cyber/", include("nokor.cyber.urls")),
    path("academy/", include("nokor.academy.urls")),
    path("infrastructure/", include("nokor.infrastructure.urls")),
    path("plan/", include("nokor.strategy.urls")),
    path("opendata/", include("nokor.opendata.urls")),
    path("partners/", include("nokor.integrations.urls")),
    path("", include("nokor.geography.urls")),
    path("api/v1/", guard(API, api.urls)),
    path(settings.ADMIN_URL, guard(STAFF, admin.site.urls)),
]
if settings.BENCH_BARE_VIEW:
    urlpatterns.append(path("_bench/ok", core_views.bare_ok, name="bench_ok"))

handler400 = "nokor.core.views.bad_request"
handler403 = "nokor.core.views.permission_denied"
handler404 = "nokor.core.views.page_not_found"
handler500 = "nokor.core.views.server_error"
