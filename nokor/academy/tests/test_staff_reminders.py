"""Reminders of mandatory training: before the due date (7 and 1 days by default) and once overdue, at
most once per threshold; the notice of a new assignment; the overdue list for managers."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from nokor.academy import assignments
from nokor.academy.models import Enrolment
from nokor.academy.tests.test_staff_assignments import current, make_rule, make_staff, run_tasks
from nokor.accounts.roles import Role
from nokor.audit.models import AuditEvent
from nokor.notifications.models import Channel, Message


def inbox(user, event: str) -> list[Message]:
    return list(Message.objects.filter(user=user, channel=Channel.INBOX, event=event).order_by("pk"))


@pytest.fixture
def due_in_ten_days(trainer, staff_course, officer_kandal):
    make_rule(trainer, staff_course, unit_code="08", due_days=10)
    return current(officer_kandal, staff_course)


def remind_on(day: dt.date) -> int:
    """Run the reminder job on `day`, at 07:00 in Phnom Penh (when the daily job runs)."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(7)))
    with time_machine.travel(moment, tick=False):
        return assignments.reminders_send()


def test_reminders_go_out_once_per_threshold(due_in_ten_days, officer_kandal):
    due = due_in_ten_days.due_on
    day = lambda offset: due + dt.timedelta(days=offset)  # noqa: E731

    assert remind_on(day(-10)) == 0  # before the first window
    assert remind_on(day(-7)) == 1  # 7 days before
    assert remind_on(day(-7)) == 0  # the same day again
    assert remind_on(day(-3)) == 0  # still in the 7-day window
    assert remind_on(day(-1)) == 1  # the day before
    assert remind_on(day(0)) == 0  # due today: the day-before reminder holds
    assert remind_on(day(1)) == 1  # overdue
    assert remind_on(day(2)) == 0
    assert remind_on(day(30)) == 0

    soon = inbox(officer_kandal, "academy.due_soon")
    assert len(soon) == 2 and len(inbox(officer_kandal, "academy.overdue")) == 1
    assert "សម្រាប់មន្ត្រី" in soon[0].subject  # the course's title, in the person's language (Khmer)


def test_a_late_joiner_due_in_three_days_gets_one_reminder_then_the_day_before(
    trainer, staff_course, officer_kandal
):
    make_rule(trainer, staff_course, unit_code="08", due_days=3)
    due = current(officer_kandal, staff_course).due_on
    assert remind_on(due - dt.timedelta(days=3)) == 1
    assert remind_on(due - dt.timedelta(days=2)) == 0
    assert remind_on(due - dt.timedelta(days=1)) == 1


def test_the_thresholds_are_a_setting(settings, due_in_ten_days):
    settings.ACADEMY_REMINDER_DAYS = [3]
    due = due_in_ten_days.due_on
    assert remind_on(due - dt.timedelta(days=7)) == 0
    assert remind_on(due - dt.timedelta(days=3)) == 1


def test_no_reminder_once_completed_nor_after_the_rule_is_deactivated(
    trainer, staff_course, supervisor_kandal, due_in_ten_days, officer_kandal
):
    Enrolment.objects.filter(pk=due_in_ten_days.pk).update(
        status=Enrolment.Status.COMPLETED, completed_at=timezone.now()
    )
    due = due_in_ten_days.due_on
    assert remind_on(due - dt.timedelta(days=7)) == 1  # the supervisor only
    assert inbox(officer_kandal, "academy.due_soon") == []
    assignments.rule_set_active(by=trainer, rule=due_in_ten_days.assignment, active=False)
    assert remind_on(due - dt.timedelta(days=1)) == 0
    assert remind_on(due + dt.timedelta(days=1)) == 0


def test_the_people_enrolled_by_a_rule_are_told_once(trainer, staff_course, officer_kandal):
    rule = make_rule(trainer, staff_course, unit_code="08", due_days=10)
    run_tasks()
    assignments.rule_apply(rule=rule, by=trainer)
    run_tasks()
    told = inbox(officer_kandal, "academy.assigned")
    assert len(told) == 1
    assert told[0].link == staff_course.get_absolute_url()


def test_the_reminder_job_runs_as_a_periodic_task():
    from nokor.academy import tasks
    from nokor.core.tasks import PERIODIC_JOBS

    assert PERIODIC_JOBS["academy.reminders_send"].task is tasks.reminders_send
    assert PERIODIC_JOBS["academy.assignments_reconcile"].every == dt.timedelta(days=1)


# --------------------------------------------------------------------------------------------------
# The overdue list
# --------------------------------------------------------------------------------------------------
@pytest.fixture
def overdue_people(trainer, staff_course, units):
    kandal = make_staff(Role.SERVICE_OFFICER, "0801", key="late_kandal")
    siem_reap = make_staff(Role.SERVICE_OFFICER, "17", key="late_siem_reap")
    on_time = make_staff(Role.SERVICE_OFFICER, "08", key="on_time")
    make_rule(trainer, staff_course, due_days=5)
    Enrolment.objects.filter(user__in=[kandal, siem_reap]).update(
        due_on=timezone.localdate() - dt.timedelta(days=4)
    )
    return {"kandal": kandal, "siem_reap": siem_reap, "on_time": on_time}


def test_a_manager_sees_the_overdue_people_of_their_units_and_each_view_is_audited(
    login, supervisor_kandal, overdue_people
):
    response = login(supervisor_kandal).get("/academy/staff/overdue/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Staff late_kandal" in html
    assert "Staff late_siem_reap" not in html and "Staff on_time" not in html
    event = AuditEvent.objects.get(action="personal_data.view", actor=supervisor_kandal)
    assert event.subject == overdue_people["kandal"]


def test_the_overdue_list_of_another_province_is_not_found(login, supervisor_kandal, overdue_people):
    assert login(supervisor_kandal).get("/academy/staff/overdue/?unit=17").status_code == 404


def test_a_nationwide_trainer_sees_every_overdue_person_filtered_by_unit(login, trainer, overdue_people):
    html = login(trainer).get("/academy/staff/overdue/?unit=17").content.decode()
    assert "Staff late_siem_reap" in html and "Staff late_kandal" not in html


def test_the_overdue_list_runs_a_fixed_number_of_queries_plus_the_audit_of_each_row(
    login, trainer, overdue_people, django_assert_max_num_queries
):
    client = login(trainer)
    client.get("/academy/staff/overdue/")
    # 5 for the page and its frame; each person shown writes one audit event (one INSERT)
    with django_assert_max_num_queries(5 + 2 * 1):
        assert client.get("/academy/staff/overdue/").status_code == 200
