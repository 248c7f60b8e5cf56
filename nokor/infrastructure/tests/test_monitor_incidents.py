"""Running the monitors: concurrent checks written in bulk, incidents opened and closed at the
thresholds with the owner notified, maintenance windows, and the risks raised automatically."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nokor.audit.models import AuditEvent
from nokor.infrastructure import monitoring
from nokor.infrastructure.models import CheckResult, DigitalSystem, Incident, Monitor, Risk
from nokor.infrastructure.tests.monitoring_servers import LoopbackServer, tls_server
from nokor.notifications.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def server():
    running = LoopbackServer()
    yield running
    running.stop()


@pytest.fixture
def system(infrastructure_officer):
    return DigitalSystem.objects.create(
        name="Nokor",
        url="https://nokor.gov.kh/",
        accountable_person=infrastructure_officer,
        is_public_facing=True,
    )


def _monitor(system, target, **fields):
    return monitoring.monitor_create(
        by=None,
        system=system,
        name=fields.pop("name", "Nokor website"),
        kind=fields.pop("kind", Monitor.Kind.HTTP),
        target=target,
        failure_threshold=fields.pop("failure_threshold", 2),
        success_threshold=fields.pop("success_threshold", 2),
        is_public=True,
        public_name_km="ណគរ",
        public_name_en="Nokor",
        **fields,
    )


def _run(monitor):
    Monitor.objects.filter(pk=monitor.pk).update(next_check_at=timezone.now() - dt.timedelta(seconds=1))
    report = monitoring.run_checks()
    monitor.refresh_from_db()
    return report


def test_due_monitors_are_checked_concurrently_and_written_in_bulk(
    server, system, django_assert_max_num_queries
):
    monitors = [_monitor(system, server.url, name=f"m{n}") for n in range(12)]
    Monitor.objects.update(next_check_at=timezone.now() - dt.timedelta(seconds=1))
    with django_assert_max_num_queries(12):
        report = monitoring.run_checks()
    assert report.checked == 12
    assert CheckResult.objects.filter(up=True).count() == 12
    for monitor in monitors:
        monitor.refresh_from_db()
        assert monitor.last_state == Monitor.State.UP
        assert monitor.next_check_at > timezone.now()
    assert monitoring.run_checks().checked == 0  # nothing due any more


def test_next_check_is_planned_from_when_it_was_due_and_the_lag_reported(server, system):
    monitor = _monitor(system, server.url, interval_seconds=60)
    due = timezone.now() - dt.timedelta(seconds=5)
    Monitor.objects.filter(pk=monitor.pk).update(next_check_at=due)
    report = monitoring.run_checks()
    monitor.refresh_from_db()
    # Due again a minute after it was due (not after it ran): the job of the next minute checks it.
    assert monitor.next_check_at == due + dt.timedelta(seconds=60)
    assert 5 <= report.max_lag_seconds < 30
    # A whole interval late, it is planned from now instead of piling up checks.
    Monitor.objects.filter(pk=monitor.pk).update(next_check_at=timezone.now() - dt.timedelta(minutes=3))
    monitoring.run_checks()
    monitor.refresh_from_db()
    assert monitor.next_check_at > timezone.now() + dt.timedelta(seconds=50)


def test_a_run_out_of_time_leaves_the_rest_due(server, system):
    _monitor(system, server.url)
    report = monitoring.run_checks(budget_seconds=-1)
    assert report.checked == 0 and report.deferred == 1
    assert Monitor.objects.get().next_check_at <= timezone.now()


def test_incident_opens_after_n_failures_and_closes_after_n_successes(server, system, infrastructure_officer):
    monitor = _monitor(system, server.url)
    server.page.status = 503
    _run(monitor)
    assert not Incident.objects.exists()  # one failure is not an outage
    _run(monitor)
    incident = Incident.objects.get(monitor=monitor)
    assert incident.is_open and incident.is_public
    assert Message.objects.filter(
        user=infrastructure_officer, event="infrastructure.incident_opened"
    ).exists()
    assert AuditEvent.objects.filter(action="infrastructure.incident_open").exists()
    _run(monitor)
    assert Incident.objects.filter(monitor=monitor).count() == 1  # still the same one
    server.page.status = 200
    _run(monitor)
    incident.refresh_from_db()
    assert incident.is_open
    _run(monitor)
    incident.refresh_from_db()
    assert not incident.is_open
    assert Message.objects.filter(
        user=infrastructure_officer, event="infrastructure.incident_resolved"
    ).exists()


def test_maintenance_window_suppresses_incident_and_alert(server, system, infrastructure_officer):
    monitor = _monitor(system, server.url)
    now = timezone.now()
    monitoring.maintenance_create(
        by=infrastructure_officer,
        system=system,
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=1),
        reason="Database upgrade",
    )
    server.page.status = 503
    _run(monitor)
    _run(monitor)
    _run(monitor)
    assert monitor.last_state == Monitor.State.DOWN
    assert not Incident.objects.exists()
    assert not Message.objects.filter(event="infrastructure.incident_opened").exists()


def test_repeated_outages_raise_one_risk(server, system):
    monitor = _monitor(system, server.url, failure_threshold=1, success_threshold=1)
    for _ in range(4):
        server.page.status = 503
        _run(monitor)
        server.page.status = 200
        _run(monitor)
    assert Incident.objects.filter(monitor=monitor).count() == 4
    risk = Risk.objects.get(source=Risk.Source.OUTAGES)
    assert risk.evidence_monitor == monitor
    assert list(risk.systems.all()) == [system]
    assert risk.score == 12 and risk.level == Risk.Level.HIGH


def test_expiring_certificate_is_detected_and_raises_a_risk_once(tmp_path, settings, system):
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=5)).replace(microsecond=0)
    server, ca_file = tls_server(tmp_path, not_after=expires)
    settings.INFRA_MONITOR_CA_FILE = ca_file
    try:
        monitor = _monitor(system, server.url, tls_warning_days=14)
        _run(monitor)
        _run(monitor)
    finally:
        server.stop()
    assert monitor.last_state == Monitor.State.UP
    assert monitor.cert_expires_at == expires
    risk = Risk.objects.get(source=Risk.Source.TLS_EXPIRY)
    assert risk.evidence_monitor == monitor
    assert risk.owner == system.accountable_person
    assert risk.review_date == timezone.localtime(expires).date()


def test_certificate_far_from_expiry_raises_nothing(tmp_path, settings, system):
    server, ca_file = tls_server(tmp_path, not_after=dt.datetime.now(dt.UTC) + dt.timedelta(days=200))
    settings.INFRA_MONITOR_CA_FILE = ca_file
    try:
        _run(_monitor(system, server.url, tls_warning_days=14))
    finally:
        server.stop()
    assert not Risk.objects.exists()


def test_the_periodic_job_runs_the_checks(server, system):
    from nokor.core.tasks import PERIODIC_JOBS
    from nokor.infrastructure.tasks_monitoring import run_checks

    _monitor(system, server.url)
    assert PERIODIC_JOBS["infrastructure.run_checks"].every == dt.timedelta(minutes=1)
    assert run_checks.call()["checked"] == 1
