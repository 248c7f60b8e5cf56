"""The learner's journey: catalogue and access, enrolment, lessons and resume, quizzes (order, attempts
limit, errors), completion, certificates and recertification, printable course, My learning."""

from __future__ import annotations

import random
import re

import pytest

from nokor.academy import services
from nokor.academy.models import CourseCertificate, Enrolment, Lesson, LessonProgress, Quiz, QuizAttempt
from nokor.audit.models import AuditEvent
from nokor.documents.models import Document
from nokor.documents.rendering import render_html


def _token(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def _question_ids(response) -> list[int]:
    return [int(n) for n in dict.fromkeys(re.findall(r'name="q(\d+)"', response.content.decode()))]


def right_answers(questions: list[dict]) -> dict[str, object]:
    """The right answer to each question snapshot, as a form would post it."""
    answers: dict[str, object] = {}
    for q in questions:
        key = str(q["id"])
        if q["kind"] == "single":
            answers[key] = next(str(c["id"]) for c in q["choices"] if c["correct"])
        elif q["kind"] == "multiple":
            answers[key] = [str(c["id"]) for c in q["choices"] if c["correct"]]
        elif q["kind"] == "true_false":
            answers[key] = "true" if q["answer_bool"] else "false"
        elif q["kind"] == "short":
            answers[key] = (q["accepted_en"] or q["accepted_km"])[0]
        else:
            answers[key] = q["answer_number"]
    return answers


def wrong_answers(questions: list[dict]) -> dict[str, object]:
    answers: dict[str, object] = {}
    for q in questions:
        key = str(q["id"])
        if q["kind"] in ("single", "multiple"):
            wrong = next(str(c["id"]) for c in q["choices"] if not c["correct"])
            answers[key] = wrong if q["kind"] == "single" else [wrong]
        elif q["kind"] == "true_false":
            answers[key] = "false" if q["answer_bool"] else "true"
        else:
            answers[key] = "999"
    return answers


def take(enrolment, quiz, *, right=True, by=None):
    """Submit an attempt through the service (all right or all wrong)."""
    drawn = services.quiz_draw(quiz=quiz, enrolment=enrolment)
    questions = services.snapshots_for(drawn["ids"])
    answers = right_answers(questions) if right else wrong_answers(questions)
    return services.attempt_submit(
        enrolment=enrolment, quiz=quiz, token=drawn["token"], answers=answers, by=by or enrolment.user
    )


def see_all(enrolment):
    for lesson in Lesson.objects.filter(course=enrolment.course).order_by("position"):
        services.lesson_mark_seen(enrolment=enrolment, lesson=lesson)


def post_form(client, url, answers: dict[str, object], token: str):
    data = {"token": token}
    data.update({f"q{key}": value for key, value in answers.items()})
    return client.post(url, data)


# --------------------------------------------------------------------------------------------------
# Catalogue and access
# --------------------------------------------------------------------------------------------------
def test_the_catalogue_shows_public_courses_to_everyone_and_staff_courses_to_staff_only(
    client, login, courses, investigator
):
    body = client.get("/academy/").content.decode()
    assert "មូលដ្ឋានសុវត្ថិភាព" in body and "សម្រាប់មន្ត្រី" not in body
    body = login(investigator).get("/academy/").content.decode()
    assert "មូលដ្ឋានសុវត្ថិភាព" in body and "សម្រាប់មន្ត្រី" in body


@pytest.mark.parametrize(
    "path",
    ["", "lessons/one/", "print/", "download/", "continue/", "quizzes/final/"],
)
def test_a_citizen_cannot_open_a_staff_course(login, citizen, staff_course, path):
    assert login(citizen).get(f"/academy/courses/staff-basics/{path}").status_code == 404


def test_a_citizen_cannot_enrol_in_a_staff_course(login, citizen, staff_course):
    assert login(citizen).post("/academy/courses/staff-basics/enrol/").status_code == 404
    with pytest.raises(services.EnrolmentError):
        services.enrolment_create(user=citizen, course=staff_course)
    assert not Enrolment.objects.exists()


def test_staff_take_staff_courses_and_are_counted_in_their_unit(login, investigator, staff_course):
    client = login(investigator)
    assert client.get("/academy/courses/staff-basics/lessons/one/").status_code == 200
    assert client.post("/academy/courses/staff-basics/enrol/").status_code == 302
    enrolment = Enrolment.objects.get(user=investigator)
    assert (enrolment.unit.code, enrolment.unit_code, enrolment.source) == ("12", "12", "self")


def test_anyone_can_read_a_public_lesson_but_nothing_is_saved(client, course):
    response = client.get("/academy/courses/safe-basics/lessons/signs/")
    assert response.status_code == 200
    assert "ទូរស័ព្ទទៅធនាគាររបស់អ្នកភ្លាម" in response.content.decode()
    assert not LessonProgress.objects.exists()


def test_quizzes_need_an_account(client, course):
    response = client.get("/academy/courses/safe-basics/quizzes/final/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_enrolling_needs_a_post_and_is_audited_once(login, citizen, course):
    client = login(citizen)
    assert client.get("/academy/courses/safe-basics/enrol/").status_code == 405
    response = client.post("/academy/courses/safe-basics/enrol/")
    assert response.status_code == 302 and response["Location"].endswith("#pre-test")
    client.post("/academy/courses/safe-basics/enrol/")
    enrolment = Enrolment.objects.get(user=citizen)
    assert enrolment.unit is None and enrolment.is_current
    events = AuditEvent.objects.filter(action="academy.enrol")
    assert events.count() == 1 and events.get().subject_id == citizen.pk


def test_images_are_served_to_those_who_may_see_the_course(client, course):
    response = client.get("/academy/courses/safe-basics/images/sms.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "immutable" in response["Cache-Control"]
    assert client.get("/academy/courses/safe-basics/images/other.png").status_code == 404


# --------------------------------------------------------------------------------------------------
# Lessons, progress, resume
# --------------------------------------------------------------------------------------------------
def test_a_lesson_seen_is_saved_once_and_continue_leads_to_the_first_unseen(login, citizen, course):
    client = login(citizen)
    client.post("/academy/courses/safe-basics/enrol/")
    client.get("/academy/courses/safe-basics/lessons/signs/")
    client.get("/academy/courses/safe-basics/lessons/protect/")
    client.get("/academy/courses/safe-basics/lessons/signs/")
    enrolment = Enrolment.objects.get(user=citizen)
    assert enrolment.lessons_seen == 2 and enrolment.status == "in_progress"
    assert LessonProgress.objects.filter(enrolment=enrolment).count() == 2
    assert enrolment.last_lesson.slug == "protect"
    response = client.get("/academy/courses/safe-basics/continue/")
    assert response["Location"] == "/academy/courses/safe-basics/lessons/act/"


def test_progress_is_the_same_on_another_device(client, login, citizen, course):
    enrolment = services.enrolment_create(user=citizen, course=course)
    services.lesson_mark_seen(enrolment=enrolment, lesson=Lesson.objects.get(course=course, slug="signs"))
    client.logout()
    other_device = login(citizen)
    response = other_device.get("/academy/courses/safe-basics/continue/")
    assert response["Location"].endswith("/lessons/act/")


def test_a_changed_course_is_read_again_on_the_lesson_page(client, course):
    url = "/academy/courses/safe-basics/lessons/act/"
    client.cookies["nokor_language"] = "en"
    assert "Changed text" not in client.get(url).content.decode()
    Lesson.objects.filter(course=course, slug="act").update(html_en="<p>Changed text</p>")
    course.version += 1  # what the loader does with any change of the course's files
    course.save()
    assert "Changed text" in client.get(url).content.decode()


def test_the_lesson_page_has_previous_and_next(client, course):
    body = client.get("/academy/courses/safe-basics/lessons/act/").content.decode()
    assert 'rel="prev" href="/academy/courses/safe-basics/lessons/signs/"' in body
    assert 'rel="next" href="/academy/courses/safe-basics/lessons/protect/"' in body


def test_the_lesson_page_runs_a_small_constant_number_of_queries(
    login, citizen, course, django_assert_max_num_queries
):
    client = login(citizen)
    client.post("/academy/courses/safe-basics/enrol/")
    # Reads: session, user, course, enrolment, seen ids, unread messages (the menu); the outline with the
    # lessons' text once per version of the course. First view adds the write: (savepoint,) savepoint,
    # insert, release, update counter, (release): the outer savepoint is the test's transaction; in
    # production it is the request's BEGIN/COMMIT.
    with django_assert_max_num_queries(13):
        assert client.get("/academy/courses/safe-basics/lessons/act/").status_code == 200
    with django_assert_max_num_queries(6):  # seen already: no write, the outline known
        assert client.get("/academy/courses/safe-basics/lessons/act/").status_code == 200


# --------------------------------------------------------------------------------------------------
# Quizzes
# --------------------------------------------------------------------------------------------------
def test_a_fixed_order_quiz_shows_its_questions_in_order_and_the_attempt_keeps_it(login, citizen, course):
    client = login(citizen)
    client.post("/academy/courses/safe-basics/enrol/")
    quiz = course.quizzes.get(slug="final")
    expected = list(quiz.quiz_questions.order_by("position").values_list("question_id", flat=True))
    first = client.get("/academy/courses/safe-basics/quizzes/final/")
    assert _question_ids(first) == expected
    assert _question_ids(client.get("/academy/courses/safe-basics/quizzes/final/")) == expected
    questions = services.snapshots_for(expected)
    response = post_form(
        client, "/academy/courses/safe-basics/quizzes/final/", right_answers(questions), _token(first)
    )
    attempt = QuizAttempt.objects.get()
    assert response["Location"] == f"/academy/attempts/{attempt.pk}/"
    assert [q["id"] for q in attempt.questions] == expected
    assert attempt.passed and attempt.score == 100


def test_a_random_order_quiz_shuffles_per_attempt_and_the_attempt_keeps_the_order_shown(citizen, course):
    quiz = course.quizzes.get(slug="final")
    quiz.order = Quiz.Order.RANDOM
    quiz.save()
    enrolment = services.enrolment_create(user=citizen, course=course)
    fixed = list(quiz.quiz_questions.order_by("position").values_list("question_id", flat=True))
    orders = {
        tuple(services.quiz_draw(quiz=quiz, enrolment=enrolment, rng=random.Random(seed))["ids"])
        for seed in range(8)
    }
    assert len(orders) > 1 and all(sorted(order) == sorted(fixed) for order in orders)
    drawn = services.quiz_draw(quiz=quiz, enrolment=enrolment, rng=random.Random(3))
    attempt = services.attempt_submit(
        enrolment=enrolment, quiz=quiz, token=drawn["token"], answers={}, by=citizen
    )
    assert [q["id"] for q in attempt.questions] == drawn["ids"]


def test_a_quiz_can_draw_some_questions_of_its_bank(citizen, course):
    quiz = course.quizzes.get(slug="final")
    quiz.draw = 3
    quiz.save()
    enrolment = services.enrolment_create(user=citizen, course=course)
    drawn = services.quiz_draw(quiz=quiz, enrolment=enrolment, rng=random.Random(1))
    positions = dict(quiz.quiz_questions.values_list("question_id", "position"))
    assert len(drawn["ids"]) == 3 and drawn["ids"] == sorted(drawn["ids"], key=positions.get)  # fixed order


def test_the_attempts_limit_is_enforced_on_the_server(login, citizen, course):
    client = login(citizen)
    client.post("/academy/courses/safe-basics/enrol/")
    url = "/academy/courses/safe-basics/quizzes/final/"
    pages = [client.get(url) for _ in range(3)]  # three pages opened before any answer is sent
    for page in pages[:2]:
        questions = services.snapshots_for(_question_ids(page))
        assert post_form(client, url, wrong_answers(questions), _token(page)).status_code == 302
    questions = services.snapshots_for(_question_ids(pages[2]))
    response = post_form(client, url, right_answers(questions), _token(pages[2]))
    assert response.status_code == 200
    assert (
        "You have used all your attempts at this quiz." in response.content.decode()
        or "ប្រើ" in response.content.decode()
    )
    assert QuizAttempt.objects.count() == 2 and not QuizAttempt.objects.filter(passed=True).exists()
    assert 'name="token"' not in client.get(url).content.decode()  # no new form is offered


def test_a_token_of_another_quiz_or_altered_is_refused(login, citizen, course):
    client = login(citizen)
    client.post("/academy/courses/safe-basics/enrol/")
    pre_page = client.get("/academy/courses/safe-basics/quizzes/pre/")
    response = client.post("/academy/courses/safe-basics/quizzes/final/", {"token": _token(pre_page)})
    assert response.status_code == 302 and not QuizAttempt.objects.exists()
    response = client.post("/academy/courses/safe-basics/quizzes/final/", {"token": _token(pre_page) + "x"})
    assert response.status_code == 302 and not QuizAttempt.objects.exists()


def test_unanswered_questions_show_an_error_summary_and_keep_what_was_typed(login, citizen, course):
    client = login(citizen)
    client.cookies["nokor_language"] = "en"
    client.post("/academy/courses/safe-basics/enrol/")
    url = "/academy/courses/safe-basics/quizzes/final/"
    page = client.get(url)
    ids = _question_ids(page)
    response = client.post(url, {"token": _token(page), f"q{ids[3]}": "my typed answer", f"q{ids[4]}": "abc"})
    body = response.content.decode()
    assert response.status_code == 200 and not QuizAttempt.objects.exists()
    assert "<title>Error:" in body and "There is a problem" in body and "Answer question 1." in body
    assert "Tick at least one answer to question 2." in body and "Answer question 4." not in body
    assert 'value="my typed answer"' in body and "Write a number for question 5, like 25" in body
    assert _question_ids(response) == ids  # the same questions, in the same order


def test_quiz_submit_runs_a_small_constant_number_of_queries(
    login, citizen, course, django_assert_max_num_queries
):
    client = login(citizen)
    client.post("/academy/courses/safe-basics/enrol/")
    url = "/academy/courses/safe-basics/quizzes/final/"
    page = client.get(url)
    questions = services.snapshots_for(_question_ids(page))
    # session, user, e-mail check (allauth), quiz with its course, enrolment, questions, choices;
    # savepoint, lock enrolment, count attempts, insert attempt, update enrolment, the audit event;
    # release. No query grows with the number of learners or attempts.
    with django_assert_max_num_queries(14):
        response = post_form(client, url, wrong_answers(questions), _token(page))
    assert response.status_code == 302


def test_passing_a_quiz_with_lessons_left_does_not_check_completion(
    login, citizen, course, django_assert_max_num_queries
):
    client = login(citizen)
    client.post("/academy/courses/safe-basics/enrol/")
    url = "/academy/courses/safe-basics/quizzes/final/"
    page = client.get(url)
    questions = services.snapshots_for(_question_ids(page))
    # As a failed attempt (above): the lesson counter says lessons are left, so the completion rule
    # (lock, count lessons, quizzes passed) is not run; the enrolment gets the passed final all the same.
    with django_assert_max_num_queries(18):
        response = post_form(client, url, right_answers(questions), _token(page))
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(user=citizen, course=course)
    assert enrolment.post_passed and enrolment.status == Enrolment.Status.IN_PROGRESS


def test_the_result_shows_feedback_and_explanations_and_the_right_answers_only_when_passed_or_done(
    login, citizen, course
):
    client = login(citizen)
    client.cookies["nokor_language"] = "en"
    enrolment = services.enrolment_create(user=citizen, course=course)
    quiz = course.quizzes.get(slug="final")
    failed = take(enrolment, quiz, right=False)
    body = client.get(f"/academy/attempts/{failed.pk}/").content.decode()
    assert "Not passed yet" in body and "No: scammers ask again and again." in body
    assert "The bank can freeze the account." in body  # explanation
    assert "The right answer:" not in body and "Try again" in body
    last = take(enrolment, quiz, right=False)
    body = client.get(f"/academy/attempts/{last.pk}/").content.decode()
    assert "The right answer:" in body and "Call your bank" in body and "Try again" not in body


def test_another_persons_attempt_is_not_found_and_a_trainer_view_is_audited(
    login, citizen, other_citizen, trainer, supervisor_kandal, investigator, staff_course
):
    enrolment = services.enrolment_create(user=investigator, course=staff_course)
    attempt = take(enrolment, staff_course.quizzes.get(slug="final"), right=False)
    assert login(other_citizen).get(f"/academy/attempts/{attempt.pk}/").status_code == 404
    assert login(supervisor_kandal).get(f"/academy/attempts/{attempt.pk}/").status_code == 404
    assert login(trainer).get(f"/academy/attempts/{attempt.pk}/").status_code == 200
    assert AuditEvent.objects.filter(
        action="personal_data.view", actor=trainer, subject=investigator
    ).exists()


def test_attempts_are_audited(citizen, course):
    enrolment = services.enrolment_create(user=citizen, course=course)
    attempt = take(enrolment, course.quizzes.get(slug="final"), right=False)
    event = AuditEvent.objects.get(action="academy.attempt_submit")
    assert event.object_id == str(attempt.pk) and event.details["passed"] is False


def test_learning_gain_is_the_best_final_score_minus_the_first_pre_test(citizen, course):
    enrolment = services.enrolment_create(user=citizen, course=course)
    take(enrolment, course.quizzes.get(slug="pre"), right=False)
    final = course.quizzes.get(slug="final")
    take(enrolment, final, right=True)
    take(enrolment, final, right=False)
    enrolment.refresh_from_db()
    assert (enrolment.pre_score, enrolment.post_score, enrolment.post_passed) == (0, 100, True)
    assert enrolment.learning_gain == 100
    with pytest.raises(services.AttemptError):  # the pre-test allows one attempt
        take(enrolment, course.quizzes.get(slug="pre"), right=True)


# --------------------------------------------------------------------------------------------------
# Completion and certificates
# --------------------------------------------------------------------------------------------------
def test_passing_the_final_without_all_lessons_does_not_complete_then_the_last_lesson_does(citizen, course):
    enrolment = services.enrolment_create(user=citizen, course=course)
    take(enrolment, course.quizzes.get(slug="final"))
    enrolment.refresh_from_db()
    assert not enrolment.is_completed
    see_all(enrolment)
    enrolment.refresh_from_db()
    assert enrolment.is_completed and enrolment.completed_at is not None


def test_all_lessons_without_passing_the_final_does_not_complete_then_passing_does(citizen, course):
    enrolment = services.enrolment_create(user=citizen, course=course)
    see_all(enrolment)
    take(enrolment, course.quizzes.get(slug="pre"), right=True)  # a pre-test never counts
    take(enrolment, course.quizzes.get(slug="final"), right=False)
    enrolment.refresh_from_db()
    assert not enrolment.is_completed and not CourseCertificate.objects.exists()
    take(enrolment, course.quizzes.get(slug="final"), right=True)
    enrolment.refresh_from_db()
    assert enrolment.is_completed


def test_completion_issues_a_certificate_that_verifies(client, citizen, course):
    client.cookies["nokor_language"] = "en"
    enrolment = services.enrolment_create(user=citizen, course=course)
    see_all(enrolment)
    take(enrolment, course.quizzes.get(slug="final"))
    certificate = CourseCertificate.objects.get(enrolment=enrolment)
    document = certificate.document
    assert document.document_type == "academy_certificate" and document.holder == citizen
    assert document.data["course"] == "មូលដ្ឋានសុវត្ថិភាព / Safety basics"
    assert document.issuer_unit.code == "12" and document.source_id == str(enrolment.pk)
    body = client.get(f"/verify/{document.code}").content.decode()
    assert "This document is genuine." in body and "Safety basics" in body and citizen.full_name in body
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"academy.complete", "academy.certificate_issue", "document.issue"} <= actions
    html = render_html(document)
    assert "មូលដ្ឋានសុវត្ថិភាព" in html and "បានបញ្ចប់វគ្គបណ្តុះបណ្តាល" in html and "100" in html


def test_recertification_issues_a_new_certificate_and_supersedes_the_old(
    client, citizen, investigator, staff_course
):
    client.cookies["nokor_language"] = "en"
    enrolment = services.enrolment_create(user=investigator, course=staff_course)
    see_all(enrolment)
    take(enrolment, staff_course.quizzes.get(slug="final"))
    first = CourseCertificate.objects.get(enrolment=enrolment)

    renewed = services.enrolment_recertify(enrolment=enrolment, due_on=None)
    assert renewed.cycle == 2 and renewed.is_current and renewed.status == "enrolled"
    enrolment.refresh_from_db()
    assert not enrolment.is_current and enrolment.is_completed
    see_all(renewed)
    take(renewed, staff_course.quizzes.get(slug="final"))
    second = CourseCertificate.objects.get(enrolment=renewed)
    first.refresh_from_db()
    first.document.refresh_from_db()
    assert first.superseded_by == second
    assert (
        first.document.status == Document.Status.SUPERSEDED
        and first.document.superseded_by == second.document
    )
    assert "superseded" in client.get(f"/verify/{first.document.code}").content.decode().lower()
    assert "This document is genuine." in client.get(f"/verify/{second.document.code}").content.decode()


def test_the_course_page_offers_the_certificate_after_completion(login, citizen, course):
    enrolment = services.enrolment_create(user=citizen, course=course)
    see_all(enrolment)
    take(enrolment, course.quizzes.get(slug="final"))
    client = login(citizen)
    client.cookies["nokor_language"] = "en"
    body = client.get("/academy/courses/safe-basics/").content.decode()
    certificate = CourseCertificate.objects.get()
    assert "You completed this course" in body and certificate.document.display_code in body
    body = client.get("/academy/mine/").content.decode()
    assert "Safety basics" in body and certificate.document.display_code in body and "Completed" in body


# --------------------------------------------------------------------------------------------------
# Printable course, My learning, personal data
# --------------------------------------------------------------------------------------------------
def test_the_printable_and_downloadable_course_hold_every_lesson_and_no_quiz_answer(client, course):
    printed = client.get("/academy/courses/safe-basics/print/").content.decode()
    for text in ("សញ្ញាព្រមាន", "អ្វីដែលត្រូវធ្វើ", "ការពារខ្លួន"):
        assert text in printed
    response = client.get("/academy/courses/safe-basics/download/")
    assert response["Content-Disposition"] == 'attachment; filename="safe-basics.html"'
    body = response.content.decode()
    assert "អ្វីដែលត្រូវធ្វើ" in body and "data:image/png;base64," in body and "<link" not in body
    for page in (printed, body):
        assert "ទូរស័ព្ទទៅធនាគារ" not in page.replace("ទូរស័ព្ទទៅធនាគាររបស់អ្នកភ្លាម", "")  # a choice text
        assert "1930" not in page


def test_my_learning_lists_courses_with_progress_and_due_dates(login, investigator, staff_course, course):
    import datetime as dt

    services.enrolment_create(
        user=investigator, course=staff_course, source="assignment", due_on=dt.date(2030, 1, 31)
    )
    client = login(investigator)
    client.cookies["nokor_language"] = "en"
    body = client.get("/academy/mine/").content.decode()
    assert (
        "For staff" in body and "Complete it by 31 January 2030." in body and "Required for your work" in body
    )


def test_the_personal_data_export_holds_enrolments_and_attempts(citizen, course):
    from nokor.accounts.personal_data import SECTIONS

    enrolment = services.enrolment_create(user=citizen, course=course)
    take(enrolment, course.quizzes.get(slug="final"), right=False)
    exported = SECTIONS["academy"].export(citizen)
    assert exported[0]["course"] == "safe-basics" and exported[0]["attempts"][0]["passed"] is False
