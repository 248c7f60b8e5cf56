"""/healthz reports each part; /metrics speaks the Prometheus text format."""

from django.utils import timezone

from nokor.core.models import WorkerHeartbeat


def test_healthz_reports_a_stopped_worker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 503
    data = response.json()
    assert data["checks"]["database"]["status"] == "ok"
    assert data["checks"]["worker"]["status"] == "error"


def test_healthz_is_ok_with_a_live_worker(client, db):
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="w1", hostname="h", pid=1, started_at=now, seen_at=now)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_healthz_reports_a_worker_whose_heartbeat_is_stale(client, db, settings):
    old = timezone.now() - timezone.timedelta(seconds=settings.WORKER_HEARTBEAT_SECONDS * 10)
    WorkerHeartbeat.objects.create(worker_id="w1", hostname="h", pid=1, started_at=old, seen_at=old)
    assert client.get("/healthz").json()["checks"]["worker"]["status"] == "error"


def test_metrics_exposes_requests_and_queue_depth(client, db):
    client.get("/")
    body = client.get("/metrics").content.decode()
    assert "nokor_http_requests_total" in body
    assert "nokor_task_queue_depth" in body
    assert "nokor_task_failures" in body


def test_every_response_carries_a_request_id_and_security_headers(client, db):
    response = client.get("/")
    assert len(response["X-Request-ID"]) >= 16
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
