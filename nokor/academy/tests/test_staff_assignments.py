"""Mandatory training: assignment rules enrol the matching staff (now, later, every night), with due
dates and recertification cycles, within the trainer's units."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from nokor.academy import assignments
from nokor.academy.models import AssignmentRule, Enrolment
from nokor.accounts import demo
from nokor.accounts import services as account_services
from nokor.accounts.models import RoleAssignment
from nokor.accounts.roles import Role
from nokor.audit.models import AuditEvent
from nokor.geography.models import AdministrativeUnit
from nokor.notifications.models import Message

_numbers = itertools.count(1)


def make_staff(role: str, unit_code: str | None, *, key: str = "") -> object:
    """A ready staff member (password changed, TOTP enrolled) holding `role` at `unit_code`."""
    number = next(_numbers)
    key = key or f"staff{number}"
    person = demo.DemoPerson(key, f"{key}.{number}@demo.nokor.gov.kh", f"Staff {key}", role, unit_code)
    return demo.create_staff(person)


def run_tasks() -> int:
    """Run every queued background task now, as the worker would (until none is left)."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while True:
        ready = list(DBTaskResult.objects.ready().order_by("enqueued_at"))
        if not ready:
            return ran
        for result in ready:
            result.claim("test-worker")
            worker.run_task(result)
            ran += 1


def make_rule(by, course, *, unit_code=None, roles=(), due_days=30, due_on=None, recertify_months=None):
    unit = AdministrativeUnit.objects.get(code=unit_code) if unit_code else None
    rule, _counts = assignments.rule_save(
        by=by,
        course=course,
        roles=list(roles),
        unit=unit,
        due_days=due_days,
        due_on=due_on,
        recertify_months=recertify_months,
    )
    return rule


def current(user, course):
    return Enrolment.objects.filter(user=user, course=course, is_current=True).first()


@pytest.fixture
def trainer_kandal(units):
    return make_staff(Role.TRAINER, "08", key="trainer_kandal")


def test_saving_a_rule_enrols_the_matching_staff_of_its_unit_only(
    trainer, staff_course, officer_kandal, officer_siem_reap, investigator_kandal
):
    rule = make_rule(trainer, staff_course, unit_code="08", roles=[Role.SERVICE_OFFICER], due_days=30)

    enrolment = current(officer_kandal, staff_course)
    assert enrolment is not None
    assert enrolment.source == Enrolment.Source.ASSIGNMENT and enrolment.assignment == rule
    assert enrolment.due_on == timezone.localdate() + dt.timedelta(days=30)
    assert enrolment.unit_code == "08"
    assert current(officer_siem_reap, staff_course) is None  # another province
    assert current(investigator_kandal, staff_course) is None  # another role
    event = AuditEvent.objects.get(action="academy.rule_apply")
    assert event.actor == trainer and event.details["enrolled"] == 1
    assert AuditEvent.objects.filter(action="academy.rule_create", object_id=str(rule.pk)).exists()


def test_a_rule_without_roles_enrols_every_role_and_a_nationwide_rule_every_unit(
    trainer, staff_course, officer_kandal, officer_siem_reap, cyber_supervisor
):
    make_rule(trainer, staff_course)
    assert current(officer_kandal, staff_course) is not None
    assert current(officer_siem_reap, staff_course) is not None
    assert current(cyber_supervisor, staff_course).unit_code == ""  # nationwide role, no unit


def test_applying_a_rule_again_enrols_nobody_twice(trainer, staff_course, officer_kandal):
    rule = make_rule(trainer, staff_course, unit_code="08")
    again = assignments.rule_apply(rule=rule, by=trainer)
    assert again == {"enrolled": 0, "assigned": 0}
    assert Enrolment.objects.filter(user=officer_kandal, course=staff_course).count() == 1


def test_a_staff_member_who_joins_later_is_enrolled_by_the_role_hook(trainer, staff_course, units):
    make_rule(trainer, staff_course, unit_code="08", roles=[Role.SERVICE_OFFICER])
    newcomer = make_staff(Role.SERVICE_OFFICER, "0801")  # the role is given after the rule exists
    assert current(newcomer, staff_course) is None  # queued, not done in the request
    run_tasks()
    enrolment = current(newcomer, staff_course)
    assert enrolment is not None and enrolment.unit_code == "0801"


def test_the_nightly_reconciliation_enrols_whoever_the_hook_missed(trainer, staff_course, units):
    make_rule(trainer, staff_course, unit_code="08")
    with assignments.hook_paused():
        newcomer = make_staff(Role.SERVICE_OFFICER, "080101")
    run_tasks()
    assert current(newcomer, staff_course) is None
    totals = assignments.assignments_reconcile()
    assert totals["enrolled"] == 1
    assert current(newcomer, staff_course).unit_code == "080101"


