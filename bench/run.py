"""The benchmark harness (`make bench`): Nokor on PostgreSQL 15 behind granian, loaded with wrk.

One run: start a throw-away PostgreSQL cluster, migrate and seed it, start one background worker and the
granian server, then for the bare view and each scenario run wrk twice (a warm-up whose every response
is checked, then the measured run), stop everything, and write bench/results/<UTC timestamp>.json,
bench/results/latest.json and docs/performance.md.

    .venv/bin/python bench/run.py                     # every scenario, 15 s each
    .venv/bin/python bench/run.py --quick             # 5 s smoke run
    .venv/bin/python bench/run.py --scenario home --duration 30
    .venv/bin/python bench/run.py --quick --applications 20000 --reports 20000   # small data: validation
    .venv/bin/python bench/run.py --quick --staff 5000 --scenario "lesson page"   # the academy, small
    .venv/bin/python bench/run.py --quick --sites 2000 --assets 20000 --monitors 200 --scenario "status page"

Seed steps (``manage.py seed_scale``) print facts the scenarios use (``NOKOR_SEED {json}``: identifiers
of seeded records, rows written, bytes per sighting); they are kept in the result (``data``). Before
measuring, the harness waits for the worker to finish the jobs it queued at start (the hourly deadline
and performance jobs read the seeded data), so they do not run during the first measurements.
When an infrastructure scenario ran, the check runner of the uptime monitors is measured after the
scenarios (``manage.py bench_monitors``: checks per second and lag; ``monitor_checks`` in the result).

Exit status: 0 when every target passed and nothing was flagged, 1 otherwise (results are written either
way), 2 when the machine lacks something or a port is taken.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import report
from loadgen import Expectation, LuaContext, Measurement, WrkFailed, run_wrk, wrk_version
from scenarios import (
    ASSETS,
    BARE,
    BARE_AGAIN,
    CONNECTIONS,
    INFRA_SEED,
    MONITOR_TARGET_PORT,
    MONITORS,
    SCENARIOS,
    SITES,
    Scenario,
    Target,
    resized,
)
from services import (
    SetupError,
    background_process,
    missing_prerequisites,
    port_in_use,
    postgres_cluster,
    tcp_sink,
    wait_for_status,
)

ROOT = report.ROOT
PG_PORT = 55433
APP_PORT = 8123
DATABASE = "nokor_bench"
WRK_THREADS = 2
WRK_TIMEOUT_S = 10
GRANIAN_WORKERS = 2
BUSY_LOAD = 0.5  # 1-minute load average above which a warning says other work skews the figures
MAX_BARE_DRIFT = 0.15  # the bare view measured at the start and at the end may differ by this much
# Chosen by measurement on 2 cores: see "How it was tuned" in docs/performance.md.
DEFAULT_BLOCKING_THREADS = 1
SEED_MARKER = "NOKOR_SEED "  # the facts line of manage.py seed_scale
WORKER_QUIET_TIMEOUT_S = 900
# Per-client-address limits raised for the run (one client, wrk, sends everything); each limit stays
# above zero, so its counter is still counted on every request.
RAISED_LIMITS = {
    "NOKOR_CYBER_CHECK_RATE_LIMIT": "1000000000",
    "NOKOR_CYBER_REPORT_RATE_LIMIT": "1000000000",
    "NOKOR_DOCUMENT_VERIFY_RATE_LIMIT": "1000000000",
}
BASE_SETUP = [
    ("migrate", "-v0"),
    ("load_gazetteer", "-v0"),
    ("seed_demo",),
    ("collectstatic", "--noinput", "-v0"),
]


@dataclass(frozen=True)
class Options:
    """The command line, parsed."""

    duration_s: int
    warmup_s: int
    quick: bool
    blocking_threads: int
    scenarios: list[Scenario]
    applications: int | None = None
    reports: int | None = None
    staff: int | None = None
    infrastructure: tuple[int, int, int] | None = None


def parse_args(argv: list[str]) -> Options:
    """Read the command line (see the module docstring)."""
    names = [s.name for s in SCENARIOS]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds of each measured run (default 15)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 5 s measured, 2 s warm-up (wins over --duration)"
    )
    parser.add_argument("--scenario", action="append", choices=names, help="only this scenario (repeatable)")
    parser.add_argument(
        "--blocking-threads",
        type=int,
        default=DEFAULT_BLOCKING_THREADS,
        help=f"granian blocking threads per worker (default {DEFAULT_BLOCKING_THREADS})",
    )
    parser.add_argument(
        "--applications",
        type=int,
        help="seed this many applications instead of the scenarios' 1,000,000 (to validate, not to judge)",
    )
    parser.add_argument(
        "--reports",
        type=int,
        help="seed this many cybercrime reports instead of the scenarios' 1,000,000 (to validate)",
    )
    parser.add_argument(
        "--staff",
        type=int,
        help="seed this many staff instead of the scenarios' 100,000 (lesson progress in proportion)",
    )
    for name, default, what in (
        ("sites", SITES, "offices"),
        ("assets", ASSETS, "assets"),
        ("monitors", MONITORS, "uptime monitors"),
    ):
        parser.add_argument(
            f"--{name}",
            type=int,
            help=f"seed this many {what} instead of the scenarios' {default:,} (to validate)",
        )
    args = parser.parse_args(argv)
    chosen = [s for s in SCENARIOS if not args.scenario or s.name in args.scenario]
    infrastructure = None
    if args.sites is not None or args.assets is not None or args.monitors is not None:
        infrastructure = (args.sites or SITES, args.assets or ASSETS, args.monitors or MONITORS)
    return Options(
        duration_s=5 if args.quick else args.duration,
        warmup_s=2 if args.quick else 3,
        quick=args.quick,
        blocking_threads=args.blocking_threads,
        scenarios=resized(
            chosen,
            applications=args.applications,
            reports=args.reports,
            staff=args.staff,
            infrastructure=infrastructure,
        ),
        applications=args.applications,
        reports=args.reports,
        staff=args.staff,
        infrastructure=infrastructure,
    )


def bench_env(database_url: str, data_dir: Path) -> dict[str, str]:
    """The environment of every Nokor process in the run; Nokor settings of the caller's shell are dropped."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("NOKOR_") and k != "DATABASE_URL"}
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "nokor.settings",
        "DATABASE_URL": database_url,
        "NOKOR_SECRET_KEY": secrets.token_urlsafe(50),
        "NOKOR_DEMO": "1",
        "NOKOR_BENCH_BARE_VIEW": "1",
        "NOKOR_DB_CONN_MAX_AGE": "60",
        "NOKOR_LOG_LEVEL": "WARNING",
        "NOKOR_DATA_DIR": str(data_dir),
        **RAISED_LIMITS,
    }


