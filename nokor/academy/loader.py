"""Courses as files: one folder per course in ``nokor/academy/content/<slug>/`` holding ``course.json``,
the lessons' Markdown (``lessons/…``) and their images (``images/…``), loaded by ``manage.py
load_courses`` (and by ``seed_demo``).

``course.json``::

    {"slug", "audience": "public"|"staff", "title": {"km", "en"}, "summary": {"km", "en"},
     "estimated_minutes", "modules": [{"slug", "title", "lessons": [{"slug", "title", "minutes",
     "body": {"km": "lessons/x.km.md", "en": "lessons/x.en.md"}}]}],
     "quizzes": [{"slug", "kind": "pre"|"module"|"post", "module": null|"<module slug>", "title",
     "pass_mark", "max_attempts", "order": "fixed"|"random", "draw": null|N, "questions": [
        {"kind": "single"|"multiple", "text", "choices": [{"text", "correct", "feedback"}], "explanation"},
        {"kind": "true_false", "text", "answer": true|false, "explanation"},
        {"kind": "short", "text", "accepted": {"km": [...], "en": [...]}, "explanation"},
        {"kind": "numeric", "text", "answer": 1930, "tolerance": 0, "explanation"}]}]}

Every folder is checked first and every problem is reported with its file and the path of the bad key
(``spotting-online-scams/course.json: $.quizzes[1].questions[3].choices: …``); if any is invalid nothing
is written. Loading is idempotent: a course whose files did not change is skipped; otherwise it is
updated in place by slugs (its ``version`` goes up). Questions are never edited: a changed question is a
new row and the old one is retired, and attempts keep a snapshot of what they asked, so a changed bank
never alters a past result. Lessons dropped from the files are deleted with their progress (the
learners' counters are recounted); a dropped quiz with attempts is kept, retired.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from nokor.academy.markup import image_names_in, render_markdown
from nokor.academy.models import (
    Audience,
    Choice,
    Course,
    Enrolment,
    Lesson,
    LessonImage,
    LessonProgress,
    Module,
    Question,
    Quiz,
    QuizQuestion,
)

CONTENT_DIR = Path(__file__).with_name("content")
COURSE_FILE = "course.json"
LANGUAGES = ("km", "en")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
MAX_IMAGE_BYTES = 2 * 1024 * 1024


class CourseFormatError(Exception):
    """One or more course folders are invalid; ``messages`` names each problem with its file and key."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


# --------------------------------------------------------------------------------------------------
# Reading and checking
# --------------------------------------------------------------------------------------------------
@dataclass
class ImageFile:
    name: str
    content: bytes
    content_type: str
    sha256: str


@dataclass
class CourseFiles:
    """One course folder, read and checked: the JSON, the Markdown by relative path, the images."""

    folder: Path
    data: dict[str, Any]
    markdown: dict[str, str] = field(default_factory=dict)
    images: dict[str, ImageFile] = field(default_factory=dict)
    content_hash: str = ""

    @property
    def slug(self) -> str:
        return self.data["slug"]


