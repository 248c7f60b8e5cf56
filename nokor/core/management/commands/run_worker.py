"""Start a background worker: the Django Tasks database worker plus heartbeat, scheduler and recovery."""

from __future__ import annotations

import uuid

from django.core.management.base import BaseCommand
from django_tasks_db.management.commands.db_worker import Worker

from nokor.core.worker import Housekeeper, yield_to_pages


class Command(BaseCommand):
    help = "Run a background worker (tasks, periodic jobs, heartbeat). Stop with SIGTERM or Ctrl+C."

    def add_arguments(self, parser):
        parser.add_argument("--queues", default="*", help="comma-separated queue names, or * for all")
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls when idle")
        parser.add_argument("--batch", action="store_true", help="exit when no task is left (for tests)")
        parser.add_argument("--no-scheduler", action="store_true", help="do not queue periodic jobs")
        parser.add_argument("--worker-id", default=None)

    def handle(self, *args, **options):
        yield_to_pages()
        worker_id = options["worker_id"] or uuid.uuid4().hex[:16]
        housekeeper = Housekeeper(worker_id, scheduler=not options["no_scheduler"])
        housekeeper.start()
        worker = Worker(
            queue_names=options["queues"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        self.stdout.write(f"worker {worker_id} started")
        try:
            worker.run()
        finally:
            housekeeper.stop()