def manage(env: dict[str, str], *args: str) -> str:
    """Run ``manage.py *args``; return its output, or raise SetupError with it."""
    completed = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode:
        raise SetupError(f"manage.py {' '.join(args)} failed:\n{completed.stdout}\n{completed.stderr}")
    return completed.stdout


def _setup_step(env: dict[str, str], command: tuple[str, ...]) -> dict[str, Any]:
    """Run one set-up command and time it; keep the facts it printed (``NOKOR_SEED {json}``)."""
    label = " ".join(command)
    started = time.monotonic()
    output = manage(env, *command)
    seconds = time.monotonic() - started
    print(f"  {label}: {seconds:.1f} s")
    facts: dict[str, Any] = {}
    for line in output.splitlines():
        if line.startswith(SEED_MARKER):
            facts.update(json.loads(line[len(SEED_MARKER) :]))
        elif command[0] == "seed_scale" and line.strip():
            print(f"    {line}")
    return {"command": label, "seconds": round(seconds, 1), "skipped": None, "facts": facts}


_SETTLE = """
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("VACUUM (ANALYZE)")
    cursor.execute("CHECKPOINT")
"""


def _python(env: dict[str, str], arguments: list[str], what: str) -> str:
    """Run Python (a script, or ``-c`` code that sets Django up) with the benchmark's environment; its
    output, or SetupError."""
    completed = subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode:
        raise SetupError(f"{what} failed:\n{completed.stderr}")
    return completed.stdout


