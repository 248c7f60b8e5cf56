"""Errors of the API as RFC 9457 problem details (``application/problem+json``), in one place.

Every error the API answers, whether a handler returns it or an exception handler of ``nokor/api.py``
builds it, goes through :func:`problem`; :func:`problem_responses` declares them in the OpenAPI document
(Ninja would document ``application/json``). The schema itself is the component ``Problem``, added to the
document once by ``nokor.api``.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

PROBLEM_JSON = "application/problem+json"
PROBLEM_REF = "#/components/schemas/Problem"

# The component ``Problem`` of the OpenAPI document (written by hand: it is the one schema every error
# shares, and extensions such as ``errors`` or ``retry_after`` are named here so clients can rely on them).
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An error as RFC 9457 problem details (media type application/problem+json).",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {
            "type": "string",
            "description": "A URI naming the kind of problem; about:blank when generic.",
        },
        "title": {"type": "string", "description": "A short summary, in the language of the request."},
        "status": {"type": "integer", "description": "The HTTP status code."},
        "detail": {"type": "string", "description": "What happened and what to do."},
        "errors": {
            "type": "array",
            "description": "Invalid input only: one entry per bad field.",
            "items": {
                "type": "object",
                "required": ["field", "pointer", "detail"],
                "properties": {
                    "field": {"type": "string"},
                    "pointer": {"type": "string", "description": "JSON Pointer to the field in the body."},
                    "detail": {"type": "string"},
                },
            },
        },
        "retry_after": {"type": "integer", "description": "429 only: seconds to wait (also in Retry-After)."},
    },
}

# The title of each status when the caller gives none: the HTTP status phrase, as RFC 9457 asks of the
# type about:blank, translated when the response is written.
TITLES = {
    400: _("Bad Request"),
    401: _("Unauthorized"),
    403: _("Forbidden"),
    404: _("Not Found"),
    405: _("Method Not Allowed"),
    406: _("Not Acceptable"),
    413: _("Content Too Large"),
    415: _("Unsupported Media Type"),
    422: _("Unprocessable Content"),
    429: _("Too Many Requests"),
    500: _("Internal Server Error"),
    503: _("Service Unavailable"),
}


def problem(
    status: int,
    title: str | None,
    detail: str,
    *,
    type_: str = "about:blank",
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> HttpResponse:
    """An error response of problem details. ``title`` None takes the standard title of ``status``;
    ``retry_after`` (429) is also sent as the ``Retry-After`` header; ``extra`` are extension members
    (e.g. ``errors``)."""
    body = {
        "type": type_,
        "title": title if title is not None else TITLES.get(status, TITLES[500 if status >= 500 else 400]),
        "status": status,
        "detail": detail,
        **extra,
    }
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False),
        status=status,
        content_type=PROBLEM_JSON,
    )
    response["Cache-Control"] = "no-store"
    if extra.get("retry_after") is not None:
        response["Retry-After"] = str(extra["retry_after"])
    for name, value in (headers or {}).items():
        response[name] = value
    return response


class ApiProblem(Exception):
    """Raise to answer with problem details from anywhere under an operation (an auth check, a
    helper); the API's exception handler turns it into :func:`problem` with the same arguments."""

    def __init__(self, status: int, title: str | None, detail: str, **kwargs: Any) -> None:
        super().__init__(status, detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.kwargs = kwargs

    def response(self) -> HttpResponse:
        return problem(self.status, self.title, self.detail, **self.kwargs)


def problem_responses(descriptions: dict[int, str]) -> dict[int, dict[str, Any]]:
    """OpenAPI responses of problem details, one per status, for an operation's
    ``openapi_extra={"responses": problem_responses({400: "q is missing."})}``."""
    return {
        status: {"description": description, "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}}}
        for status, description in descriptions.items()
    }
