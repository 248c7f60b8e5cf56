"""The per-client-IP budgets of public forms and API operations."""

import time_machine
from django.core.cache import cache

from nokor.core import throttle


def test_a_client_over_its_budget_waits_until_the_next_window():
    cache.clear()
    with time_machine.travel(1_800_000_000 + 15, tick=False):
        assert [throttle.retry_after("test", limit=2, client="10.0.0.1") for _ in range(2)] == [None, None]
        assert throttle.retry_after("test", limit=2, client="10.0.0.1") == 45
        assert throttle.retry_after("test", limit=2, client="10.0.0.2") is None  # each client has its own
        assert throttle.retry_after("other", limit=2, client="10.0.0.1") is None  # and each scope
    with time_machine.travel(1_800_000_000 + 61, tick=False):
        assert throttle.retry_after("test", limit=2, client="10.0.0.1") is None


def test_no_limit_when_the_limit_is_zero():
    assert all(throttle.retry_after("test", limit=0) is None for _ in range(100))
