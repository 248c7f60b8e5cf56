"""Nokor beyond one machine (`make topology`, issue 10; docs/scaling.md): a PostgreSQL primary with a
streaming replica, Redis, two web processes and two task workers, all on loopback; then the browser
journeys of every app against a primary and replica. Bounded in time; stops everything it started.

    .venv/bin/python bench/topology.py              # platform checks, then every browser journey
    .venv/bin/python bench/topology.py --no-e2e     # platform checks only (3 to 6 minutes)
    .venv/bin/python bench/topology.py --no-platform -- -k opendata   # one journey (after --: to pytest)

1. **Platform.** PostgreSQL 15 primary (port 55441) and a hot standby made with ``pg_basebackup -R``
   (asynchronous streaming replication, port 55442), Redis (6391), the demo data (migrate,
   load_gazetteer, seed_demo), two granian processes (8131, 8132: two web machines, a load balancer
   would spread visitors over them) and two ``manage.py run_worker`` processes, every one with
   DATABASE_URL = primary and DATABASE_REPLICA_URL = replica. Checks: both web processes serve the pages
   marked ``@replica_reads`` and the replica did the reading (its own statistics of rows returned grow);
   a form sent to one web process pins that browser to the primary on the other
   (the signed cookie); 60 e-mails queued at once are sent by the two workers together, each once (no
   Message-ID twice in the mail folder, every task claimed once).
2. **Browser journeys** (e2e/, pytest-django's live server in this machine's process): DATABASE_URL =
   primary, so the test database is created on the primary and streamed to the replica, and
   DATABASE_REPLICA_URL = replica, so the live server routes the marked pages to it (the replica alias is
   a test mirror of default: the test database's name over the replica's own connection, never created
   nor flushed; e2e/conftest.py lets the journeys use it); Redis as the cache; NOKOR_E2E_WORKERS=2, so
   two task workers run beside each journey and ``run_ready_tasks`` waits for them instead of running the
   tasks itself. Checks: every journey passes, no task was claimed twice, both workers ran tasks, and the
   replica served reads of the test database.

The result is printed and written to bench/results/topology/<UTC time>.json. Exit status 0 when every
check holds; 1 otherwise; 2 when something is missing or a port is taken.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psycopg
from run import ROOT, bench_env, manage
from services import (
    PG_BIN,
    SetupError,
    background_process,
    port_in_use,
    postgres_cluster,
    redis_server,
    streaming_replica,
    wait_for_status,
)

PRIMARY_PORT, REPLICA_PORT, REDIS_PORT = 55441, 55442, 6391
WEB_PORTS = (8131, 8132)
DATABASE = "nokor"
E2E_DATABASE = "test_nokor_e2e"  # pytest-django's test database of e2e/ (its "_e2e" suffix)
SETUP = (("migrate", "-v0"), ("load_gazetteer", "-v0"), ("seed_demo",), ("collectstatic", "--noinput", "-v0"))
EMAILS = 60
RESULTS = ROOT / "bench" / "results" / "topology"
# The pages marked @replica_reads that the demo data fills (the leadership dashboard needs a sign-in).
READ_ONLY_PAGES = (
    "/plan/public/",
    "/opendata/",
    "/services/performance/",
    "/infrastructure/status/",
    "/cyber/statistics/",
)
QUEUE_EMAILS = f"""
from nokor.notifications.services import email_send
for n in range({EMAILS}):
    email_send(to=f"p{{n}}@example.org", subject=f"Topology {{n}}", body="A check.", key=f"topology:{{n}}")
