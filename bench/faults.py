"""Fault drills (issue 10): the platform on a throw-away PostgreSQL cluster, hurt on purpose, then checked.
Loopback only, bounded in time, stops everything it started.

    .venv/bin/python bench/faults.py            # both drills, about 3 minutes; exit 0 when every check holds

1. **Worker killed.** 30 documents to render and sign and 150 e-mails are queued; a worker starts and is
   killed with SIGKILL while tasks are running; a second worker starts. Checks: every document is ready
   exactly once with its signed PDF on disk, every e-mail is sent and marked sent once, and no message
   reached the mail folder twice under different identities (a send interrupted between the provider
   and our commit is repeated with the same Message-ID, which the receiving side de-duplicates: counted).
2. **Database restarted.** Four clients keep filing cybercrime reports through the API while PostgreSQL
   is restarted (fast shutdown: open connections cut, transactions in flight rolled back). Checks: every
   report whose confirmation (201 with a reference) a client received is in the database; every other
   answer is a 503 with Retry-After (never a 500, never a stack trace); filing works again after the
   restart without restarting the web server (seconds to recover reported).

The result is printed as JSON (and written to bench/results/faults/<time>.json).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import psycopg
from run import GRANIAN_WORKERS, ROOT, bench_env, manage
from services import background_process, postgres_cluster, restart_postgres, wait_for_status

PG_PORT = 55434
APP_PORT = 8124
DATABASE = "nokor_faults"
DOCUMENTS, EMAILS = 30, 150
CLIENTS, FILING_S, RESTART_AT_S = 4, 16, 5
WORKER = [sys.executable, "manage.py", "run_worker", "--no-scheduler"]

QUEUE = f"""
from nokor.accounts.models import User
from nokor.documents.services import document_issue
from nokor.geography.models import AdministrativeUnit
from nokor.notifications.services import email_send
holder = User.objects.filter(is_staff=False).order_by("pk").first()
unit = AdministrativeUnit.objects.get(code="08")
for n in range({DOCUMENTS}):
    document_issue(document_type="residence_certificate", holder=holder, holder_name=holder.full_name,
        issuer_unit=unit, data={{"holder_name": holder.full_name, "address": f"Village {{n}}"}},
        context={{"address": f"Village {{n}}, Kandal", "date_of_birth": "1990-04-17", "sex_km": "ស្រី",
                  "sex_en": "Female", "id_number": "010203040"}})
for n in range({EMAILS}):
    email_send(to=f"person{{n}}@example.org", subject=f"Drill {{n}}", body="A drill.", key=f"drill:{{n}}")
