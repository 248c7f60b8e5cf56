"""The primary/replica router: which database each read goes to (unit), and, on a real PostgreSQL primary
with a streaming replica made with pg_basebackup on loopback, what a reader sees (integration)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import resolve, reverse

from nokor.core.db_router import (
    PIN_COOKIE,
    REPLICA,
    PrimaryPinMiddleware,
    PrimaryReplicaRouter,
    reads_alias,
    replica_health,
    replica_reads,
)

ROOT = Path(__file__).resolve().parents[3]
PRIMARY_PORT, REPLICA_PORT = 55437, 55438
with_replica = override_settings(DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:55438/nokor")


@pytest.fixture(autouse=True)
def _fresh_health():
    replica_health.forget()
    yield
    replica_health.forget()


@replica_reads
def where_reads_go(request):
    """A marked view answering where its reads go, before and after a write."""
    before = reads_alias()
    if request.GET.get("write"):
        PrimaryReplicaRouter().db_for_write(None)
    return HttpResponse(f"{before} {reads_alias()}")


def answer(request) -> list[str]:
    return where_reads_go(request).content.decode().split()


# --------------------------------------------------------------------------------------------------
# Routing decisions
# --------------------------------------------------------------------------------------------------
@with_replica
def test_marked_view_reads_from_a_healthy_replica_until_it_writes():
    replica_health.record(usable=True, lag_seconds=0.2)
    assert answer(RequestFactory().get("/")) == [REPLICA, REPLICA]
    assert answer(RequestFactory().get("/?write=1")) == [REPLICA, DEFAULT_DB_ALIAS]


@with_replica
def test_reads_outside_a_marked_view_stay_on_the_primary():
    replica_health.record(usable=True, lag_seconds=0)
    assert reads_alias() == DEFAULT_DB_ALIAS
    assert PrimaryReplicaRouter().db_for_read(None) == DEFAULT_DB_ALIAS


@with_replica
def test_a_form_sent_to_a_marked_view_is_handled_on_the_primary():
    replica_health.record(usable=True, lag_seconds=0)
    assert answer(RequestFactory().post("/")) == [DEFAULT_DB_ALIAS, DEFAULT_DB_ALIAS]


@with_replica
def test_a_lagging_or_unreachable_replica_is_not_read():
    replica_health.record(usable=False, lag_seconds=60)
    assert answer(RequestFactory().get("/")) == [DEFAULT_DB_ALIAS, DEFAULT_DB_ALIAS]


def test_without_a_replica_everything_reads_from_the_primary():
    replica_health.record(usable=True, lag_seconds=0)
    assert answer(RequestFactory().get("/")) == [DEFAULT_DB_ALIAS, DEFAULT_DB_ALIAS]


@with_replica
def test_a_client_that_sent_a_form_is_pinned_to_the_primary_for_a_while():
    replica_health.record(usable=True, lag_seconds=0)
    post = RequestFactory().post("/")
    response = PrimaryPinMiddleware(lambda request: HttpResponse())(post)
    pin = response.cookies[PIN_COOKIE]
    assert pin["max-age"] == settings.REPLICA_PIN_SECONDS
    assert pin["httponly"]
    pinned = RequestFactory().get("/")
    pinned.COOKIES[PIN_COOKIE] = pin.value
    assert answer(pinned) == [DEFAULT_DB_ALIAS, DEFAULT_DB_ALIAS]
    forged = RequestFactory().get("/")
    forged.COOKIES[PIN_COOKIE] = "1"  # not signed: ignored
    assert answer(forged) == [REPLICA, REPLICA]
    with override_settings(REPLICA_PIN_SECONDS=-1):  # the pin has expired
        assert answer(pinned) == [REPLICA, REPLICA]


@with_replica
def test_reading_pages_set_no_pin():
    response = PrimaryPinMiddleware(lambda request: HttpResponse())(RequestFactory().get("/"))
    assert PIN_COOKIE not in response.cookies


def test_no_pin_without_a_replica():
    response = PrimaryPinMiddleware(lambda request: HttpResponse())(RequestFactory().post("/"))
    assert PIN_COOKIE not in response.cookies


def test_only_the_primary_is_migrated():
    router = PrimaryReplicaRouter()
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "services")
    assert not router.allow_migrate(REPLICA, "services")


@pytest.mark.parametrize(
    "url_name",
    [
        "strategy:dashboard",
        "strategy:public",
        "opendata:catalogue",
        "services:performance",
        "infrastructure:status",
        "cyber:statistics",
    ],
)
def test_read_only_pages_are_marked_and_keep_their_access_rule(url_name):
    callback = resolve(reverse(url_name)).func
    assert getattr(callback, "replica_reads", False)
    assert callback.access_rule is not None


@pytest.mark.django_db
def test_a_worker_is_alive_before_it_claims_a_task():
    """Another worker's recovery re-queues the running tasks of workers without a fresh heartbeat: the
    first heartbeat comes before the worker's loop claims anything (in `make topology`, a task claimed in
    that moment was run a second time)."""
    from nokor.core.models import WorkerHeartbeat
    from nokor.core.worker import Housekeeper

    class Silent(Housekeeper):
        def run(self) -> None:  # no heartbeat from the thread: only the one written by start()
            return

    keeper = Silent("worker-starting", scheduler=False)
    keeper.start()
    keeper.join()
    assert WorkerHeartbeat.objects.filter(worker_id="worker-starting").exists()


# --------------------------------------------------------------------------------------------------
# A real primary and streaming replica
# --------------------------------------------------------------------------------------------------
def _bench_services():
    """bench/services.py, which starts the clusters for the benchmarks too (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_services", ROOT / "bench" / "services.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def topology():
    services = _bench_services()
    if not (services.PG_BIN / "pg_basebackup").exists():
        pytest.skip(f"PostgreSQL 15 binaries not in {services.PG_BIN}")
    for port in (PRIMARY_PORT, REPLICA_PORT):
        if services.port_in_use(port):
            pytest.skip(f"port {port} is in use")
    workdir = Path(tempfile.mkdtemp(prefix="nokor-replica-"))
    workdir.chmod(0o755)  # postgres must be able to traverse it
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nokor.settings",
        "NOKOR_DEBUG": "1",
        "NOKOR_DATA_DIR": str(workdir / "data"),
        "NOKOR_REPLICA_ROOT": str(workdir / "replica"),
    }
    try:
        with ExitStack() as stack:
            primary = stack.enter_context(services.postgres_cluster(workdir, PRIMARY_PORT, "nokor"))
            env["DATABASE_URL"] = primary.url("nokor")
            replica = stack.enter_context(services.streaming_replica(primary, workdir, REPLICA_PORT))
            env["DATABASE_REPLICA_URL"] = replica.url("nokor")
            yield env
            services.stop_postgres(workdir / "pg", mode="immediate")  # a throw-away: no shutdown checkpoint
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


