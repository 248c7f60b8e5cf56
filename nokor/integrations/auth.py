"""Who calls the API: a partner's system with an API key, or a person signed in on the platform.

``@router.get(..., auth=api_auth("academy:verify"))`` admits

* an API key sent as ``Authorization: Bearer nk_<prefix>_<secret>`` that holds one of the scopes: the
  request then acts as the key's organisation's service account (``request.user``), so the access layer
  decides what it sees as for anyone; ``request.api_key`` is the key. A wrong, expired or revoked key is
  401, a key without the scope 403, a key over its rate limit 429 with ``Retry-After`` (all problem+json);
* or the browser session of a signed-in person (the operation's own access rules then decide);
* or, with ``anonymous=True``, anyone instead of the session (public operations, where a key brings its
  own rate limit; no CSRF token is asked, and ``request.user`` is whoever the session says).

A key is checked without touching the database: its row is cached for ``KEY_CACHE_SECONDS`` in the
shared cache (revoking clears it at once) and for ``LOCAL_SECONDS`` in each process; its secret is
compared in constant time with the stored SHA-256 (the secret is 256 random bits: a slow password hash
would add nothing but latency to every call); its calls are counted in a per-process buffer
(nokor.integrations.usage); its service account is loaded only when a handler reads ``request.user``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer

from nokor.core import throttle
from nokor.integrations.problems import ApiProblem
from nokor.integrations.scopes import SCOPES

KEY_PREFIX = "nk"
PREFIX_FORM = re.compile(r"[0-9a-f]{12}")  # secrets.token_hex(6), see services.api_key_create
KEY_CACHE_SECONDS = 60


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def cache_key(prefix: str) -> str:
    return f"integrations:apikey:{prefix}"


@dataclass(frozen=True)
class KeyFacts:
    """What a request needs to know of a key (cached; never the secret)."""

    id: int
    prefix: str
    secret_hash: str
    scopes: frozenset[str]
    organisation_id: int
    organisation_name: str  # how the people whose data it reads see it in "who viewed my data"
    user_id: int
    rate_limit: int
    expires_at: float | None  # a POSIX timestamp
    revoked: bool


# Each process also keeps the facts of the keys it saw for a few seconds, sparing the shared cache's round
# trip on every call: a key revoked elsewhere is refused by this process at most this late (the process
# that revokes it forgets it at once). Expiry is checked on every call, from the facts.
LOCAL_SECONDS = 5.0
LOCAL_MAX = 1_000
_local: dict[str, tuple[float, KeyFacts | None]] = {}


def _facts(prefix: str) -> KeyFacts | None:
    now = time.monotonic()
    remembered = _local.get(prefix)
    if remembered is not None and remembered[0] > now:
        return remembered[1]
    facts = _shared_facts(prefix)
    if len(_local) >= LOCAL_MAX:
        _local.clear()
    _local[prefix] = (now + LOCAL_SECONDS, facts)
    return facts


def _shared_facts(prefix: str) -> KeyFacts | None:
    cached = cache.get(cache_key(prefix))
    if cached is not None:
        return cached or None  # False: known not to exist
    from nokor.integrations.models import ApiKey

    key = ApiKey.objects.select_related("organisation").filter(prefix=prefix).first()
    facts = (
        KeyFacts(
            id=key.pk,
            prefix=key.prefix,
            secret_hash=key.secret_hash,
            scopes=frozenset(key.scopes),
            organisation_id=key.organisation_id,
            organisation_name=key.organisation.name_en or key.organisation.name_km,
            user_id=key.organisation.service_account_id,
            rate_limit=key.rate_limit,
            expires_at=key.expires_at.timestamp() if key.expires_at else None,
            revoked=key.revoked_at is not None,
        )
        if key
        else None
    )
    cache.set(cache_key(prefix), facts or False, KEY_CACHE_SECONDS)
    return facts


def forget(prefix: str) -> None:
    """Drop what is cached of a key (after it changed): in the shared cache, and in this process."""
    cache.delete(cache_key(prefix))
    _local.pop(prefix, None)


def _refused(detail: str) -> ApiProblem:
    return ApiProblem(401, None, detail, headers={"WWW-Authenticate": 'Bearer realm="nokor"'})


def key_for(token: str) -> KeyFacts:
    """The key of a bearer token, or an ApiProblem 401 when it is not a working key."""
    head, _sep, rest = token.partition("_")
    prefix, _sep, secret = rest.partition("_")
    well_formed = head == KEY_PREFIX and PREFIX_FORM.fullmatch(prefix) and secret
    facts = _facts(prefix) if well_formed else None  # a malformed token costs no lookup
    if facts is None or not hmac.compare_digest(facts.secret_hash, hash_secret(secret)):
        raise _refused(_("The API key is not valid."))
    if facts.revoked:
        raise _refused(_("The API key has been revoked."))
    if facts.expires_at is not None and facts.expires_at <= timezone.now().timestamp():
        raise _refused(_("The API key has expired."))
    return facts


class ApiKeyAuth(HttpBearer):
    """An API key holding one of ``scopes`` (the security scheme of the OpenAPI document)."""

    openapi_description = (
        "An API key created by an administrator: Authorization: Bearer nk_<prefix>_<secret>."
    )

    def __init__(self, scopes: tuple[str, ...]) -> None:
        unknown = set(scopes) - set(SCOPES)
        if unknown or not scopes:
            raise ValueError(f"Unknown or missing scopes: {sorted(unknown)}")
        self.scopes = scopes
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> KeyFacts:
        from nokor.integrations.usage import USAGE

        facts = key_for(token)
        if facts.scopes.isdisjoint(self.scopes):
            raise ApiProblem(
                403,
                None,
                _("This API key does not have the scope %(scope)s.") % {"scope": ", ".join(self.scopes)},
            )
        wait = throttle.retry_after("apikey", limit=facts.rate_limit, client=facts.prefix)
        if wait:
            raise ApiProblem(
                429, None, _("This API key made too many calls. Try again later."), retry_after=wait
            )
        USAGE.count(facts.id)
        request.api_key = facts  # type: ignore[attr-defined]
        request.user = SimpleLazyObject(lambda: _service_account(facts))
        return facts


def _service_account(facts: KeyFacts) -> Any:
    from django.contrib.auth import get_user_model

    account = get_user_model().objects.get(pk=facts.user_id)
    account.audit_label = f"partner:{facts.organisation_name}"  # not "a citizen" (nokor.audit)
    return account


class SessionAuth(APIKeyCookie):
    """A person signed in on the platform (the session cookie; unsafe methods need the CSRF token)."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        request.api_key = None  # type: ignore[attr-defined]
        return request.user if request.user.is_authenticated else None


def _anyone(request: HttpRequest) -> bool:
    request.api_key = None  # type: ignore[attr-defined]
    return True


def api_auth(*scopes: str, anonymous: bool = False) -> list[Callable]:
    """The ``auth`` of an operation: an API key with one of ``scopes``, else the signed-in session (or,
    ``anonymous``, anyone). Read ``request.api_key`` (None without a key) to tell them apart."""
    return [ApiKeyAuth(scopes), _anyone if anonymous else SessionAuth()]
