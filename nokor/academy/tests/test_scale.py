"""manage.py seed_scale --staff/--courses/--progress: the benchmark's staff, courses and learning are real
records (counters agree with the rows, completions have their passed final test, overdue training was
reminded), the top-up never duplicates, and the facts the benchmark scenarios use open the right pages."""

from __future__ import annotations

import io
import json
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count

from nokor.academy import scale
from nokor.academy.models import (
    AssignmentRule,
    Course,
    CourseUnitStats,
    Enrolment,
    LessonProgress,
    QuizAttempt,
)
from nokor.accounts.models import RoleAssignment, User

FACTS = "NOKOR_SEED "


@pytest.fixture(autouse=True)
def demo_mode(settings):
    settings.DEMO = True  # seed_scale refuses to run outside demo and benchmark installations


def seed_scale(*args: str) -> dict:
    out = io.StringIO()
    call_command("seed_scale", *args, stdout=out)
    line = next(line for line in out.getvalue().splitlines() if line.startswith(FACTS))
    return json.loads(line.removeprefix(FACTS))["academy"]


@pytest.fixture
def seeded(officer_kandal, supervisor_kandal, trainer):
    return seed_scale("--staff", "60", "--courses", "6", "--progress", "400")


def test_it_makes_the_staff_courses_and_exact_progress_asked_for(seeded):
    assert User.objects.filter(is_staff=True).count() == 60 == seeded["staff"]
    assert Course.objects.count() == 6 == seeded["courses"]
    assert LessonProgress.objects.count() == 400 == seeded["progress"]
    seeded_staff = User.objects.filter(email__startswith=scale.STAFF_PREFIX)
    assert RoleAssignment.objects.filter(user__in=seeded_staff).count() == seeded_staff.count() == 57


def test_every_seeded_staff_member_is_enrolled_in_the_mandatory_training(seeded):
    rule = AssignmentRule.objects.get()
    assert rule.course.slug == scale.MANDATORY_COURSE and rule.unit is None and rule.roles == []
    mandatory = Enrolment.objects.filter(course=rule.course, assignment=rule, is_current=True)
    staff = User.objects.filter(email__startswith=scale.STAFF_PREFIX)
    assert set(mandatory.values_list("user_id", flat=True)) >= set(staff.values_list("pk", flat=True))
    for enrolment in mandatory.filter(user__in=staff).select_related("user"):
        assert enrolment.due_on is not None
        if enrolment.unit_id:  # the unit of the person's role: reports count them there
            assert enrolment.user.role_assignments.get().unit_id == enrolment.unit_id


def test_counters_attempts_and_statuses_agree_with_the_rows(seeded):
    seen = Counter(LessonProgress.objects.values_list("enrolment_id", flat=True))
    for enrolment in Enrolment.objects.select_related("course"):
        assert enrolment.lessons_seen == seen.get(enrolment.pk, 0)
        finals = QuizAttempt.objects.filter(enrolment=enrolment, quiz__kind="post")
        if enrolment.is_completed:
            assert enrolment.lessons_seen == enrolment.course.lesson_count
            assert finals.filter(passed=True).exists() and enrolment.post_passed
            assert enrolment.completed_at is not None
        else:
            assert not finals.filter(passed=True).exists()
        if enrolment.post_score is not None:
            assert max(finals.values_list("score", flat=True)) == enrolment.post_score
    numbers = QuizAttempt.objects.values("enrolment", "quiz").annotate(n=Count("pk"))
    assert all(row["n"] <= 2 for row in numbers)


def test_overdue_mandatory_training_was_already_reminded(seeded):
    from django.utils import timezone

    overdue = Enrolment.objects.filter(due_on__lt=timezone.localdate()).exclude(status="completed")
    assert all(enrolment.reminded_at is not None for enrolment in overdue)


def test_the_report_figures_are_rebuilt(seeded):
    country = CourseUnitStats.objects.get(course__slug=scale.MANDATORY_COURSE, unit_code="")
    assert country.enrolled == Enrolment.objects.filter(course__slug=scale.MANDATORY_COURSE).count()


def test_running_it_again_adds_nothing_and_more_adds_the_difference(seeded):
    counts = (User.objects.count(), Enrolment.objects.count(), QuizAttempt.objects.count())
    again = seed_scale("--staff", "60", "--courses", "6", "--progress", "400")
    assert (User.objects.count(), Enrolment.objects.count(), QuizAttempt.objects.count()) == counts
    assert again["progress"] == 400
    seed_scale("--staff", "70", "--courses", "7", "--progress", "520")
    assert User.objects.filter(is_staff=True).count() == 70
    assert Course.objects.count() == 7
    assert LessonProgress.objects.count() == 520
    pairs = Enrolment.objects.filter(is_current=True).values("user", "course").annotate(n=Count("pk"))
    assert all(row["n"] == 1 for row in pairs)
    # The identifiers written by the seed are behind the sequences: a new enrolment gets a new one.
    staff = User.objects.create(email="late@example.org", is_staff=True)
    Enrolment.objects.create(user=staff, course=Course.objects.first())


def test_the_benchmark_pages_open_as_the_scenarios_expect(
    seeded, login, officer_kandal, supervisor_kandal, django_assert_max_num_queries
):
    client = login(officer_kandal)
    client.get(seeded["lesson_path"])  # the session's first request, and the course's outline read once
    # session, user, second factor, roles; course, enrolment, lessons seen; inbox
    with django_assert_max_num_queries(8):
        page = client.get(seeded["lesson_path"])
    assert page.status_code == 200 and 'id="course-progress"' in page.content.decode()
    before = QuizAttempt.objects.count()
    for path, body in seeded["quiz_pages"][:2] * 2:  # the same page twice: attempts are not limited
        # As above, then the quiz, its questions, the attempt and its audit event; passing a final test
        # with lessons left does not run the completion rule.
        with django_assert_max_num_queries(19):
            response = client.post(path, body, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 302 and "/academy/attempts/" in response["Location"]
    assert QuizAttempt.objects.count() == before + 4
    assert QuizAttempt.objects.order_by("-pk").first().passed
    reader = login(supervisor_kandal)
    reader.get("/me/")
    # As above, then the courses to choose from, the units, a few rows of pre-aggregated figures, the
    # names of the districts: nothing grows with the staff or their progress.
    with django_assert_max_num_queries(9):
        report = reader.get(seeded["report_path"])
    assert report.status_code == 200
    assert f'unit={seeded["report_district"]}"' in report.content.decode()
