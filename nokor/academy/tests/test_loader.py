"""Loading courses from files: what is created, idempotence, updates that keep past attempts true, and
validation errors that name the file and the path of the bad key (nothing written)."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from nokor.academy import services
from nokor.academy.loader import CourseFormatError, load_courses
from nokor.academy.markup import render_markdown
from nokor.academy.models import Course, Enrolment, Lesson, LessonImage, Question, Quiz, QuizAttempt

from .conftest import TEST_COURSES


@pytest.fixture
def content(tmp_path) -> Path:
    """A writable copy of the test courses."""
    target = tmp_path / "content"
    shutil.copytree(TEST_COURSES, target)
    return target


def _edit(folder: Path, change) -> None:
    path = folder / "course.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False))


def test_loading_creates_courses_modules_lessons_images_and_quizzes(courses):
    course = courses["safe-basics"]
    assert course.title_km == "មូលដ្ឋានសុវត្ថិភាព" and course.audience == "public"
    assert [m.slug for m in course.modules.order_by("position")] == ["spot", "protect"]
    assert list(
        Lesson.objects.filter(course=course).order_by("position").values_list("slug", "position")
    ) == [
        ("signs", 1),
        ("act", 2),
        ("protect", 3),
    ]
    assert course.lesson_count == 3
    final = course.quizzes.get(slug="final")
    assert (final.kind, final.pass_mark, final.max_attempts, final.order) == ("post", 70, 2, "fixed")
    assert [q.question.kind for q in final.quiz_questions.order_by("position")] == [
        "single",
        "multiple",
        "true_false",
        "short",
        "numeric",
    ]
    image = LessonImage.objects.get(course=course, name="sms.png")
    assert image.content_type == "image/png" and image.file.read().startswith(b"\x89PNG")
    signs = Lesson.objects.get(course=course, slug="signs")
    assert f'src="/academy/courses/safe-basics/images/sms.png?v={image.sha256[:12]}"' in signs.html_en
    assert courses["staff-basics"].audience == "staff"


def test_lesson_markdown_is_stored_sanitised(course):
    protect = Lesson.objects.get(course=course, slug="protect")
    assert "<script>" in protect.body_en  # the source is kept as written
    assert "<script" not in protect.html_en and "&lt;script&gt;" in protect.html_en
    act = Lesson.objects.get(course=course, slug="act")
    assert 'rel="noopener noreferrer"' in act.html_en


def test_loading_again_changes_nothing(courses):
    before = {c.slug: (c.version, c.updated_at) for c in Course.objects.all()}
    questions = Question.objects.count()
    report = load_courses(TEST_COURSES)
    assert sorted(report.unchanged) == ["safe-basics", "staff-basics"] and not report.updated
    assert {c.slug: (c.version, c.updated_at) for c in Course.objects.all()} == before
    assert Question.objects.count() == questions


def test_a_changed_question_is_a_new_row_and_past_attempts_keep_what_they_asked(units, content, citizen):
    load_courses(content)
    course = Course.objects.get(slug="safe-basics")
    quiz = course.quizzes.get(slug="final")
    enrolment = services.enrolment_create(user=citizen, course=course)
    drawn = services.quiz_draw(quiz=quiz, enrolment=enrolment)
    attempt = services.attempt_submit(
        enrolment=enrolment, quiz=quiz, token=drawn["token"], answers={}, by=citizen
    )
    old_question = quiz.quiz_questions.get(position=2).question

    def change(data):
        data["quizzes"][1]["questions"][2]["text"]["en"] = "The ministry never asks for payment by phone."
        data["quizzes"][1]["questions"][2]["answer"] = True

    _edit(content / "safe-basics", change)
    report = load_courses(content)
    assert report.updated == ["safe-basics"]
    course.refresh_from_db()
    assert course.version == 2
    new_question = quiz.quiz_questions.get(position=2).question
    assert new_question.pk != old_question.pk and new_question.answer_bool is True
    old_question.refresh_from_db()
    assert (
        old_question.is_active is False and old_question.text_en == "The ministry asks for payment by phone."
    )
    attempt.refresh_from_db()
    asked = [q for q in attempt.questions if q["id"] == old_question.pk][0]
    assert asked["text_en"] == "The ministry asks for payment by phone." and asked["answer_bool"] is False


def test_a_dropped_lesson_goes_with_its_progress_and_counters_are_recounted(units, content, citizen):
    load_courses(content)
    course = Course.objects.get(slug="safe-basics")
    enrolment = services.enrolment_create(user=citizen, course=course)
    for lesson in Lesson.objects.filter(course=course, slug__in=["signs", "protect"]):
        services.lesson_mark_seen(enrolment=enrolment, lesson=lesson)

    _edit(
        content / "safe-basics", lambda data: data["modules"][1]["lessons"].clear() or data["modules"].pop(1)
    )
    load_courses(content)
    course.refresh_from_db()
    enrolment.refresh_from_db()
    assert course.lesson_count == 2 and not course.modules.filter(slug="protect").exists()
    assert enrolment.lessons_seen == 1


def test_a_dropped_quiz_with_attempts_is_retired_not_deleted(units, content, citizen):
    load_courses(content)
    course = Course.objects.get(slug="safe-basics")
    pre = course.quizzes.get(slug="pre")
    enrolment = services.enrolment_create(user=citizen, course=course)
    token = services.quiz_draw(quiz=pre, enrolment=enrolment)["token"]
    services.attempt_submit(enrolment=enrolment, quiz=pre, token=token, answers={}, by=citizen)

    _edit(content / "safe-basics", lambda data: data["quizzes"].pop(0))
    load_courses(content)
    pre.refresh_from_db()
    assert pre.is_active is False and QuizAttempt.objects.filter(quiz=pre).count() == 1


@pytest.mark.parametrize(
    "change,expected",
    [
        (lambda d: d.pop("title"), "safe-basics/course.json: $.title: is missing"),
        (lambda d: d.update(audience="everyone"), "$.audience: must be one of public, staff"),
        (
            lambda d: d["modules"][0]["lessons"][1].update(slug="signs"),
            "$.modules: lesson slug 'signs' appears twice",
        ),
        (
            lambda d: d["modules"][0]["lessons"][0]["title"].pop("km"),
            "$.modules[0].lessons[0].title.km: is missing",
        ),
        (
            lambda d: d["modules"][0]["lessons"][0]["body"].update(en="lessons/missing.en.md"),
            "$.modules[0].lessons[0].body.en: 'lessons/missing.en.md' does not exist",
        ),
        (
            lambda d: d["modules"][0]["lessons"][0]["body"].update(en="../../etc/passwd.md"),
            "must be a .md file inside the course folder",
        ),
        (
            lambda d: d["quizzes"][1]["questions"][0]["choices"][1].update(correct=True),
            "$.quizzes[1].questions[0].choices: a single-choice question needs one correct choice, not 2",
        ),
        (
            lambda d: d["quizzes"][1].update(pass_mark=120),
            "$.quizzes[1].pass_mark: must be a whole number from 0 to 100",
        ),
        (
            lambda d: d["quizzes"][1].update(draw=9),
            "$.quizzes[1].draw: must be a whole number from 1 to 5 or null",
        ),
        (
            lambda d: d["quizzes"][1].update(kind="module", module="nope"),
            "$.quizzes[1].module: no module 'nope'",
        ),
        (
            lambda d: d["quizzes"][1]["questions"][3].update(accepted={"en": []}),
            "$.quizzes[1].questions[3].accepted",
        ),
        (
            lambda d: d["quizzes"][1]["questions"][4].update(answer="1930"),
            "$.quizzes[1].questions[4].answer: must be a number",
        ),
        (
            lambda d: d["quizzes"][1]["questions"][2].update(corect=True),
            "$.quizzes[1].questions[2].corect: is not a known key",
        ),
        (lambda d: d.update(slug="other-name"), "$.slug: must be the folder's name ('safe-basics')"),
    ],
)
def test_invalid_course_files_are_reported_with_file_and_key_and_nothing_is_written(
    units, content, change, expected
):
    _edit(content / "safe-basics", change)
    with pytest.raises(CourseFormatError) as error:
        load_courses(content)
    assert any(expected in message for message in error.value.messages), error.value.messages
    assert all(message.startswith("safe-basics/") for message in error.value.messages)
    assert not Course.objects.exists()  # the valid staff course was not loaded either


def test_a_missing_image_is_reported_with_the_markdown_file(units, content):
    (content / "safe-basics" / "images" / "sms.png").unlink()
    with pytest.raises(CourseFormatError) as error:
        load_courses(content)
    assert (
        error.value.messages
        == ["safe-basics/lessons/01-signs.en.md: image images/sms.png does not exist in the course folder"]
        or "images/sms.png does not exist" in error.value.messages[0]
    )


def test_an_image_that_is_not_an_image_is_refused(units, content):
    (content / "safe-basics" / "images" / "sms.png").write_bytes(b"<svg onload=alert(1)>")
    with pytest.raises(CourseFormatError, match="is not a PNG, JPEG, GIF or WebP image"):
        load_courses(content)


def test_invalid_json_is_reported_with_its_file(units, content):
    (content / "staff-basics" / "course.json").write_text("{not json")
    with pytest.raises(CourseFormatError, match="staff-basics/course.json: not valid JSON"):
        load_courses(content)


def test_the_command_reports_errors_and_loads(units, content, capsys):
    _edit(content / "safe-basics", lambda d: d.update(estimated_minutes=-1))
    with pytest.raises(CommandError, match=r"\$\.estimated_minutes"):
        call_command("load_courses", "--path", str(content))
    call_command("load_courses", "--path", str(TEST_COURSES))
    assert "2 courses added" in capsys.readouterr().out


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every element of an HTML fragment with its attributes (what a browser would build)."""
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector().feed(html)
    return found


