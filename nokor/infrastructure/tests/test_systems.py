"""The registry of digital systems: forms, dependencies both ways (no circles), the completeness rules
and the overdue-review filter."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from nokor.audit.models import AuditEvent
from nokor.infrastructure import selectors, services
from nokor.infrastructure.models import DigitalSystem

pytestmark = pytest.mark.django_db

COMPLETE = {
    "purpose": "Citizens' e-services",
    "owner_department": "Department of ICT",
    "users": "both",
    "hosting": "gov_cloud",
    "classification": "confidential",
    "criticality": "high",
    "lifecycle": "live",
}


def ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def make_system(name, **fields) -> DigitalSystem:
    return DigitalSystem.objects.create(name=name, **fields)


@pytest.fixture
def complete(administrator):
    return make_system(
        "Nokor",
        accountable_person=administrator,
        last_security_review=ago(100),
        backups_tested_on=ago(30),
        **COMPLETE,
    )


def test_completeness_lists_what_each_system_misses(infrastructure_officer, complete):
    make_system("Draft", lifecycle="planned")
    make_system("Old mail", lifecycle="retired")  # retired systems are not counted
    make_system(
        "HR",
        **{
            **COMPLETE,
            "last_security_review": ago(400),
            "backups_tested_on": ago(30),
            "hosting": "premises",
            "holds_personal_data": True,
        },
        accountable_person=complete.accountable_person,
    )
    report = selectors.completeness(infrastructure_officer)
    assert (report["total"], report["complete"], report["incomplete"], report["overdue"]) == (3, 1, 2, 1)
    with translation.override("en"):
        missing = {row["system"].name: [str(label) for label in row["missing"]] for row in report["rows"]}
    assert set(missing) == {"Draft", "HR"}
    assert missing["HR"] == ["Office where it is hosted", "Categories of personal data"]
    # a planned system needs no review nor backup test yet
    assert "Last security review" not in missing["Draft"] and "Accountable person" in missing["Draft"]
    overdue = {row["system"].name: row["overdue"] for row in report["rows"]}
    assert overdue == {"Draft": False, "HR": True}


def test_overdue_rule_in_the_query_matches_the_model(infrastructure_officer):
    cases = [
        make_system("Never reviewed", lifecycle="live"),
        make_system("Reviewed long ago", lifecycle="live", last_security_review=ago(380)),
        make_system("Reviewed lately", lifecycle="live", last_security_review=ago(300)),
        make_system(
            "Due date passed",
            lifecycle="retiring",
            last_security_review=ago(300),
            next_review_due=ago(1),
        ),
        make_system("Planned", lifecycle="planned"),
    ]
    in_query = {s.name for s in selectors.systems_for(infrastructure_officer, overdue=True)}
    assert in_query == {s.name for s in cases if s.is_review_overdue}
    assert in_query == {"Never reviewed", "Reviewed long ago", "Due date passed"}


def test_the_completeness_page_renders_with_counts(login, infrastructure_officer, complete):
    make_system("Draft")
    client = login(infrastructure_officer)
    client.cookies["nokor_language"] = "en"
    page = client.get("/infrastructure/systems/completeness/").content.decode()
    assert "1 of 2 systems are complete and reviewed" in page and "Draft" in page


def test_registering_a_system_with_dependencies_shows_them_both_ways(login, infrastructure_officer, complete):
    client = login(infrastructure_officer)
    client.cookies["nokor_language"] = "en"
    bad = client.post("/infrastructure/systems/new/", {"name": "Portal", "lifecycle": "nonsense"})
    assert bad.status_code == 200 and 'value="Portal"' in bad.content.decode()
    response = client.post(
        "/infrastructure/systems/new/",
        {
            "name": "Kandal portal",
            "lifecycle": "live",
            "dependencies": [complete.pk],
            "url": "portal.kandal.gov.kh",
        },
    )
    assert response.status_code == 302
    portal = DigitalSystem.objects.get(name="Kandal portal")
    assert portal.url == "https://portal.kandal.gov.kh"
    assert AuditEvent.objects.filter(action="infrastructure.system_create", object_id=str(portal.pk)).exists()
    assert "Kandal portal" in client.get(f"/infrastructure/systems/{complete.pk}/").content.decode()
    assert "Nokor" in client.get(f"/infrastructure/systems/{portal.pk}/").content.decode()


def test_a_dependency_circle_is_refused(infrastructure_officer, complete):
    mail = make_system("Mail")
    portal = make_system("Portal")
    portal.dependencies.set([complete])
    complete.dependencies.set([mail])
    with pytest.raises(services.InfrastructureError):
        services.system_update(system=mail, by=infrastructure_officer, data={"dependencies": [portal]})
    with pytest.raises(services.InfrastructureError):
        services.system_update(system=mail, by=infrastructure_officer, data={"dependencies": [mail]})
    services.system_update(system=portal, by=infrastructure_officer, data={"dependencies": [complete, mail]})
    assert set(portal.dependencies.all()) == {complete, mail}


def test_editing_is_locked_and_audited(login, infrastructure_officer, complete):
    client = login(infrastructure_officer)
    form = {"name": "Nokor", "lifecycle": "retiring", "lock_version": 0}
    assert client.post(f"/infrastructure/systems/{complete.pk}/edit/", form).status_code == 302
    stale = client.post(f"/infrastructure/systems/{complete.pk}/edit/", {**form, "lifecycle": "live"})
    assert stale.status_code == 200 and "error-summary" in stale.content.decode()
    complete.refresh_from_db()
    assert complete.lifecycle == "retiring" and complete.lock_version == 1
    assert AuditEvent.objects.filter(action="infrastructure.system_update").count() == 1


def test_auditor_reads_the_registry_but_cannot_change_it(login, auditor, complete):
    client = login(auditor)
    assert client.get("/infrastructure/systems/").status_code == 200
    assert client.get(f"/infrastructure/systems/{complete.pk}/edit/").status_code == 403


def test_system_list_query_count_is_pinned(
    login, infrastructure_officer, complete, django_assert_max_num_queries
):
    for number in range(30):
        make_system(f"System {number}", accountable_person=complete.accountable_person, lifecycle="live")
    client = login(infrastructure_officer)
    client.get("/infrastructure/systems/")
    with django_assert_max_num_queries(10):
        assert client.get("/infrastructure/systems/?lifecycle=live").status_code == 200