PROBE = "import django; django.setup(); from nokor.core.tests import test_db_router; test_db_router.probe()"


def test_a_real_replica_serves_read_only_pages_and_the_primary_serves_what_a_client_just_did(topology):
    probe = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=topology,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    seen = json.loads(probe.stdout.strip().splitlines()[-1])
    assert seen == {
        "replica caught up with the first write": True,
        "a visitor reads the page from the paused replica": {"first": True, "second": False},
        "the client that sent a form reads from the primary": {"first": True, "second": True},
        "the replica resumed: the visitor sees the second write": True,
        "a replica lagging beyond the bound is not read": {"third": True},
        "replica stopped during a request: served from the primary": {"status": 200, "third": True},
        "the replica is then marked unusable": False,
        "a later request, replica still down: served from the primary": {"status": 200, "third": True},
    }


def probe() -> None:
    """Run in a process configured with DATABASE_URL (primary) and DATABASE_REPLICA_URL (replica): write,
    read through the performance page as a visitor and as a client that just sent a form, with the
    replica's replay paused (so what it serves is visibly older), lagging, then stopped. Prints JSON."""
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    from nokor.services.models import PerformanceAggregate, ResponsibleLevel, Service

    # The tables straight from the models, as Django's test runner does with MIGRATE False (seconds,
    # where running every migration takes a minute on a busy machine); the replica receives them.
    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    with connections["default"].cursor() as cursor:  # what migration core.0004 makes, for the indexes
        cursor.execute("CREATE COLLATION IF NOT EXISTS khmer (provider = icu, locale = 'km-KH')")
    call_command("migrate", run_syncdb=True, verbosity=0)
    page = reverse("services:performance")

    def publish(slug: str) -> None:
        service = Service.objects.create(
            slug=slug, name_km=slug, name_en=slug, summary_km="-", summary_en="-", eligibility_km="-",
            eligibility_en="-", processing_days=5, responsible_level=ResponsibleLevel.NATIONAL,
        )  # fmt: skip
        PerformanceAggregate.objects.create(service=service, period=PerformanceAggregate.LAST_12_MONTHS)

    def on_replica(sql: str) -> object:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]

    def wait_caught_up() -> bool:
        for _attempt in range(100):
            if on_replica("SELECT pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()"):
                return True
            time.sleep(0.05)
        return False

    def shows(client: Client, *slugs: str) -> dict[str, bool]:
        html = client.get(page).content.decode()
        return {slug: f"?service={slug}#" in html for slug in slugs}

    seen: dict[str, object] = {}
    visitor, writer = Client(), Client()
    publish("first")
    seen["replica caught up with the first write"] = wait_caught_up() and bool(
        on_replica("SELECT COUNT(*) FROM services_service WHERE slug = 'first'")
    )
    on_replica("SELECT pg_wal_replay_pause()::text")
    publish("second")
    seen["a visitor reads the page from the paused replica"] = shows(visitor, "first", "second")
    writer.post(page)  # any form sent pins the client to the primary, whatever the page did with it
    seen["the client that sent a form reads from the primary"] = shows(writer, "first", "second")
    on_replica("SELECT pg_wal_replay_resume()::text")
    wait_caught_up()
    seen["the replica resumed: the visitor sees the second write"] = shows(visitor, "second")["second"]

    on_replica("SELECT pg_wal_replay_pause()::text")
    time.sleep(1.1)
    publish("third")
    for _attempt in range(100):  # received, not replayed: the replica is behind
        if not on_replica("SELECT pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()"):
            break
        time.sleep(0.05)
    with override_settings(REPLICA_MAX_LAG_SECONDS=1):
        replica_health.forget()
        seen["a replica lagging beyond the bound is not read"] = shows(visitor, "third")
    on_replica("SELECT pg_wal_replay_resume()::text")
    wait_caught_up()

    replica_health.record(
        usable=True, lag_seconds=0
    )  # the last check said usable: the failure is mid-request
    _bench_services().stop_postgres(Path(os.environ["NOKOR_REPLICA_ROOT"]))
    connections[REPLICA].close()
    response = visitor.get(page)
    seen["replica stopped during a request: served from the primary"] = {
        "status": response.status_code,
        "third": "?service=third#" in response.content.decode(),
    }
    seen["the replica is then marked unusable"] = replica_health.current().usable
    replica_health.forget()  # the next request checks the replica again: unreachable
    response = visitor.get(page)
    seen["a later request, replica still down: served from the primary"] = {
        "status": response.status_code,
        "third": "?service=third#" in response.content.decode(),
    }
    print(json.dumps(seen))  # noqa: T201 - the probe's answer to the test
