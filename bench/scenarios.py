"""The benchmark scenarios: one registry, so a new scenario is one entry in ``SCENARIOS``.

A scenario is a URL loaded by wrk, optionally as a signed-in demo person (``as_user``, a key of
``nokor/accounts/demo.py``), optionally with a wrk Lua script for requests a plain GET cannot express (a
POST with a body, other headers), optionally with a seed step (a ``manage.py`` command run once
before the measurements, skipped when the command does not exist yet), and optionally with a target.

Each scenario's throughput is reported as a ratio to ``BARE``, a Django view that returns "ok" through the
full middleware, measured on the same server in the same run (before and after the scenarios).

A signed-in POST with its own data, for example, would be::

    Scenario(
        name="feedback sent",
        path="/services/feedback/",
        description="A citizen sends feedback on a decided application.",
        as_user="citizen",
        expect_status=302,
        lua=lambda ctx: (
            'wrk.method = "POST"\n'
            'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
            f'wrk.body = "csrfmiddlewaretoken={ctx.csrf_token}&rating=5"\n'
        ),
        seed=("seed_scale", "--applications", "1000000"),
        target=Target(max_p99_ms=300),
    )
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from loadgen import LuaContext


@dataclass(frozen=True)
class Target:
    """What a scenario must achieve to pass: a minimum throughput ratio to the bare view, a p99 ceiling."""

    min_ratio: float | None = None
    max_p99_ms: float | None = None

    def met(self, ratio: float, p99_ms: float) -> bool:
        """Whether a measurement with this throughput ratio and p99 latency meets the target."""
        return (self.min_ratio is None or ratio >= self.min_ratio) and (
            self.max_p99_ms is None or p99_ms <= self.max_p99_ms
        )

    def describe(self) -> str:
        """The target in words, for the results table."""
        parts = []
        if self.min_ratio is not None:
            parts.append(f"ratio ≥ {self.min_ratio:g}")
        if self.max_p99_ms is not None:
            parts.append(f"p99 ≤ {self.max_p99_ms:g} ms")
        return ", ".join(parts)


@dataclass(frozen=True)
class Scenario:
    """One thing to load.

    ``expect_status`` and ``expect_text`` are checked on every response of the warm-up run, so a session
    that silently redirects to the sign-in page (a 302 that wrk would count as a success) fails loudly.
    ``lua`` returns wrk Lua that sets ``wrk.method``, ``wrk.body`` and ``wrk.headers``; it must not define
    ``setup``, ``request``, ``response`` or ``done``, which the harness uses to send each session's cookie
    and to collect results.
    ``seed`` is a ``manage.py`` command line (``("seed_scale", "--applications", "1000000")``) run once
    per benchmark run, shared by the scenarios that declare the same one.
    """

    name: str
    path: str
    description: str
    as_user: str | None = None
    expect_status: int = 200
    expect_text: str | None = None
    lua: Callable[[LuaContext], str] | None = None
    seed: tuple[str, ...] | None = None
    target: Target | None = None


BARE = Scenario(
    name="bare view",
    path="/_bench/ok",
    description="The floor: a Django view returning 'ok' through the full middleware.",
    expect_text="ok",
)
# Measured again after the scenarios: ratios use the mean of both, and a large difference shows that the
# machine's speed changed during the run.
BARE_AGAIN = replace(BARE, name="bare view, again at the end")

SCENARIOS: list[Scenario] = [
    Scenario(
        name="home",
        path="/",
        description="The public home page, anonymous.",
        expect_text='href="/accounts/login/"',
        target=Target(min_ratio=0.5),
    ),
    Scenario(
        name="sign-in page",
        path="/accounts/login/",
        description="allauth's sign-in form, anonymous (sets a CSRF cookie).",
        expect_text='name="csrfmiddlewaretoken"',
    ),
    Scenario(
        name="healthz",
        path="/healthz",
        description="Health check: one database query, the worker heartbeat, disk space.",
        expect_text='"status": "ok"',
    ),
    Scenario(
        name="staff home",
        path="/me/",
        description="An officer's landing page, signed in past TOTP (session saved on every request).",
        as_user="officer_kandal",
        expect_text="កណ្តាល",  # Kandal, the officer's unit, listed under "My roles" on the staff page only
    ),
]
