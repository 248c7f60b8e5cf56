"""Mandatory training: assignment rules and the enrolments they create.

A rule (course, roles, unit subtree, due date, recertification period) enrols every active staff member
who holds one of its roles at a unit inside its subtree (any unit for a nationwide rule, any role when
it lists none). It is applied

* at once when a trainer saves it (:func:`rule_save`), in bulk: one query finds the matching staff, one
  finds who is already enrolled, and the missing enrolments are inserted in batches;
* for one person when they are given a role (:func:`connect_signals` hooks ``RoleAssignment``'s
  post_save and queues :func:`nokor.academy.tasks.assignments_apply_for_user` — the work runs in the
  background task, not in the signal), so people who join later are enrolled the same day;
* every night for everybody (:func:`assignments_reconcile`), which also catches roles that start in
  the future, missed hooks, and opens recertification cycles.

Everything is idempotent: applying a rule twice enrols nobody twice (the partial unique constraint
"one current enrolment per person and course" also stops a concurrent self-enrolment).

Due dates: ``due_days`` after enrolment, or the fixed ``due_on``; with both, whichever is later (so the
staff in post have until the fixed date and those who join later still get ``due_days``). A
recertification cycle is due ``due_days`` (default 30) after it opens.

Recertification: when the completion of a current enrolment made by (or matching) a rule with
``recertify_months`` is older than that many months, a new cycle opens (``services.enrolment_recertify``);
the learner side issues the new certificate and supersedes the old one on its completion.

Deactivating a rule enrols nobody more and stops its reminders; enrolments already made stay, with
their progress. Narrowing a rule does not withdraw anybody.
"""

from __future__ import annotations

import calendar
import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.db.models.signals import post_save
from django.utils import timezone

from nokor.academy import services
from nokor.academy.models import AssignmentRule, Course, Enrolment
from nokor.accounts.models import RoleAssignment
from nokor.audit.services import audit_record
from nokor.core.bulk import update_in_bulk
from nokor.core.tasks import enqueue
from nokor.notifications.services import notify

BATCH = 500
RECERTIFY_DEFAULT_DAYS = 30
SIGNAL_UID = "academy.assignment_rules"


class RuleError(ValueError):
    """The rule cannot be saved as asked (the message is shown to the trainer)."""


# --------------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------------
def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the last day of the month when that month is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def due_for(rule: AssignmentRule, start: dt.date, *, recertification: bool = False) -> dt.date | None:
    """When an enrolment opened by `rule` on `start` is due."""
    if recertification:
        return start + dt.timedelta(days=rule.due_days or RECERTIFY_DEFAULT_DAYS)
    candidates = []
    if rule.due_days is not None:
        candidates.append(start + dt.timedelta(days=rule.due_days))
    if rule.due_on is not None:
        candidates.append(rule.due_on)
    return max(candidates) if candidates else None


# --------------------------------------------------------------------------------------------------
# Who matches a rule
# --------------------------------------------------------------------------------------------------
def matching_staff(rule: AssignmentRule, *, user_ids: Iterable[int] | None = None) -> dict[int, Any]:
    """{user id: (unit id, unit code)} of the active staff the rule applies to. The unit is the most
    specific unit, inside the rule's subtree, where the person holds one of the rule's roles: it is the
    enrolment's unit in the reports."""
    assignments = RoleAssignment.objects.active().filter(user__is_staff=True, user__is_active=True)
    if rule.roles:
        assignments = assignments.filter(role__in=rule.roles)
    if rule.unit_id:
        assignments = assignments.filter(unit__code__startswith=rule.unit.code)
    if user_ids is None:
        querysets = [assignments]
    else:
        querysets = [assignments.filter(user_id__in=chunk) for chunk in _chunks(list(user_ids))]
    found: dict[int, tuple[int | None, str]] = {}
    for queryset in querysets:
        rows = queryset.order_by().values_list("user_id", "unit_id", "unit__code")
        for user_id, unit_id, code in rows.iterator(chunk_size=5000):
            code = code or ""
            if user_id not in found or len(code) > len(found[user_id][1]):
                found[user_id] = (unit_id, code)
    return found