class _Checker:
    """Walks course.json, collecting problems as "<file>: <$.path>: <message>"."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.errors: list[str] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{self.label}: {path}: {message}")

    def mapping(self, value: Any, path: str, required: set[str], optional: set[str] = frozenset()) -> bool:
        if not isinstance(value, dict):
            self.error(path, "must be an object")
            return False
        ok = True
        for key in sorted(required - set(value)):
            self.error(f"{path}.{key}", "is missing")
            ok = False
        for key in sorted(set(value) - required - set(optional)):
            self.error(f"{path}.{key}", "is not a known key")
            ok = False
        return ok

    def text(self, value: Any, path: str) -> None:
        """A {"km": …, "en": …} pair of non-empty strings."""
        if not self.mapping(value, path, set(LANGUAGES)):
            return
        for language in LANGUAGES:
            if not isinstance(value[language], str) or not value[language].strip():
                self.error(f"{path}.{language}", "must be a non-empty text")

    def slug(self, value: Any, path: str) -> None:
        if not isinstance(value, str) or not _SLUG.match(value) or len(value) > 80:
            self.error(path, "must be a slug (lower-case letters, digits and hyphens, at most 80)")

    def integer(self, value: Any, path: str, *, low: int = 0, high: int = 32767, null: bool = False) -> None:
        if value is None and null:
            return
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error(path, f"must be a whole number from {low} to {high}" + (" or null" if null else ""))

    def choice(self, value: Any, path: str, allowed: tuple[str, ...]) -> bool:
        if value not in allowed:
            self.error(path, f"must be one of {', '.join(allowed)}")
            return False
        return True

    def unique(self, values: list[Any], path: str, what: str) -> None:
        seen: set[Any] = set()
        for value in values:
            if isinstance(value, str) and value in seen:
                self.error(path, f"{what} {value!r} appears twice")
            seen.add(value)


def _check_course(data: Any, check: _Checker) -> None:
    required = {"slug", "audience", "title", "summary", "estimated_minutes", "modules", "quizzes"}
    if not check.mapping(data, "$", required):
        if not isinstance(data, dict):
            return
    if "slug" in data:
        check.slug(data["slug"], "$.slug")
    if "audience" in data:
        check.choice(data["audience"], "$.audience", tuple(Audience.values))
    for key in ("title", "summary"):
        if key in data:
            check.text(data[key], f"$.{key}")
    if "estimated_minutes" in data:
        check.integer(data["estimated_minutes"], "$.estimated_minutes", high=10000)
    modules = data.get("modules")
    module_slugs: list[str] = []
    lesson_slugs: list[str] = []
    if "modules" in data:
        if not isinstance(modules, list) or not modules:
            check.error("$.modules", "must be a non-empty list")
            modules = []
        for m, module in enumerate(modules):
            path = f"$.modules[{m}]"
            if not check.mapping(module, path, {"slug", "title", "lessons"}) and not isinstance(module, dict):
                continue
            if "slug" in module:
                check.slug(module["slug"], f"{path}.slug")
                module_slugs.append(module["slug"])
            if "title" in module:
                check.text(module["title"], f"{path}.title")
            lessons = module.get("lessons")
            if "lessons" in module and (not isinstance(lessons, list) or not lessons):
                check.error(f"{path}.lessons", "must be a non-empty list")
                continue
            for index, lesson in enumerate(lessons or []):
                lpath = f"{path}.lessons[{index}]"
                if not check.mapping(lesson, lpath, {"slug", "title", "minutes", "body"}):
                    if not isinstance(lesson, dict):
                        continue
                if "slug" in lesson:
                    check.slug(lesson["slug"], f"{lpath}.slug")
                    lesson_slugs.append(lesson["slug"])
                if "title" in lesson:
                    check.text(lesson["title"], f"{lpath}.title")
                if "minutes" in lesson:
                    check.integer(lesson["minutes"], f"{lpath}.minutes", low=1, high=600)
                if "body" in lesson:
                    check.text(lesson["body"], f"{lpath}.body")
        check.unique(module_slugs, "$.modules", "module slug")
        check.unique(lesson_slugs, "$.modules", "lesson slug")
    quizzes = data.get("quizzes")
    if "quizzes" in data:
        if not isinstance(quizzes, list):
            check.error("$.quizzes", "must be a list")
            quizzes = []
        quiz_slugs = []
        for q, quiz in enumerate(quizzes):
            path = f"$.quizzes[{q}]"
            if isinstance(quiz, dict) and "slug" in quiz:
                quiz_slugs.append(quiz["slug"])
            _check_quiz(quiz, path, set(module_slugs), check)
        check.unique(quiz_slugs, "$.quizzes", "quiz slug")


def _check_quiz(quiz: Any, path: str, module_slugs: set[str], check: _Checker) -> None:
    required = {"slug", "kind", "title", "pass_mark", "max_attempts", "order", "questions"}
    if not check.mapping(quiz, path, required, {"module", "draw"}) and not isinstance(quiz, dict):
        return
    if "slug" in quiz:
        check.slug(quiz["slug"], f"{path}.slug")
    kind_ok = "kind" in quiz and check.choice(quiz["kind"], f"{path}.kind", tuple(Quiz.Kind.values))
    module = quiz.get("module")
    if kind_ok and quiz["kind"] == Quiz.Kind.MODULE and module is None:
        check.error(f"{path}.module", "a module quiz must name its module")
    if module is not None and module not in module_slugs:
        check.error(f"{path}.module", f"no module {module!r} in this course")
    if "title" in quiz:
        check.text(quiz["title"], f"{path}.title")
    if "pass_mark" in quiz:
        check.integer(quiz["pass_mark"], f"{path}.pass_mark", high=100)
    if "max_attempts" in quiz:
        check.integer(quiz["max_attempts"], f"{path}.max_attempts", high=100)
    if "order" in quiz:
        check.choice(quiz["order"], f"{path}.order", tuple(Quiz.Order.values))
    questions = quiz.get("questions")
    if "questions" in quiz and (not isinstance(questions, list) or not questions):
        check.error(f"{path}.questions", "must be a non-empty list")
        questions = []
    if "draw" in quiz:
        check.integer(quiz["draw"], f"{path}.draw", low=1, high=max(1, len(questions or [])), null=True)
    keys: dict[str, int] = {}
    for index, question in enumerate(questions or []):
        _check_question(question, f"{path}.questions[{index}]", check)
        key = question_key(question)
        if key in keys:
            check.error(f"{path}.questions[{index}]", f"is the same question as questions[{keys[key]}]")
        keys.setdefault(key, index)


def _check_question(question: Any, path: str, check: _Checker) -> None:
    if not isinstance(question, dict):
        check.error(path, "must be an object")
        return
    kind = question.get("kind")
    if not check.choice(kind, f"{path}.kind", tuple(Question.Kind.values)):
        return
    extra = {
        "single": {"choices"},
        "multiple": {"choices"},
        "true_false": {"answer"},
        "short": {"accepted"},
        "numeric": {"answer"},
    }[kind]
    optional = {"explanation", "tolerance"} if kind == "numeric" else {"explanation"}
    check.mapping(question, path, {"kind", "text"} | extra, optional)
    if "text" in question:
        check.text(question["text"], f"{path}.text")
    if "explanation" in question:
        check.text(question["explanation"], f"{path}.explanation")
    if kind in ("single", "multiple") and "choices" in question:
        choices = question["choices"]
        if not isinstance(choices, list) or len(choices) < 2:
            check.error(f"{path}.choices", "must be a list of at least two choices")
            return
        right = 0
        for index, choice in enumerate(choices):
            cpath = f"{path}.choices[{index}]"
            if not check.mapping(choice, cpath, {"text", "correct"}, {"feedback"}):
                if not isinstance(choice, dict):
                    continue
            if "text" in choice:
                check.text(choice["text"], f"{cpath}.text")
            if "feedback" in choice:
                check.text(choice["feedback"], f"{cpath}.feedback")
            if "correct" in choice and not isinstance(choice["correct"], bool):
                check.error(f"{cpath}.correct", "must be true or false")
            right += choice.get("correct") is True
        if kind == "single" and right != 1:
            check.error(f"{path}.choices", f"a single-choice question needs one correct choice, not {right}")
        if kind == "multiple" and right < 1:
            check.error(f"{path}.choices", "a multiple-choice question needs at least one correct choice")
    if kind == "true_false" and "answer" in question and not isinstance(question["answer"], bool):
        check.error(f"{path}.answer", "must be true or false")
    if kind == "short" and "accepted" in question:
        accepted = question["accepted"]
        if check.mapping(accepted, f"{path}.accepted", set(), set(LANGUAGES)):
            total = 0
            for language, answers in accepted.items():
                texts = isinstance(answers, list) and all(isinstance(a, str) and a.strip() for a in answers)
                if not texts:
                    check.error(f"{path}.accepted.{language}", "must be a list of non-empty texts")
                else:
                    total += len(answers)
            if not total:
                check.error(f"{path}.accepted", "needs at least one accepted answer")
    if kind == "numeric":
        for key in ("answer", "tolerance"):
            value = question.get(key, 0)
            if isinstance(value, bool) or not isinstance(value, int | float):
                check.error(f"{path}.{key}", "must be a number")
            elif key == "tolerance" and value < 0:
                check.error(f"{path}.{key}", "must not be negative")


def _inside(folder: Path, relative: str) -> Path | None:
    target = (folder / relative).resolve()
    return target if target.is_relative_to(folder.resolve()) else None


def read_course(folder: Path) -> CourseFiles:
    """Read and check one course folder (CourseFormatError lists every problem found)."""
    label = f"{folder.name}/{COURSE_FILE}"
    path = folder / COURSE_FILE
    try:
        raw = path.read_bytes()
        data = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise CourseFormatError([f"{label}: the file is missing"]) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CourseFormatError([f"{label}: not valid JSON in UTF-8: {exc}"]) from None
    check = _Checker(label)
    _check_course(data, check)
    if isinstance(data, dict) and isinstance(data.get("slug"), str) and data["slug"] != folder.name:
        check.error("$.slug", f"must be the folder's name ({folder.name!r})")
    if check.errors:
        raise CourseFormatError(check.errors)
    files = CourseFiles(folder=folder, data=data)
    digest = hashlib.sha256(raw)
    for m, module in enumerate(data["modules"]):
        for index, lesson in enumerate(module["lessons"]):
            for language in LANGUAGES:
                relative = lesson["body"][language]
                key = f"$.modules[{m}].lessons[{index}].body.{language}"
                target = _inside(folder, relative)
                if target is None or not relative.endswith(".md"):
                    check.error(key, f"{relative!r} must be a .md file inside the course folder")
                    continue
                try:
                    text = target.read_text(encoding="utf-8")
                except FileNotFoundError:
                    check.error(key, f"{relative!r} does not exist")
                    continue
                except UnicodeDecodeError:
                    check.error(key, f"{relative!r} is not UTF-8 text")
                    continue
                files.markdown[relative] = text
                digest.update(relative.encode() + b"\0" + text.encode() + b"\0")
                for name in sorted(image_names_in(text)):
                    _read_image(files, name, f"{folder.name}/{relative}", check, digest)
    if check.errors:
        raise CourseFormatError(check.errors)
    files.content_hash = digest.hexdigest()
    return files


def _read_image(files: CourseFiles, name: str, where: str, check: _Checker, digest: Any) -> None:
    if name in files.images:
        return
    target = _inside(files.folder, f"images/{name}")
    if target is None or "/" in name or not target.is_file():
        check.errors.append(f"{where}: image images/{name} does not exist in the course folder")
        return
    content = target.read_bytes()
    if len(content) > MAX_IMAGE_BYTES:
        check.errors.append(f"{where}: image images/{name} is larger than {MAX_IMAGE_BYTES // 1024} KB")
        return
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format or ""
    except (UnidentifiedImageError, OSError):
        kind = ""
    if kind not in _IMAGE_TYPES:
        check.errors.append(f"{where}: images/{name} is not a PNG, JPEG, GIF or WebP image")
        return
    sha = hashlib.sha256(content).hexdigest()
    files.images[name] = ImageFile(name=name, content=content, content_type=_IMAGE_TYPES[kind], sha256=sha)
    digest.update(f"image:{name}:{sha}".encode())


def read_courses(root: Path | None = None, slugs: list[str] | None = None) -> list[CourseFiles]:
    """Every course folder under ``root`` (or those named), all checked before anything is written."""
    root = root or CONTENT_DIR
    if not root.is_dir():
        raise CourseFormatError([f"{root}: no such folder"])
    folders = sorted(p for p in root.iterdir() if p.is_dir() and (p / COURSE_FILE).exists())
    if slugs:
        missing = sorted(set(slugs) - {p.name for p in folders})
        if missing:
            raise CourseFormatError([f"{root}: no course folder {slug!r}" for slug in missing])
        folders = [p for p in folders if p.name in slugs]
    found, errors = [], []
    for folder in folders:
        try:
            found.append(read_course(folder))
        except CourseFormatError as error:
            errors.extend(error.messages)
    if errors:
        raise CourseFormatError(errors)
    return found


# --------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------
@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@transaction.atomic
def load_courses(
    root: Path | None = None, *, slugs: list[str] | None = None, force: bool = False
) -> LoadReport:
    """Create or update the courses of the content folder (all or nothing; see the module docstring)."""
    report = LoadReport()
    for position, files in enumerate(read_courses(root, slugs)):
        course = Course.objects.select_for_update().filter(slug=files.slug).first()
        if course is not None and course.content_hash == files.content_hash and not force:
            report.unchanged.append(files.slug)
            continue
        (report.updated if course else report.created).append(files.slug)
        _write_course(files, course, position)
    return report


def _pair(value: dict[str, str] | None) -> tuple[str, str]:
    return ((value or {}).get("km", "").strip(), (value or {}).get("en", "").strip())


def _write_course(files: CourseFiles, course: Course | None, position: int) -> Course:
    data = files.data
    title_km, title_en = _pair(data["title"])
    summary_km, summary_en = _pair(data["summary"])
    values = {
        "audience": data["audience"],
        "title_km": title_km,
        "title_en": title_en,
        "summary_km": summary_km,
        "summary_en": summary_en,
        "estimated_minutes": data["estimated_minutes"],
        "content_hash": files.content_hash,
    }
    if course is None:
        course = Course.objects.create(slug=files.slug, position=position, **values)
    else:
        for name, value in values.items():
            setattr(course, name, value)
        course.version += 1
        course.save()
    image_urls = _write_images(course, files)
    modules = _write_modules(course, data["modules"], files, image_urls)
    _write_quizzes(course, data["quizzes"], modules)
    return course


def _write_images(course: Course, files: CourseFiles) -> dict[str, str]:
    existing = {image.name: image for image in course.images.all()}
    urls = {}
    for name, image_file in files.images.items():
        image = existing.pop(name, None)
        if image is None or image.sha256 != image_file.sha256:
            if image is not None:
                image.file.delete(save=False)
            else:
                image = LessonImage(course=course, name=name)
            image.sha256 = image_file.sha256
            image.content_type = image_file.content_type
            image.size = len(image_file.content)
            image.file.save(name, ContentFile(image_file.content), save=False)
            image.save()
        # The content hash in the address: a changed image is a new address, so it can be cached forever.
        urls[name] = reverse("academy:image", args=[course.slug, name]) + f"?v={image.sha256[:12]}"
    for image in existing.values():
        image.file.delete(save=False)
        image.delete()
    return urls


def _write_modules(
    course: Course, modules_data: list[dict], files: CourseFiles, image_urls: dict[str, str]
) -> dict[str, Module]:
    modules = {module.slug: module for module in course.modules.all()}
    lessons = {lesson.slug: lesson for lesson in course.lessons.all()}
    kept_modules, kept_lessons = set(), set()
    position = 0
    for m, module_data in enumerate(modules_data):
        title_km, title_en = _pair(module_data["title"])
        module = modules.get(module_data["slug"]) or Module(course=course, slug=module_data["slug"])
        module.title_km, module.title_en, module.position = title_km, title_en, m
        module.save()
        modules[module.slug] = module
        kept_modules.add(module.slug)
        for lesson_data in module_data["lessons"]:
            position += 1
            lesson = lessons.get(lesson_data["slug"]) or Lesson(course=course, slug=lesson_data["slug"])
            lesson.module = module
            lesson.title_km, lesson.title_en = _pair(lesson_data["title"])
            lesson.minutes = lesson_data["minutes"]
            lesson.position = position
            lesson.body_km = files.markdown[lesson_data["body"]["km"]]
            lesson.body_en = files.markdown[lesson_data["body"]["en"]]
            lesson.html_km = render_markdown(lesson.body_km, image_url=image_urls.get)
            lesson.html_en = render_markdown(lesson.body_en, image_url=image_urls.get)
            lesson.save()
            kept_lessons.add(lesson.slug)
    dropped = [lesson.pk for slug, lesson in lessons.items() if slug not in kept_lessons]
    if dropped:
        Lesson.objects.filter(pk__in=dropped).delete()  # their progress goes with them: recount below
        seen = (
            LessonProgress.objects.filter(enrolment=OuterRef("pk"))
            .values("enrolment")
            .annotate(n=Count("pk"))
            .values("n")
        )
        Enrolment.objects.filter(course=course).update(lessons_seen=Coalesce(Subquery(seen), 0))
    # Quizzes of a dropped module are detached first (a quiz with attempts is kept, retired).
    dropped_modules = [module for slug, module in modules.items() if slug not in kept_modules]
    Quiz.objects.filter(module__in=dropped_modules).update(module=None)
    Module.objects.filter(pk__in=[m.pk for m in dropped_modules]).delete()
    course.lesson_count = position
    course.save(update_fields=["lesson_count"])
    return {slug: module for slug, module in modules.items() if slug in kept_modules}


def question_key(question: dict[str, Any]) -> str:
    """A question's identity: the hash of its content (a changed question is another question)."""
    return hashlib.sha256(json.dumps(question, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _question(course: Course, data: dict[str, Any], existing: dict[str, Question]) -> Question:
    key = question_key(data)
    question = existing.get(key)
    if question is not None:
        if not question.is_active:
            question.is_active = True
            question.save(update_fields=["is_active"])
        return question
    text_km, text_en = _pair(data["text"])
    explanation_km, explanation_en = _pair(data.get("explanation"))
    kind = data["kind"]
    accepted = data.get("accepted") or {}
    question = Question.objects.create(
        course=course,
        key=key,
        kind=kind,
        text_km=text_km,
        text_en=text_en,
        explanation_km=explanation_km,
        explanation_en=explanation_en,
        answer_bool=data["answer"] if kind == Question.Kind.TRUE_FALSE else None,
        accepted_km=[a.strip() for a in accepted.get("km", [])],
        accepted_en=[a.strip() for a in accepted.get("en", [])],
        answer_number=Decimal(str(data["answer"])) if kind == Question.Kind.NUMERIC else None,
        tolerance=Decimal(str(data.get("tolerance", 0))) if kind == Question.Kind.NUMERIC else Decimal(0),
    )
    choices = []
    for position, choice in enumerate(data.get("choices") or []):
        choice_km, choice_en = _pair(choice["text"])
        feedback_km, feedback_en = _pair(choice.get("feedback"))
        choices.append(
            Choice(
                question=question,
                position=position,
                text_km=choice_km,
                text_en=choice_en,
                is_correct=choice["correct"],
                feedback_km=feedback_km,
                feedback_en=feedback_en,
            )
        )
    Choice.objects.bulk_create(choices)
    existing[key] = question
    return question


def _write_quizzes(course: Course, quizzes_data: list[dict], modules: dict[str, Module]) -> None:
    existing_questions = {question.key: question for question in course.questions.all()}
    quizzes = {quiz.slug: quiz for quiz in course.quizzes.all()}
    used: set[int] = set()
    kept = set()
    for position, data in enumerate(quizzes_data):
        quiz = quizzes.get(data["slug"]) or Quiz(course=course, slug=data["slug"])
        quiz.kind = data["kind"]
        quiz.module = modules[data["module"]] if data.get("module") else None
        quiz.title_km, quiz.title_en = _pair(data["title"])
        quiz.pass_mark = data["pass_mark"]
        quiz.max_attempts = data["max_attempts"]
        quiz.order = data["order"]
        quiz.draw = data.get("draw")
        quiz.position = position
        quiz.is_active = True
        quiz.save()
        kept.add(quiz.slug)
        QuizQuestion.objects.filter(quiz=quiz).delete()
        links = []
        for index, question_data in enumerate(data["questions"]):
            question = _question(course, question_data, existing_questions)
            used.add(question.pk)
            links.append(QuizQuestion(quiz=quiz, question=question, position=index))
        QuizQuestion.objects.bulk_create(links, ignore_conflicts=False)
    for slug, quiz in quizzes.items():
        if slug in kept:
            continue
        if quiz.attempts.exists():
            quiz.is_active = False
            quiz.module = None
            quiz.save(update_fields=["is_active", "module"])
        else:
            QuizQuestion.objects.filter(quiz=quiz).delete()
            quiz.delete()
    course.questions.exclude(pk__in=used).filter(is_active=True).update(is_active=False)
