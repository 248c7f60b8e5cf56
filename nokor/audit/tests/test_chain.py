"""The audit chain: sealed after the fact, intact, and broken by any edit, deletion, insertion or
reordering of a sealed event."""

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from nokor.audit.models import AuditEvent
from nokor.audit.services import GENESIS_HASH, audit_record, seal_pending, verify_chain
from nokor.audit.tasks import seal_audit_chain
from nokor.core.tasks import PERIODIC_JOBS


@pytest.fixture
def chain(db):
    for i in range(6):
        audit_record(action=f"test.{i}", details={"i": i, "text": "ភូមិ"})
    assert seal_pending() == 6
    return list(AuditEvent.objects.order_by("seq"))


def test_events_are_written_unsealed_and_sealed_in_order(db):
    first = audit_record(action="test.first")
    second = audit_record(action="test.second")
    assert first.seq is None and first.hash == "" and second.seq is None
    assert seal_pending() == 2 and seal_pending() == 0  # sealed once
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS_HASH and second.prev_hash == first.hash == first.compute_hash()
    third = audit_record(action="test.third")
    seal_audit_chain.call()  # what the worker runs every minute
    third.refresh_from_db()
    assert third.seq == 3 and third.prev_hash == second.hash
    assert PERIODIC_JOBS["audit.seal"].every.total_seconds() == 60


def test_verifying_seals_what_is_pending_first(db):
    audit_record(action="test.a")
    audit_record(action="test.b")
    assert verify_chain() == (2, None)
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()


def test_an_event_costs_its_writer_one_insert(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        audit_record(action="test.cheap")


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
        pytest.skip("SQLite serialises writers itself; the sealers' advisory lock matters on PostgreSQL")
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

    def sealer():
        try:
            for _ in range(10):
                seal_pending()
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    threads += [threading.Thread(target=sealer) for _ in range(2)]  # sealing while others write
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    checked, broken = verify_chain()
    assert broken is None
    assert checked == 60
