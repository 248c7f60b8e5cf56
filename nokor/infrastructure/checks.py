"""The probes of the uptime monitors: one plug-in per kind of monitor, all with one interface.

A probe takes a :class:`ProbeSpec` (plain data copied from the monitor, so a probe never touches the
database and can run in any thread) and returns a :class:`ProbeResult`: up or down, the response time,
the HTTP status, a short reason when down and, for HTTPS, when the server's certificate expires.

Every probe is bounded by the monitor's timeout (connect, TLS handshake and every read; an HTTP body is
read for at most the timeout in total and at most :data:`MAX_BODY_BYTES`). Only the standard library is
used (``http.client``, ``ssl``, ``socket``); the certificate's expiry is read with ``cryptography``
(already a dependency for document signatures), also when verification fails, so an expired or
soon-expiring certificate is reported with its date.

To add a kind: write ``def probe_<kind>(spec) -> ProbeResult``, add it to :data:`PROBES` and to
``Monitor.Kind``.
"""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509

MAX_BODY_BYTES = 1024 * 1024  # a keyword is looked for in the first megabyte of the page
USER_AGENT = "Nokor-uptime-monitor/1"


@dataclass(frozen=True)
class ProbeSpec:
    """What to check and how, copied from a monitor."""

    kind: str  # "http" | "tcp" | "dns"
    target: str  # URL, host:port or host name
    timeout: float = 10.0
    expected_status: int | None = None  # None: any 2xx or 3xx
    keyword: str = ""  # HTTP: text the page must contain; DNS: an address the name must resolve to
    ca_file: str | None = None  # extra trusted certificates (a private CA; the tests' own CA)


@dataclass(frozen=True)
class ProbeResult:
    """The outcome of one check."""

    up: bool
    response_ms: int | None = None
    status_code: int | None = None
    error: str = ""
    cert_expires_at: dt.datetime | None = None


def run_probe(spec: ProbeSpec) -> ProbeResult:
    """Run the probe of ``spec.kind``; an unexpected failure is a "down" with its reason, never a crash."""
    probe = PROBES.get(spec.kind)
    if probe is None:
        return ProbeResult(up=False, error=f"unknown monitor kind {spec.kind!r}")
    try:
        return probe(spec)
    except Exception as exc:  # a probe must always answer: the reason is shown to staff
        return ProbeResult(up=False, error=_reason(exc))


def _reason(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text[:300]


def _ms(started: float) -> int:
    return max(0, round((time.perf_counter() - started) * 1000))


# --------------------------------------------------------------------------------------------------
# HTTP(S)
# --------------------------------------------------------------------------------------------------
def _tls_context(spec: ProbeSpec) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if spec.ca_file:
        context.load_verify_locations(cafile=spec.ca_file)
    return context


def certificate_expiry(der: bytes | None) -> dt.datetime | None:
    """When the DER-encoded certificate stops being valid (UTC), or None without a certificate."""
    if not der:
        return None
    return x509.load_der_x509_certificate(der).not_valid_after_utc


def read_certificate_expiry(host: str, port: int, timeout: float) -> dt.datetime | None:
    """The expiry of the certificate a TLS server presents, read WITHOUT verifying it (used when the
    verified handshake failed, to tell "expired on …" from other certificate errors)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # noqa: S503 - only to read the date of a certificate we rejected
    with (
        socket.create_connection((host, port), timeout=timeout) as raw,
        context.wrap_socket(raw, server_hostname=_sni(host)) as tls,
    ):
        return certificate_expiry(tls.getpeercert(binary_form=True))


def _sni(host: str) -> str | None:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host
    return None  # no SNI for an address


def probe_http(spec: ProbeSpec) -> ProbeResult:
    """GET the URL (no redirects followed): up when the status is the expected one (any 2xx/3xx when
    none is set) and the page contains the keyword; HTTPS also reports the certificate's expiry."""
    url = urlsplit(spec.target)
    if url.scheme not in ("http", "https") or not url.hostname:
        return ProbeResult(up=False, error="not an http(s) URL")
    secure = url.scheme == "https"
    port = url.port or (443 if secure else 80)
    path = (url.path or "/") + (f"?{url.query}" if url.query else "")
    if secure:
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            url.hostname, port, timeout=spec.timeout, context=_tls_context(spec)
        )
    else:
        connection = http.client.HTTPConnection(url.hostname, port, timeout=spec.timeout)
    started = time.perf_counter()
    expires = None
    try:
        try:
            connection.connect()
        except ssl.SSLCertVerificationError as exc:
            expires = _expiry_or_none(url.hostname, port, spec.timeout)
            return ProbeResult(
                up=False, response_ms=_ms(started), error=_reason(exc)[:300], cert_expires_at=expires
            )
        if secure:
            expires = certificate_expiry(connection.sock.getpeercert(binary_form=True))
        connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
        response = connection.getresponse()
        body = _read_body(response, started + spec.timeout) if spec.keyword else b""
        elapsed = _ms(started)
    finally:
        connection.close()
    status = response.status
    if spec.expected_status is not None:
        status_ok = status == spec.expected_status
    else:
        status_ok = 200 <= status < 400
    if not status_ok:
        return ProbeResult(
            up=False, response_ms=elapsed, status_code=status, error=f"HTTP {status}", cert_expires_at=expires
        )
    if spec.keyword and spec.keyword.encode() not in body:
        return ProbeResult(
            up=False,
            response_ms=elapsed,
            status_code=status,
            error="keyword not found",
            cert_expires_at=expires,
        )
    return ProbeResult(up=True, response_ms=elapsed, status_code=status, cert_expires_at=expires)


