"""Demo data of the academy (`seed_demo`): the courses of the content folder, and the demo citizen
enrolled in the first public course with its first lesson seen. Idempotent."""

from __future__ import annotations

from nokor.academy import services
from nokor.academy.loader import CONTENT_DIR, CourseFormatError, load_courses
from nokor.academy.models import Audience, Course, Lesson
from nokor.accounts.demo import CITIZENS
from nokor.accounts.models import User


def seed() -> list[str]:
    try:
        report = load_courses(CONTENT_DIR)
    except CourseFormatError as error:  # a demo must start even while content is being written
        return [f"courses not loaded: {message}" for message in error.messages]
    citizen = User.objects.filter(email=CITIZENS[0].email).first()
    course = Course.objects.filter(audience=Audience.PUBLIC, is_published=True).order_by("position").first()
    if citizen is not None and course is not None:
        enrolment = services.enrolment_create(user=citizen, course=course, by=citizen)
        first = Lesson.objects.filter(course=course).order_by("position").first()
        if first is not None:
            services.lesson_mark_seen(enrolment=enrolment, lesson=first)
    return report.created + report.updated
