"""Fixtures of the academy tests: two small courses loaded from tests/courses (a public one with an
image, a pre-test and a final test of every question kind; a staff one), private media."""

from __future__ import annotations

from pathlib import Path

import pytest

from nokor.academy.loader import load_courses
from nokor.academy.models import Course

TEST_COURSES = Path(__file__).with_name("courses")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://nokor.example.gov.kh"


@pytest.fixture
def courses(units) -> dict[str, Course]:
    load_courses(TEST_COURSES)
    return {course.slug: course for course in Course.objects.all()}


@pytest.fixture
def course(courses) -> Course:
    return courses["safe-basics"]


@pytest.fixture
def staff_course(courses) -> Course:
    return courses["staff-basics"]


@pytest.fixture
def english(client):
    client.cookies["nokor_language"] = "en"
    return client
