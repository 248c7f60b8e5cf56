"""The benchmark scenarios: one registry, so a new scenario is one entry in ``SCENARIOS``.

A scenario is a URL loaded by wrk, optionally as a signed-in demo person (``as_user``, a key of
``nokor/accounts/demo.py``), optionally with a wrk Lua script for requests a plain GET cannot express (a
POST with a body, other headers), optionally with a seed step (a ``manage.py`` command run once
before the measurements, skipped when the command does not exist yet), and optionally with a target.

Each scenario's throughput is reported as a ratio to ``BARE``, a Django view that returns "ok" through the
full middleware, measured on the same server in the same run (before and after the scenarios).

A scenario's ``path`` may name facts of the seed steps in ``str.format`` style: ``manage.py seed_scale``
prints what it made (``NOKOR_SEED {json}``), for example ``{services[application_id]}``, the identifier
of the application seeded for the provincial officer. A scenario whose facts are missing (its seed step
did not run) is skipped with a note.

A scenario whose every request must differ (submitting a different draft each time) sets
``per_request=True`` and defines, in its Lua, ``nokor_request(n)`` returning the path (and optionally
the body) of its ``n``-th request: ``n`` counts from 0 across wrk's threads and across the warm-up and
the measured run, so no item is used twice in a run of the harness.

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
from string import Formatter

from loadgen import LuaContext

CONNECTIONS = 32  # the load of every scenario (wrk's open connections)


@dataclass(frozen=True)
class Target:
    """What a scenario must achieve to pass: a minimum throughput ratio to the bare view, a p99 ceiling,
    a throughput floor in requests per second (for operations whose issue sets one, "200 submissions a
    second"). ``connections``: the concurrency the target is judged at. Most issues say "at 32
    connections" (the harness's load); a target stated as the time a page takes to render ("the status
    page renders under 100 ms p99", "the report under 300 ms") is judged with one connection, so that the
    figure is the page's own time and not its wait behind 31 others. The 32-connection figures are
    measured and reported for every scenario either way."""

    min_ratio: float | None = None
    max_p99_ms: float | None = None
    min_rps: float | None = None
    connections: int = CONNECTIONS

    def met(self, ratio: float, p99_ms: float, rps: float | None = None) -> bool:
        """Whether a measurement with this throughput ratio, p99 latency and throughput meets the target
        (a run without a single response never does: its p99 of 0 measures nothing)."""
        return (
            ratio > 0
            and (self.min_ratio is None or ratio >= self.min_ratio)
            and (self.max_p99_ms is None or p99_ms <= self.max_p99_ms)
            and (self.min_rps is None or (rps is not None and rps >= self.min_rps))
        )

    def describe(self) -> str:
        """The target in words, for the results table."""
        parts = []
        if self.min_ratio is not None:
            parts.append(f"ratio ≥ {self.min_ratio:g}")
        if self.max_p99_ms is not None:
            parts.append(f"p99 ≤ {self.max_p99_ms:g} ms")
        if self.min_rps is not None:
            parts.append(f"≥ {self.min_rps:g} req/s")
        if self.connections != CONNECTIONS:
            plural = "s" if self.connections > 1 else ""
            parts.append(f"at {self.connections} connection{plural} (render time)")
        return ", ".join(parts)


@dataclass(frozen=True)
class Scenario:
    """One thing to load.

    ``expect_status`` and ``expect_text`` are checked on every response of the warm-up run, so a session
    that silently redirects to the sign-in page (a 302 that wrk would count as a success) fails loudly;
    ``expect_location``, a text the ``Location`` of every redirect must hold, does the same for a POST.
    ``lua`` returns wrk Lua that sets ``wrk.method``, ``wrk.body`` and ``wrk.headers``; it must not define
    ``setup``, ``request``, ``response`` or ``done``, which the harness uses to send each session's cookie
    and to collect results.
    ``seed`` is a ``manage.py`` command line (``("seed_scale", "--applications", "1000000")``) run once
    per benchmark run, shared by the scenarios that declare the same one. ``path`` may name facts the
    seed steps printed (``{services[application_id]}``, see the module docstring). With ``per_request``
    the Lua defines ``nokor_request(n)``, the path and body of the ``n``-th request.
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
    per_request: bool = False
    expect_location: str | None = None

    def facts_needed(self) -> set[str]:
        """The seed facts ``path`` and ``expect_text`` name (``services``, ``cyber``…)."""
        texts = [self.path, self.expect_text or ""]
        return {
            name.split("[")[0].split(".")[0]
            for text in texts
            for _, name, _, _ in Formatter().parse(text)
            if name
        }

    def with_facts(self, facts: dict) -> Scenario:
        """This scenario with the seed facts put into its path and expected text."""
        return replace(
            self,
            path=self.path.format_map(facts),
            expect_text=self.expect_text.format_map(facts) if self.expect_text else None,
        )


BARE = Scenario(
    name="bare view",
    path="/_bench/ok",
    description="The floor: a Django view returning 'ok' through the full middleware.",
    expect_text="ok",
)
# Measured again after the scenarios: ratios use the mean of both, and a large difference shows that the
# machine's speed changed during the run.
BARE_AGAIN = replace(BARE, name="bare view, again at the end")

# Benchmark data (issue 4: 1,000,000 applications; issue 5: 5,000,000 sightings over 1,000,000 reports).
# `bench/run.py --applications N --reports N` runs the same scenarios on less data, to validate them.
APPLICATIONS = 1_000_000
BENCH_DRAFTS = 30_000  # drafts the submit scenario may use in one run (about 100 s at 300 a second)
REPORTS = 1_000_000
SIGHTINGS_PER_REPORT = 5
# Issue 6: 100,000 staff, 50 courses, 2,000,000 lesson-progress rows (`--staff N` scales the progress).
STAFF = 100_000
COURSES = 50
PROGRESS = 2_000_000
# Issue 7: 16,000 offices, 200,000 assets, 2,000 monitors checked every minute with 90 days of history.
SITES = 16_000
ASSETS = 200_000
MONITORS = 2_000
MONITOR_DAYS = 90
MONITOR_TARGET_PORT = 8129  # bench/services.py tcp_sink: what the seeded monitors check


def services_seed(applications: int = APPLICATIONS) -> tuple[str, ...]:
    """The seed step of the services scenarios (manage.py seed_scale, nokor/services/scale.py)."""
    return ("seed_scale", "--applications", str(applications), "--bench-drafts", str(BENCH_DRAFTS))


def cyber_seed(reports: int = REPORTS) -> tuple[str, ...]:
    """The seed step of the cybercrime scenarios (manage.py seed_scale, nokor/cyber/scale.py)."""
    return (
        "seed_scale",
        "--reports",
        str(reports),
        "--sightings-per-report",
        str(SIGHTINGS_PER_REPORT),
        "--measure-growth",
    )


def academy_seed(staff: int = STAFF) -> tuple[str, ...]:
    """The seed step of the academy scenarios (manage.py seed_scale, nokor/academy/scale.py): the
    lesson-progress rows in proportion to the staff."""
    progress = PROGRESS * staff // STAFF
    return ("seed_scale", "--staff", str(staff), "--courses", str(COURSES), "--progress", str(progress))


def _submit_draft_lua(ctx: LuaContext) -> str:
    """POST "check your answers" of the n-th seeded draft (each draft is submitted once)."""
    prefix = ctx.facts["services"]["draft_id_prefix"]
    return (
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        f'wrk.body = "csrfmiddlewaretoken={ctx.csrf_token}&confirm=on"\n'
        "function nokor_request(n)\n"
        f'  return string.format("/services/my/{prefix}%012x/check/", n)\n'
        "end\n"
    )


def _report_lua(ctx: LuaContext) -> str:
    """POST a JSON report of an attempt naming two identifiers, different in every request (a phone
    number and a web address), with a contact e-mail, as an app or a partner's site would."""
    report = (
        '{"category": "phishing", "channel": "sms", "attempt_only": true, "consent": true, '
        '"description": "SMS: your account is blocked, click the link to verify.", '
        '"identifiers": ["0%s %03d %03d", "hxxps://bank-verify%d[.]com/login"], '
        '"contact": {"email": "bench.%d@example.com"}}'
    )
    return (
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        'local nokor_prefixes = {"12", "15", "16"}\n'
        f"local nokor_report = [[{report}]]\n"
        "function nokor_request(n)\n"
        "  local prefix = nokor_prefixes[n % 3 + 1]\n"
        "  local thousands = math.floor(n / 1000) % 1000\n"
        "  return nil, string.format(nokor_report, prefix, thousands, n % 1000, n % 5000, n)\n"
        "end\n"
    )


def _quiz_submit_lua(ctx: LuaContext) -> str:
    """POST the n-th seeded quiz page (a final test of a generated course, taken by the demo officer,
    any number of attempts), answered right: each page's signed token and answers come from the seed."""
    pages = ",\n".join(f"  {{[[{path}]], [[{body}]]}}" for path, body in ctx.facts["academy"]["quiz_pages"])
    return (
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        f"local nokor_pages = {{\n{pages}\n}}\n"
        "function nokor_request(n)\n"
        "  local page = nokor_pages[n % #nokor_pages + 1]\n"
        f'  return page[1], "csrfmiddlewaretoken={ctx.csrf_token}&" .. page[2]\n'
        "end\n"
    )


def _api_key_lua(ctx: LuaContext) -> str:
    """Send the seeded partner key (every scope, a limit too high to reach) as a bearer token."""
    return f'wrk.headers["Authorization"] = "Bearer {ctx.facts["integrations"]["token"]}"\n'


SERVICES_SEED = services_seed()
CYBER_SEED = cyber_seed()
ACADEMY_SEED = academy_seed()


def infrastructure_seed(
    sites: int = SITES, assets: int = ASSETS, monitors: int = MONITORS
) -> tuple[str, ...]:
    """The seed step of the infrastructure scenarios (manage.py seed_scale, nokor/infrastructure/scale.py)."""
    return (
        "seed_scale", "--sites", str(sites), "--assets", str(assets), "--monitors", str(monitors),
        "--monitor-days", str(MONITOR_DAYS), "--monitor-target", f"127.0.0.1:{MONITOR_TARGET_PORT}",
    )  # fmt: skip


INFRA_SEED = infrastructure_seed()
# Issue 8: the plan's aggregate table recomputed from the other apps' seeded data (seed_demo loads the plan).
STRATEGY_SEED = ("refresh_indicators",)

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
    Scenario(
        name="officer queue",
        path="/services/queue/",
        description="The first page of a provincial officer's queue (Kandal: the open applications of the "
        "province and its districts and communes, by deadline, 25 a page, with the count for the pages).",
        as_user="officer_kandal",
        expect_text='aria-sort="ascending"',  # the table of applications is there (not the empty state)
        seed=SERVICES_SEED,
        target=Target(max_p99_ms=50),
    ),
    Scenario(
        name="application detail",
        path="/services/queue/{services[application_id]}/",
        description="An application under review in Kandal, as its officer sees it: answers, attachments, "
        "timeline, the action forms (the view of personal data is audited).",
        as_user="officer_kandal",
        expect_text="{services[application_reference]}",
        seed=SERVICES_SEED,
        target=Target(max_p99_ms=50),
    ),
    Scenario(
        name="search by reference",
        path="/services/queue/?q={services[application_reference]}",
        description="The officer types a reference into the queue's search box.",
        as_user="officer_kandal",
        expect_text='href="/services/queue/{services[application_id]}/"',
        seed=SERVICES_SEED,
        target=Target(max_p99_ms=50),
    ),
    Scenario(
        name="submit",
        path="/services/my/{services[draft_id_prefix]}000000000000/check/",
        description="A citizen submits a complete draft from the check-your-answers page, a different "
        "draft each request (seeded residence-certificate drafts): reference number, routing to the "
        "commune, deadline in working days, timeline, audit event, confirmation notification queued (and "
        "sent by the worker meanwhile). No PDF: documents are rendered on approval.",
        as_user="other_citizen",
        expect_status=302,
        expect_location="/confirmation/",  # not "already submitted" (a draft used twice)
        lua=_submit_draft_lua,
        per_request=True,
        seed=SERVICES_SEED,
        target=Target(min_rps=200),
    ),
    Scenario(
        name="verify page",
        path="/verify/{services[document_code]}",
        description="Anyone checks the code printed on a seeded certificate (public, audited as a view of "
        "the holder's data; the per-address limit is raised for the run, its counter still counts).",
        expect_text="{services[document_display_code]}",
        seed=SERVICES_SEED,
        target=Target(max_p99_ms=50),
    ),
    Scenario(
        name="scam-check API, listed",
        path="/api/v1/scam-check?q={cyber[listed_query]}",
        description="The scam check API asked about the most-reported phone number, written as people "
        "write it (012 345 678): normalised, listed, with its counts, dates and categories; the search is "
        "counted. The per-address limit is raised for the run; its counter still counts.",
        expect_text='"listed": true',
        seed=CYBER_SEED,
        target=Target(min_ratio=0.6, max_p99_ms=20),
    ),
    Scenario(
        name="scam-check API, unknown",
        path="/api/v1/scam-check?q={cyber[unknown_query]}",
        description="The scam check API asked about a valid phone number nobody reported (its search is "
        "counted all the same).",
        expect_text='"listed": false',
        seed=CYBER_SEED,
        target=Target(min_ratio=0.6, max_p99_ms=20),
    ),
    Scenario(
        name="scam-check API with an API key",
        path="/api/v1/scam-check?q=012%20345%20678",
        description="A partner's system (a bank) checks a phone number with its API key (issue 9): the key "
        "is checked from the cache (constant-time hash compare, no database read), counted against its own "
        "limit and in its per-process usage buffer (no write per call).",
        expect_text='"normalized": "+85512345678"',
        lua=_api_key_lua,
        seed=("seed_api_key",),
        target=Target(max_p99_ms=20),
    ),
    Scenario(
        name="scam-check page",
        path="/cyber/check/?q={cyber[listed_query]}",
        description="The public scam check page with the result for the most-reported phone number.",
        expect_text="notice--error",  # the "be careful: reported" result
        seed=CYBER_SEED,
    ),
    Scenario(
        name="report via API",
        path="/api/v1/cyber/reports",
        description="An attempt reported through the API (JSON), naming a phone number and a web address "
        "that differ with every request, with a contact e-mail: normalised sightings, priority from the "
        "other reports naming them, reference, tracking code, audit event, acknowledgement e-mail queued. "
        "The per-address limit of reports is raised for the run; its counter still counts.",
        expect_status=201,
        expect_text='"tracking_code"',
        lua=_report_lua,
        per_request=True,
        seed=CYBER_SEED,
        target=Target(min_rps=150),
    ),
    Scenario(
        name="lesson page",
        path="{academy[lesson_path]}",
        description="A lesson of the mandatory cyber hygiene course, read again by a staff member enrolled "
        "in it (Kandal's officer, part-way through): course, outline, lesson text, enrolment and the "
        "lessons seen among 2,000,000 lesson-progress rows of 100,000 staff.",
        as_user="officer_kandal",
        expect_text='id="course-progress"',  # the learner's progress bar: enrolled, signed in
        seed=ACADEMY_SEED,
        target=Target(max_p99_ms=50),
    ),
    Scenario(
        name="quiz submit",
        path="{academy[quiz_path]}",
        description="A staff member submits the final test of a course, answered right (a different "
        "course each request, no limit on attempts): signed quiz page checked, questions snapshot, "
        "grading, attempt, scores on the enrolment, audit event (lessons are left, so the completion rule "
        "is not run).",
        as_user="officer_kandal",
        expect_status=302,
        expect_location="/academy/attempts/",  # the result page: not the quiz again (an error)
        lua=_quiz_submit_lua,
        per_request=True,
        seed=ACADEMY_SEED,
        target=Target(max_p99_ms=50),
    ),
    Scenario(
        name="provincial completion report",
        path="{academy[report_path]}",
        description="The completion report of the mandatory course for Kandal by district, as the "
        "province's service supervisor sees it (pre-aggregated figures, rebuilt every 10 minutes).",
        as_user="supervisor_kandal",
        expect_text='unit={academy[report_district]}"',  # a link down to one of Kandal's districts
        seed=ACADEMY_SEED,
        target=Target(max_p99_ms=300, connections=1),
    ),
    Scenario(
        name="status page",
        path="/infrastructure/status/",
        description="The public status page, anonymous: the state and 90 daily uptime bars of the public "
        "services (40 of the 2,000 monitors checked every minute) and the incidents of 90 days, read "
        "from the daily roll-ups (figures cached for 30 s, shared by both languages).",
        expect_text='class="uptime-bars"',
        seed=INFRA_SEED,
        target=Target(max_p99_ms=100, connections=1),
    ),
    Scenario(
        name="monitors dashboard",
        path="/infrastructure/monitors/",
        description="The infrastructure officer's dashboard of 2,000 monitors: the first page, down ones "
        "first, with each one's state, last check, response time and uptime over 24 hours and 30 days.",
        as_user="infrastructure_officer",
        expect_text="Service 00000",
        seed=INFRA_SEED,
        target=Target(max_p99_ms=100, connections=1),
    ),
    Scenario(
        name="site list, province",
        path="{infrastructure[site_list_path]}",
        description="The offices of one province (Kandal) among 16,000, as the (nationwide) "
        "infrastructure officer filters them: 50 a page, with whether each has usable internet and a "
        "count capped at 10,000.",
        as_user="infrastructure_officer",
        expect_text="<td>{infrastructure[province]}",
        seed=INFRA_SEED,
        target=Target(max_p99_ms=50, connections=1),
    ),
    Scenario(
        name="asset list, province",
        path="{infrastructure[asset_list_path]}",
        description="The assets of one province (Kandal) among 200,000, filtered by the infrastructure "
        "officer: 50 a page with their office, a count capped at 10,000.",
        as_user="infrastructure_officer",
        expect_text="({infrastructure[province]}",  # an asset's unit code, after its office's name
        seed=INFRA_SEED,
        target=Target(max_p99_ms=50, connections=1),
    ),
    # Last: their seed step recomputes the plan's indicators over everything the other apps seeded.
    Scenario(
        name="plan dashboard",
        path="/plan/dashboard/",
        description="The leadership dashboard of the Digital Strategy Plan: six strategy cards with their "
        "traffic lights and every indicator's latest value against its expected value, read from the "
        "aggregate table only (content cached per language until the figures change).",
        as_user="approver",
        expect_text="dashboard-card",
        seed=STRATEGY_SEED,
        target=Target(max_p99_ms=100),
    ),
    Scenario(
        name="plan public page",
        path="/plan/public/",
        description="The public transparency page of the plan, anonymous: the public indicators with their "
        "approved values, small numbers suppressed, a chart each (content cached per language until the "
        "figures change).",
        expect_text='role="img"',
        seed=STRATEGY_SEED,
        target=Target(max_p99_ms=100),
    ),
]


def resized(
    scenarios: list[Scenario],
    *,
    applications: int | None,
    reports: int | None,
    staff: int | None = None,
    infrastructure: tuple[int, int, int] | None = None,
) -> list[Scenario]:
    """The scenarios with smaller (or larger) benchmark data: to validate them quickly, not to judge."""
    result = []
    for scenario in scenarios:
        if applications is not None and scenario.seed == SERVICES_SEED:
            scenario = replace(scenario, seed=services_seed(applications))
        elif reports is not None and scenario.seed == CYBER_SEED:
            scenario = replace(scenario, seed=cyber_seed(reports))
        elif staff is not None and scenario.seed == ACADEMY_SEED:
            scenario = replace(scenario, seed=academy_seed(staff))
        elif infrastructure is not None and scenario.seed == INFRA_SEED:
            scenario = replace(scenario, seed=infrastructure_seed(*infrastructure))
        result.append(scenario)
    return result
