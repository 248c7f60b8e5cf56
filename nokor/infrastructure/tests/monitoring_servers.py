"""Servers the monitor tests check, all on loopback (never the network): an HTTP server whose answer
the test changes, a TLS server with a short-lived certificate made here, and a closed port."""

from __future__ import annotations

import datetime as dt
import http.server
import socket
import ssl
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


class Page:
    """What the HTTP server answers (changed by the test while the server runs)."""

    def __init__(self) -> None:
        self.status = 200
        self.body = b"<h1>Nokor works</h1>"


class _Handler(http.server.BaseHTTPRequestHandler):
    page: Page

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self.send_response(self.page.status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.page.body)))
        self.end_headers()
        self.wfile.write(self.page.body)

    def log_message(self, *args) -> None:
        pass


class LoopbackServer:
    """An HTTP(S) server on 127.0.0.1 in a thread; `url` to check, `page` to change its answer."""

    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        self.page = Page()
        handler = type("Handler", (_Handler,), {"page": self.page})
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        if context is not None:
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.url = (
            f"{'https' if context else 'http'}://{'localhost' if context else '127.0.0.1'}:{self.port}/"
        )
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_certificate(directory: Path, *, not_after: dt.datetime, not_before: dt.datetime | None = None):
    """A self-signed certificate for localhost valid until `not_after`; returns (cert file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    import ipaddress

    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)))
        .not_valid_after(not_after)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


def tls_server(directory: Path, *, not_after: dt.datetime, not_before: dt.datetime | None = None):
    """An HTTPS loopback server with a fresh certificate; returns (server, cert file to trust)."""
    cert_file, key_file = make_certificate(directory, not_after=not_after, not_before=not_before)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return LoopbackServer(context), str(cert_file)