def _expiry_or_none(host: str, port: int, timeout: float) -> dt.datetime | None:
    try:
        return read_certificate_expiry(host, port, timeout)
    except (OSError, ValueError):
        return None


def _read_body(response: http.client.HTTPResponse, deadline: float) -> bytes:
    """At most MAX_BODY_BYTES, and no longer than the timeout in total (a server that trickles bytes
    would otherwise hold the probe for a timeout per read)."""
    chunks, size = [], 0
    while size < MAX_BODY_BYTES:
        if time.perf_counter() > deadline:
            raise TimeoutError("the page took longer than the timeout")
        chunk = response.read1(65536)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)[:MAX_BODY_BYTES]


# --------------------------------------------------------------------------------------------------
# TCP port
# --------------------------------------------------------------------------------------------------
def split_host_port(target: str) -> tuple[str, int]:
    """``host:port`` or ``[v6 address]:port``."""
    host, sep, port = target.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("expected host:port")
    return host.strip("[]"), int(port)


def probe_tcp(spec: ProbeSpec) -> ProbeResult:
    """Up when a TCP connection to host:port opens within the timeout."""
    try:
        host, port = split_host_port(spec.target)
    except ValueError as exc:
        return ProbeResult(up=False, error=str(exc))
    started = time.perf_counter()
    try:
        with socket.create_connection((host, port), timeout=spec.timeout):
            elapsed = _ms(started)
    except OSError as exc:
        return ProbeResult(up=False, response_ms=_ms(started), error=_reason(exc))
    return ProbeResult(up=True, response_ms=elapsed)


# --------------------------------------------------------------------------------------------------
# DNS resolution
# --------------------------------------------------------------------------------------------------
def resolve_within(name: str, timeout: float, resolve: Callable = socket.getaddrinfo) -> list:
    """``getaddrinfo`` of ``name``, given up after ``timeout`` seconds (``getaddrinfo`` has no timeout of
    its own and a dead resolver holds it for tens of seconds): it runs in a daemon thread, left to finish
    on its own when too slow. Raises ``TimeoutError`` then."""
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            outcome["answers"] = resolve(name, None, proto=socket.IPPROTO_TCP)
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="monitor-dns", daemon=True).start()
    if not done.wait(timeout):
        raise TimeoutError(f"no answer within {timeout:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["answers"]


def probe_dns(spec: ProbeSpec, resolve: Callable = socket.getaddrinfo) -> ProbeResult:
    """Up when the name resolves (through the system resolver) within the timeout and, when an expected
    address is set (``keyword``), that address is among the answers."""
    name = spec.target.strip().rstrip(".")
    if not name:
        return ProbeResult(up=False, error="no name")
    started = time.perf_counter()
    try:
        answers = resolve_within(name, spec.timeout, resolve)
    except (OSError, UnicodeError) as exc:
        return ProbeResult(up=False, response_ms=_ms(started), error=_reason(exc))
    elapsed = _ms(started)
    addresses = {str(info[4][0]) for info in answers}
    if spec.keyword and spec.keyword.strip() not in addresses:
        found = ", ".join(sorted(addresses))[:200]
        return ProbeResult(up=False, response_ms=elapsed, error=f"resolved to {found}")
    return ProbeResult(up=True, response_ms=elapsed)


PROBES: dict[str, Callable[[ProbeSpec], ProbeResult]] = {
    "http": probe_http,
    "tcp": probe_tcp,
    "dns": probe_dns,
}
