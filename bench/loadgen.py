"""Driving wrk: the Lua that reports results as JSON, running one load, and reading its result.

wrk calls ``done()`` once at the end with the summary and the latency histogram; our ``done()`` prints one
line, ``NOKOR_BENCH {json}``, which is sturdier to read than wrk's human output. In a checking run (the
warm-up) a ``response()`` callback also tallies status codes and responses lacking the expected text;
it slows wrk down, so the measured run leaves it out.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass, field

MARKER = "NOKOR_BENCH "


class WrkFailed(RuntimeError):
    """wrk did not run, or did not print our result line."""


@dataclass(frozen=True)
class LuaContext:
    """What a scenario's Lua script may need: the path under test, the CSRF token of the run, and the
    facts the seed steps printed (``facts["services"]["draft_id_prefix"]``).

    The harness sends ``csrftoken=<csrf_token>`` as a cookie with every request of a scenario that has
    a script, so a POST passes Django's CSRF check with ``csrfmiddlewaretoken=<csrf_token>`` in its body
    (or an ``X-CSRFToken`` header).
    """

    path: str
    csrf_token: str
    facts: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PerRequest:
    """Numbering of the requests of a scenario whose Lua defines ``nokor_request(n)``: thread ``t`` of
    ``threads`` sends items ``first + t``, ``first + t + threads``…, so no two requests share an item."""

    first: int
    threads: int


@dataclass(frozen=True)
class Expectation:
    """What every response of a checking run must be: its status, a text in its body, and for a
    redirect a text in its ``Location`` (a submission that lands on its confirmation page, not on a
    page saying it was already submitted)."""

    status: int
    text: str | None
    location: str | None = None


@dataclass
class Measurement:
    """One wrk run, as read from our ``done()`` line. Latencies in milliseconds."""

    requests: int
    duration_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    errors: dict[str, int]
    statuses: dict[str, int] = field(default_factory=dict)
    text_missing: int = 0
    location_missing: int = 0
    last_item: int = -1  # the highest item a per-request scenario used (-1: none)

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def error_count(self) -> int:
        """Responses with a status of 400 or more (wrk's 'status' errors) plus socket errors."""
        return sum(self.errors.values())

    def unexpected(self, expectation: Expectation) -> list[str]:
        """Why this checking run's responses do not match ``expectation`` (empty when they all do)."""
        problems = [
            f"{count} responses with status {status} (expected {expectation.status})"
            for status, count in sorted(self.statuses.items())
            if int(status) != expectation.status
        ]
        if self.text_missing:
            problems.append(f"{self.text_missing} responses without {expectation.text!r}")
        if self.location_missing:
            problems.append(f"{self.location_missing} redirects elsewhere than to {expectation.location!r}")
        if not self.statuses:
            problems.append("no response at all")
        return problems


def lua_string(text: str) -> str:
    """A Lua string literal for any text: every byte that is not a safe ASCII character is escaped."""
    safe = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-./:=,;<>")
    # Always three digits: a shorter escape followed by a digit ("(08") would read as one invalid escape.
    return '"' + "".join(chr(b) if b in safe else f"\\{b:03d}" for b in text.encode()) + '"'


_REPORTER = """
local nokor_threads = {}
function setup(thread)
  table.insert(nokor_threads, thread)
  thread:set("nokor_offset", #nokor_threads * 7)
  thread:set("nokor_thread", #nokor_threads - 1)
end
%(response)s
function done(summary, latency, requests)
  local statuses, text_missing, location_missing, last_item = {}, 0, 0, -1
  for _, thread in ipairs(nokor_threads) do
    for status, count in pairs(thread:get("nokor_statuses") or {}) do
      statuses[status] = (statuses[status] or 0) + count
    end
    text_missing = text_missing + (thread:get("nokor_text_missing") or 0)
    location_missing = location_missing + (thread:get("nokor_location_missing") or 0)
    last_item = math.max(last_item, thread:get("nokor_item") or -1)
  end
  local parts = {}
  for status, count in pairs(statuses) do
    table.insert(parts, string.format('"%%s": %%d', status, count))
  end
  local e = summary.errors
  io.write(string.format(
    '\\n%(marker)s{"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p90_us": %%d, "p99_us": %%d, '
    .. '"max_us": %%d, "mean_us": %%.1f, "errors": {"status": %%d, "connect": %%d, "read": %%d, '
    .. '"write": %%d, "timeout": %%d}, "statuses": {%%s}, "text_missing": %%d, '
    .. '"location_missing": %%d, "last_item": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.status, e.connect, e.read, e.write, e.timeout,
    table.concat(parts, ", "), text_missing, location_missing, last_item))
end
"""

# Each wrk thread starts 7 places further in the cookie list (nokor_offset, set in setup()), so the
# threads do not walk it in step. A per-request scenario's nokor_request(n) gives the path and body of
# item n (see PerRequest); nokor_item is the last item the thread used, read by done().
_REQUEST = """
local nokor_cookies = {%(cookies)s}
local nokor_first, nokor_stride = %(first)d, %(stride)d
function request()
  local path, body = nil, nil
  if nokor_request then
    nokor_count = (nokor_count or 0) + 1
    nokor_item = nokor_first + (nokor_count - 1) * nokor_stride + (nokor_thread or 0)
    path, body = nokor_request(nokor_item)
  end
  if #nokor_cookies > 0 then
    nokor_next = ((nokor_next or nokor_offset or 0) %% #nokor_cookies) + 1
    wrk.headers["Cookie"] = nokor_cookies[nokor_next]
  end
  return wrk.format(nil, path, nil, body)
end
"""

_CHECKER = """
nokor_statuses, nokor_text_missing, nokor_location_missing = {}, 0, 0
local nokor_expected_text = %(text)s
local nokor_expected_location = %(location)s
function response(status, headers, body)
  local key = tostring(status)
  nokor_statuses[key] = (nokor_statuses[key] or 0) + 1
  if nokor_expected_text and not string.find(body or "", nokor_expected_text, 1, true) then
    nokor_text_missing = nokor_text_missing + 1
  end
  local location = headers["Location"] or headers["location"] or ""
  if nokor_expected_location and not string.find(location, nokor_expected_location, 1, true) then
    nokor_location_missing = nokor_location_missing + 1
  end
end
"""


def build_script(
    scenario_lua: str | None,
    cookies: list[str],
    expectation: Expectation | None,
    per_request: PerRequest | None = None,
) -> str:
    """The whole wrk script: the scenario's own Lua, the request function (cookie rotation, numbered
    items), our reporter and, when asked, the response checker."""
    script = scenario_lua or ""
    if cookies or per_request:
        script += _REQUEST % {
            "cookies": ", ".join(lua_string(cookie) for cookie in cookies),
            "first": per_request.first if per_request else 0,
            "stride": per_request.threads if per_request else 1,
        }
    checker = ""
    if expectation is not None:
        checker = _CHECKER % {
            "text": lua_string(expectation.text) if expectation.text else "nil",
            "location": lua_string(expectation.location) if expectation.location else "nil",
        }
    return script + _REPORTER % {"response": checker, "marker": MARKER}


def run_wrk(
    url: str,
    *,
    seconds: int,
    connections: int,
    threads: int,
    timeout_s: int,
    cookies: list[str],
    scenario_lua: str | None = None,
    expectation: Expectation | None = None,
    first_item: int | None = None,
) -> Measurement:
    """Load ``url`` for ``seconds`` and return what wrk measured; raise WrkFailed if wrk failed.

    ``cookies`` are whole Cookie header values, used in turn by successive requests (none: no cookie).
    ``first_item``: the scenario's Lua numbers its requests (``nokor_request(n)``) from this item on.
    """
    per_request = PerRequest(first=first_item, threads=threads) if first_item is not None else None
    script = build_script(scenario_lua, cookies, expectation, per_request)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="nokor-bench-") as script_file:
        script_file.write(script)
        script_file.flush()
        command = [
            "wrk",
            f"--connections={connections}",
            f"--threads={threads}",
            f"--duration={seconds}s",
            f"--timeout={timeout_s}s",
            "--latency",
            f"--script={script_file.name}",
        ]
        command.append(url)
        completed = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    return parse_output(completed.stdout, completed.stderr, completed.returncode)


def parse_output(stdout: str, stderr: str, returncode: int) -> Measurement:
    """Read our ``done()`` line from wrk's output."""
    for line in stdout.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER) :])
            return Measurement(
                requests=data["requests"],
                duration_s=data["duration_us"] / 1e6,
                p50_ms=data["p50_us"] / 1000,
                p90_ms=data["p90_us"] / 1000,
                p99_ms=data["p99_us"] / 1000,
                max_ms=data["max_us"] / 1000,
                mean_ms=data["mean_us"] / 1000,
                errors=data["errors"],
                statuses=data["statuses"],
                text_missing=data["text_missing"],
                location_missing=data.get("location_missing", 0),
                last_item=data.get("last_item", -1),
            )
    raise WrkFailed(f"wrk failed (exit {returncode}):\n{stdout}\n{stderr}")


def wrk_version() -> str:
    """wrk's version, from the first line of ``wrk -v`` (which prints it and exits 1)."""
    completed = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    first_line = (completed.stdout or completed.stderr).splitlines()[0]
    return first_line.split(" Copyright")[0].strip()
