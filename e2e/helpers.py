"""Plain helpers of the browser tests (fixtures are in conftest.py)."""

from __future__ import annotations

import re
import time
from pathlib import Path

from django.conf import settings
from django.utils import translation

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
VIEWPORTS = {"mobile": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}
# A phone bought in Cambodia: Khmer first. The app's own default is Khmer too (settings.LANGUAGE_CODE).
BROWSER_LOCALE = "km-KH"
SERIOUS = {"serious", "critical"}


def session_cookie(user) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


# --------------------------------------------------------------------------------------------------
# Screenshots and accessibility
# --------------------------------------------------------------------------------------------------
def shot(page, app: str, nn, step: str) -> Path:
    """Full-page screenshot docs/screenshots/<app>-<nn>-<step>.png (nn: int or two-digit string)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    number = f"{nn:02d}" if isinstance(nn, int) else str(nn)
    path = SCREENSHOTS / f"{app}-{number}-{step}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


def a11y_violations(page) -> list[dict]:
    """axe-core violations of impact serious or critical on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in SERIOUS]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", " | ")[:300])
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more element(s)")
    return "\n".join(lines)


def check_a11y(page) -> None:
    """Fail, listing them, if axe finds any violation of impact serious or critical, on the page and on
    the same address in English (``english_violations``)."""
    violations = a11y_violations(page)
    assert not violations, f"Accessibility violations on {page.url}:\n{format_violations(violations)}"
    violations = english_violations(page)
    assert not violations, (
        f"Accessibility violations in English on {page.url}:\n{format_violations(violations)}"
    )


def english_violations(page) -> list[dict]:
    """The journeys run in Khmer: axe on the page at the same address in English, opened in a second tab
    of the same browser (same session), the language cookie put back afterwards and the first tab brought
    back to the front. Nothing for a page already in English or one that does not open again by GET."""
    if page.evaluate("document.documentElement.lang") == "en" or not page.url.startswith("http"):
        return []
    context, cookie = page.context, settings.LANGUAGE_COOKIE_NAME
    before = [c for c in context.cookies(page.url) if c["name"] == cookie]
    context.add_cookies([{"name": cookie, "value": "en", "url": page.url}])
    english = context.new_page()
    try:
        if page.viewport_size:
            english.set_viewport_size(page.viewport_size)
        response = english.goto(page.url)
        shown = english.evaluate("document.documentElement.lang") if response and response.ok else None
        return a11y_violations(english) if shown == "en" else []
    finally:
        english.close()
        context.clear_cookies(name=cookie)
        if before:
            context.add_cookies(before)
        page.bring_to_front()


def has_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


# --------------------------------------------------------------------------------------------------
# Accounts
# --------------------------------------------------------------------------------------------------
def totp_code(secret: str, *, margin: float = 3.0) -> str:
    """The TOTP code of this 30 s period. Near the end of a period, wait for the next one so the code
    is still valid when the server checks it (allauth's tolerance is 0 periods)."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    period = app_settings.TOTP_PERIOD
    left = period - (time.time() % period)
    if left < margin:
        time.sleep(left + 0.1)
    counters = list(yield_hotp_counters_from_time())
    current = counters[len(counters) // 2]
    return format_hotp_value(hotp_value(secret, current))


def outbox(to: str, channel: str = "email"):
    """Messages sent to `to`, newest first (the outbox is the Message table)."""
    from nokor.notifications.models import Message

    return list(Message.objects.filter(to=to, channel=channel).order_by("-created_at"))


def confirmation_path(body: str) -> str:
    match = re.search(r"(/accounts/confirm-email/[^\s/]+/)", body)
    assert match, f"no confirmation link in the e-mail:\n{body}"
    return match.group(1)


def sign_in(page, login: str, password: str, totp_secret: str | None = None) -> None:
    """Through the real sign-in form (and the second-factor page when a secret is given)."""
    page.goto("/accounts/login/")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    submit(page)
    if totp_secret:
        page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
        page.fill("input[name=code]", totp_code(totp_secret))
        submit(page)


def submit(page, form: str = "main form") -> None:
    """Press the primary submit button of the first form in the main content."""
    page.locator(form).first.locator("button[type=submit], input[type=submit]").first.click()


def send(page, button=None) -> None:
    """Press a form's button (by default the main form's first one: "Save and continue", "Continue"…)."""
    with page.expect_navigation():
        if button is None:
            submit(page)
        else:
            button.click()


def sign_out(page) -> None:
    page.goto("/accounts/logout/")
    page.locator("main form").first.locator("button[type=submit]").first.click()
    page.wait_for_load_state()


def session_user_id(page):
    """The id of the user signed in in this page's browser (None when signed out)."""
    from django.conf import settings
    from django.contrib.sessions.models import Session

    cookie = next((c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME), None)
    if not cookie:
        return None
    session = Session.objects.filter(session_key=cookie["value"]).first()
    return session.get_decoded().get("_auth_user_id") if session else None


