"""Prometheus metrics: request counts and latencies (recorded per request), queue depth and task
failures (read from the database at scrape time, so every worker reports the same numbers).

With several web processes, set PROMETHEUS_MULTIPROC_DIR to a shared empty folder: prometheus-client
then aggregates the per-process request metrics (see README, "Production").
"""

from __future__ import annotations

import os

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

REQUESTS = Counter("nokor_http_requests_total", "HTTP requests served", ["view", "method", "status"])
LATENCY = Histogram(
    "nokor_http_request_seconds",
    "Time to serve an HTTP request",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def observe_request(*, view: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(view=view, method=method, status=str(status)).inc()
    LATENCY.labels(view=view).observe(seconds)


class TaskQueueCollector:
    """Queue depth per queue and failed tasks, counted in the task table."""

    def collect(self):
        from django.db.models import Count
        from django_tasks_db.models import DBTaskResult

        depth = GaugeMetricFamily("nokor_task_queue_depth", "Tasks waiting to run", labels=["queue"])
        rows = DBTaskResult.objects.filter(status="READY").values("queue_name").annotate(n=Count("id"))
        for row in rows:
            depth.add_metric([row["queue_name"]], row["n"])
        yield depth
        failed = GaugeMetricFamily("nokor_task_failures", "Tasks that failed (kept until pruned)")
        failed.add_metric([], DBTaskResult.objects.filter(status="FAILED").count())
        yield failed


def render() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    queue = CollectorRegistry()
    queue.register(TaskQueueCollector())
    return body + generate_latest(queue)
