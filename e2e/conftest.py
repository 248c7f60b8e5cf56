"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Run them in their own process (Playwright's sync API leaves an event loop running):
    DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python -m pytest -m browser -p no:xdist -q  (make test-browser)

The fixtures here apply to e2e/ only; the one autouse fixture (clearing the cache) starts no browser,
and nothing outside e2e/ imports Playwright, so the non-browser suite is unaffected. The plain helpers
live in e2e/helpers.py (imported here for convenience: `from e2e.helpers import shot, check_a11y, ...`).

Fixtures and helpers:
* ``new_page(viewport="mobile"|"desktop", js=True, language=None, user=None)``: a page in a fresh
  browser context (own cookies), optionally with the language cookie set and signed in as `user`
  (server-side session, for page sweeps; journeys sign in through the real forms).
* ``page``: the default page, mobile (360x740), Khmer-speaking browser.
* ``shot(page, app, nn, step)``: full-page screenshot to docs/screenshots/<app>-<nn>-<step>.png.
* ``check_a11y(page)``: axe-core; fails listing every violation of impact "serious" or "critical".
* ``totp_code(secret)``: the current TOTP code (waits for the next period near the end of one).
* ``outbox(to)``, ``sign_in(page, email, password, totp_secret=None)``, ``sign_out(page)``.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest

from e2e import helpers
from e2e.helpers import BROWSER_LOCALE, VIEWPORTS, check_a11y, session_cookie, shot, totp_code  # noqa: F401


# --------------------------------------------------------------------------------------------------
# Browser and database set-up
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium (never `playwright install`: no browser download on this machine)."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    # Viewport, JavaScript and locale are given per context by new_page() (passing them here too would
    # give browser.new_context() the same keyword twice).
    return {**browser_context_args, "base_url": live_server.url}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A test database of our own (data/test.sqlite3_e2e): a unit-test run started at the same time by
    someone else must not create or destroy the database under the live server."""
    from pytest_django.fixtures import _set_suffix_to_test_databases

    _set_suffix_to_test_databases("e2e")


def pytest_collection_modifyitems(items):
    """Under bench/topology.py (DATABASE_REPLICA_URL set): the journeys may use the "replica" alias too, a
    test mirror of "default" (settings: the test database's name over the replica's own connection, never
    created nor flushed), so the live server reads the marked pages from the replica."""
    from django.conf import settings

    if "replica" not in settings.DATABASES:
        return
    here = Path(__file__).resolve().parent
    both = pytest.mark.django_db(transaction=True, databases=["default", "replica"])
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            item.add_marker(both, append=False)


TASKS_SEEN: dict[str, int] = {"ran": 0, "claimed_more_than_once": 0}
WORKERS = int(os.environ.get("NOKOR_E2E_WORKERS", "0"))


@pytest.fixture(autouse=True)
def _e2e_workers(request):
    """Under bench/topology.py (NOKOR_E2E_WORKERS=n): n task workers run beside each journey, the real
    django-tasks-db loop (claim with SELECT … FOR UPDATE SKIP LOCKED) each on its own database connection,
    and `run_ready_tasks` waits for them. Threads of this process, not processes: a journey points the
    media folder, signing key and site address at its own temporary ones, which only this process sees."""
    if not WORKERS:
        yield
        return
    from django.db import connection
    from django_tasks_db.management.commands.db_worker import Worker

    request.getfixturevalue("transactional_db")
    workers = [
        Worker(queue_names=["*"], interval=0.1, batch=False, backend_name="default", startup_delay=False,
               max_tasks=None, worker_id=f"e2e-worker-{n}", excluded_queue_names=[])
        for n in range(1, WORKERS + 1)
    ]  # fmt: skip

    def work(worker) -> None:
        try:
            worker.run()
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(worker,), daemon=True) for worker in workers]
    for thread in threads:
        thread.start()
    yield
    for worker in workers:
        worker.running = False
    for thread in threads:
        thread.join(timeout=30)
    _count_finished()  # the tasks the journey did not wait for
    if os.environ.get("NOKOR_E2E_TOPOLOGY_REPORT"):
        Path(os.environ["NOKOR_E2E_TOPOLOGY_REPORT"]).write_text(json.dumps(TASKS_SEEN, indent=1))


def wait_for_workers(*, max_rounds: int = 5, timeout_s: float = 60) -> int:
    """`run_ready_tasks` when workers run the tasks: wait until none is ready or running; return how many
    finished since the last call, and count the tasks claimed more than once (a duplicate effect)."""
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + timeout_s
    while DBTaskResult.objects.ready().exists() or DBTaskResult.objects.running().exists():
        assert time.monotonic() < deadline, "the workers did not finish the queued tasks in time"
        time.sleep(0.1)
    return _count_finished()


def _count_finished() -> int:
    from django_tasks_db.models import DBTaskResult

    finished = DBTaskResult.objects.exclude(status__in=["READY", "RUNNING"]).exclude(pk__in=_counted)
    ran = 0
    for pk, worker_ids in finished.values_list("pk", "worker_ids"):
        _counted.add(pk)
        ran += 1
        TASKS_SEEN[worker_ids[-1]] = TASKS_SEEN.get(worker_ids[-1], 0) + 1
        TASKS_SEEN["claimed_more_than_once"] += len(worker_ids) > 1
    TASKS_SEEN["ran"] += ran
    return ran


_counted: set = set()
if WORKERS:
    helpers.run_ready_tasks = wait_for_workers  # before the test modules import it


@pytest.fixture(autouse=True)
def _e2e_clean_cache():
    """Rate limits and used TOTP codes live in the (in-process) cache: start every test clean.
    Autouse only inside e2e/, whose tests are all browser tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# --------------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------------
@pytest.fixture
def new_page(new_context, live_server):
    """Factory: a page in a fresh context. `user` signs in server-side (a session cookie made with the
    test client's force_login: the staff guard checks enrolment, not the session's MFA stage)."""

    from django.conf import settings

    def make(viewport: str = "mobile", *, js: bool = True, language: str | None = None, user=None):
        context = new_context(viewport=VIEWPORTS[viewport], java_script_enabled=js, locale=BROWSER_LOCALE)
        context.set_default_timeout(10_000)
        cookies = []
        if language:
            cookies.append({"name": "nokor_language", "value": language, "url": live_server.url})
        if user is not None:
            cookies.append(
                {"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(user), "url": live_server.url}
            )
        if cookies:
            context.add_cookies(cookies)
        return context.new_page()

    return make


@pytest.fixture
def page(new_page):
    """The default page: a phone (360x740), JavaScript on, Khmer browser."""
    return new_page("mobile")


@pytest.fixture
def desktop_page(new_page):
    return new_page("desktop")
