"""The scam check API: ``GET /api/v1/scam-check?q=…`` answers what the public page answers, as JSON
(rate-limited per client IP, sharing the page's budget, or per API key when one is sent). Mounted in
``nokor/api.py`` with ``api.add_router("/", "nokor.cyber.api_check.router")``."""

from __future__ import annotations

import datetime as dt
import json
from typing import Literal

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from nokor.core.text import strip_invisible
from nokor.cyber import scamcheck
from nokor.integrations.auth import api_auth
from nokor.integrations.problems import problem, problem_responses

router = Router(tags=["scam check"])

Kind = Literal["phone", "url", "domain", "email", "bank_account", "bakong", "crypto", "handle", "unknown"]


class ScamCheckOut(Schema):
    """The answer. The fields marked "when listed" are absent when the identifier is not listed."""

    query: str = Field(description="The text as it was sent in q.")
    kind: Kind = Field(description="What the text was recognised as; unknown when nothing matched.")
    normalized: str = Field(
        description="The canonical form every report and search meets on (a phone number in E.164, "
        "+85512345678; a web address with its host lower-cased and in punycode; a bank account as "
        "BANK:digits…)."
    )
    listed: bool = Field(
        description="On the list of reported scams: confirmed by an investigator, or named by enough "
        "independent recent reports. false never means safe: only that we have no reports on our list."
    )
    report_count: int = Field(None, description="When listed: independent reports naming it.")
    first_reported: dt.date | None = Field(
        None, description="When listed: date of the first report (null when confirmed without reports)."
    )
    last_reported: dt.date | None = Field(None, description="When listed: date of the latest report.")
    categories: list[str] = Field(None, description="When listed: slugs of the kinds of scam reported.")
    confirmed: bool = Field(None, description="When listed: confirmed by an investigator.")
    domain: str | None = Field(None, description="For a web address: its registrable domain.")
    domain_listed: bool = Field(
        None, description="For a web address: whether its domain (or other addresses under it) is listed."
    )
    domain_report_count: int = Field(None, description="For a web address whose domain is listed.")
    searched: int = Field(description="How many times it was checked, this time included.")


@router.get(
    "/scam-check",
    response={200: ScamCheckOut},
    auth=api_auth("scam-check:read", anonymous=True),
    exclude_unset=True,
    summary="Check a phone number, web address, account or user name against the scam list",
    description=(
        "Give anything a person was asked to call, open, pay or contact, in any written form (spaces, "
        "Khmer digits, defanged addresses such as hxxp://example[.]com): it is recognised (kind), put in "
        "canonical form (normalized) and looked up. listed is true when an investigator confirmed it or "
        "enough independent reports named it recently; report_count, first_reported, last_reported and "
        "categories are given only then. A web address is also checked through its registrable domain "
        "(domain, domain_listed). No reporter data is ever returned. listed false does not mean safe. "
        "Each call counts as a search (searched). Without an API key, limited per client IP address "
        "(shared with the scam check page); with a key (scope scam-check:read), by the key's own limit. "
        "Over the limit the answer is 429 with Retry-After. A missing or empty q is 400. Errors are "
        "application/problem+json."
    ),
    openapi_extra={
        "responses": problem_responses(
            {
                400: "q is missing or empty.",
                429: "Too many checks from this address (or with this key): wait Retry-After seconds.",
            }
        )
    },
)
def scam_check(
    request: HttpRequest,
    q: str | None = Query(None, description="The text to check."),  # noqa: B008
):
    # A key was counted against its own limit when it was checked (nokor.integrations.auth).
    retry_after = None if request.api_key else scamcheck.check_retry_after()
    if retry_after:
        return problem(
            429, None, _("Too many checks from this address. Try again later."), retry_after=retry_after
        )
    if q is None or not strip_invisible(q):
        return problem(400, None, _("Give the text to check in the q parameter."))
    result = scamcheck.check(q)
    # public_data() gives exactly the fields of ScamCheckOut, in its order: rendered as it is, since
    # validating it again through the schema would cost about as much as the (cached) lookup.
    answer = HttpResponse(
        json.dumps(result.public_data(), cls=DjangoJSONEncoder),
        content_type="application/json; charset=utf-8",
    )
    answer["Cache-Control"] = "no-store"
    return answer
