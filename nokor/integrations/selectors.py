"""Reads of the integrations app: what a partner's key may see, and what the staff pages list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from nokor.core.text import name_order
from nokor.integrations.models import ApiKey, Delivery, Organisation, Subscription
from nokor.services.models import Application, Status


def organisation_applications(*, organisation_id: int, service_account: Any) -> QuerySet[Application]:
    """The applications a key with ``applications:read-own-org`` reads: those its service account may
    see through the access layer, and those filed by or for the organisation's members (once filed:
    a draft is its author's alone)."""
    members = Organisation.members.through.objects.filter(organisation_id=organisation_id).values("user_id")
    visible = Application.objects.visible_to(service_account)
    of_members = Application.objects.filter(Q(applicant_id__in=members) | Q(filed_by_id__in=members)).exclude(
        status=Status.DRAFT
    )
    return Application.objects.filter(Q(pk__in=visible.values("pk")) | Q(pk__in=of_members.values("pk")))


def organisations_for(user: Any) -> QuerySet[Organisation]:
    """The partner organisations list, with the number of keys and subscriptions of each."""
    return (
        Organisation.objects.visible_to(user)
        .annotate(
            key_count=Count("api_keys", filter=Q(api_keys__revoked_at__isnull=True), distinct=True),
            subscription_count=Count("subscriptions", filter=Q(subscriptions__active=True), distinct=True),
        )
        .order_by(name_order("name_km", "name_en"))
    )


def keys_of(organisation: Organisation, user: Any) -> QuerySet[ApiKey]:
    """An organisation's keys, newest first, each with its calls today and in the last 30 days."""
    today = timezone.localdate()
    return (
        ApiKey.objects.visible_to(user)
        .filter(organisation=organisation)
        .annotate(
            calls_today=Sum("usage__count", filter=Q(usage__day=today)),
            calls_30_days=Sum("usage__count", filter=Q(usage__day__gt=today - dt.timedelta(days=30))),
        )
        .order_by("-created_at")
    )


def subscriptions_of(organisation: Organisation, user: Any) -> QuerySet[Subscription]:
    return Subscription.objects.visible_to(user).filter(organisation=organisation).order_by("-created_at")


def deliveries_of(organisation: Organisation, user: Any) -> QuerySet[Delivery]:
    """The delivery log of an organisation's subscriptions, newest first."""
    return (
        Delivery.objects.visible_to(user)
        .filter(subscription__organisation=organisation)
        .select_related("subscription")
        .order_by("-created_at")
    )
