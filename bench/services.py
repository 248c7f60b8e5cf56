"""The processes a benchmark run starts: a throw-away PostgreSQL 15 cluster, the background worker and
the granian server. Each is a context manager that stops what it started, whatever happens inside."""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")
# Production-like durability: fsync, synchronous_commit and full_page_writes keep their defaults (on).
# Only what a loopback, throw-away cluster needs is set; the docs list what the server reported.
PG_OPTIONS = "-c listen_addresses=127.0.0.1 -c max_connections=100"
PG_REPORTED_SETTINGS = (
    "fsync",
    "synchronous_commit",
    "full_page_writes",
    "wal_level",
    "shared_buffers",
    "work_mem",
    "effective_cache_size",
    "max_connections",
)


class SetupError(RuntimeError):
    """Something the benchmark needs could not be started; the message says what and why."""


def missing_prerequisites() -> list[str]:
    """What this machine lacks to run the benchmark, with the package that provides it."""
    missing = []
    if shutil.which("wrk") is None:
        missing.append("wrk (Debian package: wrk)")
    for program in ("initdb", "pg_ctl", "postgres", "createdb", "psql"):
        if not (PG_BIN / program).exists():
            missing.append(f"{PG_BIN / program} (Debian package: postgresql-15)")
            break
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            missing.append("runuser (Debian package: util-linux)")
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            missing.append("the `postgres` system user (Debian package: postgresql-15)")
    return missing


def port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def tail(path: Path, lines: int = 30) -> str:
    """The end of a log file, for error messages."""
    if not path.exists():
        return f"({path} does not exist)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@dataclass(frozen=True)
class Postgres:
    """A running cluster: where it listens and what it reported about itself."""

    port: int
    version: str
    settings: dict[str, str]

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run its tools as the `postgres` system user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _psql(port: int, sql: str) -> str:
    command = [str(PG_BIN / "psql"), *f"-h 127.0.0.1 -p {port} -U postgres -d postgres -Atc".split(), sql]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


@contextmanager
def postgres_cluster(workdir: Path, port: int, database: str) -> Iterator[Postgres]:
    """initdb a cluster under ``workdir``, start it on 127.0.0.1:``port``, create ``database``; stop it after.

    ``workdir`` must be empty; its ``pg`` folder belongs to `postgres` when run as root.
    """
    root = workdir / "pg"
    data, log = root / "data", root / "server.log"
    root.mkdir(mode=0o700)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    pg_ctl = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-t", "60"]
    initdb = [
        str(PG_BIN / "initdb"),
        "-D",
        str(data),
        *"-U postgres --auth=trust -E UTF8 --locale=C.UTF-8".split(),
    ]
    createdb = [str(PG_BIN / "createdb"), *f"-h 127.0.0.1 -p {port} -U postgres {database}".split()]
    started = False
    try:
        try:
            subprocess.run(_as_postgres(initdb), capture_output=True, text=True, check=True)
            started = True  # from here on, stop whatever pg_ctl may have left running
            start = [*pg_ctl, "-l", str(log), "-o", f"{PG_OPTIONS} -p {port} -k {root}", "start"]
            subprocess.run(_as_postgres(start), capture_output=True, text=True, check=True)
            subprocess.run(createdb, capture_output=True, text=True, check=True)
            every = dict(row.split("|")[:2] for row in _psql(port, "SHOW ALL").splitlines())
            postgres = Postgres(
                port=port,
                version=_psql(port, "SHOW server_version"),
                settings={name: every[name] for name in PG_REPORTED_SETTINGS},
            )
        except subprocess.CalledProcessError as exc:
            raise SetupError(f"PostgreSQL: {shlex.join(exc.cmd)} failed:\n{exc.stderr}\n{tail(log)}") from exc
        yield postgres
    finally:
        if started:
            subprocess.run(_as_postgres([*pg_ctl, "-m", "fast", "stop"]), capture_output=True, check=False)


def restart_postgres(workdir: Path) -> float:
    """Restart the cluster of ``postgres_cluster(workdir, …)`` the way an upgrade or a failover does (fast
    shutdown: open connections are cut, transactions in flight roll back); return the seconds it took."""
    started = time.monotonic()
    root = workdir / "pg"
    pg_ctl = [str(PG_BIN / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "server.log"), "-w"]
    # The server it starts writes to the log, not to our pipe (run would wait for the pipe to close).
    subprocess.run(_as_postgres([*pg_ctl, "-m", "fast", "restart"]), stdout=subprocess.DEVNULL, check=True)
    return time.monotonic() - started


@contextmanager
def background_process(
    command: list[str], *, env: dict[str, str], cwd: Path, log: Path
) -> Iterator[subprocess.Popen]:
    """Run ``command`` in its own process group (granian forks workers); stop the whole group after."""
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        _stop_group(process)