def _settle(env: dict[str, str]) -> dict[str, Any]:
    """VACUUM (ANALYZE) and CHECKPOINT after the seeding, as a live database is: otherwise autovacuum
    visits the millions of rows just written, and the checkpoint writes them out, during the measurements
    (each of them a core and the disk taken from the server for seconds at a time)."""
    started = time.monotonic()
    _python(env, ["-c", _SETTLE], "VACUUM and CHECKPOINT")
    seconds = time.monotonic() - started
    print(f"  VACUUM (ANALYZE); CHECKPOINT: {seconds:.1f} s")
    return {
        "command": "VACUUM (ANALYZE); CHECKPOINT",
        "seconds": round(seconds, 1),
        "skipped": None,
        "facts": {},
    }


def prepare_database(env: dict[str, str], scenarios: list[Scenario]) -> list[dict[str, Any]]:
    """Migrate and seed, then run each distinct scenario seed step whose command exists (once), then
    settle the database (vacuumed, checkpointed)."""
    steps = [_setup_step(env, command) for command in BASE_SETUP]
    seeds = list(dict.fromkeys(s.seed for s in scenarios if s.seed))
    if seeds:
        available = set(manage(env, "help", "--commands").split())
        for command in seeds:
            if command[0] in available:
                steps.append(_setup_step(env, command))
            else:
                print(f"  {' '.join(command)}: skipped, no such management command yet")
                steps.append(
                    {"command": " ".join(command), "seconds": 0.0, "skipped": "no such command", "facts": {}}
                )
    steps.append(_settle(env))
    return steps


_PENDING_TASKS = """
import django
django.setup()
from django_tasks_db.models import DBTaskResult
print(DBTaskResult.objects.ready().count() + DBTaskResult.objects.running().count())
"""


def wait_for_quiet_worker(env: dict[str, str], timeout_s: float = WORKER_QUIET_TIMEOUT_S) -> float:
    """Wait until the worker has no task due or running (the periodic jobs it queues when it starts);
    returns the seconds waited."""
    started = time.monotonic()
    time.sleep(1)  # the scheduler queues its jobs just after the first heartbeat
    while True:
        pending = int(_python(env, ["-c", _PENDING_TASKS], "counting the worker's tasks").split()[-1])
        waited = time.monotonic() - started
        if not pending:
            return waited
        if waited > timeout_s:
            raise SetupError(f"the worker still has {pending} tasks after {timeout_s:g} s")
        time.sleep(2)


@dataclass
class App:
    """The running application: granian serving it, the task worker beside it."""

    server: subprocess.Popen
    worker: subprocess.Popen
    server_command: str  # as a reader would type it
    quiet_s: float  # seconds waited for the worker's start-up jobs


def start_app(
    stack: ExitStack,
    env: dict[str, str],
    workdir: Path,
    port: int,
    blocking_threads: int,
    ready_path: str = "/",
) -> App:
    """Start the task worker and granian (GRANIAN_WORKERS WSGI workers on ``port``) inside ``stack``, wait
    until the server answers and the worker has finished its start-up jobs. Logs go to ``workdir``."""
    granian = [
        str(Path(sys.executable).parent / "granian"),
        "--interface", "wsgi",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--workers", str(GRANIAN_WORKERS),
        "--blocking-threads", str(blocking_threads),
        "--log-level", "warning",
        "nokor.wsgi:application",
    ]  # fmt: skip
    worker_log, server_log = workdir / "worker.log", workdir / "granian.log"
    worker = stack.enter_context(
        background_process([sys.executable, "manage.py", "run_worker"], env=env, cwd=ROOT, log=worker_log)
    )
    print(f"granian on 127.0.0.1:{port}: {shlex.join(granian[1:])}")
    server = stack.enter_context(background_process(granian, env=env, cwd=ROOT, log=server_log))
    watched = [(server, server_log), (worker, worker_log)]
    wait_for_status(f"http://127.0.0.1:{port}{ready_path}", 200, watched=watched, timeout_s=60)
    wait_for_status(f"http://127.0.0.1:{port}/healthz", 200, watched=watched, timeout_s=60)
    quiet_s = wait_for_quiet_worker(env)
    print(f"worker idle after its start-up jobs: waited {quiet_s:.0f} s")
    return App(server, worker, shlex.join([".venv/bin/granian", *granian[1:]]), quiet_s)


