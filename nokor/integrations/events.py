"""The events partners can subscribe to, and their typed writers.

A service function calls one writer, inside its transaction (``events.document_revoked(document)``); the
event is fanned out only once the transaction commits (``transaction.on_commit``): one delivery per active
subscription to it, each queued for the worker (nokor.integrations.webhooks). An event about a person
(``concerns``) goes only to the organisations that person is a member of. Add an event here with its
writer, and call the writer from the service function where it happens.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EVENTS = {
    "application.status_changed": _("An application of a member of the organisation changed status"),
    "document.revoked": _("An issued document was revoked"),
    "scam_check.indicator_listed": _(
        "An investigator confirmed a phone number, address or account as a scam"
    ),
    "scam_check.indicator_delisted": _("An identifier was taken off the scam list by an investigator"),
}


def event_choices() -> list[tuple[str, str]]:
    """The events as form choices (name, description)."""
    return [(name, f"{name} — {description}") for name, description in EVENTS.items()]


def emit(name: str, data: dict[str, Any], *, concerns: Iterable[int | None] = ()) -> None:
    """Deliver the event ``name`` with ``data`` to its subscribers once the current transaction commits
    (nothing if it rolls back). ``concerns``: ids of the people it is about (then members only)."""
    if name not in EVENTS:
        raise ValueError(f"Unknown event {name}")
    people = tuple(person for person in concerns if person is not None)
    transaction.on_commit(partial(_fan_out, name, data, people, timezone.now()))


def _fan_out(name: str, data: dict[str, Any], concerns: tuple[int, ...], occurred_at: Any) -> int:
    from nokor.integrations.webhooks import deliveries_create

    return deliveries_create(
        event=name,
        payload={"id": str(uuid.uuid4()), "type": name, "occurred_at": occurred_at.isoformat(), "data": data},
        concerns=concerns,
    )


# --------------------------------------------------------------------------------------------------
# Writers (one line in the service function that makes the change)
# --------------------------------------------------------------------------------------------------
def application_status_changed(application: Any) -> None:
    emit(
        "application.status_changed",
        {
            "application": {
                "id": str(application.pk),
                "reference": application.reference,
                "service": application.service.slug,
                "status": application.status,
                "office_code": application.unit.code if application.unit_id else None,
            }
        },
        concerns=(application.applicant_id, application.filed_by_id),
    )


def document_revoked(document: Any) -> None:
    emit(
        "document.revoked",
        {"document": {"code": document.code, "status": document.status, "revoked_at": document.revoked_at}},
    )


def indicator_verdict(verdict: Any) -> None:
    """A verdict puts an identifier on the scam list (confirmed) or takes it off (any other outcome)."""
    listed = verdict.outcome == "confirmed"
    emit(
        "scam_check.indicator_listed" if listed else "scam_check.indicator_delisted",
        {"indicator": {"kind": verdict.kind, "value": verdict.value, "outcome": verdict.outcome}},
    )
