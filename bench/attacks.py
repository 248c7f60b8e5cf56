"""Attack tests (issue 10) against Nokor on a throw-away PostgreSQL cluster behind granian, on loopback
only, bounded in time; everything started is stopped at the end.

    .venv/bin/python bench/attacks.py enumeration        # account enumeration by answer and by timing
    .venv/bin/python bench/attacks.py enumeration --attempts 20
    .venv/bin/python bench/attacks.py sqlmap             # sqlmap against the public forms and the scam check
    .venv/bin/python bench/attacks.py all                # both, on one database (`make attacks`)

**enumeration.** For sign-in (by e-mail and by phone, wrong password), password reset and sign-up (by
phone and by e-mail), ``--attempts`` requests with a login that has an account and as many with one that
has none, interleaved, each from a fresh session. Reported per flow: the answers (status, redirect, page
without the security token, the CSP nonce and what was typed) and whether they are identical; the median
and p95 of the answer time for each side. A flow leaks when the answers differ or the medians differ by
more than 10 % (at least 10 ms). A known leak (KNOWN_LEAKS, explained in docs/security.md) does not
fail the run, but its disappearance does, so that the list and the document are brought up to date.

**sqlmap.** The Debian sqlmap (``--batch``, ``--level``/``--risk`` bounded, PostgreSQL payloads, each
target limited in time) against sign-in, sign-up, the place search, document verification (form and
page), the one-page cybercrime report, the scam check page and its API. A target fails when a parameter
is injectable, when the server answered 5xx, or when it refused the requests (403/429: not tested). The
server for sqlmap hashes new passwords with MD5 ahead of Argon2 (a thousand sign-ins; the hash plays no
part in how a login is looked up); the enumeration server keeps the production hashers.

Both run with allauth's rate limits off and the per-address limits of the cybercrime and verification
pages raised (one client sends hundreds of requests; the limits are tested in nokor/accounts/tests/
test_rate_limits.py and nokor/cyber/tests/test_rate_limits.py). Exit status 0 when nothing leaked and
nothing is injectable; the result is printed as JSON and written to bench/results/attacks/<time>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from run import GRANIAN_WORKERS, ROOT, bench_env, manage
from services import SetupError, background_process, port_in_use, postgres_cluster, wait_for_status

PG_PORT = 55435
APP_PORT = 8125
DATABASE = "nokor_attacks"
BASE = f"http://127.0.0.1:{APP_PORT}"
SETTINGS_MODULE = "nokor_attack_settings"
ATTACK_SETTINGS = '''"""Nokor's settings for bench/attacks.py: one loopback client sends many requests."""
import os

from nokor.settings import *  # noqa: F403

