"""The worker's housekeeping beside the task loop: heartbeat, the scheduler, and re-queueing the tasks
of workers that died mid-task (SIGKILL, power loss), so every task runs to completion at least once.
Effects are idempotent, so "at least once" is "once" in effect."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from nokor.core.models import WorkerHeartbeat
from nokor.core.tasks import run_due_jobs

logger = logging.getLogger(__name__)


def yield_to_pages() -> int:
    """Lower this process's scheduling priority by ``WORKER_NICE`` (a worker's monitor runs, PDF
    renderings and roll-ups then wait for the processor while a page is being made, where both share a
    machine); returns the niceness now."""
    return os.nice(settings.WORKER_NICE)


def stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=3 * settings.WORKER_HEARTBEAT_SECONDS)


def beat(worker_id: str, started_at: dt.datetime) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname(),
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": now,
        },
    )


def requeue_orphaned_tasks() -> int:
    """Put back to READY the tasks marked RUNNING by a worker whose heartbeat has gone stale."""
    from django_tasks_db.models import DBTaskResult

    live = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - stale_after()).values_list(
            "worker_id", flat=True
        )
    )
    requeued = 0
    with transaction.atomic():
        for result in DBTaskResult.objects.running().select_for_update(skip_locked=True):
            owner = result.worker_ids[-1] if result.worker_ids else None
            if owner in live:
                continue
            result.status = "READY"
            result.started_at = None
            result.save(update_fields=["status", "started_at"])
            requeued += 1
            logger.warning("re-queued task %s of dead worker %s", result.id, owner)
    WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - dt.timedelta(days=1)).delete()
    return requeued


class Housekeeper(threading.Thread):
    """Runs beside the worker loop: heartbeat, due periodic jobs, orphan recovery."""

    def __init__(self, worker_id: str, *, scheduler: bool = True) -> None:
        super().__init__(name="nokor-housekeeper", daemon=True)
        self.worker_id = worker_id
        self.scheduler = scheduler
        self.started_at = timezone.now()
        self.stopping = threading.Event()
        autodiscover_modules("tasks")  # registers every app's periodic jobs

    def start(self) -> None:
        # The first heartbeat before the worker claims anything: another worker's recovery would otherwise
        # take a task claimed in the moment before it for a dead worker's, and run it a second time.
        beat(self.worker_id, self.started_at)
        super().start()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                close_old_connections()
                beat(self.worker_id, self.started_at)
                requeue_orphaned_tasks()
                if self.scheduler:
                    run_due_jobs()
            except Exception:
                logger.exception("worker housekeeping failed; will try again")
            self.stopping.wait(settings.WORKER_HEARTBEAT_SECONDS)

    def stop(self) -> None:
        self.stopping.set()
        WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
