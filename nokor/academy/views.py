"""The learner's pages: the course catalogue, a course, its lessons (progress saved as they are read),
quizzes and their results, the printable and downloadable course, and "My learning".

Public courses can be read by anyone; an account is needed to keep progress, take quizzes and get a
certificate. Staff courses exist only for staff (a 404 for anyone else)."""

from __future__ import annotations

import base64
import functools
import re
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nokor.academy import selectors, services
from nokor.academy.forms import QuizForm
from nokor.academy.models import Enrolment, Lesson, LessonImage, Quiz, QuizAttempt
from nokor.audit.services import audit_view
from nokor.core.access import PUBLIC, SIGNED_IN, get_for_user, rule
from nokor.core.formatting import format_date
from nokor.core.templatetags.nokor import status_tag
from nokor.core.text import in_language
from nokor.core.uploads import file_response


# --------------------------------------------------------------------------------------------------
# Catalogue and course
# --------------------------------------------------------------------------------------------------
@rule(PUBLIC)
def catalogue(request: HttpRequest) -> HttpResponse:
    """Every course the visitor may take, with their progress when signed in."""
    courses = list(selectors.catalogue_for(request.user))
    enrolments = {}
    if request.user.is_authenticated:
        enrolments = {
            e.course_id: e for e in selectors.my_enrolments(request.user).filter(course__in=courses)
        }
    rows = [{"course": course, "enrolment": enrolments.get(course.pk)} for course in courses]
    return render(request, "academy/catalogue.html", {"rows": rows})


@rule(PUBLIC)
def course(request: HttpRequest, slug: str) -> HttpResponse:
    """A course's summary, modules and lessons with minutes, quizzes, and the learner's progress."""
    course = selectors.course_for(request.user, slug)
    modules, lessons = selectors.course_outline(course)
    enrolment = selectors.current_enrolment(request.user, course)
    seen = selectors.seen_lesson_ids(enrolment)
    quizzes = selectors.course_quizzes(course)
    attempts: dict[int, list[QuizAttempt]] = {}
    certificate = None
    if enrolment is not None:
        for attempt in enrolment.attempts.only("id", "quiz_id", "number", "score", "passed").order_by(
            "number"
        ):
            attempts.setdefault(attempt.quiz_id, []).append(attempt)
        certificate = getattr(enrolment, "certificate", None) if enrolment.is_completed else None
    quiz_rows = [
        {
            "quiz": quiz,
            "attempts": attempts.get(quiz.pk, []),
            "passed": any(a.passed for a in attempts.get(quiz.pk, [])),
            "best": max((a.score for a in attempts.get(quiz.pk, [])), default=None),
        }
        for quiz in quizzes
    ]
    context = {
        "course": course,
        "modules": modules,
        "lesson_count": len(lessons),
        "enrolment": enrolment,
        "seen": seen,
        "progress": enrolment.progress_percent(len(lessons)) if enrolment else 0,
        "next_lesson": services.first_unseen_lesson(enrolment, lessons, seen),
        "first_lesson": lessons[0] if lessons else None,
        "quiz_rows": quiz_rows,
        "pre_test": next((row for row in quiz_rows if row["quiz"].kind == Quiz.Kind.PRE), None),
        "certificate": certificate,
    }
    return render(request, "academy/course.html", context)


@rule(SIGNED_IN)
@require_POST
def enrol(request: HttpRequest, slug: str) -> HttpResponse:
    """Enrol the signed-in person in a course, then take them to where to start."""
    course = selectors.course_for(request.user, slug)
    try:
        services.enrolment_create(user=request.user, course=course, by=request.user)
    except services.EnrolmentError as error:
        messages.error(request, str(error))
        return redirect(course.get_absolute_url())
    messages.success(request, _("You are enrolled. Your progress is saved as you go."))
    pre_test = course.quizzes.filter(kind=Quiz.Kind.PRE, is_active=True).first()
    if pre_test is not None:
        return redirect(course.get_absolute_url() + "#pre-test")
    return redirect("academy:continue", slug=course.slug)


