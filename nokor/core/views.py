"""Site-wide pages: home, about, language switch, health and metrics, error pages."""

from __future__ import annotations

import shutil
import sys
from urllib.parse import urlsplit

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import Http404, HttpResponse, HttpResponseForbidden, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from nokor.core import metrics as metrics_module
from nokor.core.access import PUBLIC, rule


@rule(PUBLIC)
def home(request):
    return render(request, "core/home.html")


@rule(PUBLIC)
def about(request):
    return render(request, "core/about.html")


@rule(PUBLIC)
@csrf_exempt
@require_POST
def language_set(request):
    """Switch language: remembered in the browser (cookie) and, when signed in, on the account.

    The switch is in the header of every page; without a CSRF token in it, that header is the same for
    every visitor: pages that nothing else ties to the visitor render without creating a CSRF cookie.
    A cross-site form could at worst switch a visitor's language, and browsers name the page a POST
    comes from in its Origin header: a POST from another site is refused, as Django's CSRF check would.
    """
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.get_host():
        return HttpResponseForbidden()
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES) and check_for_language(language):
        if request.user.is_authenticated:
            from nokor.accounts.services import language_set as save_language

            save_language(user=request.user, language=language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            samesite="Lax",
        )
    return response


@rule(PUBLIC)
def healthz(request):
    """Liveness of each part: database, background worker (heartbeat), disk. 503 if any is down."""
    from nokor.core.models import WorkerHeartbeat
    from nokor.core.worker import stale_after

    checks: dict[str, dict] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"status": "ok", "vendor": connection.vendor}
    except Exception as exc:  # any failure means "down", with its reason
        checks["database"] = {"status": "error", "error": exc.__class__.__name__}
    try:
        last = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
        alive = last is not None and timezone.now() - last <= stale_after()
        checks["worker"] = {
            "status": "ok" if alive else "error",
            "last_heartbeat": last.isoformat() if last else None,
        }
    except Exception as exc:
        checks["worker"] = {"status": "error", "error": exc.__class__.__name__}
    usage = shutil.disk_usage(settings.DATA_DIR if settings.DATA_DIR.exists() else settings.BASE_DIR)
    free_ratio = usage.free / usage.total
    checks["disk"] = {
        "status": "ok" if free_ratio > 0.05 else "error",
        "free_bytes": usage.free,
        "free_ratio": round(free_ratio, 3),
    }
    healthy = all(c["status"] == "ok" for c in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


@rule(PUBLIC)
def metrics(request):
    """Prometheus scrape endpoint, answered only to the monitoring hosts (NOKOR_METRICS_ALLOWED_IPS)."""
    if request.META.get("REMOTE_ADDR") not in settings.METRICS_ALLOWED_IPS:
        raise Http404
    return HttpResponse(metrics_module.render(), content_type="text/plain; version=0.0.4; charset=utf-8")


@rule(PUBLIC)
def bare_ok(request):
    """The benchmark's floor: the cheapest response Django can give through the full middleware."""
    return HttpResponse("ok", content_type="text/plain")


def _error(request, status: int, template: str):
    return render(request, template, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "errors/400.html")


def permission_denied(request, exception=None):
    return _error(request, 403, "errors/403.html")


def page_not_found(request, exception=None):
    return _error(request, 404, "errors/404.html")


RETRY_AFTER_SECONDS = 10
DATABASE_DOWN = (OperationalError, InterfaceError)  # cannot connect, connection lost, server restarting


def server_error(request):
    """A failure nobody planned for; when it is the database that cannot be reached (restarting, failing
    over), a 503 that says to try again, rendered without the database."""
    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        return unavailable(request)
    return _error(request, 500, "errors/500.html")


def unavailable(request) -> HttpResponse:
    """503 with Retry-After: the try-again page, from a template that needs no database (for the API,
    problem details)."""
    if request.path.startswith("/api/"):
        from nokor.integrations.problems import problem

        response = problem(503, None, _("The service is busy: try again in a moment"))
    else:
        html = render_to_string(
            "errors/unavailable.html",
            {"retry_url": request.get_full_path(), "request_id": getattr(request, "request_id", "")},
        )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def csrf_failure(request, reason=""):
    """A form sent with a missing or tampered security token (for example after a long pause)."""
    return render(request, "errors/csrf.html", status=403)
