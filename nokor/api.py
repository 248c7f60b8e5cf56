"""The one API object; every app mounts its router here under /api/v1/.

The conventions every operation shares live here rather than in each router: every error is RFC 9457
problem details (``application/problem+json``, translated title) whatever raised it (a validation error,
a missing key, a 404 of the access layer, an unknown address, a wrong method, a crash); the OpenAPI
document declares them once (component ``Problem``, the ``default`` response of each operation) and names
the scopes each operation accepts (nokor.integrations.auth). The interactive docs load Swagger UI from the
files Ninja ships (``ninja`` is in INSTALLED_APPS), never from a CDN.
"""

from __future__ import annotations

import logging
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from nokor.core.views import DATABASE_DOWN, unavailable
from nokor.integrations.auth import ApiKeyAuth, SessionAuth
from nokor.integrations.etags import conditional
from nokor.integrations.problems import PROBLEM_JSON, PROBLEM_REF, PROBLEM_SCHEMA, ApiProblem, problem

logger = logging.getLogger(__name__)


class NokorAPI(NinjaAPI):
    """Ninja's API with the platform's error format and OpenAPI additions (see the module docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._auth_by_operation_id: dict[str, list] = {}
        self.add_exception_handler(ApiProblem, lambda request, exc: exc.response())
        self.add_exception_handler(ValidationError, _invalid_input)
        self.add_exception_handler(AuthenticationError, _unauthenticated)
        self.add_exception_handler(Throttled, _throttled)
        self.add_exception_handler(HttpError, lambda request, exc: problem(exc.status_code, None, str(exc)))
        self.add_exception_handler(Http404, _not_found)
        self.add_exception_handler(PermissionDenied, _forbidden)
        self.add_exception_handler(Exception, _server_error)

    # --- OpenAPI ----------------------------------------------------------------------------------
    def get_openapi_operation_id(self, operation: Any) -> str:
        operation_id = super().get_openapi_operation_id(operation)
        self._auth_by_operation_id[operation_id] = list(operation.auth_callbacks)
        return operation_id

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        for operations in schema["paths"].values():
            for operation in operations.values():
                operation["responses"].setdefault(
                    "default",
                    {
                        "description": "An error, as problem details (RFC 9457).",
                        "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}},
                    },
                )
                security = _security(self._auth_by_operation_id.get(operation.get("operationId"), []))
                if security is not None:
                    operation["security"] = security
        return schema

    # --- URLs -------------------------------------------------------------------------------------
    def _get_urls(self) -> list:
        patterns = super()._get_urls()
        for pattern in patterns:
            pattern.callback = _with_conventions(pattern.callback)
        # Last: any other address under /api/v1/ is a 404 problem, not the site's HTML page.
        patterns.append(path("<path:rest>", _unknown_address, name="not-found"))
        return patterns


def _security(callbacks: list) -> list[dict] | None:
    """The security requirements of an operation: the key's scopes (OpenAPI 3.1 allows them for any
    scheme), the session, and the empty requirement when anyone may call it."""
    if not any(isinstance(callback, ApiKeyAuth) for callback in callbacks):
        return None
    found: list[dict] = []
    for callback in callbacks:
        if isinstance(callback, ApiKeyAuth):
            found.append({"ApiKeyAuth": list(callback.scopes)})
        elif isinstance(callback, SessionAuth):
            found.append({"SessionAuth": []})
        else:
            found.append({})
    return found


def _invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        where, *location = error.get("loc") or ("body",)
        # A body's location starts with the name of the operation's body parameter: not in the pointer.
        pointer = "/" + "/".join(str(part) for part in location[1:]) if where == "body" else ""
        errors.append(
            {
                "field": ".".join(str(part) for part in location),
                "pointer": pointer,
                "in": where,
                "detail": error.get("msg", ""),
            }
        )
    return problem(
        422, None, _("Correct the parameters listed in errors and send the request again."), errors=errors
    )


def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(
        401,
        None,
        _("Send an API key as Authorization: Bearer <key>, or sign in."),
        headers={"WWW-Authenticate": 'Bearer realm="nokor"'},
    )


def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    return problem(429, None, _("Too many requests. Try again later."), retry_after=int(exc.wait or 60))


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(404, None, _("There is nothing at this address, or it is not yours to see."))


def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(403, None, _("You may not do this."))


def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    if isinstance(exc, DATABASE_DOWN):  # restarting, failing over: 503 with Retry-After, as the pages
        return unavailable(request)
    return problem(500, None, _("Something went wrong on our side. Try again later."))


@csrf_exempt
def _unknown_address(request: HttpRequest, rest: str) -> HttpResponse:
    return _not_found(request, Http404())


def _with_conventions(view: Any) -> Any:
    """Every operation's answer: a wrong method is a problem (Ninja answers a bare 405), and a read
    carries an ETag and is 304 when If-None-Match names it (nokor.integrations.etags)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type", "").startswith("text/html"):
            detail = _("This address does not take the method %(method)s.") % {"method": request.method}
            return problem(405, None, detail, headers={"Allow": response["Allow"]})
        return conditional(request, response)

    return wrapped


api = NokorAPI(
    title="Nokor API",
    version="1.0.0",
    urls_namespace="api",
    description=(
        "Public and partner API of the Nokor platform of the Ministry of Interior. Partners' systems send "
        "an API key created by an administrator as `Authorization: Bearer <key>`; each operation names the "
        "scopes it accepts. Every error is `application/problem+json` (RFC 9457). Lists are paged with an "
        "opaque `cursor` (follow `next`); reads send an `ETag` and answer 304 to a matching "
        "`If-None-Match`.\n\n"
        "**Webhooks.** An organisation's subscriptions receive each event as a JSON `POST` with the headers "
        "`Nokor-Event` (its name), `Nokor-Delivery` (an id, the same on every retry: ignore one already "
        "seen) and `Nokor-Signature: t=<unix time>,v1=<hex>`, where `v1` is the HMAC-SHA256, with the "
        "subscription's secret, of `<t>.<raw body>`: compare it in constant time and refuse a `t` more than "
        "five minutes old. Answer 2xx; anything else is retried with exponential back-off for 24 hours."
    ),
)
api.add_router("/documents/", "nokor.documents.api.router")
api.add_router("/", "nokor.services.api.router")
api.add_router("/cyber/", "nokor.cyber.api_reports.router")
api.add_router("/", "nokor.cyber.api_check.router")
api.add_router("/academy/", "nokor.academy.api.router")
api.add_router("/infrastructure/", "nokor.infrastructure.api.router")
api.add_router("/strategy/", "nokor.strategy.api.router")
api.add_router("/", "nokor.opendata.api.router")
