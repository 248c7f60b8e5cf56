"""Reads of the learner pages, each starting from a queryset scoped by the access layer."""

from __future__ import annotations

import functools
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from nokor.academy.models import Course, CourseCertificate, Enrolment, Lesson, Quiz


def catalogue_for(user: Any) -> QuerySet[Course]:
    """The published courses a person may take: public ones for everyone, staff ones for staff too."""
    return Course.objects.visible_to(user).filter(is_published=True)


def course_for(user: Any, slug: str) -> Course:
    """A published course the person may see (404 otherwise, also for a citizen asking a staff course)."""
    course = catalogue_for(user).filter(slug=slug).first()
    if course is None:
        raise Http404
    return course


def course_lessons(course: Course) -> tuple[Lesson, ...]:
    """The course's lessons in order, with their module and their text: read once per version of the
    course's content and kept in the process (the loader bumps ``version`` and ``updated_at`` with any
    change of the files, so a changed course is read again). Shared between requests: read-only."""
    return _lessons(course.pk, course.version, course.content_hash, course.updated_at)


@functools.lru_cache(maxsize=128)
def _lessons(course_id: int, version: int, content_hash: str, updated_at: Any) -> tuple[Lesson, ...]:
    return tuple(
        Lesson.objects.filter(course_id=course_id)
        .select_related("module", "course")
        .defer("body_km", "body_en", "course__summary_km", "course__summary_en")
        .order_by("position")
    )


def quiz_for(user: Any, slug: str, quiz_slug: str) -> Quiz:
    """An active quiz of a published course the person may see, with its course (404 otherwise)."""
    quiz = (
        Quiz.objects.filter(course__in=catalogue_for(user).filter(slug=slug), slug=quiz_slug, is_active=True)
        .select_related("course")
        .first()
    )
    if quiz is None:
        raise Http404
    return quiz


def current_enrolment(user: Any, course: Course) -> Enrolment | None:
    """The person's own current enrolment in `course` (None when not enrolled or not signed in)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Enrolment.objects.visible_to(user).filter(user=user, course=course, is_current=True).first()


def course_outline(course: Course) -> tuple[list[Any], list[Lesson]]:
    """The course's modules with their lessons (one query each), and the lessons in course order. Lesson
    bodies are left out: an outline never needs them."""
    lessons = list(
        Lesson.objects.filter(course=course)
        .only("id", "slug", "title_km", "title_en", "minutes", "position", "module_id", "course_id")
        .order_by("position")
    )
    modules = list(course.modules.order_by("position"))
    by_module: dict[int, list[Lesson]] = {}
    for lesson in lessons:
        lesson.course = course  # no query for get_absolute_url
        by_module.setdefault(lesson.module_id, []).append(lesson)
    for module in modules:
        module.lesson_list = by_module.get(module.pk, [])
    return modules, lessons


def course_quizzes(course: Course) -> list[Quiz]:
    return list(course.quizzes.filter(is_active=True).order_by("position"))


def seen_lesson_ids(enrolment: Enrolment | None) -> set[int]:
    if enrolment is None:
        return set()
    return set(enrolment.progress.values_list("lesson_id", flat=True))


def my_enrolments(user: Any) -> QuerySet[Enrolment]:
    """A learner's current enrolments, with their course and certificate (for "My learning")."""
    return (
        Enrolment.objects.visible_to(user)
        .filter(user=user, is_current=True)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("course")
        .order_by("status", "due_on", "-enrolled_at")
    )


def my_certificates(user: Any) -> QuerySet[CourseCertificate]:
    return (
        CourseCertificate.objects.visible_to(user)
        .filter(enrolment__user=user)
        .select_related("document", "enrolment__course")
        .order_by("-issued_at")
    )
