"""The raw checks of one monitor in one hour, packed into a few hundred bytes (``Rollup.samples``).

One row per check would cost about 150 bytes with its indexes: 2,000 monitors checked every minute for
the 7 days of retention are 20 million rows, 3 GB. Packed by hour, a check costs a few bytes: the
second of the hour with the up flag, the response time and the HTTP status, each as a 16-bit column
(columns compress well: seconds step by about 60, statuses repeat), the reasons of the failed checks as
JSON, the whole compressed (raw deflate). Each 16-bit column is stored as its low bytes then its high bytes,
and the seconds as steps from the check before: about 2.5 bytes a check (150 bytes an hour of checks
every minute). Version byte first, so the format can change.
"""

from __future__ import annotations

import datetime as dt
import json
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

VERSION = 1
NO_TIME = 0xFFFF  # response time unknown (the check failed before an answer)
MAX_MS = 0xFFFE  # longer answers are stored as this (65 s: far beyond any timeout)
UP_FLAG = 0x8000


@dataclass(frozen=True)
class Sample:
    """One check, as the monitor's page and the roll-ups read it (the fields of ``CheckResult``)."""

    checked_at: dt.datetime
    up: bool
    response_ms: int | None = None
    status_code: int | None = None
    error: str = ""


def _planes(values: list[int]) -> bytes:
    """16-bit values as their low bytes, then their high bytes (alike bytes side by side compress)."""
    return bytes(v & 0xFF for v in values) + bytes(v >> 8 for v in values)


def _unplanes(data: bytes, count: int) -> list[int]:
    return [low | high << 8 for low, high in zip(data[:count], data[count : 2 * count], strict=True)]


def pack(hour: dt.datetime, samples: Iterable[Sample]) -> bytes:
    """The checks of the hour starting at ``hour`` (whole seconds kept), in order of time."""
    ordered = sorted(samples, key=lambda s: s.checked_at)
    count = len(ordered)
    seconds = [min(3599, max(0, int((s.checked_at - hour).total_seconds()))) for s in ordered]
    steps = [second - before for before, second in zip([0, *seconds], seconds, strict=False)]
    steps = [step | (UP_FLAG if s.up else 0) for step, s in zip(steps, ordered, strict=True)]
    times = [NO_TIME if s.response_ms is None else min(MAX_MS, s.response_ms) for s in ordered]
    statuses = [s.status_code or 0 for s in ordered]
    errors = [[n, s.error] for n, s in enumerate(ordered) if s.error]
    payload = struct.pack("<H", count) + _planes(steps) + _planes(times) + _planes(statuses)
    payload += json.dumps(errors, ensure_ascii=False, separators=(",", ":")).encode()
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate: no header, no checksum
    return bytes([VERSION]) + deflate.compress(payload) + deflate.flush()


def unpack(hour: dt.datetime, data: bytes | memoryview | None) -> list[Sample]:
    """The checks ``pack`` stored, in order of time (none for an empty value)."""
    if not data:
        return []
    data = bytes(data)
    if data[0] != VERSION:
        raise ValueError(f"unknown packing version {data[0]}")
    payload = zlib.decompress(data[1:], -15)
    (count,) = struct.unpack_from("<H", payload)
    steps = _unplanes(payload[2:], count)
    times = _unplanes(payload[2 + 2 * count :], count)
    statuses = _unplanes(payload[2 + 4 * count :], count)
    errors = dict(json.loads(payload[2 + 6 * count :].decode()))
    samples, second = [], 0
    for n in range(count):
        second += steps[n] & ~UP_FLAG
        samples.append(
            Sample(
                checked_at=hour + dt.timedelta(seconds=second),
                up=bool(steps[n] & UP_FLAG),
                response_ms=None if times[n] == NO_TIME else times[n],
                status_code=statuses[n] or None,
                error=errors.get(n, ""),
            )
        )
    return samples
