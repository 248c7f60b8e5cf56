"""Middleware of the platform core: request context, security headers and request metrics."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from nokor.core import metrics
from nokor.core.context import client_ip_var, new_request_id, request_id_var

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9\-]{8,64}$")


class RequestContextMiddleware:
    """Gives each request an id (kept from a trusted proxy's X-Request-ID), records its IP and timing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        ip = request.META.get("REMOTE_ADDR")
        if settings.HTTPS and request.headers.get("X-Forwarded-For"):
            # Behind our own reverse proxy: the last address it appended is the client's.
            ip = request.headers["X-Forwarded-For"].split(",")[-1].strip()
        id_token = request_id_var.set(request_id)
        ip_token = client_ip_var.set(ip)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(id_token)
            client_ip_var.reset(ip_token)
        elapsed = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        metrics.observe_request(
            view=match.view_name if match else "unmatched",
            method=request.method or "GET",
            status=response.status_code,
            seconds=elapsed,
        )
        response["X-Request-ID"] = request_id
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
