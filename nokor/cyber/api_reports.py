"""The reporting API: file a cybercrime report from an app or a partner's site, without an account.

Errors are RFC 9457 problem details (``application/problem+json``) with an ``errors`` list naming each
bad field; the report goes through the same ``report_submit`` as the pages, so the rules are the same.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pydantic
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from nokor.cyber import reports
from nokor.integrations.auth import api_auth
from nokor.integrations.problems import problem, problem_responses

router = Router(tags=["cyber"])

INVALID_REPORT = "urn:nokor:problem:invalid-report"


class IdentifierIn(Schema):
    """An identifier with its kind, when the sender knows it."""

    kind: str | None = pydantic.Field(
        None,
        description="phone, url, domain, email, bank_account, bakong, crypto or handle; empty to detect it",
    )
    value: str


class ContactIn(Schema):
    email: str = ""
    phone: str = pydantic.Field("", description="Any written form; Cambodia (+855) when no country is given")


class ReportIn(Schema):
    """A report. Only ``category`` is always needed; ``description`` unless ``attempt_only``."""

    model_config = pydantic.ConfigDict(extra="forbid")

    category: str = pydantic.Field(
        description="The slug of a category, e.g. online-fraud, phishing, sextortion"
    )
    description: str = pydantic.Field("", description="What happened, in the reporter's words")
    incident_date: dt.date | None = pydantic.Field(None, description="When it happened (YYYY-MM-DD)")
    identifiers: list[Any] = pydantic.Field(
        default_factory=list,
        description="The scammer's phone numbers, links, accounts, user names: strings in any written form, "
        'or objects {"kind", "value"}',
        json_schema_extra={"items": {"anyOf": [{"type": "string"}, IdentifierIn.model_json_schema()]}},
    )
    contact: ContactIn | None = pydantic.Field(None, description="How to reach the reporter (optional)")
    channel: str = pydantic.Field(
        "", description="How the scammer made contact: phone, sms, telegram, facebook…"
    )
    attempt_only: bool = pydantic.Field(False, description="An attempt: nothing was lost")
    on_behalf_of: str = pydantic.Field("", description="Who the report is for, when not the sender")
    consent: bool = pydantic.Field(
        False, description="The reporter agrees to be contacted and to the report being shared to investigate"
    )


class IdentifierOut(Schema):
    original: str
    kind: str
    value: str
    recognized: bool


class ReportCreatedOut(Schema):
    reference: str
    tracking_code: str = pydantic.Field(description="Secret: shown once, never retrievable again")
    status: str
    status_url: str
    identifiers: list[IdentifierOut]


def _inline_schema(model: type[pydantic.BaseModel]) -> dict[str, Any]:
    """The JSON schema of a model with its definitions written in place (the body is parsed by hand,
    so Ninja does not register the model among the components)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref", "")
            if reference.startswith("#/$defs/"):
                return resolve(definitions[reference.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(value) for value in node]
        return node

    return resolve(schema)


def _pointer(field: str) -> str:
    """``identifiers[1]`` → ``/identifiers/1``; ``contact.email`` → ``/contact/email`` (JSON Pointer)."""
    return "/" + field.replace("[", ".").replace("]", "").replace(".", "/")


def _invalid(errors: dict[str, list[str]]):
    items = [
        {"field": field, "pointer": _pointer(field) if field != "__all__" else "", "detail": message}
        for field, messages in errors.items()
        for message in messages
    ]
    return problem(
        400,
        _("The report is not valid"),
        _("Correct the fields listed in errors and send the report again."),
        type_=INVALID_REPORT,
        errors=items,
    )


def _field_of(location: tuple) -> str:
    field = ""
    for part in location:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    return field


def _identifier_inputs(values: list[Any], errors: dict[str, list[str]]) -> list[reports.IdentifierInput]:
    found = []
    for index, value in enumerate(values):
        if isinstance(value, str):
            found.append(reports.IdentifierInput(value))
            continue
        try:
            item = IdentifierIn.model_validate(value)
        except pydantic.ValidationError:
            errors.setdefault(f"identifiers[{index}]", []).append(
                _('Give a text, or an object with "value" and an optional "kind".')
            )
            continue
        found.append(reports.IdentifierInput(item.value, item.kind or None))
    return found


@router.post(
    "/reports",
    auth=api_auth("reports:create", anonymous=True),
    response={201: ReportCreatedOut},
    summary="Report a cybercrime or a scam attempt",
    description=(
        "Files a report without an account (no session, no CSRF token: send JSON with "
        "`Content-Type: application/json`). The identifiers (phone numbers, links, accounts, user names) "
        "may be written in any form: they are normalised, so `012 345 678` and `+855 12 345 678` are the "
        "same number; one that cannot be recognised is kept as written (`recognized: false`), never "
        "refused.\n\n"
        "The answer 201 gives the `reference` and the secret `tracking_code` with which the reporter "
        "follows the report on the status page: the code is shown only once, store it or show it to the "
        "reporter. Invalid input is 400 `application/problem+json` (RFC 9457) with `errors`, one per bad "
        "field (`field` and JSON `pointer`). Without an API key, reports are limited per client IP address "
        "(shared with the report pages); with a key (scope `reports:create`), by the key's own limit. Over "
        "the limit the answer is 429 with `Retry-After`."
    ),
    openapi_extra={
        "responses": problem_responses(
            {
                400: "The report is not valid: errors names each bad field.",
                415: "The body is not JSON.",
                429: "Too many reports: wait Retry-After seconds.",
            }
        ),
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _inline_schema(ReportIn)}},
        },
    },
)
def report_create(request: HttpRequest):
    # A key was counted against its own limit when it was checked (nokor.integrations.auth).
    retry_after = None if request.api_key else reports.report_retry_after()
    if retry_after:
        return problem(
            429,
            _("Too many reports"),
            _("Too many reports were sent from this address. Try again later."),
            retry_after=retry_after,
        )
    if request.content_type != "application/json":
        return problem(415, None, _("Send the report as JSON (application/json)."))
    try:
        data = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return _invalid({"__all__": [_("The body is not valid JSON.")]})
    if not isinstance(data, dict):
        return _invalid({"__all__": [_("The body must be a JSON object.")]})
    try:
        payload = ReportIn.model_validate(data)
    except pydantic.ValidationError as error:
        errors: dict[str, list[str]] = {}
        for item in error.errors():
            errors.setdefault(_field_of(item["loc"]) or "__all__", []).append(item["msg"])
        return _invalid(errors)
    errors = {}
    identifiers = _identifier_inputs(payload.identifiers, errors)
    if errors:
        return _invalid(errors)
    contact = payload.contact or ContactIn()
    try:
        submitted = reports.report_submit(
            by=None,
            category=payload.category,
            description=payload.description,
            channel=payload.channel,
            incident_date=payload.incident_date,
            attempt_only=payload.attempt_only,
            on_behalf_of=payload.on_behalf_of,
            identifiers=identifiers,
            contact_email=contact.email,
            contact_phone=contact.phone,
            consent=payload.consent,
            via="api",
        )
    except reports.ReportError as refusal:
        return _invalid(refusal.errors)
    report = submitted.report
    return Status(
        201,
        {
            "reference": report.reference,
            "tracking_code": reports.format_tracking_code(submitted.tracking_code),
            "status": report.status,
            "status_url": f"{settings.SITE_URL}{reports.STATUS_PATH}",
            "identifiers": [
                {
                    "original": identifier.original,
                    "kind": identifier.kind,
                    "value": identifier.normalized,
                    "recognized": identifier.recognized,
                }
                for identifier in submitted.identifiers
            ],
        },
    )
