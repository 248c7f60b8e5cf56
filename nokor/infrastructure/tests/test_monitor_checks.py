"""The probes against servers started on loopback: each kind up and down, keyword, status, and the
TLS certificate's expiry (read also when the certificate is rejected)."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from nokor.infrastructure.checks import ProbeSpec, probe_dns, run_probe
from nokor.infrastructure.tests.monitoring_servers import LoopbackServer, closed_port, tls_server


@pytest.fixture
def server():
    running = LoopbackServer()
    yield running
    running.stop()


def test_http_up_with_status_time_and_keyword(server):
    result = run_probe(ProbeSpec(kind="http", target=server.url, timeout=5, keyword="Nokor works"))
    assert result.up
    assert result.status_code == 200
    assert result.response_ms is not None


def test_http_down_on_server_error(server):
    server.page.status = 500
    result = run_probe(ProbeSpec(kind="http", target=server.url, timeout=5))
    assert not result.up
    assert result.status_code == 500
    assert result.error == "HTTP 500"


def test_http_down_when_keyword_missing_or_status_unexpected(server):
    assert run_probe(ProbeSpec(kind="http", target=server.url, timeout=5, keyword="Maintenance")).error == (
        "keyword not found"
    )
    assert not run_probe(ProbeSpec(kind="http", target=server.url, timeout=5, expected_status=204)).up


def test_http_down_when_nobody_listens():
    result = run_probe(ProbeSpec(kind="http", target=f"http://127.0.0.1:{closed_port()}/", timeout=2))
    assert not result.up
    assert "Connection" in result.error or "refused" in result.error.lower()


def test_tcp_up_and_down(server):
    assert run_probe(ProbeSpec(kind="tcp", target=f"127.0.0.1:{server.port}", timeout=2)).up
    down = run_probe(ProbeSpec(kind="tcp", target=f"127.0.0.1:{closed_port()}", timeout=2))
    assert not down.up and down.error


def test_dns_up_and_down_on_the_expected_address():
    assert run_probe(ProbeSpec(kind="dns", target="localhost", timeout=2)).up
    assert run_probe(ProbeSpec(kind="dns", target="localhost", timeout=2, keyword="127.0.0.1")).up
    wrong = run_probe(ProbeSpec(kind="dns", target="localhost", timeout=2, keyword="192.0.2.1"))
    assert not wrong.up
    assert wrong.error.startswith("resolved to")


def test_dns_gives_up_after_the_timeout_when_the_resolver_hangs():
    def hanging_resolver(*args, **kwargs):
        time.sleep(3)
        return []

    started = time.monotonic()
    result = probe_dns(ProbeSpec(kind="dns", target="slow.example.invalid", timeout=0.3), hanging_resolver)
    assert time.monotonic() - started < 1.5
    assert not result.up
    assert result.error.startswith("TimeoutError")


def test_https_reports_when_the_certificate_expires(tmp_path):
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=5)).replace(microsecond=0)
    server, ca_file = tls_server(tmp_path, not_after=expires)
    try:
        result = run_probe(ProbeSpec(kind="http", target=server.url, timeout=5, ca_file=ca_file))
    finally:
        server.stop()
    assert result.up
    assert result.cert_expires_at == expires


def test_https_with_an_expired_certificate_is_down_with_its_date(tmp_path):
    expired = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).replace(microsecond=0)
    server, ca_file = tls_server(tmp_path, not_after=expired, not_before=expired - dt.timedelta(days=2))
    try:
        result = run_probe(ProbeSpec(kind="http", target=server.url, timeout=5, ca_file=ca_file))
    finally:
        server.stop()
    assert not result.up
    assert "expired" in result.error
    assert result.cert_expires_at == expired
