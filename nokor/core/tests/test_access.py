"""The access layer: one RecordRule gives both the queryset filter and the object check."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from nokor.accounts.roles import Role
from nokor.audit.models import AuditEvent
from nokor.audit.services import audit_record
from nokor.core.access import RecordRule, get_for_user

# A rule like a domain app's: officers view within their units, supervisors also change, owners view.
RULE = RecordRule(
    roles={
        "view": frozenset({Role.SERVICE_OFFICER, Role.SERVICE_SUPERVISOR, Role.AUDITOR}),
        "change": frozenset({Role.SERVICE_SUPERVISOR}),
    },
    unit_field="unit",
    owner_field="subject",
)


@pytest.fixture
def records(monkeypatch, units, citizen, other_citizen):
    monkeypatch.setattr(AuditEvent, "access", RULE)
    return {
        "kandal_village": audit_record(action="t", unit=units["08010101"], subject=citizen),
        "kandal_district": audit_record(action="t", unit=units["0801"], subject=other_citizen),
        "siem_reap": audit_record(action="t", unit=units["1701"], subject=other_citizen),
        "phnom_penh": audit_record(action="t", unit=units["12"]),
    }


def visible(user, action="view"):
    by_pk = {}
    for event in AuditEvent.objects.visible_to(user, action):
        by_pk[event.pk] = event
    return by_pk


def names(records, user, action="view"):
    seen = visible(user, action)
    return sorted(name for name, event in records.items() if event.pk in seen)


def test_officer_sees_own_province_and_everything_under_it(records, officer_kandal):
    assert names(records, officer_kandal) == ["kandal_district", "kandal_village"]


def test_officer_cannot_see_other_province(records, officer_siem_reap):
    assert names(records, officer_siem_reap) == ["siem_reap"]


def test_nationwide_role_sees_everything(records, auditor):
    assert names(records, auditor) == ["kandal_district", "kandal_village", "phnom_penh", "siem_reap"]


def test_citizen_sees_only_their_own(records, citizen, other_citizen):
    assert names(records, citizen) == ["kandal_village"]
    assert names(records, other_citizen) == ["kandal_district", "siem_reap"]


def test_anonymous_sees_nothing_unless_public(records, anonymous, monkeypatch):
    assert names(records, anonymous) == []
    monkeypatch.setattr(AuditEvent, "access", RecordRule(roles={}, public=Q(unit__code="12")))
    assert names(records, anonymous) == ["phnom_penh"]


def test_read_only_role_gets_nothing_to_change(records, officer_kandal, supervisor_kandal):
    assert names(records, officer_kandal, "change") == []
    assert names(records, supervisor_kandal, "change") == ["kandal_district", "kandal_village"]


def test_a_role_without_a_matching_role_sees_nothing(records, trainer):
    assert names(records, trainer) == []


def test_ended_role_gives_no_access(records, officer_kandal):
    from nokor.accounts.services import role_end

    role_end(by=None, assignment=officer_kandal.role_assignments.get())
    officer_kandal.__dict__.pop("active_roles", None)
    assert names(records, officer_kandal) == []


def test_object_check_is_404_outside_scope_and_403_when_read_only(records, officer_siem_reap, officer_kandal):
    target = records["kandal_village"]
    with pytest.raises(Http404):
        get_for_user(AuditEvent.objects, officer_siem_reap, pk=target.pk)
    assert get_for_user(AuditEvent.objects, officer_kandal, pk=target.pk) == target
    with pytest.raises(PermissionDenied):
        get_for_user(AuditEvent.objects, officer_kandal, action="change", pk=target.pk)


def test_missing_and_forbidden_look_the_same(records, officer_siem_reap):
    with pytest.raises(Http404):
        get_for_user(AuditEvent.objects, officer_siem_reap, pk=999_999)
