"""The WSGI application freezes its long-lived objects out of the garbage collector at start-up and again
after its first requests (nokor/wsgi.py)."""

from __future__ import annotations

import gc

import pytest

from nokor.wsgi import FreezeAsItWarms, application


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def _app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def test_the_application_is_django_behind_the_freezer():
    assert isinstance(application, FreezeAsItWarms)
    assert application.app.__class__.__name__ == "WSGIHandler"


def test_objects_built_by_the_first_requests_are_frozen_after_them(unfrozen):
    app = FreezeAsItWarms(_app, after=(3, 5))
    kept = []
    for served in range(1, 7):
        kept.append([[] for _ in range(1000)])  # a cache that grows (lists: tracked by the collector)
        assert app({}, lambda status, headers: None) == [b"ok"]
        frozen = gc.get_freeze_count()
        if served < 3:
            assert frozen == 0
        elif served == 3:
            after_third = frozen
            assert after_third >= 3000  # the lists of the first three requests at least
        elif served == 4:
            assert frozen == after_third
        elif served == 5:
            assert frozen >= after_third + 2000
    assert app.served == 6


def test_a_full_collection_after_freezing_walks_only_what_came_since(unfrozen):
    kept = [[] for _ in range(200_000)]  # long-lived objects, like a warmed process's
    before = len(gc.get_objects())
    FreezeAsItWarms(_app, after=(1,))({}, lambda status, headers: None)
    assert len(gc.get_objects()) < before - 190_000
    assert kept
