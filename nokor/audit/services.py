"""Writing, sealing and verifying the audit chain.

Writers call :func:`audit_record` inside the transaction of the change they record: one ``INSERT`` of an
*unsealed* event (no position in the chain, no hash yet), which commits or rolls back with the change.
Writers never wait for each other: a chain extended by every writer would need a lock held until each
commit, and with PostgreSQL waiting for the disk at every commit (about 4 ms here) that lock capped the
whole platform at about 250 audited requests a second, whatever the number of workers.

:func:`seal_pending` then chains the committed unsealed events, oldest first: it gives each the next
position (``seq``), links it to the hash of the event before it and computes its own hash, under a lock
(PostgreSQL: a transaction-scoped advisory lock; SQLite: the write lock taken at BEGIN IMMEDIATE), so
two sealers never fork the chain. The worker seals every minute (``nokor.audit.tasks``) and
:func:`verify_chain` seals before it checks. From then on, editing, deleting, inserting or reordering
any sealed event breaks the chain. What this costs, plainly: an event is protected by the chain from
its sealing, normally within a minute of its commit; until then it is an ordinary row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from nokor.audit.models import GENESIS_HASH, AuditEvent
from nokor.core.bulk import update_in_bulk
from nokor.core.context import current_ip, current_request_id

_CHAIN_LOCK_KEY = 0x4E4F4B4F52  # "NOKOR"


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def actor_label_for(actor: Any) -> str:
    """How an actor is shown in 'who viewed my data': role and unit for staff, never a name."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    if getattr(actor, "audit_label", ""):  # a partner's system through its API key ("partner:Name")
        return actor.audit_label
    if actor.is_staff:
        # Language-neutral ("service_officer@08"), rendered in the reader's language when shown.
        return (
            ";".join(sorted(f"{a.role}@{a.unit.code if a.unit_id else ''}" for a in actor.active_roles))
            or "staff"
        )
    return "citizen"


def audit_record(
    *,
    action: str,
    actor: Any = None,
    obj: models.Model | None = None,
    subject: Any = None,
    unit: Any = None,
    details: dict | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Record one event, unsealed, in the caller's transaction (sealed into the chain later)."""
    actor = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor=actor,
        actor_label=actor_label if actor_label is not None else actor_label_for(actor),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        unit=unit,
        subject=subject,
        request_id=current_request_id() if current_request_id() != "-" else "",
        ip=current_ip(),
        # Stored exactly as it will be read back, so the hash verifies after a round trip.
        details=json.loads(json.dumps(details or {}, default=str, ensure_ascii=False)),
    )
    event.save(force_insert=True)
    return event


def audit_view(
    *, actor: Any, obj: models.Model, subject: Any, unit: Any = None, what: str = ""
) -> AuditEvent:
    """Record that `actor` looked at personal data of `subject`."""
    return audit_record(
        action="personal_data.view",
        actor=actor,
        obj=obj,
        subject=subject,
        unit=unit,
        details={"what": what} if what else None,
    )


@dataclass
class ChainBreak:
    seq: int
    reason: str


SEAL_BATCH = 5_000


def seal_pending() -> int:
    """Chain every committed unsealed event, oldest first; returns how many were sealed."""
    sealed = 0
    while True:
        with transaction.atomic():
            _lock_chain()
            pending = list(AuditEvent.objects.filter(seq__isnull=True).order_by("id")[:SEAL_BATCH])
            if not pending:
                return sealed
            head = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").values("seq", "hash").first()
            seq, prev_hash = (head["seq"], head["hash"]) if head else (0, GENESIS_HASH)
            for event in pending:
                seq += 1
                event.seq, event.prev_hash = seq, prev_hash
                event.hash = prev_hash = event.compute_hash()
            update_in_bulk(pending, ["seq", "prev_hash", "hash"])
            sealed += len(pending)


def verify_chain(events: Iterator[AuditEvent] | None = None) -> tuple[int, ChainBreak | None]:
    """Walk the chain in order; return how many events were checked and the first break, if any. Without
    ``events``, the whole chain, after sealing what is pending."""
    if events is None:
        seal_pending()
        events = AuditEvent.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=5000)
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for event in events:
        if event.seq != expected_seq:
            return checked, ChainBreak(event.seq, f"sequence jumps from {expected_seq - 1} to {event.seq}")
        if event.prev_hash != expected_prev:
            return checked, ChainBreak(event.seq, "does not link to the event before it")
        if event.compute_hash() != event.hash:
            return checked, ChainBreak(event.seq, "its content does not match its hash")
        expected_prev, expected_seq = event.hash, event.seq + 1
        checked += 1
    return checked, None
