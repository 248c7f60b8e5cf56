"""Typed writers of an application's timeline: one function per kind of event, so the timeline reads
the same everywhere and nobody writes free-text logs."""

from __future__ import annotations

from typing import Any

from nokor.services.models import Application, ApplicationEvent, EventKind


def _write(
    application: Application,
    kind: str,
    *,
    actor: Any = None,
    text: str = "",
    data: dict | None = None,
    visible: bool = True,
) -> ApplicationEvent:
    return ApplicationEvent.objects.create(
        application=application,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        text=text,
        data=data or {},
        visible_to_applicant=visible,
    )


def created(application, *, by):
    return _write(application, EventKind.CREATED, actor=by)


def submitted(application, *, by):
    return _write(
        application,
        EventKind.SUBMITTED,
        actor=by,
        data={
            "unit": application.unit.code if application.unit else None,
            "deadline": str(application.deadline),
        },
    )


def claimed(application, *, by):
    return _write(application, EventKind.CLAIMED, actor=by)


def assigned(application, *, by, to):
    return _write(application, EventKind.ASSIGNED, actor=by, data={"to": to.pk}, visible=False)


def info_requested(application, *, by, message, fields):
    return _write(application, EventKind.INFO_REQUESTED, actor=by, text=message, data={"fields": fields})


def info_provided(application, *, by, message, fields):
    return _write(application, EventKind.INFO_PROVIDED, actor=by, text=message, data={"fields": fields})


def forwarded(application, *, by, note=""):
    return _write(application, EventKind.FORWARDED, actor=by, text=note, visible=False)


def approved(application, *, by, reason=""):
    return _write(application, EventKind.APPROVED, actor=by, text=reason)


def refused(application, *, by, reason):
    return _write(application, EventKind.REFUSED, actor=by, text=reason)


def escalated(application, *, by=None, reason=""):
    return _write(application, EventKind.ESCALATED, actor=by, text=reason, visible=False)


def overdue(application):
    return _write(application, EventKind.OVERDUE, visible=False)


def note(application, *, by, text):
    return _write(application, EventKind.NOTE, actor=by, text=text, visible=False)


def message(application, *, by, text):
    return _write(application, EventKind.MESSAGE, actor=by, text=text)


def appealed(application, *, by, reason):
    return _write(application, EventKind.APPEALED, actor=by, text=reason)


def appeal_decided(application, *, by, outcome, reason):
    return _write(application, EventKind.APPEAL_DECIDED, actor=by, text=reason, data={"outcome": outcome})


def document_issued(application, *, code):
    return _write(application, EventKind.DOCUMENT_ISSUED, data={"code": code})


def payment_recorded(application, *, by, receipt):
    return _write(application, EventKind.PAYMENT_RECORDED, actor=by, data={"receipt": receipt})


def feedback_given(application, *, by, rating):
    return _write(application, EventKind.FEEDBACK, actor=by, data={"rating": rating}, visible=False)