"""

REPORT = {
    "category": "phishing",
    "channel": "sms",
    "attempt_only": True,
    "consent": True,
    "description": "SMS: your account is blocked, click the link to verify.",
    "identifiers": [],
    "contact": {"email": "drill@example.org"},
}


def _db(env: dict[str, str]) -> psycopg.Connection:
    return psycopg.connect(env["DATABASE_URL"].replace("postgres://", "postgresql://"), autocommit=True)


def _rendering(env: dict[str, str]) -> bool:
    """Whether a document is being rendered, after a few tasks are done (the moment to kill the worker)."""
    with _db(env) as db:
        done, rendering = db.execute(
            "SELECT COUNT(*) FILTER (WHERE status = 'SUCCESSFUL'), COUNT(*) FILTER (WHERE status = 'RUNNING' "
            "AND task_path LIKE '%%render_document') FROM django_tasks_database_dbtaskresult"
        ).fetchone()
    return done >= 5 and rendering > 0


def _task_counts(env: dict[str, str]) -> dict[str, int]:
    with _db(env) as db:
        rows = db.execute("SELECT status, COUNT(*) FROM django_tasks_database_dbtaskresult GROUP BY status")
        return dict(rows.fetchall())


def worker_killed(env: dict[str, str], workdir: Path) -> dict[str, Any]:
    manage(env, "shell", "-c", QUEUE)
    total = sum(_task_counts(env).values())
    stack = ExitStack()
    first = stack.enter_context(
        background_process(
            WORKER,
            env=env,
            cwd=ROOT,
            log=workdir / "worker-1.log",
        )
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not _rendering(env):  # a PDF takes long enough to be caught
        time.sleep(0.02)
    os.killpg(first.pid, signal.SIGKILL)  # mid-task: no chance to finish or to let go of its tasks
    at_kill = _task_counts(env)
    stack.close()
    with background_process(
        WORKER,
        env=env,
        cwd=ROOT,
        log=workdir / "worker-2.log",
    ):
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            counts = _task_counts(env)
            if not counts.get("READY") and not counts.get("RUNNING"):
                break
            time.sleep(0.5)
    with _db(env) as db:
        documents = db.execute("SELECT render_status, file FROM documents_document ORDER BY id").fetchall()
        messages = db.execute(
            "SELECT id::text, status FROM notifications_message WHERE channel = 'email' "
            "AND idempotency_key LIKE 'drill:%%'"
        ).fetchall()
    media = Path(env["NOKOR_DATA_DIR"]) / "files"
    missing_files = [name for status, name in documents if not name or not (media / name).is_file()]
    sent_ids: dict[str, int] = {}
    for path in Path(env["NOKOR_EMAIL_FILE_PATH"]).glob("*"):
        for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if raw.strip():
                message_id = BytesParser().parsebytes(raw, headersonly=True).get("Message-ID", "")
                sent_ids[message_id] = sent_ids.get(message_id, 0) + 1
    drill = {f"<{pk}@nokor>" for pk, _status in messages}
    repeated = sum(1 for i in drill if sent_ids.get(i, 0) > 1)
    in_flight = at_kill.get("RUNNING", 0)
    extra_pdfs = len(list(media.rglob("*.pdf"))) - len(documents)
    checks = {
        "every task finished": not any(counts.get(s) for s in ("READY", "RUNNING", "FAILED")),
        "tasks were running when the worker was killed": in_flight > 0,
        "every document ready with its PDF": all(s == "ready" for s, _ in documents) and not missing_files,
        "every e-mail queued once and marked sent": len(messages) == EMAILS
        and all(s == "sent" for _, s in messages),
        "every e-mail reached the mail folder": drill <= set(sent_ids),
        # Only a task cut between the provider and our commit runs twice: the e-mail goes again with the
        # same Message-ID (receivers de-duplicate on it), a PDF is rendered again (the spare is unused).
        "repeats only for the tasks in flight at the kill": repeated + extra_pdfs <= in_flight,
    }
    return {
        "tasks": total,
        "at_kill": at_kill,
        "after": counts,
        "documents": len(documents),
        "emails": len(messages),
        "emails_sent_again_with_the_same_message_id": repeated,
        "spare_pdfs": extra_pdfs,
        "checks": checks,
        "passed": all(checks.values()),
    }


def database_restarted(env: dict[str, str], workdir: Path) -> dict[str, Any]:
    granian = [
        str(Path(sys.executable).parent / "granian"),
        *f"--interface wsgi --host 127.0.0.1 --port {APP_PORT} --workers {GRANIAN_WORKERS}".split(),
        *"--blocking-threads 2 --log-level warning nokor.wsgi:application".split(),
    ]
    answers: list[dict[str, Any]] = []
    lock = threading.Lock()
    stop = threading.Event()
    start = time.monotonic()

    def client(number: int) -> None:
        sent = 0
        while not stop.is_set():
            body = json.dumps({**REPORT, "identifiers": [f"0{number}2 {sent:03d} 111"]}).encode()
            request = urllib.request.Request(  # noqa: S310 (loopback)
                f"http://127.0.0.1:{APP_PORT}/api/v1/cyber/reports",
                data=body,
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            answer: dict[str, Any] = {"at": round(time.monotonic() - start, 3)}
            try:
                with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
                    answer |= {"status": response.status, "body": response.read(2000).decode()}
            except urllib.error.HTTPError as error:
                answer |= {
                    "status": error.code,
                    "retry_after": error.headers.get("Retry-After"),
                    "body": error.read(2000).decode(errors="replace"),
                }
            except OSError as error:
                answer |= {"status": 0, "body": str(error)}
            with lock:
                answers.append(answer)
            sent += 1

    with background_process(granian, env=env, cwd=ROOT, log=workdir / "granian.log") as server:
        wait_for_status(
            f"http://127.0.0.1:{APP_PORT}/",  # the home page (/healthz would want a worker too)
            200,
            watched=[(server, workdir / "granian.log")],
            timeout_s=60,
        )
        start = time.monotonic()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(1, CLIENTS + 1)]
        for thread in threads:
            thread.start()
        time.sleep(RESTART_AT_S)
        restart_began = time.monotonic() - start
        restart_s = restart_postgres(workdir)
        time.sleep(FILING_S - RESTART_AT_S)
        stop.set()
        for thread in threads:
            thread.join()
    confirmed = [json.loads(a["body"])["reference"] for a in answers if a["status"] == 201]
    refused = [a for a in answers if a["status"] != 201]
    with _db(env) as db:
        stored = {
            row[0]
            for row in db.execute("SELECT reference FROM cyber_report WHERE reference = ANY(%s)", [confirmed])
        }
    after = [a for a in answers if a["at"] > restart_began]
    first_failure = next((a["at"] for a in after if a["status"] != 201), None)
    recovered_at = next(
        (a["at"] for a in after if a["status"] == 201 and first_failure and a["at"] > first_failure), None
    )
    checks = {
        "every confirmed report is in the database": set(confirmed) <= stored,
        "every other answer is 503 with Retry-After": all(
            a["status"] == 503 and a.get("retry_after") for a in refused
        ),
        "no stack trace in any answer": not any("Traceback" in a["body"] for a in answers),
        "reports filed again after the restart": any(
            a["status"] == 201 and a["at"] > restart_began + restart_s for a in answers
        ),
    }
    return {
        "answers": len(answers),
        "confirmed": len(confirmed),
        "refused": {
            str(s): sum(1 for a in refused if a["status"] == s)
            for s in sorted({a["status"] for a in refused})
        },
        "restart_seconds": round(restart_s, 2),
        "seconds_to_recover": round(recovered_at - first_failure, 2)
        if recovered_at and first_failure
        else 0.0,
        "checks": checks,
        "passed": all(checks.values()),
    }


def main() -> int:
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="nokor-faults-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        workdir.chmod(0o755)  # the `postgres` user must reach its folder inside
        postgres = stack.enter_context(postgres_cluster(workdir, PG_PORT, DATABASE))
        env = bench_env(postgres.url(DATABASE), workdir / "data")
        env |= {
            "NOKOR_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "NOKOR_EMAIL_FILE_PATH": str(workdir / "mail"),
            "NOKOR_WORKER_HEARTBEAT_SECONDS": "1",  # a dead worker's tasks are taken back after 3 s
        }
        setup = (
            ("migrate", "-v0"),
            ("load_gazetteer", "-v0"),
            ("seed_demo",),
            ("collectstatic", "--noinput", "-v0"),
        )
        for command in setup:
            print("manage.py", *command, flush=True)
            manage(env, *command)
        result = {"started_at": started.isoformat()}
        print("drill: worker killed", flush=True)
        result["worker_killed"] = worker_killed(env, workdir)
        print(json.dumps(result["worker_killed"], indent=1), flush=True)
        print("drill: database restarted", flush=True)
        result["database_restarted"] = database_restarted(env, workdir)
    out = ROOT / "bench" / "results" / "faults" / f"{started:%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    return 0 if result["worker_killed"]["passed"] and result["database_restarted"]["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