# --------------------------------------------------------------------------------------------------
# Background work
# --------------------------------------------------------------------------------------------------
def run_ready_tasks(*, max_rounds: int = 5) -> int:
    """Run the queued background tasks (django-tasks-db) here, as `manage.py db_worker` would, until
    none is ready (a task may queue others: a rendered document notifies its holder, a notification
    queues its delivery). Returns how many ran. A failing task is marked failed by the worker (and our
    `@background` re-queues it for later, which this does not wait for): assert on its effect."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="e2e-worker",
        excluded_queue_names=[],
    )
    ran = 0
    for _round in range(max_rounds):
        ready = list(DBTaskResult.objects.ready().order_by("enqueued_at"))
        if not ready:
            break
        for result in ready:
            result.claim(worker.worker_id)
            worker.run_task(result)
            ran += 1
    return ran


# --------------------------------------------------------------------------------------------------
# Journeys
# --------------------------------------------------------------------------------------------------
DUPLICATE_IDS = """() => {
    const count = {};
    for (const el of document.querySelectorAll("[id]")) count[el.id] = (count[el.id] || 0) + 1;
    return Object.entries(count).filter(([, n]) => n > 1).map(([id, n]) => `${id} x${n}`);
}"""


class Checks:
    """A journey's checks: screenshot every step, in order (docs/screenshots/<app>-<nn>-<step>.png); axe
    findings, repeated ids and (on phones) sideways scrolling collected as problems, so one finding does not
    hide the rest of the journey; the test asserts the list is empty at the end."""

    def __init__(self, app: str, first: int = 1) -> None:
        self.app = app
        self.number = first - 1
        self.problems: list[str] = []

    def step(self, page, name: str, *, a11y: bool = True, phone: bool = True) -> None:
        if a11y:
            violations = a11y_violations(page)
            if violations:
                self.problems.append(f"axe, step {name!r}, {page.url}:\n{format_violations(violations)}")
            violations = english_violations(page)
            if violations:
                found = format_violations(violations)
                self.problems.append(f"axe in English, step {name!r}, {page.url}:\n{found}")
            duplicates = page.evaluate(DUPLICATE_IDS)
            if duplicates:  # a label's `for` reaches only the first: the others are unlabelled
                self.problems.append(f"step {name!r}, {page.url}: ids used more than once: {duplicates}")
        if phone and has_horizontal_scroll(page):
            width = scroll_width(page)
            self.problems.append(f"step {name!r}, {page.url}: scrolls sideways (scrollWidth {width})")
        self.number += 1
        shot(page, self.app, self.number, name)

    def problem(self, text: str) -> None:
        self.problems.append(text)


def t(page, msgid: str) -> str:
    """`msgid` in the language of the page shown (the app's own translation)."""
    language = page.evaluate("document.documentElement.lang") or "km"
    with translation.override(language):
        return translation.gettext(msgid)


def main_text(page) -> str:
    return page.locator("main").inner_text()