def test_markdown_cannot_carry_scripts_handlers_or_foreign_images():
    html = render_markdown(
        '<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">\n\n'
        "[click](javascript:alert(1)) [ok](https://example.org)\n\n"
        "![ours](images/a.png) ![theirs](https://evil.example/x.png) ![gone](images/b.png)",
        image_url=lambda name: "/academy/courses/c/images/a.png" if name == "a.png" else None,
    )
    tags = _tags(html)
    assert "script" not in [tag for tag, _ in tags]
    assert not [name for _, attrs in tags for name, _ in attrs if name.startswith("on")]
    assert [dict(attrs)["src"] for tag, attrs in tags if tag == "img"] == ["/academy/courses/c/images/a.png"]
    assert not [value for _, attrs in tags for _, value in attrs if "javascript" in (value or "")]
    assert '<a href="https://example.org" rel="noopener noreferrer">ok</a>' in html
    assert '<img src="/academy/courses/c/images/a.png" alt="ours">' in html
    assert "evil.example" not in html and "theirs" in html and "gone" in html


def test_enrolment_counts_of_a_course_survive_reloading(courses, citizen):
    course = courses["safe-basics"]
    enrolment = services.enrolment_create(user=citizen, course=course)
    load_courses(TEST_COURSES, force=True)
    assert Enrolment.objects.get(pk=enrolment.pk).course.version == 2
    assert Quiz.objects.filter(course=course, is_active=True).count() == 2


def test_the_demo_loads_the_real_courses_and_is_idempotent(units, citizen):
    from nokor.academy import demo
    from nokor.academy.loader import CONTENT_DIR

    demo.seed()
    demo.seed()
    slugs = sorted(p.name for p in CONTENT_DIR.iterdir() if (p / "course.json").exists())
    assert sorted(Course.objects.values_list("slug", flat=True)) == slugs
    for course in Course.objects.all():
        assert course.lesson_count >= 4 and course.title_km and course.title_en
        assert all(lesson.html_km and lesson.html_en for lesson in course.lessons.all())
        assert course.quizzes.filter(kind="post").exists()
    if slugs:
        enrolment = Enrolment.objects.get(user=citizen)
        assert enrolment.lessons_seen == 1 and enrolment.course.audience == "public"
