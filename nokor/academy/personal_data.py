"""The academy section of a person's data: their enrolments with progress, quiz attempts (questions and
answers as asked) and certificates. On account deletion the lesson progress and the attempts' answers
are erased; the enrolments stay (anonymised with the account) so training figures do not change, and
certificates stay with the documents app, which keeps issued documents by law."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nokor.academy.models import CourseCertificate, Enrolment, LessonProgress, QuizAttempt
from nokor.accounts.personal_data import Section, register


def _export(user: Any) -> list[dict[str, Any]]:
    enrolments = (
        Enrolment.objects.filter(user=user)
        .select_related("course", "unit")
        .prefetch_related("progress__lesson", "attempts__quiz")
        .order_by("enrolled_at")
    )
    certificates = {
        c.enrolment_id: c.document.code
        for c in CourseCertificate.objects.filter(enrolment__user=user).select_related("document")
    }
    return [
        {
            "course": enrolment.course.slug,
            "cycle": enrolment.cycle,
            "source": enrolment.source,
            "status": enrolment.status,
            "enrolled_at": enrolment.enrolled_at.isoformat(),
            "completed_at": enrolment.completed_at.isoformat() if enrolment.completed_at else None,
            "due_on": enrolment.due_on.isoformat() if enrolment.due_on else None,
            "unit": enrolment.unit.code if enrolment.unit_id else None,
            "lessons_seen": [
                {"lesson": p.lesson.slug, "seen_at": p.seen_at.isoformat()} for p in enrolment.progress.all()
            ],
            "attempts": [
                {
                    "quiz": a.quiz.slug,
                    "number": a.number,
                    "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
                    "score": str(a.score),
                    "passed": a.passed,
                    "answers": a.answers,
                }
                for a in enrolment.attempts.all()
            ],
            "certificate": certificates.get(enrolment.pk),
        }
        for enrolment in enrolments
    ]


@transaction.atomic
def _erase(user: Any) -> None:
    LessonProgress.objects.filter(enrolment__user=user).delete()
    QuizAttempt.objects.filter(enrolment__user=user).update(answers={}, questions=[])


def _retained(user: Any) -> list[str]:
    count = Enrolment.objects.filter(user=user).count()
    if not count:
        return []
    return [
        _(
            "Courses (%(count)s): that you took a course, when and with what result is kept without your "
            "name for the training figures; your certificates stay verifiable."
        )
        % {"count": count}
    ]


register(
    Section("academy", gettext_lazy("Courses and certificates"), _export, erase=_erase, retained=_retained)
)
