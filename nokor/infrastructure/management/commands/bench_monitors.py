"""manage.py bench_monitors: does the check runner keep up with N monitors checked every minute?

    manage.py bench_monitors --monitors 2000 --minutes 3 [--target http://127.0.0.1:8123/_bench/ok]

Adds N HTTP monitors of ``--target`` (by default a small HTTP server this command starts on loopback,
in its own process), all due now, and runs the real check runner (``monitoring.run_checks``, the
worker's job of every minute) at the start of each of ``--minutes`` minutes: every check is a real
probe and is written as the worker writes it. The other monitors are set aside meanwhile, and
everything is rolled back at the end: nothing is left in the database.

Printed: per run, the checks, the seconds, the checks per second and the lag (how late after its due
time the latest check started), then ``NOKOR_SEED {"monitor_checks": {...}}`` for the benchmark
harness. It keeps up when every run checks all N monitors well within the minute. Demo and benchmark
installations only.
"""

from __future__ import annotations

import http.server
import json
import multiprocessing
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from nokor.infrastructure import monitoring
from nokor.infrastructure.models import Monitor

MARKER = "NOKOR_SEED "


class _Ok(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        pass


def _serve(port: Any) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    port.value = server.server_address[1]
    server.serve_forever()


class Command(BaseCommand):
    help = "Measure the checks per second and the lag of the monitors' check runner (rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--monitors", type=int, default=2000, help="monitors checked every minute")
        parser.add_argument("--minutes", type=int, default=3, help="runs, one a minute (default 3)")
        parser.add_argument("--target", default="", help="URL checked (default: a loopback server)")

    def handle(self, *args, **options):
        if not (settings.DEMO or settings.DEBUG):
            raise CommandError("This benchmark is only for demo installations: set NOKOR_DEMO=1.")
        if options["monitors"] < 1 or options["minutes"] < 1:
            raise CommandError("--monitors and --minutes must be at least 1.")
        server = None
        target = options["target"]
        if not target:
            # Its own process (forked: it touches no database), so the server does not share the
            # runner's interpreter lock.
            context = multiprocessing.get_context("fork")
            port = context.Value("i", 0)
            server = context.Process(target=_serve, args=(port,), daemon=True)
            server.start()
            while not port.value:
                time.sleep(0.05)
            target = f"http://127.0.0.1:{port.value}/"
        try:
            runs = self._measure(options["monitors"], options["minutes"], target)
        finally:
            if server is not None:
                server.terminate()
        checked = sum(run["checked"] for run in runs)
        seconds = sum(run["seconds"] for run in runs)
        summary = {
            "monitors": options["monitors"],
            "minutes": options["minutes"],
            "target": options["target"] or "loopback server",
            "threads": getattr(settings, "INFRA_CHECK_THREADS", 16),
            "checks": checked,
            "checks_per_second": round(checked / seconds, 1) if seconds else None,
            "max_run_seconds": max(run["seconds"] for run in runs),
            "max_lag_seconds": max(run["lag_seconds"] for run in runs),
            "deferred": sum(run["deferred"] for run in runs),
            "kept_up": all(
                run["checked"] == options["monitors"] and run["seconds"] < 60 and not run["deferred"]
                for run in runs
            ),
            "runs": runs,
        }
        self.stdout.write(
            f"{checked:,} checks: {summary['checks_per_second']} checks/s, longest run "
            f"{summary['max_run_seconds']} s, largest lag {summary['max_lag_seconds']} s, "
            f"{'kept up' if summary['kept_up'] else 'DID NOT keep up'}"
        )
        self.stdout.write(MARKER + json.dumps({"monitor_checks": summary}, sort_keys=True))

    def _measure(self, count: int, minutes: int, target: str) -> list[dict[str, Any]]:
        """The runs, one a minute, in a transaction rolled back at the end."""
        runs = []
        with transaction.atomic():
            Monitor.objects.filter(is_active=True).update(is_active=False)
            started = timezone.now()
            Monitor.objects.bulk_create(
                Monitor(
                    name=f"bench {n:05d}",
                    kind=Monitor.Kind.HTTP,
                    target=target,
                    interval_seconds=60,
                    timeout_seconds=5,
                    next_check_at=started,
                )
                for n in range(count)
            )
            clock = time.monotonic()
            for minute in range(minutes):
                time.sleep(max(0.0, clock + 60 * minute - time.monotonic()))
                report = monitoring.run_checks()
                run = {
                    "minute": minute + 1,
                    "checked": report.checked,
                    "deferred": report.deferred,
                    "seconds": round(report.seconds, 2),
                    "checks_per_second": round(report.checked / report.seconds, 1)
                    if report.seconds
                    else None,
                    "lag_seconds": round(report.max_lag_seconds, 2),
                }
                self.stdout.write(
                    f"  minute {run['minute']}: {run['checked']:,} checks in {run['seconds']} s "
                    f"({run['checks_per_second']}/s), lag up to {run['lag_seconds']} s, "
                    f"{run['deferred']} left for later"
                )
                runs.append(run)
            transaction.set_rollback(True)
        return runs
