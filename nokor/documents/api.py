"""The documents API: public verification of a code (rate-limited per client IP, shared with the page, or
per API key when one is sent)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from nokor.documents import services, throttle
from nokor.integrations.auth import api_auth
from nokor.integrations.problems import problem, problem_responses

router = Router(tags=["documents"])


class IssuerUnitOut(Schema):
    code: str
    name_km: str
    name_latin: str


class VerificationOut(Schema):
    status: Literal["genuine", "revoked", "superseded", "unknown"]
    document_type: str | None
    issued_on: dt.date | None
    issuer_unit: IssuerUnitOut | None
    status_changed_on: dt.date | None


@router.get(
    "/{code}/verify",
    response={200: VerificationOut},
    auth=api_auth("documents:verify", anonymous=True),
    summary="Verify an issued document",
    description=(
        "The status of the document with this verification code (as printed, with or without hyphens): "
        "genuine, revoked, superseded, or unknown (also for a mistyped code). No personal data is "
        "returned. Without an API key, limited per client IP address (with the verification page); with a "
        "key (scope documents:verify), by the key's own limit. Over the limit the answer is 429 with "
        "Retry-After."
    ),
    openapi_extra={
        "responses": problem_responses({429: "Too many verifications: wait Retry-After seconds."})
    },
)
def verify(request: HttpRequest, code: str, response: HttpResponse) -> Status:
    # A key was counted against its own limit when it was checked (nokor.integrations.auth).
    retry_after = None if request.api_key else throttle.verification_retry_after()
    if retry_after:
        return problem(
            429,
            None,
            _("Too many verifications from this address. Try again later."),
            retry_after=retry_after,
        )
    result = services.document_verify(code=code, channel="api")
    response["Cache-Control"] = "no-store"
    unit = result.issuer_unit
    changed = result.changed_at
    return Status(
        200,
        {
            "status": result.status,
            "document_type": result.document_type,
            "issued_on": result.issued_on,
            "issuer_unit": {"code": unit.code, "name_km": unit.name_km, "name_latin": unit.name_latin}
            if unit
            else None,
            "status_changed_on": timezone.localtime(changed).date() if changed else None,
        },
    )