"""


def _sql(port: int, database: str, query: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/{database}", autocommit=True) as db:
        return db.execute(query, params or None).fetchall()


def rows_returned(port: int, database: str) -> int:
    """Rows the cluster on ``port`` has returned to queries on ``database`` (its own statistics)."""
    query = "SELECT tup_returned + tup_fetched FROM pg_stat_database WHERE datname = %s"
    found = _sql(port, "postgres", query, (database,))  # asked from another database: not counted in
    return int(found[0][0]) if found else 0


def wait_replayed(timeout_s: float = 30) -> None:
    """Until the replica has replayed everything the primary has written so far."""
    (target,) = _sql(PRIMARY_PORT, "postgres", "SELECT pg_current_wal_lsn()::text")[0]
    deadline = time.monotonic() + timeout_s
    query = "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn"
    while not _sql(REPLICA_PORT, "postgres", query, (target,))[0][0]:
        if time.monotonic() > deadline:
            raise SetupError(f"the replica did not replay up to {target} within {timeout_s:g} s")
        time.sleep(0.1)


def get(opener: urllib.request.OpenerDirector, url: str, data: bytes | None = None) -> tuple[int, str]:
    try:
        with opener.open(url, data=data, timeout=30) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


# --------------------------------------------------------------------------------------------------
# 1. The platform: two web processes, two workers, primary and replica, Redis
# --------------------------------------------------------------------------------------------------
def platform(env: dict[str, str], workdir: Path) -> dict[str, Any]:
    granian = [
        str(Path(sys.executable).parent / "granian"),
        *"--interface wsgi --host 127.0.0.1 --workers 1 --blocking-threads 2 --log-level warning".split(),
    ]
    with ExitStack() as stack:
        watched = []
        for n in (1, 2):
            log = workdir / f"worker-{n}.log"
            command = [
                sys.executable,
                "manage.py",
                "run_worker",
                "--worker-id",
                f"worker-{n}",
                "--interval",
                "0.2",
            ]
            watched.append(
                (stack.enter_context(background_process(command, env=env, cwd=ROOT, log=log)), log)
            )
        for port in WEB_PORTS:
            log = workdir / f"web-{port}.log"
            command = [*granian, "--port", str(port), "nokor.wsgi:application"]
            watched.append(
                (stack.enter_context(background_process(command, env=env, cwd=ROOT, log=log)), log)
            )
        for port in WEB_PORTS:
            wait_for_status(f"http://127.0.0.1:{port}/healthz", 200, watched=watched, timeout_s=90)
        wait_replayed()
        time.sleep(6)  # the replica's health is checked at most every 5 s: the first answers are in

        plain = urllib.request.build_opener()
        before = rows_returned(REPLICA_PORT, DATABASE), rows_returned(PRIMARY_PORT, DATABASE)
        statuses = {}
        for port in WEB_PORTS:
            for _round in range(3):
                for path in READ_ONLY_PAGES:
                    statuses[f"{port}{path}"] = get(plain, f"http://127.0.0.1:{port}{path}")[0]
        time.sleep(2)  # a backend reports its statistics within a second or so of going idle
        after = rows_returned(REPLICA_PORT, DATABASE), rows_returned(PRIMARY_PORT, DATABASE)
        read = {"replica": after[0] - before[0], "primary": after[1] - before[1]}

        # A form sent to the first web process (the data request form, a real write), then the pages
        # read through the second: with the pin cookie, from the primary.
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        first, second = (f"http://127.0.0.1:{port}" for port in WEB_PORTS)
        _status, form = get(browser, f"{first}/opendata/request/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        fields = {
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "name": "Topology check",
            "email": "topology@example.org",
            "what": "Figures by commune.",
            "purpose": "A check.",
        }
        dataset = re.search(r'<option value="([^"]+)"[^>]*>[^<]', form)
        fields["dataset"] = dataset.group(1) if dataset else ""
        sent, _body = get(browser, f"{first}/opendata/request/", urllib.parse.urlencode(fields).encode())
        pinned = any(cookie.name == "nokor_primary" for cookie in jar)
        time.sleep(2)
        before_pinned = rows_returned(REPLICA_PORT, DATABASE), rows_returned(PRIMARY_PORT, DATABASE)
        pinned_statuses = [get(browser, f"{second}{path}")[0] for path in READ_ONLY_PAGES]
        time.sleep(2)  # a backend reports its statistics within a second or so of going idle
        after_pinned = rows_returned(REPLICA_PORT, DATABASE), rows_returned(PRIMARY_PORT, DATABASE)
        read_pinned = {
            "replica": after_pinned[0] - before_pinned[0],
            "primary": after_pinned[1] - before_pinned[1],
        }

        # Tasks: the two workers share a burst of e-mails.
        (queued_at,) = _sql(PRIMARY_PORT, DATABASE, "SELECT now()::text")[0]
        manage(env, "shell", "-c", QUEUE_EMAILS)
        deadline = time.monotonic() + 180
        pending_sql = (
            "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')"
        )
        while _sql(PRIMARY_PORT, DATABASE, pending_sql)[0][0] and time.monotonic() < deadline:
            time.sleep(0.5)
        by_worker = dict(
            _sql(
                PRIMARY_PORT,
                DATABASE,
                "SELECT worker_ids ->> -1, COUNT(*) FROM django_tasks_database_dbtaskresult "
                "WHERE enqueued_at >= %s::timestamptz GROUP BY 1",
                (queued_at,),
            )
        )
        claimed_twice = _sql(
            PRIMARY_PORT,
            DATABASE,
            "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult "
            "WHERE jsonb_array_length(worker_ids) > 1",
        )[0][0]
        messages = _sql(
            PRIMARY_PORT,
            DATABASE,
            "SELECT id::text, status FROM notifications_message WHERE idempotency_key LIKE 'topology:%%'",
        )
        alive = all(process.poll() is None for process, _log in watched)
    sent_ids: dict[str, int] = {}
    for path in Path(env["NOKOR_EMAIL_FILE_PATH"]).glob("*"):
        for message_id in re.findall(r"^Message-ID: (\S+)", path.read_text(errors="replace"), re.M):
            sent_ids[message_id] = sent_ids.get(message_id, 0) + 1
    ours = {f"<{pk}@nokor>" for pk, _status in messages}
    checks = {
        "both web processes serve every read-only page": all(status == 200 for status in statuses.values()),
        "the replica read those pages": read["replica"] > 0,
        "a form sent to one web process pins the browser to the primary": sent in (200, 302) and pinned,
        # The replica's health check (one row every 5 s) is all it reads meanwhile.
        "the pinned browser reads from the primary through the other web process": read_pinned["primary"] > 0
        and read_pinned["replica"] < 20
        and all(status == 200 for status in pinned_statuses),
        "every e-mail sent, once": len(messages) == EMAILS
        and all(status == "sent" for _pk, status in messages)
        and all(sent_ids.get(i) == 1 for i in ours),
        "both workers sent e-mails": len([w for w in by_worker if w]) == 2,
        "no task claimed twice": claimed_twice == 0,
        "every process still running": alive,
    }
    return {
        "pages": len(statuses),
        "rows_read_for_the_pages": read,
        "rows_read_for_the_pinned_browser": read_pinned,
        "form_status": sent,
        "emails_by_worker": by_worker,
        "tasks_claimed_twice": claimed_twice,
        "checks": checks,
    }


# --------------------------------------------------------------------------------------------------
# 2. The browser journeys against primary and replica, with two task workers
# --------------------------------------------------------------------------------------------------
def journeys(env: dict[str, str], redis_url: str, workdir: Path, pytest_args: list[str]) -> dict[str, Any]:
    report = workdir / "e2e-tasks.json"
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("NOKOR_") and k != "DATABASE_URL"}
    e2e_env = {
        **inherited,
        "DATABASE_URL": env["DATABASE_URL"],
        "DATABASE_REPLICA_URL": env["DATABASE_REPLICA_URL"],
        "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
        "NOKOR_REDIS_URL": redis_url.rsplit("/", 1)[0] + "/1",  # not the platform's cache
        "NOKOR_E2E_WORKERS": "2",
        "NOKOR_E2E_TOPOLOGY_REPORT": str(report),
    }
    # --reuse-db keeps the test database at the end, so the replica's statistics of it can be read.
    command = [sys.executable, "-m", "pytest", "-m", "browser", "-p", "no:xdist", "-q", "--reuse-db", "e2e",
               *pytest_args]  # fmt: skip
    started = time.monotonic()
    completed = subprocess.run(command, cwd=ROOT, env=e2e_env, check=False, timeout=3600)
    wall_s = round(time.monotonic() - started)
    tasks = json.loads(report.read_text()) if report.exists() else {}
    replica_rows = rows_returned(REPLICA_PORT, E2E_DATABASE)
    workers = {key: value for key, value in tasks.items() if key.startswith("e2e-worker-")}
    checks = {
        "every browser journey passes": completed.returncode == 0,
        "no task claimed twice": tasks.get("claimed_more_than_once", 1) == 0,
        "both workers ran tasks": len(workers) == 2,
        "the replica served reads of the test database": replica_rows > 0,
    }
    return {
        "command": shlex.join(["pytest", *command[3:]]),
        "wall_s": wall_s,
        "pytest_exit": completed.returncode,
        "tasks": tasks,
        "replica_rows_read": replica_rows,
        "checks": checks,
    }


def missing() -> list[str]:
    lacking = [f"{PG_BIN / 'pg_basebackup'} (Debian package: postgresql-15)"]
    lacking = lacking if not (PG_BIN / "pg_basebackup").exists() else []
    if shutil.which("redis-server") is None:
        lacking.append("redis-server (Debian package: redis-server)")
    if shutil.which("chromium") is None:
        lacking.append("chromium (Debian package: chromium)")
    taken = [p for p in (PRIMARY_PORT, REPLICA_PORT, REDIS_PORT, *WEB_PORTS) if port_in_use(p)]
    return lacking + [f"port {port} is in use" for port in taken]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-e2e", action="store_true", help="platform checks only")
    parser.add_argument("--no-platform", action="store_true", help="browser journeys only (no demo data)")
    parser.add_argument("pytest_args", nargs="*", help="after --: more pytest arguments (e.g. -k opendata)")
    args = parser.parse_args(argv)
    problems = missing()
    if problems:
        print("Cannot run:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 2
    begun = time.monotonic()
    started_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    result: dict[str, Any] = {"schema": 1, "started_at": started_at.isoformat()}
    try:
        with tempfile.TemporaryDirectory(prefix="nokor-topology-") as tmp, ExitStack() as stack:
            workdir = Path(tmp)
            workdir.chmod(0o755)  # the `postgres` user must reach its folders inside
            primary = stack.enter_context(postgres_cluster(workdir, PRIMARY_PORT, DATABASE))
            replica = stack.enter_context(streaming_replica(primary, workdir, REPLICA_PORT))
            redis_url = stack.enter_context(redis_server(workdir, REDIS_PORT))
            env = {
                **bench_env(primary.url(DATABASE), workdir / "data"),
                "DATABASE_REPLICA_URL": replica.url(DATABASE),
                "NOKOR_REDIS_URL": redis_url,
                "NOKOR_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "NOKOR_EMAIL_FILE_PATH": str(workdir / "mail"),
            }
            print(f"primary :{PRIMARY_PORT}, replica :{REPLICA_PORT} (pg_basebackup -R), Redis :{REDIS_PORT}")
            if not args.no_platform:
                for command in SETUP:
                    manage(env, *command)
                result["setup_s"] = round(time.monotonic() - begun)
                print(f"demo data seeded ({result['setup_s']} s); web on {WEB_PORTS}, two workers")
                result["platform"] = platform(env, workdir)
                print(json.dumps(result["platform"], indent=1))
            if not args.no_e2e:
                print("browser journeys against primary + replica, two task workers")
                result["journeys"] = journeys(env, redis_url, workdir, args.pytest_args)
                print(json.dumps({k: v for k, v in result["journeys"].items() if k != "tasks"}, indent=1))
    except SetupError as exc:
        print(f"Set-up failed: {exc}", file=sys.stderr)
        return 2
    result["wall_s"] = round(time.monotonic() - begun)
    checks = {
        f"{part}: {name}": held
        for part in ("platform", "journeys")
        for name, held in result.get(part, {}).get("checks", {}).items()
    }
    result["passed"] = all(checks.values())
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{started_at:%Y%m%dT%H%M%SZ}.json").write_text(json.dumps(result, indent=1) + "\n")
    for name, held in checks.items():
        print(f"  {'ok  ' if held else 'FAIL'} {name}")
    print(
        f"wall time {result['wall_s']} s; {'all checks hold' if result['passed'] else 'SOME CHECKS FAILED'}"
    )
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