@rule(PUBLIC)
def continue_course(request: HttpRequest, slug: str) -> HttpResponse:
    """Resume where the learner left off: the first lesson not yet seen (on any device)."""
    course = selectors.course_for(request.user, slug)
    lessons = list(Lesson.objects.filter(course=course).only("id", "slug", "position").order_by("position"))
    enrolment = selectors.current_enrolment(request.user, course)
    nxt = services.first_unseen_lesson(enrolment, lessons, selectors.seen_lesson_ids(enrolment))
    if nxt is None:
        return redirect(course.get_absolute_url())
    return redirect("academy:lesson", slug=course.slug, lesson_slug=nxt.slug)


# --------------------------------------------------------------------------------------------------
# Lessons
# --------------------------------------------------------------------------------------------------
@rule(PUBLIC)
def lesson(request: HttpRequest, slug: str, lesson_slug: str) -> HttpResponse:
    """One lesson; seeing it is saved for an enrolled learner (a small, constant number of indexed
    queries: course, enrolment, seen lessons, and the insert the first time; the outline and the text
    are read once per version of the course)."""
    course = selectors.course_for(request.user, slug)
    outline = selectors.course_lessons(course)
    index = next((i for i, item in enumerate(outline) if item.slug == lesson_slug), None)
    if index is None:
        raise Http404
    current = outline[index]
    enrolment = selectors.current_enrolment(request.user, course)
    seen = selectors.seen_lesson_ids(enrolment)
    if enrolment is not None and current.pk not in seen and enrolment.status != Enrolment.Status.WITHDRAWN:
        enrolment.course = course
        services.lesson_mark_seen(enrolment=enrolment, lesson=current)
        seen.add(current.pk)
    context = {
        "course": course,
        "lesson": current,
        "html": current.html,
        "outline": outline,
        "previous": outline[index - 1] if index > 0 else None,
        "next": outline[index + 1] if index + 1 < len(outline) else None,
        "position": index + 1,
        "enrolment": enrolment,
        "seen": seen,
        "progress": enrolment.progress_percent(len(outline)) if enrolment else 0,
    }
    return render(request, "academy/lesson.html", context)


@rule(PUBLIC)
def image(request: HttpRequest, slug: str, name: str) -> FileResponse:
    """An image of a course's lessons (only for those who may see the course)."""
    course = selectors.course_for(request.user, slug)
    found = get_object_or_404(LessonImage, course=course, name=name)
    response = file_response(
        found.file.open("rb"), filename=found.name, content_type=found.content_type, inline=True
    )
    if course.is_staff_only:
        response["Cache-Control"] = "private, max-age=3600"
    else:  # the address carries the content hash (?v=): a changed image has a new address
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


# --------------------------------------------------------------------------------------------------
# Printable and downloadable course
# --------------------------------------------------------------------------------------------------
def _full_course(request: HttpRequest, slug: str) -> dict:
    course = selectors.course_for(request.user, slug)
    lessons = list(
        Lesson.objects.filter(course=course)
        .select_related("module")
        .defer("body_km", "body_en")
        .order_by("position")
    )
    return {"course": course, "lessons": lessons}


@rule(PUBLIC)
def print_course(request: HttpRequest, slug: str) -> HttpResponse:
    """The whole course on one page, with a print stylesheet (quiz answers are never included)."""
    return render(request, "academy/print.html", _full_course(request, slug))


@functools.cache
def _offline_stylesheet() -> str:
    """The site's stylesheet and the academy's, to put inside a downloaded course."""
    parts = []
    for name in ("nokor/css/nokor.css", "academy/academy.css"):
        found = finders.find(name)
        if found:
            parts.append(Path(found).read_text(encoding="utf-8"))
    return "\n".join(parts).replace("</", "<\\/")


_IMAGE_SRC = re.compile(r'src="/academy/courses/([a-z0-9-]+)/images/([A-Za-z0-9._-]+)(?:\?v=[0-9a-f]+)?"')


