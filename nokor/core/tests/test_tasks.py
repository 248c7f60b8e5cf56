"""Background work: periodic jobs are queued once per slot; the request id travels into tasks; the worker
yields the processor to pages."""

import datetime as dt
import logging
import os
import subprocess
import sys

import pytest
from django_tasks_db.models import DBTaskResult

from nokor.core import tasks
from nokor.core.context import current_request_id, request_id_var
from nokor.core.models import ScheduledRun

SEEN: list[str] = []


@tasks.background()
def remember_request_id() -> None:
    SEEN.append(current_request_id())
    logging.getLogger("nokor.test").info("inside the task")


def test_periodic_job_is_queued_once_per_slot(db, monkeypatch):
    job = tasks.PeriodicJob("test.job", dt.timedelta(minutes=5), remember_request_id)
    monkeypatch.setattr(tasks, "PERIODIC_JOBS", {"test.job": job})
    now = dt.datetime(2026, 11, 25, 10, 3, tzinfo=dt.UTC)
    assert tasks.run_due_jobs(now) == ["test.job"]
    assert tasks.run_due_jobs(now + dt.timedelta(minutes=1)) == []  # same slot, e.g. a second worker
    assert tasks.run_due_jobs(now + dt.timedelta(minutes=3)) == ["test.job"]  # next slot
    assert ScheduledRun.objects.count() == 2
    assert DBTaskResult.objects.count() == 2


def test_request_id_is_carried_into_the_task_and_its_logs(db, caplog):
    token = request_id_var.set("req-1234567890")
    try:
        tasks.enqueue(remember_request_id)
    finally:
        request_id_var.reset(token)
    result = DBTaskResult.objects.get()
    assert result.args_kwargs["kwargs"]["_request_id"] == "req-1234567890"
    SEEN.clear()
    with caplog.at_level(logging.INFO, logger="nokor.test"):
        remember_request_id.call(**result.args_kwargs["kwargs"])
    assert SEEN == ["req-1234567890"]
    assert current_request_id() == "-"  # restored after the task


@pytest.mark.parametrize(("setting", "niceness"), [("10", 10), ("0", 0)])
def test_the_worker_yields_the_processor_to_pages(setting, niceness):
    """run_worker lowers its own priority by NOKOR_WORKER_NICE (in a child process: not the tests')."""
    code = (
        "import django, os; django.setup(); from nokor.core.worker import yield_to_pages; "
        "before = os.nice(0); print(yield_to_pages() - before)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "nokor.settings", "NOKOR_WORKER_NICE": setting}
    completed = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert int(completed.stdout.split()[-1]) == niceness
