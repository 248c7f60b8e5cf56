"""The documents API: public verification of a code (rate-limited per client IP, shared with the page)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status

from nokor.documents import services, throttle

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


class TooManyOut(Schema):
    detail: str
    retry_after: int


@router.get(
    "/{code}/verify",
    response={200: VerificationOut, 429: TooManyOut},
    auth=None,
    summary="Verify an issued document",
    description=(
        "The status of the document with this verification code (as printed, with or without hyphens): "
        "genuine, revoked, superseded, or unknown (also for a mistyped code). No personal data is "
        "returned. Limited per client IP address (with the verification page): over the limit the answer "
        "is 429 with Retry-After."
    ),
)
def verify(request: HttpRequest, code: str, response: HttpResponse) -> Status:
    retry_after = throttle.verification_retry_after()
    if retry_after:
        response["Retry-After"] = str(retry_after)
        return Status(
            429,
            {
                "detail": "Too many verifications from this address. Try again later.",
                "retry_after": retry_after,
            },
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