def _stop_group(process: subprocess.Popen, grace_s: float = 10) -> None:
    """SIGTERM the process group of ``process``, then SIGKILL what is left after ``grace_s`` seconds."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:  # the whole group is gone already
        process.wait()
        return
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        pass
    try:  # the leader may be gone while its children linger
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def wait_for_status(
    url: str, status: int, *, watched: list[tuple[subprocess.Popen, Path]], timeout_s: float
) -> None:
    """Poll ``url`` until it answers ``status``; fail early if a watched process exits.

    ``watched`` pairs each process the answer depends on with its log, quoted in the error.
    """
    deadline = time.monotonic() + timeout_s
    last = "no answer"
    while time.monotonic() < deadline:
        for process, log in watched:
            if process.poll() is not None:
                raise SetupError(f"{shlex.join(process.args)} exited with {process.returncode}:\n{tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (a loopback http URL)
                last = str(response.status)
        except urllib.error.HTTPError as exc:
            last = str(exc.code)
        except OSError as exc:
            last = str(exc)
        if last == str(status):
            return
        time.sleep(0.2)
    logs = "\n".join(f"--- {log.name}\n{tail(log)}" for _, log in watched)
    raise SetupError(f"{url} did not answer {status} within {timeout_s:g} s (last: {last}):\n{logs}")


@contextmanager
def tcp_sink(port: int) -> Iterator[str]:
    """A listener on 127.0.0.1:``port`` that accepts each connection and closes it: the system the
    seeded uptime monitors check over TCP (monitored systems are other servers, so their checks must not
    land on the web server being measured). A thread of the harness; yields "HOST:PORT"."""
    listener = socket.create_server(("127.0.0.1", port), backlog=1024)
    listener.settimeout(0.5)
    stopping = threading.Event()

    def serve() -> None:
        while not stopping.is_set():
            try:
                connection, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connection.close()

    thread = threading.Thread(target=serve, name="tcp-sink", daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        stopping.set()
        thread.join(timeout=2)
        listener.close()


@contextmanager
def redis_server(workdir: Path, port: int) -> Iterator[str]:
    """redis-server on 127.0.0.1:``port`` as the shared cache (memory only: no snapshot, no append-only
    file; least-recently-used keys evicted past 256 MB); yields its URL for ``NOKOR_REDIS_URL``."""
    program = shutil.which("redis-server")
    if program is None:
        raise SetupError("redis-server is missing (Debian package: redis-server)")
    log = workdir / "redis.log"
    command = [
        program,
        *("--bind", "127.0.0.1", "--port", str(port), "--dir", str(workdir), "--logfile", ""),
        *("--save", "", "--appendonly", "no", "--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru"),
    ]
    with background_process(command, env=dict(os.environ), cwd=workdir, log=log) as process:
        deadline = time.monotonic() + 10
        while not port_in_use(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SetupError(f"redis-server did not start on port {port}:\n{tail(log)}")
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"


@contextmanager
def streaming_replica(primary: Postgres, workdir: Path, port: int) -> Iterator[Postgres]:
    """A hot standby of ``primary`` made with ``pg_basebackup -R`` (asynchronous streaming replication),
    in ``workdir``/replica, started on 127.0.0.1:``port``; stopped after. ``primary`` is any running
    cluster of :func:`postgres_cluster` (its default pg_hba trusts replication from loopback)."""
    root = workdir / "replica"
    data, log = root / "data", root / "server.log"
    root.mkdir(mode=0o700)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    basebackup = [
        str(PG_BIN / "pg_basebackup"),
        *f"-h 127.0.0.1 -p {primary.port} -U postgres -D {data} -R -X stream -c fast".split(),
    ]
    started = False
    try:
        try:
            subprocess.run(_as_postgres(basebackup), capture_output=True, text=True, check=True)
            started = True
            start_postgres(root, port)
        except subprocess.CalledProcessError as exc:
            raise SetupError(f"replica: {shlex.join(exc.cmd)} failed:\n{exc.stderr}\n{tail(log)}") from exc
        yield Postgres(port=port, version=_psql(port, "SHOW server_version"), settings={})
    finally:
        if started:
            stop_postgres(root)


def start_postgres(root: Path, port: int) -> None:
    """Start the cluster whose data folder is ``root``/data on 127.0.0.1:``port`` (socket in ``root``)."""
    log = root / "server.log"
    pg_ctl = [str(PG_BIN / "pg_ctl"), "-D", str(root / "data"), "-l", str(log), "-w", "-t", "60"]
    command = [*pg_ctl, "-o", f"{PG_OPTIONS} -p {port} -k {root}", "start"]
    # The server it starts writes to the log, not to our pipe (run would wait for the pipe to close).
    subprocess.run(_as_postgres(command), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)


def stop_postgres(root: Path, mode: str = "fast") -> None:
    """Stop the cluster whose data folder is ``root``/data (``fast``: transactions in flight roll back;
    ``immediate``: no shutdown checkpoint, a crash in effect); nothing if it is not running."""
    command = [str(PG_BIN / "pg_ctl"), "-D", str(root / "data"), "-m", mode, "-w", "stop"]
    subprocess.run(_as_postgres(command), capture_output=True, check=False)