def signed_in_cookies(env: dict[str, str], person: str, count: int) -> list[str]:
    """``count`` session cookies of a demo person (bench/signin.py, run with the benchmark's environment)."""
    return _python(env, ["bench/signin.py", person, str(count)], f"signing {person} in").split()


class Bench:
    """Measures scenarios against the running server; remembers the sessions of each demo person."""

    def __init__(
        self,
        options: Options,
        env: dict[str, str],
        skipped_seeds: set[str],
        facts: dict[str, Any] | None = None,
    ) -> None:
        self.options = options
        self.env = env
        self.skipped_seeds = skipped_seeds
        self.facts = facts or {}
        self.base_url = f"http://127.0.0.1:{APP_PORT}"
        self.csrf_token = secrets.token_hex(16)  # a well-formed Django CSRF secret (32 characters)
        self.sessions: dict[str, list[str]] = {}
        self.next_item: dict[str, int] = {}  # per-request scenarios: the first item not used yet

    def cookies_for(self, scenario: Scenario) -> list[str]:
        """The Cookie headers wrk rotates through: one per session of ``as_user``, with the CSRF cookie
        for scripted scenarios; empty when the scenario sends no cookie."""
        csrf = [f"csrftoken={self.csrf_token}"] if scenario.lua else []
        if not scenario.as_user:
            return ["; ".join(csrf)] if csrf else []
        if scenario.as_user not in self.sessions:
            self.sessions[scenario.as_user] = signed_in_cookies(self.env, scenario.as_user, CONNECTIONS)
        return ["; ".join([session, *csrf]) for session in self.sessions[scenario.as_user]]

    def load(
        self,
        scenario: Scenario,
        seconds: int,
        expectation: Expectation | None,
        connections: int = CONNECTIONS,
    ) -> Measurement:
        """One wrk run of ``scenario``; with ``expectation``, every response is checked against it."""
        context = LuaContext(path=scenario.path, csrf_token=self.csrf_token, facts=self.facts)
        lua = scenario.lua(context) if scenario.lua else None
        first_item = self.next_item.get(scenario.name, 0) if scenario.per_request else None
        measurement = run_wrk(
            self.base_url + scenario.path,
            seconds=seconds,
            connections=connections,
            threads=min(WRK_THREADS, connections),
            timeout_s=WRK_TIMEOUT_S,
            cookies=self.cookies_for(scenario),
            scenario_lua=lua,
            expectation=expectation,
            first_item=first_item,
        )
        if scenario.per_request:
            self.next_item[scenario.name] = max(first_item or 0, measurement.last_item + 1)
        return measurement

    def skipped(self, scenario: Scenario, reason: str) -> dict[str, Any]:
        """The row of a scenario that could not run (its seed step did not run)."""
        print(f"  {scenario.name:28} skipped: {reason}")
        return {
            "name": scenario.name,
            "path": scenario.path,
            "description": scenario.description,
            "as_user": scenario.as_user,
            "scripted": scenario.lua is not None,
            "seed": " ".join(scenario.seed) if scenario.seed else None,
            "requests": 0,
            "rps": 0.0,
            "p50_ms": 0.0,
            "p90_ms": 0.0,
            "p99_ms": 0.0,
            "max_ms": 0.0,
            "errors": {},
            "error_count": 0,
            "warmup_statuses": {},
            "target": None,
            "flagged": False,
            "problems": [],
            "notes": [f"skipped: {reason}"],
            "skipped": reason,
        }

    def measure(self, scenario: Scenario) -> dict[str, Any]:
        """Warm up (checking every response), then measure: a row of the results table, to be judged."""
        missing = sorted(scenario.facts_needed() - set(self.facts))
        if missing:
            return self.skipped(scenario, f"no facts {', '.join(missing)} from a seed step")
        scenario = scenario.with_facts(self.facts)
        expectation = Expectation(
            status=scenario.expect_status, text=scenario.expect_text, location=scenario.expect_location
        )
        warmup = self.load(scenario, self.options.warmup_s, expectation)
        problems = [f"warm-up: {p}" for p in warmup.unexpected(expectation)]
        measured = self.load(scenario, self.options.duration_s, None)
        if measured.errors["status"]:
            problems.append(f"{measured.errors['status']} responses with status 400 or more")
        sockets = {kind: count for kind, count in measured.errors.items() if kind != "status" and count}
        if sockets:
            problems.append(
                "socket errors: " + ", ".join(f"{kind} {count}" for kind, count in sockets.items())
            )
        target = scenario.target
        render = None
        if target and target.connections != CONNECTIONS:  # a render-time target: judged without queueing
            # wrk stops with requests still queued in the server (up to its connections, each answered
            # within the run's slowest time): let them drain, or the first requests of the render run
            # wait behind them (1 % of its requests, p99 of 100-200 ms where each took 15 ms).
            time.sleep(measured.max_ms / 1000 + 1)
            single = self.load(scenario, self.options.duration_s, None, connections=target.connections)
            render = {
                "connections": target.connections,
                "requests": single.requests,
                "rps": round(single.rps, 1),
                "p50_ms": round(single.p50_ms, 2),
                "p99_ms": round(single.p99_ms, 2),
                "max_ms": round(single.max_ms, 2),
                "error_count": single.error_count,
            }
            if single.errors["status"]:
                problems.append(f"{single.errors['status']} responses with status 400 or more (render run)")
        notes = []
        seed = " ".join(scenario.seed) if scenario.seed else None
        if seed in self.skipped_seeds:
            notes.append(f"seed step `{seed}` not available yet: measured on the demo data")
        row = {
            "name": scenario.name,
            "path": scenario.path,
            "description": scenario.description,
            "as_user": scenario.as_user,
            "scripted": scenario.lua is not None,
            "seed": seed,
            "requests": measured.requests,
            "rps": round(measured.rps, 1),
            "p50_ms": round(measured.p50_ms, 2),
            "p90_ms": round(measured.p90_ms, 2),
            "p99_ms": round(measured.p99_ms, 2),
            "max_ms": round(measured.max_ms, 2),
            "errors": measured.errors,
            "error_count": measured.error_count,
            "warmup_statuses": warmup.statuses,
            "target": {**asdict(target), "text": target.describe()} if target else None,
            "render": render,
            "flagged": bool(problems),
            "problems": problems,
            "notes": notes,
        }
        alone = ""
        if render:
            alone = f"\n    at {render['connections']} connection(s): p99 {render['p99_ms']:.1f} ms"
        print(
            f"  {scenario.name:28} {measured.rps:9,.0f} req/s  p50 {measured.p50_ms:6.1f} ms  "
            f"p99 {measured.p99_ms:6.1f} ms  errors {measured.error_count}"
            + alone
            + (f"\n    ⚠ {'; '.join(problems)}" if problems else "")
        )
        return row