def test_a_role_starting_in_the_future_is_picked_up_when_it_starts(trainer, staff_course, units):
    make_rule(trainer, staff_course, unit_code="08")
    person = make_staff(Role.SERVICE_OFFICER, "17")
    account_services.role_assign(
        by=None,
        user=person,
        role=Role.SERVICE_OFFICER,
        unit=units["0801"],
        valid_from=timezone.now() + dt.timedelta(days=3),
    )
    run_tasks()
    assert current(person, staff_course) is None
    with time_machine.travel(timezone.now() + dt.timedelta(days=4)):
        assignments.assignments_reconcile()
    assert current(person, staff_course).unit_code == "0801"


def test_a_self_enrolment_becomes_mandatory_with_the_rules_due_date(trainer, staff_course, officer_kandal):
    from nokor.academy import services

    own = services.enrolment_create(user=officer_kandal, course=staff_course)
    rule = make_rule(trainer, staff_course, unit_code="08", due_days=10)
    own.refresh_from_db()
    assert own.assignment == rule and own.source == Enrolment.Source.ASSIGNMENT
    assert own.due_on == timezone.localdate() + dt.timedelta(days=10)


def test_the_due_date_is_the_later_of_the_days_and_the_fixed_date(trainer, staff_course):
    rule = AssignmentRule(course=staff_course, due_days=30, due_on=dt.date(2027, 3, 31), created_by=trainer)
    assert assignments.due_for(rule, dt.date(2027, 1, 1)) == dt.date(2027, 3, 31)
    assert assignments.due_for(rule, dt.date(2027, 3, 20)) == dt.date(2027, 4, 19)
    assert assignments.due_for(rule, dt.date(2027, 3, 20), recertification=True) == dt.date(2027, 4, 19)


def test_changing_the_due_days_reschedules_enrolments_not_completed(trainer, staff_course, officer_kandal):
    rule = make_rule(trainer, staff_course, unit_code="08", due_days=30)
    assignments.rule_save(
        by=trainer,
        rule=rule,
        course=staff_course,
        roles=[],
        unit=rule.unit,
        due_days=5,
        due_on=None,
        recertify_months=None,
        version=rule.updated_at.isoformat(),
    )
    assert current(officer_kandal, staff_course).due_on == timezone.localdate() + dt.timedelta(days=5)


def test_a_rule_changed_meanwhile_is_not_overwritten(trainer, staff_course, units):
    rule = make_rule(trainer, staff_course, unit_code="08")
    stale = rule.updated_at.isoformat()
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=5)):
        assignments.rule_save(
            by=trainer, rule=rule, course=staff_course, roles=[], unit=rule.unit, due_days=9,
            due_on=None, recertify_months=None, version=stale,
        )  # fmt: skip
    with pytest.raises(assignments.RuleError, match="stale"):
        assignments.rule_save(
            by=trainer, rule=rule, course=staff_course, roles=[], unit=rule.unit, due_days=12,
            due_on=None, recertify_months=None, version=stale,
        )  # fmt: skip
    rule.refresh_from_db()
    assert rule.due_days == 9


def test_a_deactivated_rule_enrols_nobody_more(trainer, staff_course, units):
    rule = make_rule(trainer, staff_course, unit_code="08")
    assignments.rule_set_active(by=trainer, rule=rule, active=False)
    newcomer = make_staff(Role.SERVICE_OFFICER, "08")
    run_tasks()
    assignments.assignments_reconcile()
    assert current(newcomer, staff_course) is None
    assert AuditEvent.objects.filter(action="academy.rule_deactivate").exists()


def _complete(enrolment, when):
    Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.COMPLETED, completed_at=when)


def test_recertification_opens_a_new_cycle_when_the_completion_is_older_than_the_period(
    trainer, staff_course, officer_kandal, supervisor_kandal
):
    rule = make_rule(trainer, staff_course, unit_code="08", due_days=20, recertify_months=12)
    old = current(officer_kandal, staff_course)
    recent = current(supervisor_kandal, staff_course)
    _complete(old, timezone.now() - dt.timedelta(days=400))
    _complete(recent, timezone.now() - dt.timedelta(days=300))

    totals = assignments.assignments_reconcile()

    assert totals["recertified"] == 1
    old.refresh_from_db()
    assert not old.is_current and old.is_completed  # history kept
    renewed = current(officer_kandal, staff_course)
    assert renewed.cycle == 2 and renewed.assignment == rule
    assert renewed.status == Enrolment.Status.ENROLLED
    assert renewed.due_on == timezone.localdate() + dt.timedelta(days=20)
    assert Message.objects.filter(user=officer_kandal, event="academy.assigned", channel="inbox").count() == 1
    assert current(supervisor_kandal, staff_course).pk == recent.pk  # not yet due
    assert assignments.assignments_reconcile()["recertified"] == 0  # idempotent


