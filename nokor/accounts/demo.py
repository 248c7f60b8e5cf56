"""Demo people, one for every role, used by `seed_demo` and by the tests' personas (one definition)."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction

from nokor.accounts import services
from nokor.accounts.models import User
from nokor.accounts.roles import Role
from nokor.geography.models import AdministrativeUnit

DEMO_PASSWORD = "nokor-demo-2026"  # noqa: S105 (demo installations only)
# A fixed TOTP secret so demo staff can add it to an authenticator app (demo mode only).
DEMO_TOTP_SECRET = "NOKORDEMONOKORDEMONOKORDEMONOKOR"  # noqa: S105


@dataclass(frozen=True)
class DemoPerson:
    key: str
    email: str
    full_name: str
    role: str | None = None
    unit_code: str | None = None  # None with a role: nationwide


CITIZENS = [
    DemoPerson("citizen", "sokha@demo.nokor.gov.kh", "សុខា ចាន់"),
    DemoPerson("other_citizen", "dara@demo.nokor.gov.kh", "តារា សុខ"),
]
STAFF = [
    DemoPerson(
        "officer_kandal", "officer.kandal@demo.nokor.gov.kh", "Officer Kandal", Role.SERVICE_OFFICER, "08"
    ),
    DemoPerson(
        "supervisor_kandal",
        "supervisor.kandal@demo.nokor.gov.kh",
        "Supervisor Kandal",
        Role.SERVICE_SUPERVISOR,
        "08",
    ),
    DemoPerson(
        "officer_siem_reap",
        "officer.siemreap@demo.nokor.gov.kh",
        "Officer Siem Reap",
        Role.SERVICE_OFFICER,
        "17",
    ),
    DemoPerson(
        "investigator", "investigator@demo.nokor.gov.kh", "Investigator", Role.CYBER_INVESTIGATOR, "12"
    ),
    DemoPerson(
        "cyber_supervisor", "cyber.supervisor@demo.nokor.gov.kh", "Cyber supervisor", Role.CYBER_SUPERVISOR
    ),
    DemoPerson(
        "investigator_kandal",
        "investigator.kandal@demo.nokor.gov.kh",
        "Investigator Kandal",
        Role.CYBER_INVESTIGATOR,
        "08",
    ),
    DemoPerson(
        "sensitive_investigator",
        "sensitive.investigator@demo.nokor.gov.kh",
        "Investigator cleared for intimate images",
        Role.CYBER_SENSITIVE_MEDIA,
        "12",
    ),
    DemoPerson("trainer", "trainer@demo.nokor.gov.kh", "Trainer", Role.TRAINER),
    DemoPerson(
        "infrastructure_officer",
        "infra@demo.nokor.gov.kh",
        "Infrastructure officer",
        Role.INFRASTRUCTURE_OFFICER,
    ),
    DemoPerson(
        "focal_point",
        "focal.kandal@demo.nokor.gov.kh",
        "Strategy focal point Kandal",
        Role.STRATEGY_FOCAL_POINT,
        "08",
    ),
    DemoPerson("approver", "approver@demo.nokor.gov.kh", "Strategy approver", Role.STRATEGY_APPROVER),
    DemoPerson("auditor", "auditor@demo.nokor.gov.kh", "Auditor", Role.AUDITOR),
    DemoPerson("administrator", "admin@demo.nokor.gov.kh", "Administrator", Role.ADMINISTRATOR),
]


@transaction.atomic
def create_citizen(person: DemoPerson, password: str = DEMO_PASSWORD) -> User:
    user = User.objects.create_user(email=person.email, password=password)
    EmailAddress.objects.create(user=user, email=person.email, verified=True, primary=True)
    services.citizen_signup_complete(
        user=user, language="km", full_name=person.full_name, accepted_terms=True
    )
    return user


@transaction.atomic
def create_staff(person: DemoPerson, password: str = DEMO_PASSWORD, *, ready: bool = True) -> User:
    """A staff member; `ready` means password already changed and TOTP enrolled (demo and most tests)."""
    unit = AdministrativeUnit.objects.get(code=person.unit_code) if person.unit_code else None
    user = services.staff_create(
        by=None,
        email=person.email,
        full_name=person.full_name,
        password=password,
        roles=[(person.role, unit)],
    )
    if person.role == Role.ADMINISTRATOR:
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    if ready:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
        TOTP.activate(user, DEMO_TOTP_SECRET)
    return user


def seed() -> list[tuple[str, str]]:
    """Create every demo person that does not exist yet; returns (e-mail, description) lines."""
    lines = []
    for person in CITIZENS:
        if not User.objects.filter(email=person.email).exists():
            create_citizen(person)
        lines.append((person.email, "citizen"))
    for person in STAFF:
        if not User.objects.filter(email=person.email).exists():
            create_staff(person)
        lines.append((person.email, f"{person.role} @ {person.unit_code or 'nationwide'}"))
    return lines
