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

import pytest

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
