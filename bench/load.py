"""The load test (`make load`, issue 10): Nokor's real journeys under Locust against the production-like
stack, at the benchmark's seeded scale, on loopback. Bounded in time; stops everything it started.

    .venv/bin/python bench/load.py            # the real run: about 50 minutes on an idle machine
    .venv/bin/python bench/load.py --quick    # validation: tiny data, 20 s steps, 2-minute soak

The stack: a throw-away PostgreSQL 15 cluster (port 55440) migrated and seeded like the benchmark
(1,000,000 applications, 1,000,000 scam reports with 5,000,000 sightings, a partner's API key, the plan's
indicators), Redis as the cache (port 6390), one task worker (`manage.py run_worker`) and granian with
2 WSGI workers (port 8126). The people are the Locust users of bench/load_users.py (citizens applying
with an upload, officers working the queue, scam checks by page and API, verifications, dashboards),
run headless in this process (Locust as a library, no web UI).

Three phases:

1. **Step ramp**: 25, 50, 100, 150… users, 60 s each (measured after every user of the step started);
   the first step whose p95 is 300 ms or more, or with any error, ends it. The held load is the last
   step that passed.
2. **Spike**: five times the held load for 60 s; every answer counted by status (only 429/503 with
   Retry-After are acceptable, a 500 never is); then back to the held load, and the seconds until a
   5-second window has its p95 under 300 ms again and no error.
3. **Soak**: the held load for 20 minutes; the resident memory of each granian worker and of the task
   worker before and after (and every minute), the p95 and errors of each minute.

The measurement keeps to 36 minutes after the set-up (which takes about 15 minutes at the full scale, most
of it seeding): a ramp step that would leave too little time for the spike and the soak is not started
(the result says so). The result is written to bench/results/load/<UTC time>.json and into
docs/reliability.md between ``<!-- load:begin -->`` and ``<!-- load:end -->``. Exit status 0 when a load
was held and the spike caused no unacceptable error; 1 otherwise; 2 when something is missing or a port
is taken.

Locust runs on the same two cores as the server; its own CPU use is reported for every step (above
90 % of one core it, not the server, limits what is measured).
"""

from gevent import monkey

monkey.patch_all()  # before anything opens a socket: Locust's users are greenlets

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import shlex  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import textwrap  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from contextlib import ExitStack  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402
import psutil  # noqa: E402
import report  # noqa: E402
from load_users import JOURNEYS, USER_CLASSES, _photo  # noqa: E402
from locust.env import Environment  # noqa: E402
from run import (  # noqa: E402
    DEFAULT_BLOCKING_THREADS,
    ROOT,
    _exit_on_signal,
    bench_env,
    prepare_database,
    signed_in_cookies,
    start_app,
)
from scenarios import SCENARIOS, resized  # noqa: E402
from services import (  # noqa: E402
    SetupError,
    missing_prerequisites,
    port_in_use,
    postgres_cluster,
    redis_server,
)

PG_PORT, APP_PORT, REDIS_PORT = 55440, 8126, 6390
DATABASE = "nokor_load"
P95_LIMIT_MS = 300
STEPS = (25, 50, 100, 150, 200, 300, 400, 600, 800)
STEP_S, SPIKE_FACTOR, SPIKE_S, WINDOW_S = 60, 5, 60, 5
RECOVERY_MAX_S, SOAK_S, SAMPLE_S = 120, 20 * 60, 60
BUDGET_S = 36 * 60  # from the end of the set-up: steps that would not fit are not started
QUICK = {"data": 5_000, "steps": (5, 10, 20, 40), "step_s": 20, "soak_s": 120, "recovery_max_s": 40}
ACCEPTABLE = (429, 503)  # with Retry-After
SESSIONS = 32  # sessions signed in beforehand per demo person (spread over the users)
# The benchmark scenarios whose seed steps the journeys need (in the harness's order).
SEEDED_BY = ("officer queue", "scam-check API, listed", "scam-check API with an API key", "plan dashboard")
RESULTS = ROOT / "bench" / "results" / "load"
DOCS = ROOT / "docs" / "reliability.md"
BEGIN, END = "<!-- load:begin -->", "<!-- load:end -->"
DOCS_WIDTH = 105
_DEMO = """
import json, django
django.setup()
from nokor.accounts import demo
print(json.dumps({"citizens": {p.key: p.email for p in demo.CITIZENS}, "password": demo.DEMO_PASSWORD}))
"""


