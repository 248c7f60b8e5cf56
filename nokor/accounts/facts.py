"""The signed-in person's roles and second factor as cached facts (``nokor.core.userfacts``), dropped
whenever a role assignment or an authenticator of theirs is saved or deleted."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from nokor.accounts.models import RoleAssignment
from nokor.core import userfacts

ROLES = "roles"
SECOND_FACTOR = "second_factor"
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def _roles(user: Any) -> list[RoleAssignment]:
    """Every assignment not yet ended, with its unit (whether it has begun is checked at each use)."""
    now = timezone.now()
    return list(
        RoleAssignment.objects.filter(user=user)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=now))
        .select_related("unit")
    )


def _has_second_factor(user: Any) -> bool:
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES).exists()


def _forget_roles(sender, instance, **kwargs) -> None:
    userfacts.forget(instance.user_id, ROLES)


def _forget_second_factor(sender, instance, **kwargs) -> None:
    userfacts.forget(instance.user_id, SECOND_FACTOR)


def connect() -> None:
    userfacts.register(ROLES, _roles)
    userfacts.register(SECOND_FACTOR, _has_second_factor)
    for signal in (post_save, post_delete):
        signal.connect(_forget_roles, sender=RoleAssignment, dispatch_uid=f"nokor-roles-{id(signal)}")
        signal.connect(_forget_second_factor, sender=Authenticator, dispatch_uid=f"nokor-2fa-{id(signal)}")