@rule(PUBLIC)
def download(request: HttpRequest, slug: str) -> HttpResponse:
    """The whole course as one HTML file to keep and read offline: its styles and images are inside the
    file, so nothing more is downloaded when it is opened."""
    context = _full_course(request, slug)
    course = context["course"]
    context.update(stylesheet=_offline_stylesheet(), site_url=settings.SITE_URL)
    html = render_to_string("academy/download.html", context, request=request)
    images = {image.name: image for image in course.images.all()}

    def inline(match: re.Match) -> str:
        found = images.get(match.group(2)) if match.group(1) == course.slug else None
        if found is None:
            return 'src=""'
        with found.file.open("rb") as handle:
            encoded = base64.b64encode(handle.read()).decode("ascii")
        return f'src="data:{found.content_type};base64,{encoded}"'

    html = _IMAGE_SRC.sub(inline, html)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{course.slug}.html"'
    return response


# --------------------------------------------------------------------------------------------------
# Quizzes
# --------------------------------------------------------------------------------------------------
@rule(SIGNED_IN)
def quiz(request: HttpRequest, slug: str, quiz_slug: str) -> HttpResponse:
    """A quiz on one page: the questions in the order the quiz sets (kept on the attempt), answered all
    at once. Attempts are limited and counted on the server."""
    quiz = selectors.quiz_for(request.user, slug, quiz_slug)
    course = quiz.course
    enrolment = selectors.current_enrolment(request.user, course)
    if enrolment is None:
        messages.info(request, _("Enrol in the course to take its quizzes."))
        return redirect(course.get_absolute_url())
    if request.method == "POST":
        try:
            payload = services.quiz_token_read(
                token=request.POST.get("token", ""), quiz=quiz, enrolment=enrolment
            )
        except services.AttemptError as error:
            messages.error(request, str(error))
            return redirect(quiz.get_absolute_url())
        questions = services.snapshots_for(payload["ids"])
        form = QuizForm(questions, request.POST)
        if form.is_valid():
            try:
                attempt = services.attempt_submit(
                    enrolment=enrolment,
                    quiz=quiz,
                    token=form.cleaned_data["token"],
                    answers=form.answers(),
                    by=request.user,
                    questions=questions,
                )
            except services.AttemptError as error:
                form.add_error(None, str(error))
            else:
                return redirect(attempt.get_absolute_url())
        used = QuizAttempt.objects.filter(enrolment=enrolment, quiz=quiz).count()
    else:
        used = QuizAttempt.objects.filter(enrolment=enrolment, quiz=quiz).count()
        form = None
        if services.attempts_left(quiz, used) != 0:
            drawn = services.quiz_draw(quiz=quiz, enrolment=enrolment)
            form = QuizForm(services.snapshots_for(drawn["ids"]), initial={"token": drawn["token"]})
    last = (
        QuizAttempt.objects.filter(enrolment=enrolment, quiz=quiz).order_by("-number").only("id").first()
        if used
        else None
    )
    context = {
        "course": course,
        "quiz": quiz,
        "form": form,
        "used": used,
        "left": services.attempts_left(quiz, used),
        "last_attempt": last,
    }
    return render(request, "academy/quiz.html", context, status=200)


def _answer_text(question: dict, answer: object) -> str:
    if answer in (None, "", []):
        return ""
    if question["kind"] in ("single", "multiple"):
        picked = {str(a) for a in (answer if isinstance(answer, list) else [answer])}
        return ", ".join(
            in_language(c["text_km"], c["text_en"]) for c in question["choices"] if str(c["id"]) in picked
        )
    if question["kind"] == "true_false":
        return _("True") if str(answer) == "true" else _("False")
    return str(answer)


