"""Named counters: gap-free numbers, one statement each, never shared between names."""

import threading

import pytest
from django.db import connection, transaction

from nokor.core.models import Sequence


def test_numbers_start_at_one_and_follow_each_other_per_name(db, django_assert_num_queries):
    assert Sequence.next_value("test-a") == 1
    with django_assert_num_queries(1):
        assert Sequence.next_value("test-a") == 2
    assert Sequence.next_value("test-b") == 1
    assert Sequence.objects.get(name="test-a").value == 2


def test_a_number_taken_in_a_transaction_that_rolls_back_is_given_again(db):
    Sequence.next_value("test-c")
    with pytest.raises(RuntimeError), transaction.atomic():
        assert Sequence.next_value("test-c") == 2
        raise RuntimeError
    assert Sequence.next_value("test-c") == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_uses_never_give_the_same_number():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself")
    numbers, errors = [], []

    def take():
        try:
            for _ in range(10):
                with transaction.atomic():
                    numbers.append(Sequence.next_value("test-race"))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and sorted(numbers) == list(range(1, 41))