# Issue 9: every open dataset regenerated over everything seeded, timed against its target. It runs once the
# worker is idle after its start-up jobs, so the aggregate tables the datasets read (the services'
# performance, the plan's indicators) are fresh, as they are for the nightly job.
DATASET_REGENERATION = ("regenerate_datasets",)
DATASET_REGENERATION_MAX_S = 120


def measure_dataset_regeneration(env: dict[str, str]) -> dict[str, Any]:
    """``manage.py regenerate_datasets``, timed like a set-up step, judged against its target."""
    print("Open data: every dataset regenerated")
    step = _setup_step(env, DATASET_REGENERATION)
    met = step["seconds"] <= DATASET_REGENERATION_MAX_S
    print(f"  target under {DATASET_REGENERATION_MAX_S} s: {'pass' if met else 'FAIL'}")
    return {"seconds": step["seconds"], "target_s": DATASET_REGENERATION_MAX_S, "target_met": met}


MONITOR_MINUTES = 3


def measure_monitor_checks(env: dict[str, str], options: Options) -> dict[str, Any] | None:
    """Whether the worker's check runner keeps up with the seeded number of monitors checked every minute
    (issue 7): ``manage.py bench_monitors`` runs the real runner once a minute against the bare view
    (``MONITOR_MINUTES`` minutes; rolled back), after the scenarios. Only when an infrastructure scenario
    ran; None otherwise."""
    if not any(s.seed and s.seed[:2] == INFRA_SEED[:2] for s in options.scenarios):
        return None
    monitors = (options.infrastructure or (SITES, ASSETS, MONITORS))[2]
    minutes = 1 if options.quick else MONITOR_MINUTES
    print(f"Monitor checks: {monitors:,} monitors, one run a minute for {minutes} minute(s)")
    target = f"http://127.0.0.1:{APP_PORT}{BARE.path}"
    output = manage(
        env, "bench_monitors", "--monitors", str(monitors), "--minutes", str(minutes), "--target", target
    )
    figures: dict[str, Any] = {}
    for line in output.splitlines():
        if line.startswith(SEED_MARKER):
            figures = json.loads(line[len(SEED_MARKER) :])["monitor_checks"]
        elif line.strip():
            print(f"  {line}")
    return figures