def _right_answer_text(question: dict) -> str:
    kind = question["kind"]
    if kind in ("single", "multiple"):
        return ", ".join(in_language(c["text_km"], c["text_en"]) for c in question["choices"] if c["correct"])
    if kind == "true_false":
        return _("True") if question["answer_bool"] else _("False")
    if kind == "short":
        return in_language(
            ", ".join(question["accepted_km"]) or ", ".join(question["accepted_en"]),
            ", ".join(question["accepted_en"]) or ", ".join(question["accepted_km"]),
        )
    return f"{Decimal(question['answer_number']).normalize():f}"


@rule(SIGNED_IN)
def attempt(request: HttpRequest, pk: int) -> HttpResponse:
    """The result of an attempt: the score, and for each question whether it was right, the feedback on
    the answers chosen and the explanation. The right answers are shown once the quiz is passed or no
    attempt is left (so they cannot simply be copied into the next attempt)."""
    found = get_for_user(
        QuizAttempt.objects.select_related("quiz__course", "enrolment__user"), request.user, pk=pk
    )
    enrolment = found.enrolment
    if enrolment.user_id != request.user.pk:
        audit_view(
            actor=request.user, obj=found, subject=enrolment.user, unit=enrolment.unit, what="quiz attempt"
        )
    quiz = found.quiz
    used = QuizAttempt.objects.filter(enrolment=enrolment, quiz=quiz).count()
    left = services.attempts_left(quiz, used)
    reveal = found.passed or left == 0 or quiz.kind == Quiz.Kind.PRE
    rows = []
    for question in found.questions:
        key = str(question["id"])
        answer = found.answers.get(key)
        credit = float(found.results.get(key, "0"))
        picked = {str(a) for a in (answer if isinstance(answer, list) else [answer])} if answer else set()
        feedback = [
            {
                "text": in_language(c["text_km"], c["text_en"]),
                "feedback": in_language(c["feedback_km"], c["feedback_en"]),
                "correct": c["correct"],
            }
            for c in question.get("choices", [])
            if str(c["id"]) in picked and (c["feedback_km"] or c["feedback_en"])
        ]
        rows.append(
            {
                "text": in_language(question["text_km"], question["text_en"]),
                "answer": _answer_text(question, answer),
                "correct": credit >= 1,
                "partial": 0 < credit < 1,
                "feedback": feedback,
                "explanation": in_language(question["explanation_km"], question["explanation_en"]),
                "right_answer": _right_answer_text(question) if reveal else "",
            }
        )
    context = {
        "attempt": found,
        "quiz": quiz,
        "course": quiz.course,
        "rows": rows,
        "left": left,
        "is_own": enrolment.user_id == request.user.pk,
        "right_count": sum(1 for row in rows if row["correct"]),
    }
    return render(request, "academy/attempt.html", context)


# --------------------------------------------------------------------------------------------------
# My learning
# --------------------------------------------------------------------------------------------------
@rule(SIGNED_IN)
def my_learning(request: HttpRequest) -> HttpResponse:
    """The learner's courses with progress and due dates, and their certificates."""
    enrolments = list(selectors.my_enrolments(request.user))
    certificates = list(selectors.my_certificates(request.user))
    columns = [
        {"label": label} for label in (_("Course"), _("Completed on"), _("Verification code"), _("Status"))
    ]
    rows = []
    for certificate in certificates:
        document = certificate.document
        status = status_tag(document.get_status_display(), document.status_tone)
        if document.is_genuine and document.is_ready:
            status = format_html(
                '{} · <a href="{}">{}</a>',
                status,
                reverse("documents:download", args=[document.code]),
                _("Download (PDF)"),
            )
        rows.append(
            [
                certificate.enrolment.course.title,
                format_date(certificate.enrolment.completed_at) if certificate.enrolment.completed_at else "",
                format_html(
                    '<a class="code" href="{}">{}</a>', document.get_absolute_url(), document.display_code
                ),
                mark_safe(status),  # noqa: S308
            ]
        )
    context = {
        "enrolments": enrolments,
        "certificates": certificates,
        "certificate_columns": columns,
        "certificate_rows": rows,
    }
    return render(request, "academy/my_learning.html", context)
