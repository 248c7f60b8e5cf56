"""Changes to partners, their API keys and webhook subscriptions: each audited, in one transaction."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from nokor.audit.services import audit_record
from nokor.integrations import webhooks
from nokor.integrations.auth import KEY_PREFIX, forget, hash_secret
from nokor.integrations.events import EVENTS
from nokor.integrations.models import ApiKey, Delivery, Organisation, Subscription
from nokor.integrations.scopes import SCOPES


@transaction.atomic
def organisation_create(
    *,
    by: Any,
    name_km: str,
    name_en: str = "",
    kind: str,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
) -> Organisation:
    """Register a partner with its service account (a user who cannot sign in: its keys act as it)."""
    account = get_user_model()(full_name=f"API: {name_en or name_km}"[:200], is_staff=False)
    account.set_unusable_password()
    account.save()
    organisation = Organisation.objects.create(
        name_km=name_km,
        name_en=name_en,
        kind=kind,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
        service_account=account,
    )
    audit_record(
        action="integrations.organisation_create",
        actor=by,
        obj=organisation,
        details={"name": name_en or name_km, "kind": kind},
    )
    return organisation


@transaction.atomic
def api_key_create(
    *,
    by: Any,
    organisation: Organisation,
    label: str,
    scopes: list[str],
    expires_at: dt.datetime | None = None,
    rate_limit: int = 600,
) -> tuple[ApiKey, str]:
    """Create a key; returns it with the token ``nk_<prefix>_<secret>``, the only time it exists in
    clear (only a SHA-256 of the secret is stored)."""
    unknown = set(scopes) - set(SCOPES)
    if unknown or not scopes:
        raise ValueError(f"Unknown or missing scopes: {sorted(unknown)}")
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        organisation=organisation,
        label=label,
        prefix=prefix,
        secret_hash=hash_secret(secret),
        scopes=sorted(scopes),
        expires_at=expires_at,
        rate_limit=rate_limit,
        created_by=by,
    )
    audit_record(
        action="integrations.api_key_create",
        actor=by,
        obj=key,
        details={
            "organisation": organisation.pk,
            "prefix": prefix,
            "scopes": key.scopes,
            "expires_at": expires_at,
        },
    )
    # A lookup of this prefix may have been cached as unknown (a guess): forget it.
    transaction.on_commit(lambda: forget(prefix))
    return key, f"{KEY_PREFIX}_{prefix}_{secret}"


@transaction.atomic
def api_key_revoke(*, by: Any, key: ApiKey) -> ApiKey:
    """Revoke a key: refused from the next call on (its cached facts are forgotten at commit; another
    process may still admit it for up to ``auth.LOCAL_SECONDS``)."""
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(
            action="integrations.api_key_revoke",
            actor=by,
            obj=key,
            details={"organisation": key.organisation_id, "prefix": key.prefix},
        )
    transaction.on_commit(lambda: forget(key.prefix))
    return key


@transaction.atomic
def subscription_create(
    *, by: Any, organisation: Organisation, url: str, events: list[str]
) -> tuple[Subscription, str]:
    """Subscribe an organisation's address to events; returns it with its signing secret (shown once).
    Raises ValidationError for an address webhooks may not be sent to."""
    unknown = set(events) - set(EVENTS)
    if unknown or not events:
        raise ValueError(f"Unknown or missing events: {sorted(unknown)}")
    webhooks.check_url(url)
    secret = "whsec_" + secrets.token_urlsafe(32)
    subscription = Subscription.objects.create(
        organisation=organisation, url=url, events=sorted(events), secret=secret, created_by=by
    )
    audit_record(
        action="integrations.subscription_create",
        actor=by,
        obj=subscription,
        details={"organisation": organisation.pk, "url": url, "events": subscription.events},
    )
    return subscription, secret


@transaction.atomic
def subscription_deactivate(*, by: Any, subscription: Subscription) -> Subscription:
    """Stop sending events to a subscription (its delivery log stays)."""
    if subscription.active:
        subscription.active = False
        subscription.save(update_fields=["active"])
        audit_record(
            action="integrations.subscription_deactivate",
            actor=by,
            obj=subscription,
            details={"organisation": subscription.organisation_id, "url": subscription.url},
        )
    return subscription


@transaction.atomic
def delivery_resend(*, by: Any, delivery: Delivery) -> Delivery:
    """Send a delivery again (same id, so a receiver that got it already can ignore it), with a new 24
    hours of retries. A delivery still being retried is left as it is."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status == Delivery.Status.PENDING:
        return delivery
    delivery.status = Delivery.Status.PENDING
    delivery.attempts = 0
    delivery.retry_until = timezone.now() + webhooks.RETRY_FOR
    delivery.save(update_fields=["status", "attempts", "retry_until"])
    audit_record(
        action="integrations.delivery_resend",
        actor=by,
        obj=delivery,
        details={"subscription": delivery.subscription_id, "event": delivery.event},
    )
    webhooks.queue(delivery)
    return delivery
