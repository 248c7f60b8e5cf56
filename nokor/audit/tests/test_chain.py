"""The audit chain: intact, and broken by any edit, deletion, insertion or reordering."""

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from nokor.audit.models import AuditEvent
from nokor.audit.services import audit_record, verify_chain


@pytest.fixture
def chain(db):
    return [audit_record(action=f"test.{i}", details={"i": i, "text": "ភូមិ"}) for i in range(6)]


def test_intact_chain_verifies(chain):
    checked, broken = verify_chain()
    assert (checked, broken) == (6, None)
    call_command("audit", "verify")


def test_edited_event_is_named(chain):
    AuditEvent.objects.filter(pk=chain[2].pk).update(details={"i": 99})
    _, broken = verify_chain()
    assert broken.seq == 3
    with pytest.raises(CommandError, match="#3"):
        call_command("audit", "verify")


def test_deleted_event_is_named(chain):
    AuditEvent.objects.filter(pk=chain[3].pk).delete()
    _, broken = verify_chain()
    assert broken.seq == 5
    with pytest.raises(CommandError, match="#5"):
        call_command("audit", "verify")


def test_inserted_event_is_named(chain):
    # A forger inserts an event between 3 and 4, renumbering the rest and even hashing it correctly.
    for event in AuditEvent.objects.filter(seq__gte=4).order_by("-seq"):
        AuditEvent.objects.filter(pk=event.pk).update(seq=event.seq + 1)
    forged = AuditEvent(seq=4, occurred_at=chain[2].occurred_at, action="forged", prev_hash=chain[2].hash)
    forged.hash = forged.compute_hash()
    forged.save(force_insert=True)
    _, broken = verify_chain()
    assert broken.seq == 5  # the original 4th event no longer links to what precedes it
    with pytest.raises(CommandError, match="#5"):
        call_command("audit", "verify")


def test_reordered_events_are_named(chain):
    a, b = chain[1], chain[2]
    AuditEvent.objects.filter(pk=a.pk).update(seq=-1)
    AuditEvent.objects.filter(pk=b.pk).update(seq=a.seq)
    AuditEvent.objects.filter(pk=a.pk).update(seq=b.seq)
    _, broken = verify_chain()
    assert broken.seq == 2
    with pytest.raises(CommandError, match="#2"):
        call_command("audit", "verify")


def test_event_is_not_written_when_the_change_rolls_back(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="will.rollback")
        raise RuntimeError
    assert not AuditEvent.objects.filter(action="will.rollback").exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the advisory lock matters on PostgreSQL")
    errors = []

    def writer(n):
        try:
            for i in range(15):
                with transaction.atomic():
                    audit_record(action=f"w{n}.{i}")
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    checked, broken = verify_chain()
    assert broken is None
    assert checked == 60