@dataclass
class Window:
    """The answers of one stretch of time: latencies, and failures by kind."""

    started: float = field(default_factory=time.monotonic)
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    acceptable: Counter = field(default_factory=Counter)  # 429/503 with Retry-After
    errors: Counter = field(default_factory=Counter)  # anything else that failed: status, or why
    examples: list[str] = field(default_factory=list)

    def record(self, name: str, response_time: float, response: Any, exception: Any) -> None:
        status = getattr(response, "status_code", None) or 0
        self.latencies.append(response_time)
        self.statuses[status] += 1
        if exception is None:
            return
        headers = getattr(response, "headers", None) or {}
        if status in ACCEPTABLE and headers.get("Retry-After"):
            self.acceptable[status] += 1
            return
        kind = str(status) if status >= 400 else ("no answer" if not status else f"unexpected {status}")
        self.errors[kind] += 1
        if len(self.examples) < 10:
            self.examples.append(f"{name}: {kind}: {str(exception)[:160]}")

    def percentile(self, fraction: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def summary(self) -> dict[str, Any]:
        seconds = max(time.monotonic() - self.started, 1e-9)
        return {
            "seconds": round(seconds, 1),
            "requests": len(self.latencies),
            "rps": round(len(self.latencies) / seconds, 1),
            "p50_ms": round(self.percentile(0.50), 1),
            "p95_ms": round(self.percentile(0.95), 1),
            "p99_ms": round(self.percentile(0.99), 1),
            "max_ms": round(max(self.latencies, default=0.0), 1),
            "errors": dict(self.errors),
            "error_count": sum(self.errors.values()),
            "acceptable": {str(k): v for k, v in self.acceptable.items()},
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "examples": self.examples,
        }


class Load:
    """Locust in this process, with windows of answers that the phases open and read."""

    def __init__(self, base_url: str) -> None:
        self.env = Environment(user_classes=USER_CLASSES, host=base_url)
        self.runner = self.env.create_local_runner()
        self.windows: list[Window] = []
        self.env.events.request.add_listener(self._on_request)
        self.me = psutil.Process()

    def _on_request(
        self, *, name: str, response_time: float, response: Any = None, exception: Any = None, **_
    ):
        for window in self.windows:
            window.record(name, response_time, response, exception)

    def open(self) -> Window:
        window = Window()
        self.windows.append(window)
        return window

    def close(self, window: Window) -> dict[str, Any]:
        self.windows.remove(window)
        return window.summary()

    def users(self, count: int, *, within_s: float) -> None:
        """Grow or shrink to ``count`` users, started over about ``within_s`` seconds; wait until done."""
        current = self.runner.user_count
        self.runner.start(count, spawn_rate=max(1.0, abs(count - current) / within_s))
        deadline = time.monotonic() + within_s + 30
        while self.runner.user_count != count and time.monotonic() < deadline:
            gevent.sleep(0.2)

    def measure(self, seconds: float) -> dict[str, Any]:
        """The answers of the next ``seconds``, with this process's CPU use (the load generator's)."""
        window = self.open()
        self.me.cpu_percent()
        gevent.sleep(seconds)
        return {
            **self.close(window),
            "users": self.runner.user_count,
            "client_cpu_percent": self.me.cpu_percent(),
        }

    def by_request(self) -> dict[str, dict[str, Any]]:
        """Every request of the run by name (the journeys' steps): count, failures, median and p95."""
        return {
            f"{entry.method} {entry.name}": {
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "p50_ms": entry.get_response_time_percentile(0.5),
                "p95_ms": entry.get_response_time_percentile(0.95),
            }
            for entry in sorted(self.env.stats.entries.values(), key=lambda e: (e.name, e.method))
        }

    def stop(self) -> None:
        self.runner.quit()


def memory(server: subprocess.Popen, worker: subprocess.Popen) -> dict[str, Any]:
    """Resident memory (MiB) of each granian process and of the task worker's processes."""

    def tree(pid: int) -> list[dict[str, Any]]:
        try:
            root = psutil.Process(pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []
        rows = []
        for process in processes:
            try:
                rows.append({"pid": process.pid, "rss_mib": round(process.memory_info().rss / 2**20, 1)})
            except psutil.NoSuchProcess:
                continue
        return rows

    granian = tree(server.pid)
    return {"granian_main": granian[:1], "granian_workers": granian[1:], "task_worker": tree(worker.pid)}


def ramp(load: Load, steps: tuple[int, ...], step_s: int, deadline: float) -> tuple[int, list[dict]]:
    """Step up until a step fails (p95 ≥ 300 ms or any error); return the last passing step and all."""
    held, rows = 0, []
    for users in steps:
        if rows and time.monotonic() + step_s + 30 > deadline:  # the first step runs whatever the time
            print(f"  {users} users: not started, the run's time budget is spent")
            rows.append({"users": users, "skipped": "time budget"})
            break
        whole = load.open()  # errors count from the first user started; latency once all have started
        load.users(users, within_s=min(10.0, step_s / 4))
        row = load.measure(step_s)
        whole = load.close(whole)
        row.update(errors=whole["errors"], error_count=whole["error_count"], examples=whole["examples"])
        row["passed"] = row["p95_ms"] < P95_LIMIT_MS and not row["error_count"]
        rows.append(row)
        print(
            f"  {users:4} users  {row['rps']:7.1f} req/s  p95 {row['p95_ms']:7.1f} ms  errors "
            f"{row['error_count']}  client CPU {row['client_cpu_percent']:.0f} %  "
            + ("pass" if row["passed"] else "FAIL")
        )
        if not row["passed"]:
            break
        held = users
    return held, rows


def spike(load: Load, held: int, recovery_max_s: int) -> dict[str, Any]:
    """Five times ``held`` for 60 s, back to ``held``; answers by status, seconds to recover."""
    peak = held * SPIKE_FACTOR
    window = load.open()
    load.runner.start(peak, spawn_rate=max(1.0, (peak - held) / WINDOW_S))
    gevent.sleep(SPIKE_S)
    during = {**load.close(window), "users": load.runner.user_count}
    load.runner.start(held, spawn_rate=peak)
    recovered_s, windows = None, []
    started = time.monotonic()
    while time.monotonic() - started < recovery_max_s:
        row = load.measure(WINDOW_S)
        windows.append(row)
        if row["requests"] and row["p95_ms"] < P95_LIMIT_MS and not row["error_count"]:
            recovered_s = round(time.monotonic() - started, 1)
            break
    unacceptable = during["error_count"] + sum(w["error_count"] for w in windows)
    print(
        f"  {peak} users for {SPIKE_S} s: {during['requests']} answers, p95 {during['p95_ms']:.0f} ms, "
        f"acceptable refusals {during['acceptable']}, errors {during['errors']}; "
        f"recovered in {recovered_s if recovered_s is not None else f'more than {recovery_max_s}'} s"
    )
    return {
        "users": peak,
        "seconds": SPIKE_S,
        "during": during,
        "recovery_windows": windows,
        "seconds_to_recover": recovered_s,
        "recovery_max_s": recovery_max_s,
        "server_errors": sum(n for kind, n in during["errors"].items() if kind.startswith("5")),
        "passed": unacceptable == 0,
    }


def soak(load: Load, seconds: int, server: subprocess.Popen, worker: subprocess.Popen) -> dict[str, Any]:
    """The held load for ``seconds``: memory before, every minute and after; each minute's answers."""
    before = memory(server, worker)
    minutes = []
    overall = load.open()
    for _ in range(max(1, seconds // SAMPLE_S)):
        row = load.measure(SAMPLE_S)
        row["memory"] = memory(server, worker)
        minutes.append(row)
        workers = ", ".join(f"{p['rss_mib']:.0f}" for p in row["memory"]["granian_workers"])
        print(
            f"  minute {len(minutes):2}: p95 {row['p95_ms']:6.1f} ms  errors {row['error_count']}  "
            f"RSS MiB {workers}"
        )
    total = load.close(overall)
    after = memory(server, worker)
    return {
        "users": load.runner.user_count,
        "seconds": seconds,
        "total": total,
        "minutes": minutes,
        "memory_before": before,
        "memory_after": after,
    }


def _demo_people(env: dict[str, str]) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-c", _DEMO], cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if completed.returncode:
        raise SetupError(f"reading the demo people failed:\n{completed.stderr}")
    return json.loads(completed.stdout.splitlines()[-1])


def run(args: argparse.Namespace, command: str) -> dict[str, Any]:
    """The whole load test; returns the result to save. Stops everything it started."""
    started_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    begun = time.monotonic()
    machine = report.machine_info()
    quick = args.quick
    steps = QUICK["steps"] if quick else STEPS
    step_s = QUICK["step_s"] if quick else STEP_S
    soak_s = QUICK["soak_s"] if quick else SOAK_S
    recovery_max_s = QUICK["recovery_max_s"] if quick else RECOVERY_MAX_S
    size = QUICK["data"] if quick else None
    scenarios = resized([s for s in SCENARIOS if s.name in SEEDED_BY], applications=size, reports=size)
    with tempfile.TemporaryDirectory(prefix="nokor-load-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        workdir.chmod(0o755)  # the `postgres` user must reach its folder inside
        print(f"PostgreSQL 15 on 127.0.0.1:{PG_PORT}, Redis on 127.0.0.1:{REDIS_PORT} (in {workdir})")
        postgres = stack.enter_context(postgres_cluster(workdir, PG_PORT, DATABASE))
        redis_url = stack.enter_context(redis_server(workdir, REDIS_PORT))
        env = {**bench_env(postgres.url(DATABASE), workdir / "data"), "NOKOR_REDIS_URL": redis_url}
        print("Database set-up")
        setup = prepare_database(env, scenarios)
        facts = {key: value for step in setup for key, value in step["facts"].items()}
        app = start_app(stack, env, workdir, APP_PORT, args.blocking_threads)
        server, worker = app.server, app.worker
        demo = _demo_people(env)
        JOURNEYS.facts = facts
        # Not the demo citizen holding the benchmark's 30,000 drafts ("drafts_for"): nobody has as many.
        drafts_for = facts.get("services", {}).get("drafts_for")
        JOURNEYS.citizens = {key: email for key, email in demo["citizens"].items() if key != drafts_for}
        JOURNEYS.password, JOURNEYS.photo = demo["password"], _photo()
        people = (*JOURNEYS.citizens, "officer_kandal", "supervisor_kandal", "approver")
        JOURNEYS.sessions = {person: signed_in_cookies(env, person, SESSIONS) for person in people}
        setup_s = round(time.monotonic() - begun, 1)
        load = Load(f"http://127.0.0.1:{APP_PORT}")
        stack.callback(load.stop)
        reserve = SPIKE_S + recovery_max_s + soak_s + 60
        print(f"Step ramp: {', '.join(map(str, steps))} users, {step_s} s each (set-up took {setup_s:.0f} s)")
        held, steps_rows = ramp(load, steps, step_s, deadline=time.monotonic() + BUDGET_S - reserve)
        held_ok = held > 0
        held = held or steps[0]
        print(f"Held load: {held} users{'' if held_ok else ' (NOT held: the first step failed)'}")
        print(f"Spike: {held * SPIKE_FACTOR} users")
        spike_row = spike(load, held, recovery_max_s)
        load.users(held, within_s=5)
        print(f"Soak: {held} users for {soak_s // 60} min")
        soak_row = soak(load, soak_s, server, worker)
        load.stop()
        by_request = load.by_request()
        worker_alive, server_alive = worker.poll() is None, server.poll() is None
    return {
        "schema": 1,
        "started_at": started_at.isoformat(),
        "finished_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "wall_s": round(time.monotonic() - begun),
        "command": command,
        "quick": quick,
        "git": report.git_state(),
        "machine": machine,
        "stack": {
            "server": app.server_command,
            "postgresql": postgres.version,
            "cache": "redis-server (NOKOR_REDIS_URL)",
            "task_worker": "manage.py run_worker",
            "locust": _locust_version(),
        },
        "setup": [{k: v for k, v in step.items() if k != "facts"} for step in setup],
        "setup_s": setup_s,
        "data": report.data_summary(facts),
        "users": {cls.__name__: cls.weight for cls in USER_CLASSES},
        "sign_ins": {"real": JOURNEYS.real_sign_ins, "session_signed_in_beforehand": JOURNEYS.reused},
        "p95_limit_ms": P95_LIMIT_MS,
        "steps": steps_rows,
        "held_users": held if held_ok else 0,
        "spike": spike_row,
        "soak": soak_row,
        "by_request": by_request,
        "processes_alive_at_end": {"granian": server_alive, "task_worker": worker_alive},
    }


def _locust_version() -> str:
    from importlib.metadata import version

    return version("locust")


def _data_words(data: dict[str, Any]) -> str:
    services, cyber = data.get("services", {}), data.get("cyber", {})
    words = [
        f"{services['applications']:,} applications" if "applications" in services else "",
        f"{cyber['reports']:,} scam reports" if "reports" in cyber else "",
        f"{cyber['sightings']:,} sightings" if "sightings" in cyber else "",
    ]
    return ", ".join(word for word in words if word) or "the demo data only"


def _rss(rows: list[dict[str, Any]]) -> str:
    return ", ".join(f"{row['rss_mib']:.0f}" for row in rows) or "—"


def render(result: dict[str, Any], file_name: str) -> str:
    """The section of docs/reliability.md (between the markers) for ``result``."""
    spike_row, soak_row = result["spike"], result["soak"]
    during, total = spike_row["during"], soak_row["total"]
    held = result["held_users"]
    lines = [
        BEGIN,
        "## Load — `make load` (`bench/load.py`)",
        "",
        "Locust (as a library, headless) walks the real journeys of bench/load_users.py against the "
        "production-like stack on loopback: granian with 2 WSGI workers, PostgreSQL 15, Redis as the cache, "
        "one task worker, seeded like the benchmark. The people, by weight: "
        + ", ".join(f"{name} {weight}" for name, weight in result["users"].items())
        + " (citizens sign in through the form, apply for a residence certificate page by page with a "
        "200 KB photo and submit it, check their applications; officers open their queue and an "
        "application and add a note or take it; scam checks by page and API, with and without a key; "
        "certificate verifications by page and API; the plan's dashboards). Think time 1–3 s. All of "
        "them come from one address, so the per-address limits of the scam check, reports and "
        "verification are raised for the run (as in the benchmark) and only 24 real sign-ins a minute "
        "are made (the server allows 30 per address); the other citizens start from a session signed in "
        "beforehand. Locust shares the two cores with the server: its CPU use is given for each step.",
        "",
        f"Phases: a step ramp (each step measured once all its users have started; an error at any "
        f"moment of the step, or a p95 of {result['p95_limit_ms']} ms or more, ends the ramp; the held "
        f"load is the last step that passed); a spike to {SPIKE_FACTOR}× the held load for {SPIKE_S} s, "
        f"every answer counted by status (429 or 503 with Retry-After acceptable, anything else an error), "
        f"then back to the held load and the seconds until a {WINDOW_S}-second window has its p95 under "
        f"{result['p95_limit_ms']} ms with no error; a soak at the held load, with the resident memory of "
        f"each process. The measurement stays under {BUDGET_S // 60} minutes after the set-up: a ramp step "
        "that would not fit is not started (the table says so).",
        "",
    ]
    if result["quick"]:
        lines += [
            "**The figures below are from a `--quick` validation run (tiny data, short steps, a busy "
            "machine): they prove the script works, not the platform's capacity.** The real run: "
            "`make load` on an idle machine.",
            "",
        ]
    lines += [
        f"Run of {result['started_at'][:16].replace('T', ' ')} UTC (`bench/results/load/{file_name}`), "
        f"`{result['command']}`, {result['wall_s'] // 60} min in all; data: {_data_words(result['data'])}; "
        f"load average before: {result['machine']['load_average_1min_before']}.",
        "",
        "| users | req/s | p50 ms | p95 ms | p99 ms | errors | Locust CPU | |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in result["steps"]:
        if row.get("skipped"):
            lines.append(f"| {row['users']} | | | | | | | not run: {row['skipped']} |")
            continue
        lines.append(
            f"| {row['users']} | {row['rps']:.1f} | {row['p50_ms']:.0f} | {row['p95_ms']:.0f} | "
            f"{row['p99_ms']:.0f} | {row['error_count']} | {row['client_cpu_percent']:.0f} % | "
            f"{'holds' if row['passed'] else 'fails'} |"
        )
    recovered = spike_row["seconds_to_recover"]
    submitted = result["by_request"].get("POST /services/my/[id]/check/ (submit)", {})
    before, after = soak_row["memory_before"], soak_row["memory_after"]
    lines += [
        "",
        f"- **Held load: {held} users** with p95 under {result['p95_limit_ms']} ms and no error."
        if held
        else f"- **No step held** (p95 under {result['p95_limit_ms']} ms with no error): the spike and the "
        f"soak started from the first step, {result['steps'][0]['users']} users.",
        f"- **Spike to {spike_row['users']} users for {spike_row['seconds']} s**: "
        f"{during['requests']:,} answers, p95 {during['p95_ms']:.0f} ms; refused with Retry-After "
        f"(acceptable): {_counts(during['acceptable'])}; errors: {_counts(during['errors'])} "
        f"({spike_row['server_errors']} with status 5xx). "
        + (
            f"Back under {result['p95_limit_ms']} ms p95 without error {recovered} s after the spike."
            if recovered is not None
            else f"Not back under {result['p95_limit_ms']} ms p95 within {spike_row['recovery_max_s']} s."
        ),
        f"- **Soak, {soak_row['users']} users for {soak_row['seconds'] // 60} min**: "
        f"{total['requests']:,} answers, p95 {total['p95_ms']:.0f} ms, errors {total['error_count']}. "
        f"Resident memory (MiB) of the granian workers {_rss(before['granian_workers'])} before, "
        f"{_rss(after['granian_workers'])} after; "
        f"of the task worker {_rss(before['task_worker'])} before, {_rss(after['task_worker'])} after.",
        f"- Over the whole run: {sum(r['requests'] for r in result['by_request'].values()):,} requests; "
        f"{submitted.get('requests', 0) - submitted.get('failures', 0):,} applications submitted with an "
        f"upload; real sign-ins {result['sign_ins']['real']:,}, sessions signed in beforehand "
        f"{result['sign_ins']['session_signed_in_beforehand']:,}; every step of every journey, with its "
        "count, failures and p95, is in the result file (`by_request`).",
        "",
        END,
    ]
    return "\n".join(_wrapped(lines))


def _wrapped(lines: list[str]) -> list[str]:
    """The lines of the section with prose wrapped like the rest of the file (tables left alone)."""
    out = []
    for line in lines:
        if line.startswith(("|", "<!--", "#")) or len(line) <= DOCS_WIDTH:
            out.append(line)
        else:
            indent = "  " if line.startswith("- ") else ""
            out.extend(textwrap.wrap(line, DOCS_WIDTH, subsequent_indent=indent, break_on_hyphens=False))
    return out


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n:,} × {kind}" for kind, n in counts.items()) or "none"


def write_docs(result: dict[str, Any], file_name: str) -> None:
    """Put the section between the markers of docs/reliability.md (added before "Not done yet" if absent)."""
    text = DOCS.read_text()
    section = render(result, file_name)
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: section, text, flags=re.S)
    elif "\n## Not done yet" in text:
        text = text.replace("\n## Not done yet", f"\n{section}\n\n## Not done yet", 1)
    else:
        text = text.rstrip("\n") + f"\n\n{section}\n"
    DOCS.write_text(text)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="validation: tiny data, 20 s steps, 2-min soak")
    parser.add_argument(
        "--blocking-threads",
        type=int,
        default=DEFAULT_BLOCKING_THREADS,
        help=f"granian blocking threads per worker (default {DEFAULT_BLOCKING_THREADS}, as the benchmark)",
    )
    args = parser.parse_args(argv)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    missing = [m for m in missing_prerequisites() if not m.startswith("wrk")]
    if missing:
        print("The load test needs: " + "; ".join(missing))
        return 2
    taken = [port for port in (PG_PORT, APP_PORT, REDIS_PORT) if port_in_use(port)]
    if taken:
        print(f"Port(s) {', '.join(map(str, taken))} on 127.0.0.1 already in use: stop what listens there.")
        return 2
    command = shlex.join([".venv/bin/python", "bench/load.py", *argv])
    try:
        result = run(args, command)
    except SetupError as exc:
        print(f"Load test failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted; everything started was stopped.", file=sys.stderr)
        return 130
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{dt.datetime.fromisoformat(result['started_at']):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    write_docs(result, path.name)
    print(f"Wrote {path.relative_to(ROOT)} and the load section of docs/reliability.md")
    return 0 if result["held_users"] and result["spike"]["passed"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