def test_a_kandal_trainer_assigns_only_in_kandal(trainer_kandal, trainer, staff_course, units):
    with pytest.raises(assignments.RuleError, match="scope"):
        make_rule(trainer_kandal, staff_course, unit_code="17")
    with pytest.raises(assignments.RuleError, match="scope"):
        make_rule(trainer_kandal, staff_course)  # nationwide
    assert make_rule(trainer_kandal, staff_course, unit_code="0801").unit.code == "0801"
    siem_reap = make_rule(trainer, staff_course, unit_code="17")
    assert not assignments.rules_in_scope(trainer_kandal).filter(pk=siem_reap.pk).exists()


def test_an_ended_role_no_longer_matches(trainer, staff_course, units):
    person = make_staff(Role.SERVICE_OFFICER, "08")
    account_services.role_end(by=None, assignment=RoleAssignment.objects.get(user=person))
    make_rule(trainer, staff_course, unit_code="08")
    assert current(person, staff_course) is None


# --------------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------------
def _form(course, **changes):
    data = {"course": course.pk, "unit": "08", "due_days": "30", "due_on": "", "recertify_months": ""}
    data.update(changes)
    return data


def test_a_trainer_creates_a_rule_on_the_page_and_the_staff_are_enrolled(
    login, trainer, staff_course, officer_kandal
):
    client = login(trainer)
    response = client.post("/academy/staff/rules/new/", _form(staff_course, roles=[Role.SERVICE_OFFICER]))
    assert response.status_code == 302
    assert current(officer_kandal, staff_course) is not None
    page = client.get("/academy/staff/rules/")
    assert page.status_code == 200 and staff_course.title in page.content.decode()


def test_the_rule_form_shows_the_errors_and_keeps_what_was_typed(login, trainer, staff_course):
    client = login(trainer)
    response = client.post(
        "/academy/staff/rules/new/", _form(staff_course, due_days="", recertify_months="abc")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "error-summary" in html
    assert 'value="abc"' in html
    assert not AssignmentRule.objects.exists()


def test_khmer_digits_are_accepted_for_days(login, trainer, staff_course):
    client = login(trainer)
    client.post("/academy/staff/rules/new/", _form(staff_course, due_days="៣០"))
    assert AssignmentRule.objects.get().due_days == 30


def test_another_provinces_rule_is_not_found_and_a_manager_may_not_change_rules(
    login, trainer, trainer_kandal, supervisor_kandal, staff_course
):
    rule = make_rule(trainer, staff_course, unit_code="17")
    assert login(trainer_kandal).get(f"/academy/staff/rules/{rule.pk}/").status_code == 404
    manager = login(supervisor_kandal)
    assert manager.get("/academy/staff/rules/").status_code == 200  # managers read the rules
    assert manager.get("/academy/staff/rules/new/").status_code == 403


def test_deactivating_needs_a_post(login, trainer, staff_course):
    rule = make_rule(trainer, staff_course, unit_code="08")
    client = login(trainer)
    assert client.get(f"/academy/staff/rules/{rule.pk}/active/").status_code == 405
    assert client.post(f"/academy/staff/rules/{rule.pk}/active/", {"active": "0"}).status_code == 302
    rule.refresh_from_db()
    assert not rule.is_active


def test_citizens_cannot_open_staff_pages(login, citizen):
    assert login(citizen).get("/academy/staff/rules/").status_code == 403


@pytest.mark.parametrize("language", ["km", "en"])
def test_the_staff_pages_open_in_both_languages(login, administrator, staff_course, language):
    client = login(administrator)
    client.cookies["nokor_language"] = language
    make_rule(administrator, staff_course, unit_code="08")
    rule = AssignmentRule.objects.get()
    for url in [
        "/academy/staff/",
        "/academy/staff/rules/",
        "/academy/staff/rules/new/",
        f"/academy/staff/rules/{rule.pk}/",
        "/academy/staff/reports/",
        "/academy/staff/overdue/",
        "/academy/staff/import/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store"


def test_the_rule_list_counts_each_rules_people_in_a_constant_number_of_queries(
    login, trainer, staff_course, course, officer_kandal, officer_siem_reap, django_assert_max_num_queries
):
    officers = make_rule(trainer, staff_course, roles=[Role.SERVICE_OFFICER])
    Enrolment.objects.filter(user=officer_kandal).update(status=Enrolment.Status.COMPLETED)
    assert assignments.rule_counts([officers.pk]) == {officers.pk: (2, 1)}
    client = login(trainer)
    client.get("/academy/staff/rules/")
    # session, user, second factor, roles; the count for the pages, the page of rules, their counts; inbox
    with django_assert_max_num_queries(8):
        page = client.get("/academy/staff/rules/")
    assert page.status_code == 200
    make_rule(trainer, course, roles=[])
    with django_assert_max_num_queries(8):  # another rule: no more queries
        assert client.get("/academy/staff/rules/").status_code == 200
