"""Background work on Django Tasks: enqueue with the transaction, retry with back-off, periodic jobs.

* :func:`background` declares a task with retries: a failing attempt is re-enqueued after 30 s, 60 s,
  120 s … until ``max_attempts``. Effects must be idempotent (an idempotency key per effect), so a retry
  or a re-run after a killed worker never repeats what already happened.
* :func:`enqueue` queues a task as part of the current transaction: with the database backend the task
  row is written in the same transaction as the change (atomic; a rollback removes it); with any other
  backend it is queued on commit.
* :func:`periodic` registers a job for the scheduler that runs inside every worker (``run_worker``); the
  (job, slot) unique key lets any number of workers run the scheduler without a job running twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from nokor.core.context import current_request_id, request_id_var

logger = logging.getLogger(__name__)

BACKOFF_SECONDS = 30


def background(*, queue: str = "default", max_attempts: int = 5, priority: int = 0) -> Callable:
    """Declare a background task that retries with exponential back-off and carries the request id."""

    def decorator(func: Callable) -> Any:
        @wraps(func)
        def runner(*args: Any, _attempt: int = 1, _request_id: str = "-", **kwargs: Any) -> Any:
            token = request_id_var.set(_request_id)
            try:
                return func(*args, **kwargs)
            except Exception:
                if _attempt >= max_attempts:
                    logger.exception("task %s failed for good after %s attempts", func.__name__, _attempt)
                    raise
                delay = BACKOFF_SECONDS * 2 ** (_attempt - 1)
                logger.warning("task %s failed (attempt %s), retrying in %ss", func.__name__, _attempt, delay)
                runner_task.using(run_after=timezone.now() + dt.timedelta(seconds=delay)).enqueue(
                    *args, _attempt=_attempt + 1, _request_id=_request_id, **kwargs
                )
                raise
            finally:
                request_id_var.reset(token)

        runner_task = task(queue_name=queue, priority=priority)(runner)
        return runner_task

    return decorator


def enqueue(task_obj: Any, *args: Any, **kwargs: Any) -> None:
    """Queue a task so that it runs only if, and after, the current transaction commits."""
    kwargs.setdefault("_request_id", current_request_id())
    if _backend_shares_database(task_obj):
        task_obj.enqueue(*args, **kwargs)  # same transaction: atomic with the change that caused it
    else:
        transaction.on_commit(lambda: task_obj.enqueue(*args, **kwargs))


def _backend_shares_database(task_obj: Any) -> bool:
    from django_tasks_db import DatabaseBackend

    return isinstance(task_obj.get_backend(), DatabaseBackend)


# --------------------------------------------------------------------------------------------------
# Periodic jobs: the one scheduler (runs inside run_worker)
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: dt.timedelta
    task: Any

    def slot(self, now: dt.datetime) -> dt.datetime:
        seconds = int(self.every.total_seconds())
        epoch = int(now.timestamp())
        return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


PERIODIC_JOBS: dict[str, PeriodicJob] = {}


def periodic(*, every: dt.timedelta, name: str | None = None) -> Callable:
    """Register a background task to be queued once per `every` (aligned to the clock)."""

    def decorator(task_obj: Any) -> Any:
        job_name = name or task_obj.module_path
        PERIODIC_JOBS[job_name] = PeriodicJob(job_name, every, task_obj)
        return task_obj

    return decorator


def run_due_jobs(now: dt.datetime | None = None) -> list[str]:
    """Queue every periodic job whose current slot has not been queued yet; returns the names queued."""
    from nokor.core.models import ScheduledRun

    now = now or timezone.now()
    queued = []
    for job in PERIODIC_JOBS.values():
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=job.name, slot=job.slot(now))
                enqueue(job.task)
        except IntegrityError:
            continue  # another worker's scheduler queued this slot already
        queued.append(job.name)
    return queued