def _chunks(values: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def rules_in_scope(user: Any) -> Any:
    """The rules a trainer or manager may see (the access layer, view)."""
    return AssignmentRule.objects.visible_to(user, "view")


def rule_counts(rule_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{rule id: (current enrolments, completed ones)} of the rules listed: one narrow aggregate over
    the enrolments' rule index (grouping the rules' own wide rows would sort every enrolment)."""
    rows = (
        Enrolment.objects.filter(assignment_id__in=rule_ids, is_current=True)
        .order_by()
        .values("assignment_id")
        .annotate(enrolled=Count("pk"), completed=Count("pk", filter=Q(status=Enrolment.Status.COMPLETED)))
    )
    return {row["assignment_id"]: (row["enrolled"], row["completed"]) for row in rows}


def unit_in_scope(user: Any, unit: Any, roles: Iterable[str]) -> bool:
    """May `user`, by a role in `roles`, act on `unit` (None: nationwide)?"""
    prefixes = user.unit_prefixes_for(frozenset(roles)) or set()
    if "" in prefixes:
        return True
    return unit is not None and any(unit.code.startswith(prefix) for prefix in prefixes)


# --------------------------------------------------------------------------------------------------
# Applying
# --------------------------------------------------------------------------------------------------
@transaction.atomic
def rule_apply(
    *,
    rule: AssignmentRule,
    by: Any = None,
    user_ids: Iterable[int] | None = None,
    today: dt.date | None = None,
) -> dict[str, int]:
    """Enrol the matching staff who have no current enrolment in the course (in bulk), and put the
    rule's due date on matching self-enrolments that are not completed and not yet assigned. Returns
    the counts; audits one event per application that changed something."""
    if not rule.is_active:
        return {"enrolled": 0, "assigned": 0}
    today = today or timezone.localdate()
    matches = matching_staff(rule, user_ids=user_ids)
    if not matches:
        return {"enrolled": 0, "assigned": 0}
    current = Enrolment.objects.filter(course_id=rule.course_id, is_current=True).order_by()
    if user_ids is None:
        enrolled_already = set(current.values_list("user_id", flat=True).iterator(chunk_size=5000))
    else:
        enrolled_already = set()
        for chunk in _chunks(list(matches)):
            enrolled_already.update(current.filter(user_id__in=chunk).values_list("user_id", flat=True))
    due = due_for(rule, today)
    now = timezone.now()
    missing = [user_id for user_id in matches if user_id not in enrolled_already]
    for start in range(0, len(missing), BATCH):
        chunk = missing[start : start + BATCH]
        # Past cycles without a current one (rare: history kept after a withdrawal was cleaned up).
        past = dict(
            Enrolment.objects.filter(course_id=rule.course_id, user_id__in=chunk)
            .order_by()
            .values("user_id")
            .annotate(last=Max("cycle"))
            .values_list("user_id", "last")
        )
        batch = [
            Enrolment(
                user_id=user_id,
                course_id=rule.course_id,
                cycle=past.get(user_id, 0) + 1,
                source=Enrolment.Source.ASSIGNMENT,
                assignment=rule,
                due_on=due,
                enrolled_at=now,
                unit_id=matches[user_id][0],
                unit_code=matches[user_id][1],
            )
            for user_id in chunk
        ]
        # A person who enrolled themselves a moment ago is skipped, not an error.
        Enrolment.objects.bulk_create(batch, ignore_conflicts=True)
    created = 0
    if missing:
        created = Enrolment.objects.filter(
            course_id=rule.course_id, is_current=True, assignment=rule, enrolled_at=now
        ).count()
    adopted = 0
    unassigned = [user_id for user_id in matches if user_id in enrolled_already]
    for start in range(0, len(unassigned), BATCH):
        adopted += (
            Enrolment.objects.filter(
                course_id=rule.course_id,
                is_current=True,
                assignment__isnull=True,
                user_id__in=unassigned[start : start + BATCH],
            )
            .exclude(status__in=(Enrolment.Status.COMPLETED, Enrolment.Status.WITHDRAWN))
            .update(assignment=rule, source=Enrolment.Source.ASSIGNMENT, due_on=due, updated_at=now)
        )
    if created or adopted:
        audit_record(
            action="academy.rule_apply",
            actor=by,
            actor_label=None if getattr(by, "is_authenticated", False) else "system",
            obj=rule,
            unit=rule.unit,
            details={
                "course": rule.course.slug,
                "enrolled": created,
                "assigned": adopted,
                "due_on": due.isoformat() if due else None,
                "since": now.isoformat(),
            },
        )
        from nokor.academy import tasks

        enqueue(tasks.assignment_notify, rule.pk, now.isoformat())
    return {"enrolled": created, "assigned": adopted}


def _dates_changed(rule: AssignmentRule, before: dict[str, Any]) -> bool:
    return before.get("due_days") != rule.due_days or before.get("due_on") != rule.due_on


def _reschedule(rule: AssignmentRule) -> int:
    """New due dates for the rule's enrolments that are not completed (after its dates changed)."""
    pending = (
        Enrolment.objects.filter(assignment=rule, is_current=True)
        .exclude(status__in=(Enrolment.Status.COMPLETED, Enrolment.Status.WITHDRAWN))
        .only("pk", "enrolled_at", "due_on", "cycle")
    )
    changed = []
    for enrolment in pending.iterator(chunk_size=BATCH):
        start = timezone.localdate(enrolment.enrolled_at)
        due = due_for(rule, start, recertification=enrolment.cycle > 1)
        if due != enrolment.due_on:
            enrolment.due_on = due
            changed.append(enrolment)
    update_in_bulk(changed, ["due_on"])
    return len(changed)


RULE_FIELDS = ("course", "roles", "unit", "due_days", "due_on", "recertify_months")


@transaction.atomic
def rule_save(
    *,
    by: Any,
    rule: AssignmentRule | None = None,
    course: Course,
    roles: list[str],
    unit: Any,
    due_days: int | None,
    due_on: dt.date | None,
    recertify_months: int | None,
    version: str | None = None,
) -> tuple[AssignmentRule, dict[str, int]]:
    """Create a rule, or change one (``version``: the ``updated_at`` the trainer's form was loaded
    with; a rule changed since is refused, so two trainers never overwrite each other unknowingly), and
    apply it at once. Audited."""
    from nokor.academy.models import TRAINERS

    if due_days is None and due_on is None:
        raise RuleError("due")
    if not unit_in_scope(by, unit, TRAINERS):
        raise RuleError("scope")
    before: dict[str, Any] = {}
    if rule is not None:
        rule = AssignmentRule.objects.select_for_update(of=("self",)).get(pk=rule.pk)
        if version is not None and rule.updated_at.isoformat() != version:
            raise RuleError("stale")
        if not unit_in_scope(by, rule.unit, TRAINERS):
            raise RuleError("scope")
        before = {name: getattr(rule, name if name != "course" else "course_id") for name in RULE_FIELDS}
        before["unit"] = rule.unit_id
    else:
        rule = AssignmentRule(created_by=by)
    rule.course = course
    rule.roles = sorted(set(roles))
    rule.unit = unit
    rule.due_days = due_days
    rule.due_on = due_on
    rule.recertify_months = recertify_months
    rule.save()
    rescheduled = _reschedule(rule) if before and _dates_changed(rule, before) else 0
    audit_record(
        action="academy.rule_change" if before else "academy.rule_create",
        actor=by,
        obj=rule,
        unit=unit,
        details={
            "course": course.slug,
            "roles": rule.roles,
            "unit": unit.code if unit else None,
            "due_days": due_days,
            "due_on": due_on.isoformat() if due_on else None,
            "recertify_months": recertify_months,
            "rescheduled": rescheduled,
        },
    )
    counts = rule_apply(rule=rule, by=by)
    counts["rescheduled"] = rescheduled
    return rule, counts


@transaction.atomic
def rule_set_active(*, by: Any, rule: AssignmentRule, active: bool) -> AssignmentRule:
    """Deactivate a rule (nobody more is enrolled, its reminders stop; progress is kept) or activate it
    again (and apply it). Audited."""
    from nokor.academy.models import TRAINERS

    rule = AssignmentRule.objects.select_for_update(of=("self",)).get(pk=rule.pk)
    if not unit_in_scope(by, rule.unit, TRAINERS):
        raise RuleError("scope")
    if rule.is_active == active:
        return rule
    rule.is_active = active
    rule.save(update_fields=["is_active", "updated_at"])
    audit_record(
        action="academy.rule_activate" if active else "academy.rule_deactivate",
        actor=by,
        obj=rule,
        unit=rule.unit,
        details={"course": rule.course.slug},
    )
    if active:
        rule_apply(rule=rule, by=by)
    return rule


def active_rules() -> list[AssignmentRule]:
    return list(
        AssignmentRule.objects.filter(is_active=True, course__is_published=True)
        .select_related("course", "unit")
        .order_by("pk")
    )


def apply_for_user(*, user_id: int) -> int:
    """Enrol one person in every active rule that matches them now (after a role was given)."""
    enrolled = 0
    for rule in active_rules():
        enrolled += rule_apply(rule=rule, user_ids=[user_id])["enrolled"]
    return enrolled


# --------------------------------------------------------------------------------------------------
# Recertification and the nightly reconciliation
# --------------------------------------------------------------------------------------------------
def recertify_due(*, rule: AssignmentRule, today: dt.date | None = None) -> int:
    """Open a new cycle for every matching person whose current completion of the rule's course is
    older than ``recertify_months``. One transaction per person (a failure stops only that one)."""
    if not rule.is_active or not rule.recertify_months:
        return 0
    today = today or timezone.localdate()
    cutoff_day = add_months(today, -rule.recertify_months)
    cutoff = timezone.make_aware(dt.datetime.combine(cutoff_day, dt.time.min))
    expired = Enrolment.objects.filter(
        course_id=rule.course_id,
        is_current=True,
        status=Enrolment.Status.COMPLETED,
        completed_at__lt=cutoff,
    ).filter(Q(assignment=rule) | Q(assignment__isnull=True) | Q(assignment__is_active=False))
    candidates = list(expired.order_by("pk").values_list("pk", "user_id"))
    if not candidates:
        return 0
    matches = matching_staff(rule, user_ids=[user_id for _pk, user_id in candidates])
    opened = 0
    for pk, user_id in candidates:
        if user_id not in matches:
            continue
        enrolment = Enrolment.objects.get(pk=pk)
        with transaction.atomic():
            renewed = services.enrolment_recertify(
                enrolment=enrolment,
                by=None,
                assignment=rule,
                due_on=due_for(rule, today, recertification=True),
            )
            notify(
                user=renewed.user,
                event="academy.assigned",
                context=_course_context(renewed),
                key=f"academy.assigned:{renewed.pk}",
                link=renewed.course.get_absolute_url(),
            )
        opened += 1
    return opened


def assignments_reconcile(*, today: dt.date | None = None) -> dict[str, int]:
    """Apply every active rule to everybody and open the recertification cycles that are due."""
    totals = {"enrolled": 0, "assigned": 0, "recertified": 0}
    for rule in active_rules():
        counts = rule_apply(rule=rule, today=today)
        totals["enrolled"] += counts["enrolled"]
        totals["assigned"] += counts["assigned"]
        totals["recertified"] += recertify_due(rule=rule, today=today)
    return totals


# --------------------------------------------------------------------------------------------------
# The hook: a role given to somebody
# --------------------------------------------------------------------------------------------------
_hook_paused: contextvars.ContextVar[bool] = contextvars.ContextVar("academy_hook_paused", default=False)


@contextlib.contextmanager
def hook_paused() -> Iterator[None]:
    """Within this block the role hook queues nothing (a bulk import enrols its people itself)."""
    token = _hook_paused.set(True)
    try:
        yield
    finally:
        _hook_paused.reset(token)


def _role_given(
    sender: Any, instance: RoleAssignment, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """Queue the enrolment of a person who was just given a role (when any rule is active). The
    background task does the work, after the role's transaction commits."""
    if not created or raw or _hook_paused.get():
        return
    if not AssignmentRule.objects.filter(is_active=True).exists():
        return
    from nokor.academy import tasks

    enqueue(tasks.assignments_apply_for_user, instance.user_id)


def connect_signals() -> None:
    """Called from AcademyConfig.ready (idempotent)."""
    post_save.connect(_role_given, sender=RoleAssignment, dispatch_uid=SIGNAL_UID)


# --------------------------------------------------------------------------------------------------
# Notifications: assigned, due soon, overdue
# --------------------------------------------------------------------------------------------------
def reminder_days() -> tuple[int, ...]:
    """Days before the due date when a reminder goes out (setting ACADEMY_REMINDER_DAYS, default 7 and 1)."""
    days = settings.ACADEMY_REMINDER_DAYS
    return tuple(sorted({int(day) for day in days if int(day) >= 0}, reverse=True))


def reminder_threshold(due_on: dt.date, today: dt.date, days: tuple[int, ...]) -> tuple[str, dt.date] | None:
    """The reminder an enrolment due on `due_on` is in on `today`, and the first day of its window:
    ("7", due − 7) up to six days before, ("1", due − 1) from the day before, ("overdue", due + 1)
    after the due date; None before the first window. A reminder is sent at most once per window."""
    left = (due_on - today).days
    if left < 0:
        return "overdue", due_on + dt.timedelta(days=1)
    for day in sorted(days):
        if left <= day:
            return str(day), due_on - dt.timedelta(days=day)
    return None


def _course_context(enrolment: Enrolment) -> dict[str, Any]:
    course = enrolment.course
    return {
        "course_km": course.title_km,
        "course_en": course.title_en,
        "due_on": enrolment.due_on,
        "course_url": f"{settings.SITE_URL}{course.get_absolute_url()}",
    }


def reminders_send(*, today: dt.date | None = None) -> int:
    """Remind the learners of mandatory training due soon or overdue, at most once per threshold (the
    sending day is kept in ``Enrolment.reminded_at``; the notification key makes a re-run after a crash
    send nothing twice). Returns how many were sent."""
    today = today or timezone.localdate()
    days = reminder_days()
    horizon = today + dt.timedelta(days=max(days, default=0))
    pending = (
        Enrolment.objects.filter(
            is_current=True,
            status__in=(Enrolment.Status.ENROLLED, Enrolment.Status.IN_PROGRESS),
            due_on__isnull=False,
            due_on__lte=horizon,
            user__is_active=True,
        )
        .filter(Q(assignment__isnull=True) | Q(assignment__is_active=True))
        # overdue and already told so after the due date: nothing more to say
        .exclude(due_on__lt=today, reminded_at__date__gt=F("due_on"))
        .select_related("user", "course")
        .order_by("pk")
    )
    sent = 0
    for enrolment in pending.iterator(chunk_size=500):
        found = reminder_threshold(enrolment.due_on, today, days)
        if found is None:
            continue
        threshold, window_start = found
        if enrolment.reminded_at and timezone.localdate(enrolment.reminded_at) >= window_start:
            continue
        with transaction.atomic():
            notify(
                user=enrolment.user,
                event="academy.overdue" if threshold == "overdue" else "academy.due_soon",
                context={**_course_context(enrolment), "days_left": (enrolment.due_on - today).days},
                key=f"academy.reminder:{enrolment.pk}:{threshold}",
                link=enrolment.course.get_absolute_url(),
            )
            Enrolment.objects.filter(pk=enrolment.pk).update(reminded_at=timezone.now())
        sent += 1
    return sent


def assignment_notify(*, rule_id: int, since: dt.datetime) -> int:
    """Tell the people a rule application enrolled (or assigned) at `since` what they must complete
    and by when (idempotent: one notification per enrolment)."""
    enrolments = (
        Enrolment.objects.filter(assignment_id=rule_id, is_current=True)
        .filter(Q(enrolled_at=since) | Q(updated_at=since))
        .exclude(status=Enrolment.Status.COMPLETED)
        .select_related("user", "course")
        .order_by("pk")
    )
    sent = 0
    for enrolment in enrolments.iterator(chunk_size=500):
        notify(
            user=enrolment.user,
            event="academy.assigned",
            context=_course_context(enrolment),
            key=f"academy.assigned:{enrolment.pk}",
            link=enrolment.course.get_absolute_url(),
        )
        sent += 1
    return sent