def judge(row: dict[str, Any], target: Target | None, bare_rps: float) -> None:
    """Add to ``row`` its throughput ratio to the bare view and whether it meets its target."""
    row["ratio"] = round(row["rps"] / bare_rps, 3)
    if row.get("skipped"):
        row["target_met"] = None
        return
    judged = row.get("render") or row  # a render-time target is judged on its one-connection run
    row["target_met"] = target.met(row["ratio"], judged["p99_ms"], judged["rps"]) if target else None
    verdict = f"  target {target.describe()}: {'pass' if row['target_met'] else 'FAIL'}" if target else ""
    print(f"  {row['name']:28} ratio {row['ratio']:5.2f}{verdict}")


def run(options: Options, command: str) -> dict[str, Any]:
    """One complete benchmark run; returns the result to save. Stops everything it started."""
    started_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    machine = report.machine_info()  # before our own processes make the machine busy
    with tempfile.TemporaryDirectory(prefix="nokor-bench-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        workdir.chmod(0o755)  # the `postgres` user must reach its folder inside
        stack.enter_context(tcp_sink(MONITOR_TARGET_PORT))
        print(f"PostgreSQL 15 on 127.0.0.1:{PG_PORT} (throw-away cluster in {workdir})")
        postgres = stack.enter_context(postgres_cluster(workdir, PG_PORT, DATABASE))
        env = bench_env(postgres.url(DATABASE), workdir / "data")
        print("Database set-up")
        setup = prepare_database(env, options.scenarios)
        facts = {key: value for step in setup for key, value in step["facts"].items()}
        app = start_app(stack, env, workdir, APP_PORT, options.blocking_threads, ready_path=BARE.path)
        setup.append({"command": "(waiting for the worker's start-up jobs)", "seconds": round(app.quiet_s, 1),
                      "skipped": None, "facts": {}})  # fmt: skip
        regeneration = measure_dataset_regeneration(env)
        setup.append({"command": " ".join(DATASET_REGENERATION), "seconds": regeneration["seconds"],
                      "skipped": None, "facts": {}})  # fmt: skip
        bench = Bench(
            options, env, skipped_seeds={step["command"] for step in setup if step["skipped"]}, facts=facts
        )
        print(
            f"wrk: {CONNECTIONS} connections, {WRK_THREADS} threads, {options.warmup_s} s warm-up, "
            f"{options.duration_s} s measured"
        )
        bare = bench.measure(BARE)
        rows = [bench.measure(scenario) for scenario in options.scenarios]
        bare_again = bench.measure(BARE_AGAIN)
        monitor_checks = measure_monitor_checks(env, options)
    bare_rps = (bare["rps"] + bare_again["rps"]) / 2
    print(f"Ratios to the bare view (mean of its two measurements: {bare_rps:,.0f} req/s)")
    for row, scenario in zip([bare, *rows, bare_again], [BARE, *options.scenarios, BARE_AGAIN], strict=True):
        judge(row, scenario.target, bare_rps)
    warnings = []
    if machine["load_average_1min_before"] > BUSY_LOAD:
        warnings.append(
            f"The load average was {machine['load_average_1min_before']} when the run started: other work "
            "was using the cores, so every figure is lower than on an idle machine."
        )
    drift = bare_again["rps"] / bare["rps"] - 1
    if abs(drift) > MAX_BARE_DRIFT:
        warnings.append(
            f"The bare view's throughput changed by {drift:+.0%} between the start and the end of the run: "
            "the machine's speed varied (other work?), so ratios are uncertain."
        )
    return {
        "schema": 1,
        "started_at": started_at.isoformat(),
        "finished_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "command": command,
        "git": report.git_state(),
        "machine": machine,
        "versions": report.software_versions(postgres.version, wrk_version()),
        "postgresql": {"port": PG_PORT, "settings": postgres.settings},
        "server": {
            "command": app.server_command,
            "workers": GRANIAN_WORKERS,
            "blocking_threads": options.blocking_threads,
        },
        "load": {
            "tool": "wrk",
            "connections": CONNECTIONS,
            "threads": WRK_THREADS,
            "warmup_s": options.warmup_s,
            "duration_s": options.duration_s,
            "timeout_s": WRK_TIMEOUT_S,
            "quick": options.quick,
        },
        "setup": [{k: v for k, v in step.items() if k != "facts"} for step in setup],
        "data": report.data_summary(facts),
        "facts": facts,
        "bare_rps": round(bare_rps, 1),
        "bare": bare,
        "scenarios": rows,
        "bare_again": bare_again,
        "warnings": warnings,
        "monitor_checks": monitor_checks,
        "dataset_regeneration": regeneration,
    }


def _exit_on_signal(signum: int, _frame: object) -> None:
    """Turn SIGTERM/SIGHUP into SystemExit, so every `finally` stops what it started."""
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    options = parse_args(argv)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    missing = missing_prerequisites()
    if missing:
        print("The benchmark needs: " + "; ".join(missing))
        print("Install them with: sudo scripts/install-system-packages.sh")
        return 2
    taken = [port for port in (PG_PORT, APP_PORT, MONITOR_TARGET_PORT) if port_in_use(port)]
    if taken:
        print(f"Port(s) {', '.join(map(str, taken))} on 127.0.0.1 already in use: stop what listens there.")
        print("A benchmark killed with SIGKILL leaves its cluster running: ps -o pid,args -u postgres")
        return 2
    command = shlex.join([".venv/bin/python", "bench/run.py", *argv])
    try:
        result = run(options, command)
    except (SetupError, WrkFailed) as exc:
        print(f"Benchmark failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted; everything started was stopped.", file=sys.stderr)
        return 130
    path = report.save(result)
    report.write_docs(report.load_history())
    print(f"Wrote {path.relative_to(ROOT)}, bench/results/latest.json and docs/performance.md")
    for warning in result["warnings"]:
        print(f"Warning: {warning}")
    rows = [result["bare"], *result["scenarios"], result["bare_again"]]
    ok = not any(row["flagged"] or row["target_met"] is False for row in rows)
    ok = ok and result["dataset_regeneration"]["target_met"]
    print(
        "All targets met, no errors." if ok else "Some targets failed or scenarios were flagged, see above."
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
