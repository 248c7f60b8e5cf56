"""State changes of accounts: sign-up records, staff creation, roles, language, deletion. Each one is
transactional and writes its audit event in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.db import transaction
from django.utils import timezone

from nokor.accounts import personal_data
from nokor.accounts.models import Consent, RoleAssignment, User
from nokor.audit.services import audit_record

TERMS_VERSION = "2026-11"


@transaction.atomic
def citizen_signup_complete(*, user: User, language: str, full_name: str, accepted_terms: bool) -> User:
    """Finish a citizen's self sign-up: name, language and the consent to the terms, audited."""
    user.full_name = full_name
    user.preferred_language = language
    user.save(update_fields=["full_name", "preferred_language"])
    if accepted_terms:
        Consent.objects.create(user=user, document="terms", version=TERMS_VERSION)
    audit_record(
        action="account.signup",
        actor=user,
        obj=user,
        subject=user,
        details={"language": language, "terms_version": TERMS_VERSION},
    )
    return user


@transaction.atomic
def staff_create(
    *,
    by: User | None,
    email: str,
    full_name: str,
    password: str,
    phone: str | None = None,
    position: str = "",
    roles: list[tuple[str, Any]] = (),
) -> User:
    """Create a staff account (no self sign-up): verified e-mail, password to change at first sign-in,
    two-factor authentication to enrol before any staff page."""
    user = User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name,
        phone=phone or None,
        position=position,
        is_staff=True,
        must_change_password=True,
    )
    if user.email:  # a staff member may have a phone number only (staff imports)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    audit_record(action="staff.create", actor=by, obj=user, subject=user, details={"email": user.email})
    for role, unit in roles:
        role_assign(by=by, user=user, role=role, unit=unit)
    return user


@transaction.atomic
def role_assign(
    *,
    by: User | None,
    user: User,
    role: str,
    unit: Any = None,
    valid_from: dt.datetime | None = None,
    valid_to: dt.datetime | None = None,
) -> RoleAssignment:
    """Give a staff member a role at a unit (and everything under it)."""
    assignment = RoleAssignment.objects.create(
        user=user, role=role, unit=unit, valid_from=valid_from or timezone.now(), valid_to=valid_to
    )
    audit_record(
        action="role.assign",
        actor=by,
        obj=assignment,
        subject=user,
        unit=unit,
        details={"role": role, "unit": unit.code if unit else None},
    )
    return assignment


@transaction.atomic
def role_end(*, by: User | None, assignment: RoleAssignment) -> RoleAssignment:
    """End a role assignment now (kept for the record, never deleted)."""
    assignment.valid_to = timezone.now()
    assignment.save(update_fields=["valid_to"])
    audit_record(
        action="role.end",
        actor=by,
        obj=assignment,
        subject=assignment.user,
        unit=assignment.unit,
        details={"role": assignment.role},
    )
    return assignment


def language_set(*, user: User, language: str) -> None:
    """Remember a signed-in user's language (not audited: a preference, not personal data)."""
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


@transaction.atomic
def password_changed(*, user: User) -> None:
    """Record a password change and lift the first-sign-in obligation."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    audit_record(action="account.password_change", actor=user, obj=user, subject=user)


def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything the platform holds about `user`, by section (audited by the caller's view)."""
    data: dict[str, Any] = {
        "account": {
            "email": user.email,
            "phone": user.phone,
            "full_name": user.full_name,
            "preferred_language": user.preferred_language,
            "joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "consents": [
                {"document": c.document, "version": c.version, "accepted_at": c.accepted_at.isoformat()}
                for c in user.consents.all()
            ],
        }
    }
    for name, section in personal_data.SECTIONS.items():
        data[name] = section.export(user)
    return data


def retained_on_deletion(*, user: User) -> list[str]:
    """What the law requires us to keep after the account is deleted (said to the user beforehand)."""
    kept: list[str] = []
    for section in personal_data.SECTIONS.values():
        if section.retained:
            kept.extend(section.retained(user))
    return kept


@transaction.atomic
def account_delete(*, user: User) -> list[str]:
    """Delete a citizen account: erase what may be erased, anonymise the account row (records that
    the law requires us to keep still point at it), end all sessions. Returns what was kept."""
    kept = retained_on_deletion(user=user)
    for section in personal_data.SECTIONS.values():
        if section.erase:
            section.erase(user)
    audit_record(action="account.delete", actor=user, obj=user, subject=user, details={"kept": kept})
    EmailAddress.objects.filter(user=user).delete()
    user.authenticator_set.all().delete()
    user.consents.all().delete()
    user.email = None
    user.phone = None
    user.full_name = ""
    user.is_active = False
    user.deleted_at = timezone.now()
    user.set_unusable_password()
    user.save(
        update_fields=[
            "email",
            "phone",
            "full_name",
            "full_name_search",
            "is_active",
            "deleted_at",
            "password",
        ]
    )
    for session in UserSession.objects.filter(user=user):
        session.end()
    return kept


def signed_in(*, user: User) -> None:
    """Record a sign-in in the audit trail."""
    audit_record(action="account.login", actor=user, obj=user, subject=user)


def sign_in_failed(*, credentials: dict) -> None:
    """Record a failed sign-in (wrong password, or no such account) in the audit trail, with the address
    it came from (ASVS 16.3.1). When the login names an account, the event is in that person's trail; the
    login typed for no account is not kept (it may be someone else's address). The same one row is written
    either way, so the failure takes as long for a known login as for an unknown one."""
    # allauth names the login by its LoginMethod (a str enum that hashes by its name): by value here.
    credentials = {getattr(key, "value", key): value for key, value in credentials.items()}
    login = credentials.get("email") or credentials.get("phone") or credentials.get("username") or ""
    method = next((key for key in ("email", "phone", "username") if credentials.get(key)), "")
    if method == "phone":
        from nokor.accounts.adapter import AccountAdapter

        user = AccountAdapter().get_user_by_phone(login)
    elif login:
        user = User.objects.filter(email__iexact=login).first()
    else:
        user = None
    audit_record(
        action="account.login_failed",
        obj=user,
        subject=user,
        details={"method": method, "account_exists": user is not None},
    )