ACCOUNT_RATE_LIMITS = False
if os.environ.get("NOKOR_ATTACK_CHEAP_HASHER"):  # sqlmap: a thousand sign-ins, each with a new login
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
'''
KNOWN_EMAIL, KNOWN_PHONE, KNOWN_PHONE_TYPED = "sokha@demo.nokor.gov.kh", "+85512345678", "012 345 678"
GIVE_PHONE = (
    "from nokor.accounts.models import User; "
    f"User.objects.filter(email='{KNOWN_EMAIL}').update(phone='{KNOWN_PHONE}', phone_verified=True)"
)
SIGNUP = {
    "full_name": "Sok Dara",
    "password1": "a-long-passphrase-2026",
    "password2": "a-long-passphrase-2026",
    "preferred_language": "km",
    "accept_terms": "on",
}
LEAK_SHARE, LEAK_FLOOR_MS = 0.10, 10.0
# Flows known to leak (each explained in docs/security.md); none now.
KNOWN_LEAKS: set[str] = set()


# --------------------------------------------------------------------------------------------------
# The platform
# --------------------------------------------------------------------------------------------------
@contextmanager
def platform(workdir: Path) -> Iterator[dict[str, str]]:
    """PostgreSQL on PG_PORT, migrated and seeded with the demo data; yields the environment of Nokor."""
    for port in (PG_PORT, APP_PORT):
        if port_in_use(port):
            raise SetupError(f"port {port} is taken: is another bench/attacks.py running?")
    with postgres_cluster(workdir, PG_PORT, DATABASE) as postgres:
        (workdir / f"{SETTINGS_MODULE}.py").write_text(ATTACK_SETTINGS)
        env = bench_env(postgres.url(DATABASE), workdir / "data")
        env |= {"DJANGO_SETTINGS_MODULE": SETTINGS_MODULE, "PYTHONPATH": f"{workdir}:{ROOT}"}
        for command in (
            ("migrate", "-v0"),
            ("load_gazetteer", "-v0"),
            ("seed_demo",),
            ("collectstatic", "--noinput", "-v0"),
            ("shell", "-c", GIVE_PHONE),
        ):
            print("manage.py", *command[:1], flush=True)
            manage(env, *command)
        yield env


@contextmanager
def web_server(env: dict[str, str], workdir: Path, *, cheap_hasher: bool = False) -> Iterator[None]:
    """granian on APP_PORT; ``cheap_hasher`` puts MD5 before Argon2 for the passwords it hashes (sqlmap
    sends a thousand sign-ins: the hash plays no part in how a login is looked up)."""
    granian = [
        str(Path(sys.executable).parent / "granian"),
        *f"--interface wsgi --host 127.0.0.1 --port {APP_PORT} --workers {GRANIAN_WORKERS}".split(),
        *"--blocking-threads 2 --log-level warning nokor.wsgi:application".split(),
    ]
    env = env | ({"NOKOR_ATTACK_CHEAP_HASHER": "1"} if cheap_hasher else {})
    log = workdir / "granian.log"
    with background_process(granian, env=env, cwd=ROOT, log=log) as server:
        wait_for_status(f"{BASE}/", 200, watched=[(server, log)], timeout_s=90)
        yield


# --------------------------------------------------------------------------------------------------
# Enumeration
# --------------------------------------------------------------------------------------------------
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_NONCE = re.compile(r"nonce(=\"|-)[A-Za-z0-9+/=_-]+")


def post_form(path: str, data: dict[str, str]) -> tuple[requests.Response, float]:
    """From a fresh session: read the form (for its security token), send it; the answer and its seconds."""
    with requests.Session() as session:
        token = _TOKEN.search(session.get(BASE + path, timeout=30).text)
        assert token, f"no security token on {path}"
        started = time.perf_counter()
        data = {**data, "csrfmiddlewaretoken": token.group(1)}
        response = session.post(BASE + path, data=data, allow_redirects=False, timeout=30)
        return response, time.perf_counter() - started


def answer(response: requests.Response, typed: list[str]) -> tuple[int, str, str]:
    """What an attacker compares: status, redirect and page, without what differs on every request."""
    body = _NONCE.sub("nonce", _TOKEN.sub("", response.text))
    for value in typed:
        body = body.replace(value, "TYPED")
    return response.status_code, response.headers.get("Location", ""), body


Attempt = Callable[[int], tuple[dict[str, str], list[str]]]  # attempt number -> (form data, typed values)


def _sign_in(login: Callable[[int], str]) -> Attempt:
    return lambda n: ({"login": login(n), "password": "not-the-password"}, [login(n)])


def _unknown_phone(n: int) -> str:
    return f"012 {500 + n // 100:03d} {n % 100:03d}"


def _new_phone(n: int) -> str:
    return f"012 {700 + n // 100:03d} {n % 100:03d}"


FLOWS: list[tuple[str, str, Attempt, Attempt]] = [
    (
        "sign-in by e-mail",
        "/accounts/login/",
        _sign_in(lambda n: KNOWN_EMAIL),
        _sign_in(lambda n: f"nobody{n}@example.org"),
    ),
    (
        "sign-in by phone",
        "/accounts/login/",
        _sign_in(lambda n: KNOWN_PHONE_TYPED),
        _sign_in(_unknown_phone),
    ),
    (
        "password reset",
        "/accounts/password/reset/",
        lambda n: ({"email": KNOWN_EMAIL}, [KNOWN_EMAIL]),
        lambda n: ({"email": f"nobody{n}@example.org"}, [f"nobody{n}@example.org"]),
    ),
    (
        "sign-up by phone",
        "/accounts/signup/",
        lambda n: ({**SIGNUP, "phone": KNOWN_PHONE_TYPED}, [KNOWN_PHONE_TYPED]),
        lambda n: ({**SIGNUP, "phone": _new_phone(n)}, [_new_phone(n)]),
    ),
    (
        "sign-up by e-mail",
        "/accounts/signup/",
        lambda n: ({**SIGNUP, "email": KNOWN_EMAIL}, [KNOWN_EMAIL]),
        lambda n: ({**SIGNUP, "email": f"new{n}@example.org"}, [f"new{n}@example.org"]),
    ),
]


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1)}


def enumeration(attempts: int) -> dict[str, Any]:
    flows = {}
    for name, path, known, unknown in FLOWS:
        times: dict[str, list[float]] = {"known": [], "unknown": []}
        answers: dict[str, set] = {"known": set(), "unknown": set()}
        statuses: dict[str, set] = {"known": set(), "unknown": set()}
        for n in range(attempts):
            sides = [("known", known), ("unknown", unknown)]
            for side, make in sides if n % 2 else reversed(sides):  # alternate who goes first
                data, typed = make(n)
                response, seconds = post_form(path, data)
                times[side].append(seconds)
                answers[side].add(answer(response, typed))
                statuses[side].add(response.status_code)
        known_t, unknown_t = _ms(times["known"]), _ms(times["unknown"])
        gap = abs(known_t["median_ms"] - unknown_t["median_ms"])
        same_answer = answers["known"] == answers["unknown"]
        slow_gap = gap > max(LEAK_FLOOR_MS, LEAK_SHARE * max(known_t["median_ms"], unknown_t["median_ms"]))
        flows[name] = {
            "status": {side: sorted(codes) for side, codes in statuses.items()},
            "same_answer": same_answer,
            "known": known_t,
            "unknown": unknown_t,
            "median_gap_ms": round(gap, 1),
            "leaks": not same_answer or slow_gap,
            "known_leak": name in KNOWN_LEAKS,
        }
        print(f"  {name}: {json.dumps(flows[name])}", flush=True)
    passed = all(f["leaks"] == f["known_leak"] for f in flows.values())
    return {"attempts": attempts, "flows": flows, "passed": passed}


# --------------------------------------------------------------------------------------------------
# sqlmap
# --------------------------------------------------------------------------------------------------
ATTEMPT = "category=phishing&identifier=012+345+678&kind=&more_identifiers=&channel=sms&description=x"
TARGETS: list[tuple[str, str, str | None]] = [  # name, URL ("*" marks a place in the path), form data
    ("sign-in", "/accounts/login/", "login=someone%40example.org&password=a-password"),
    (
        "sign-up",
        "/accounts/signup/",
        "full_name=Sok&email=sok%40example.org&phone=012345678&password1=a-long-passphrase-2026"
        "&password2=a-long-passphrase-2026&preferred_language=km",  # terms not accepted: no account is made
    ),
    ("place search", "/units/search/?q=kandal", None),
    ("document verification form", "/verify/?code=ABCD-EFGH-JKLM", None),
    ("document verification page", "/verify/ABCDEFGHJKLM*", None),
    ("cybercrime report (one page)", "/cyber/report/attempt/", ATTEMPT + "&contact_email=&contact_phone="),
    ("scam check page", "/cyber/check/?q=012345678", None),
    ("scam check API", "/api/v1/scam-check?q=012345678", None),
]
_HTTP_ERRORS = re.compile(r"HTTP error codes detected during run:\s*(.+)")
_NOT_INJECTABLE = re.compile(r"parameter '([^']+)' does not seem to be injectable")
_PROBLEM = re.compile(r"\[(CRITICAL|ERROR)\]|injectable|anti-CSRF")


def sqlmap_target(
    name: str, url: str, data: str | None, *, workdir: Path, level: int, risk: int, budget_s: int
) -> dict[str, Any]:
    out = workdir / "sqlmap" / re.sub(r"\W+", "-", name)
    out.mkdir(parents=True)
    command = [
        *("sqlmap", "-u", BASE + url, "--batch", "--level", str(level), "--risk", str(risk)),
        *("--dbms", "PostgreSQL", "--technique", "BEUST", "--time-sec", "2", "--timeout", "15"),
        *("--retries", "1", "--output-dir", str(out), "--flush-session", "--disable-coloring"),
    ]
    if data is not None:
        # sqlmap refreshes the security token from the form before each request, if the body names it.
        command += ["--data", f"{data}&csrfmiddlewaretoken=x", "--csrf-token", "csrfmiddlewaretoken"]
    started = time.monotonic()
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=budget_s, check=False)
        output, timed_out = completed.stdout + completed.stderr, False
    except subprocess.TimeoutExpired as exc:
        output, timed_out = (exc.stdout or b"").decode(errors="replace"), True
    errors = _HTTP_ERRORS.search(output)
    error_codes = re.findall(r"\b(\d{3}) \(", errors.group(1)) if errors else []
    injectable = "identified the following injection point" in output or " is vulnerable" in output
    tested = "do not appear to be injectable" in output or "does not seem to be injectable" in output
    refused = [code for code in error_codes if code in ("403", "429")]
    server_errors = [code for code in error_codes if code.startswith("5")]
    return {
        "target": name,
        "seconds": round(time.monotonic() - started, 1),
        "injectable": injectable,
        "tested": tested and not timed_out,
        "timed_out": timed_out,
        "http_errors": errors.group(1).strip() if errors else "",
        "passed": not injectable and tested and not timed_out and not refused and not server_errors,
        "parameters": sorted(set(_NOT_INJECTABLE.findall(output))),
        "warnings": [line for line in output.splitlines() if _PROBLEM.search(line)][-8:],
    }


def sqlmap(workdir: Path, *, level: int, risk: int, budget_s: int) -> dict[str, Any]:
    if shutil.which("sqlmap") is None:
        raise SetupError("sqlmap is missing (Debian package: sqlmap)")
    version = subprocess.run(["sqlmap", "--version"], capture_output=True, text=True, check=False)
    results = []
    for name, url, data in TARGETS:
        result = sqlmap_target(name, url, data, workdir=workdir, level=level, risk=risk, budget_s=budget_s)
        print(f"  {name}: {json.dumps({k: v for k, v in result.items() if k != 'warnings'})}", flush=True)
        results.append(result)
    return {
        "sqlmap": version.stdout.split()[0] if version.stdout else "",
        "options": f"--batch --level {level} --risk {risk} --dbms PostgreSQL --technique BEUST --time-sec 2",
        "targets": results,
        "passed": all(r["passed"] for r in results),
    }


# --------------------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("attack", choices=["enumeration", "sqlmap", "all"])
    parser.add_argument("--attempts", type=int, default=50, help="enumeration: attempts per side and flow")
    parser.add_argument("--level", type=int, default=2, choices=range(1, 6), help="sqlmap --level")
    parser.add_argument("--risk", type=int, default=1, choices=range(1, 4), help="sqlmap --risk")
    parser.add_argument("--budget", type=int, default=300, help="sqlmap: seconds at most per target")
    options = parser.parse_args()
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    result: dict[str, Any] = {"started_at": started.isoformat()}
    try:
        with tempfile.TemporaryDirectory(prefix="nokor-attacks-") as tmp:
            workdir = Path(tmp)
            workdir.chmod(0o755)  # the `postgres` user must reach its folder inside
            with platform(workdir) as env:
                if options.attack in ("enumeration", "all"):
                    print("attack: account enumeration", flush=True)
                    with web_server(env, workdir):
                        result["enumeration"] = enumeration(options.attempts)
                if options.attack in ("sqlmap", "all"):
                    print("attack: sqlmap", flush=True)
                    with web_server(env, workdir, cheap_hasher=True):
                        result["sqlmap"] = sqlmap(
                            workdir, level=options.level, risk=options.risk, budget_s=options.budget
                        )
    except SetupError as exc:
        print(f"attacks: {exc}", file=sys.stderr)
        return 2
    result["seconds"] = round((dt.datetime.now(dt.UTC) - started).total_seconds())
    out = ROOT / "bench" / "results" / "attacks" / f"{started:%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    return 0 if all(part["passed"] for key, part in result.items() if isinstance(part, dict)) else 1


if __name__ == "__main__":
    sys.exit(main())
