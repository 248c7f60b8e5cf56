"""Benchmark-scale infrastructure (``manage.py seed_scale --sites N --assets N --monitors N``): offices
across the administrative tree, their internet links and equipment, and uptime monitors with their
history in the storage form the roll-ups keep (see ``models/monitoring.py``), written in bulk.

What is made (a fixed random seed, so the same counts give the same data):

* **Offices**: a provincial hall per province, a district office per district, then commune offices
  and police posts over the communes, round and round, until there are N (16,000: about ten per
  commune); three in four with an internet link, some too slow to be usable.
* **Assets**: spread over the offices (the unit and its code copied from the office, as the services
  do), serial numbers unique per type, a status, purchase, warranty and end-of-life dates.
* **Monitors**: TCP checks of ``target`` (in the benchmark, a listener of its own on loopback that
  accepts and closes: the monitored systems are other servers, not the web server being measured),
  checked every minute; one in fifty public, on the status page (40 services of 2,000). For each,
  ``monitor_days`` days of history as a steady state would hold it after the purge: a daily roll-up
  per day, hourly roll-ups for ``INFRA_HOURLY_RETENTION_DAYS``, the last ``INFRA_CHECK_RETENTION_DAYS``
  of them with their checks packed (real packs of random checks, a pool reused across monitors), the
  raw checks since the last roll-up, and some public incidents with an update. The figures each
  monitor carries (state, uptime of 24 hours and 30 days) match.

Tops up, never duplicates: each count is "at least". Not made: audit events, systems, risks.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone

from nokor.geography.models import AdministrativeUnit
from nokor.infrastructure.models import (
    Asset,
    CheckResult,
    Connectivity,
    Incident,
    IncidentUpdate,
    Monitor,
    Rollup,
    Site,
)
from nokor.infrastructure.samples import Sample, pack

BATCH = 20_000
PROVINCE = "08"  # Kandal: the province the list scenarios filter on
PACK_POOL = 500  # distinct packed hours, reused across monitors
PUBLIC_SHARE = 50  # one monitor in fifty is on the public status page (40 of 2,000)
MODELS = {
    Asset.Type.DESKTOP: ["Dell OptiPlex 7010", "HP ProDesk 400", "Lenovo ThinkCentre M70"],
    Asset.Type.LAPTOP: ["Lenovo ThinkPad E14", "Dell Latitude 5440", "HP ProBook 450"],
    Asset.Type.PRINTER: ["Canon LBP2900", "HP LaserJet M211", "Epson L3250"],
    Asset.Type.ROUTER: ["MikroTik hAP ac2", "TP-Link ER605", "Cisco ISR 1100"],
    Asset.Type.UPS: ["APC Back-UPS 1100", "Eaton 5E 850"],
    Asset.Type.SWITCH: ["TP-Link TL-SG1024", "Cisco CBS250"],
    Asset.Type.PHONE: ["Samsung Galaxy A15", "Nokia 105"],
    Asset.Type.SERVER: ["Dell PowerEdge R250", "HPE ProLiant ML30"],
}
ASSET_TYPES = list(MODELS)
ASSET_SHARES = [30, 22, 16, 8, 10, 5, 7, 2]
PROVIDERS = ["Telecom Cambodia", "Metfone", "Smart Axiata", "Cellcard", "Ezecom", "Opennet"]


class Loader(Protocol):
    """What the command hands over (see ``nokor/cyber/scale.py``)."""

    def insert(self, model: Any, columns: Any, rows: Any) -> int: ...

    def indexes_built_after(self, *models: Any) -> AbstractContextManager: ...


def seed(
    *,
    loader: Loader,
    sites: int = 0,
    assets: int = 0,
    monitors: int = 0,
    monitor_days: int = 90,
    target: str = "127.0.0.1:8123",
    seed: int = 2026,
    log: Callable[[str], None] = print,
    table_bytes: Callable[[Any], int | None] = lambda model: None,
) -> dict[str, Any]:
    """Top the offices, assets and monitors up to the counts given; returns the facts the benchmark
    needs (the province filtered on, the paths of the lists) and the storage of the monitors' history.
    Runs in the caller's transaction."""
    rng = random.Random(f"{seed}:infrastructure")
    now = timezone.now()
    if sites:
        _sites(loader, rng, sites, now, log)
    if assets:
        _assets(loader, rng, assets, now, log)
    if monitors:
        _monitors(loader, rng, monitors, monitor_days, target, now, log)
    storage = {model._meta.label: table_bytes(model) for model in (Monitor, Rollup, CheckResult, Incident)}
    total = sum(size for size in storage.values() if size is not None) if table_bytes(Monitor) else None
    count = Monitor.objects.count()
    if total is not None:
        log(f"monitors: {count:,} with their history in {total:,} bytes ({total / 2**20:.1f} MiB)")
    return {
        "province": PROVINCE,
        "sites": Site.objects.count(),
        "assets": Asset.objects.count(),
        "monitors": count,
        "monitor_days": monitor_days,
        "site_list_path": f"/infrastructure/sites/?unit={PROVINCE}",
        "asset_list_path": f"/infrastructure/assets/?unit={PROVINCE}",
        "monitor_storage_bytes": total,
        "monitor_storage_by_table": storage,
    }


# --------------------------------------------------------------------------------------------------
# Offices and their links
# --------------------------------------------------------------------------------------------------
def _site_plan() -> list[tuple[str, AdministrativeUnit]]:
    """(kind, unit) in the order offices are made: halls, district offices, then commune offices and
    police posts over the communes, round and round."""
    units = list(AdministrativeUnit.objects.filter(level__lte=3).order_by("code"))
    plan = [(Site.Kind.PROVINCIAL_HALL, u) for u in units if u.level == 1]
    plan += [(Site.Kind.DISTRICT_OFFICE, u) for u in units if u.level == 2]
    communes = [u for u in units if u.level == 3]
    plan += [(Site.Kind.COMMUNE_OFFICE, u) for u in communes]
    plan += [(Site.Kind.POLICE_POST, u) for u in communes]
    return plan


def _sites(loader: Loader, rng: random.Random, wanted: int, now: dt.datetime, log: Callable) -> None:
    existing = Site.objects.count()
    missing = wanted - existing
    if missing <= 0:
        log(f"offices: {existing:,} in the database already (asked for {wanted:,})")
        return
    log(f"offices: {existing:,} in the database, adding {missing:,}")
    plan = _site_plan()
    rows = []
    for n in range(existing, wanted):
        kind, unit = plan[n % len(plan)]
        label = Site.Kind(kind).label
        name_km, name_en = f"{unit.name_km} ({n})", f"{unit.name_latin} {label} {n}"
        rows.append(
            (
                name_km,
                name_en,
                Site.make_search_name(name_km, name_en),
                kind,
                unit.pk,
                unit.code,
                f"{unit.name_latin}, {unit.code}",
                f"023 {n % 1000:03d} {n % 997:03d}",
                "07:30–17:00",
                n % 50 != 0,
                now,
                now,
                0,
            )
        )
    columns = ["name_km", "name_en", "search_name", "kind", "unit_id", "unit_code", "address", "phone"]
    columns += ["opening_hours"]
    columns += ["is_active", "created_at", "updated_at", "lock_version"]
    last = _last_pk(Site)
    with loader.indexes_built_after(Site, Connectivity) if missing >= existing else nullcontext():
        for start in range(0, len(rows), BATCH):
            loader.insert(Site, columns, rows[start : start + BATCH])
        new_ids = list(Site.objects.filter(pk__gt=last).values_list("pk", flat=True))
        links = []
        for site_id in new_ids:
            if rng.random() < 0.25:
                continue
            link_type = rng.choices(["fibre", "dsl", "4g", "satellite"], [40, 20, 35, 5])[0]
            contracted = Decimal(rng.choice([1, 2, 5, 10, 20, 50, 100]))
            measured = (contracted * Decimal(rng.randint(30, 100)) / 100).quantize(Decimal("0.01"))
            links.append(
                (
                    site_id,
                    rng.choice(PROVIDERS),
                    link_type,
                    contracted,
                    measured if rng.random() < 0.5 else None,
                )
                + (rng.randint(20, 300), "USD", True, now, now)
            )
        link_columns = [
            "site_id",
            "provider",
            "link_type",
            "contracted_mbps",
            "measured_mbps",
            "monthly_cost",
        ]
        link_columns += ["currency", "is_primary", "created_at", "updated_at"]
        for start in range(0, len(links), BATCH):
            loader.insert(Connectivity, link_columns, links[start : start + BATCH])


def _last_pk(model: Any) -> int:
    """The largest primary key so far (0 on an empty table): the rows added next come after it."""
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# --------------------------------------------------------------------------------------------------
# Assets
# --------------------------------------------------------------------------------------------------
def _assets(loader: Loader, rng: random.Random, wanted: int, now: dt.datetime, log: Callable) -> None:
    existing = Asset.objects.count()
    missing = wanted - existing
    if missing <= 0:
        log(f"assets: {existing:,} in the database already (asked for {wanted:,})")
        return
    sites = list(Site.objects.values_list("pk", "unit_id", "unit_code"))
    if not sites:
        raise ValueError("Assets need offices: give --sites too.")
    log(f"assets: {existing:,} in the database, adding {missing:,}")
    today = timezone.localdate()
    columns = ["asset_type", "serial", "model", "status", "site_id", "unit_id", "unit_code", "purchase_date"]
    columns += ["end_of_life", "warranty_end", "notes", "created_at", "updated_at", "lock_version"]
    statuses = (
        [Asset.Status.IN_USE] * 16 + [Asset.Status.SPARE] * 2 + [Asset.Status.REPAIR, Asset.Status.RETIRED]
    )
    with loader.indexes_built_after(Asset) if missing >= existing else nullcontext():
        batch = []
        for n in range(existing, wanted):
            asset_type = rng.choices(ASSET_TYPES, ASSET_SHARES)[0]
            site_id, unit_id, unit_code = sites[rng.randrange(len(sites))]
            bought = today - dt.timedelta(days=rng.randint(30, 3650))
            batch.append(
                (
                    asset_type,
                    f"BN{n:08d}",
                    rng.choice(MODELS[asset_type]),
                    rng.choice(statuses),
                    site_id,
                    unit_id,
                    unit_code,
                    bought,
                    bought + dt.timedelta(days=5 * 365),
                    bought + dt.timedelta(days=3 * 365),
                    "",
                    now,
                    now,
                    0,
                )
            )
            if len(batch) == BATCH:
                loader.insert(Asset, columns, batch)
                batch = []
        if batch:
            loader.insert(Asset, columns, batch)


# --------------------------------------------------------------------------------------------------
# Monitors and their history
# --------------------------------------------------------------------------------------------------
class _HourPool:
    """Packed hours of random checks (60 a hour, a few down), with their figures, to reuse."""

    def __init__(self, rng: random.Random, size: int) -> None:
        hour = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        self.items = []
        for _ in range(size):
            base = rng.randint(5, 400)
            checks = [
                Sample(
                    hour + dt.timedelta(seconds=60 * m + rng.randint(0, 3)),
                    up := rng.random() > 0.002,
                    max(1, int(rng.lognormvariate(0, 0.35) * base)) if up else None,
                    None,
                    "" if up else "TimeoutError: timed out",
                )
                for m in range(60)
            ]
            times = sorted(s.response_ms for s in checks if s.up and s.response_ms is not None)
            self.items.append(
                {
                    "samples": pack(hour, checks),
                    "checks": 60,
                    "up": sum(s.up for s in checks),
                    "median_ms": round(statistics.median(times)),
                    "p95_ms": times[round(0.95 * (len(times) - 1))],
                }
            )


def _monitors(
    loader: Loader,
    rng: random.Random,
    wanted: int,
    days: int,
    target: str,
    now: dt.datetime,
    log: Callable,
) -> None:
    existing = Monitor.objects.count()
    missing = wanted - existing
    if missing <= 0:
        log(f"monitors: {existing:,} in the database already (asked for {wanted:,})")
        return
    log(f"monitors: {existing:,} in the database, adding {missing:,} with {days} days of history")
    columns = ["name", "kind", "target", "keyword", "tls_warning_days", "interval_seconds", "timeout_seconds"]
    columns += ["failure_threshold", "success_threshold", "is_public", "public_name_km", "public_name_en"]
    columns += ["is_active", "last_state", "last_checked_at", "last_response_ms", "last_error", "state_since"]
    columns += ["consecutive_failures", "consecutive_successes", "next_check_at", "uptime_24h", "uptime_30d"]
    columns += ["created_at", "updated_at", "lock_version"]
    rows = []
    for n in range(existing, wanted):
        public = n % PUBLIC_SHARE == 0
        rows.append(
            (f"Service {n:05d}", Monitor.Kind.TCP, target, "", 21, 60, 5, 3, 2, public)
            + (f"សេវា {n}" if public else "", f"Online service {n}" if public else "", True)
            + (Monitor.State.UP, now, rng.randint(5, 400), "", now - dt.timedelta(days=days), 0, 10)
            + (now + dt.timedelta(seconds=rng.randint(0, 59)), Decimal("99.900"), Decimal("99.800"))
            + (now - dt.timedelta(days=days), now, 0)
        )
    last = _last_pk(Monitor)
    loader.insert(Monitor, columns, rows)
    new = list(Monitor.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "is_public"))
    pool = _HourPool(rng, PACK_POOL).items
    this_hour = now.replace(minute=0, second=0, microsecond=0)
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    packed_hours = 24 * settings.INFRA_CHECK_RETENTION_DAYS
    kept_hours = 24 * max(settings.INFRA_CHECK_RETENTION_DAYS, settings.INFRA_HOURLY_RETENTION_DAYS)
    rollup_columns = ["monitor_id", "period", "start", "checks", "up", "median_ms", "p95_ms", "samples"]
    with loader.indexes_built_after(Rollup) if missing >= existing else nullcontext():
        batch: list[tuple] = []
        for monitor_id, _public in new:
            for h in range(1, kept_hours + 1):
                item = pool[rng.randrange(PACK_POOL)]
                batch.append(
                    (monitor_id, Rollup.Period.HOUR, this_hour - dt.timedelta(hours=h))
                    + (item["checks"], item["up"], item["median_ms"], item["p95_ms"])
                    + (item["samples"] if h <= packed_hours else None,)
                )
            for d in range(days):
                down = rng.choice([0] * 20 + [1, 2, 5, 30, 120])
                median = rng.randint(5, 400)
                batch.append(
                    (monitor_id, Rollup.Period.DAY, today - dt.timedelta(days=d), 1440, 1440 - down)
                    + (median, median * 3, None)
                )
            if len(batch) >= BATCH:
                loader.insert(Rollup, rollup_columns, batch)
                batch = []
        if batch:
            loader.insert(Rollup, rollup_columns, batch)
    # The raw checks of the minutes since the last roll-up (it runs every 10 minutes).
    minutes = now.minute % 10
    raw = [
        (monitor_id, now - dt.timedelta(minutes=m, seconds=rng.randint(0, 50)), True, rng.randint(5, 400), "")
        for monitor_id, _public in new
        for m in range(minutes)
    ]
    loader.insert(CheckResult, ["monitor_id", "checked_at", "up", "response_ms", "error"], raw)
    _incidents(loader, rng, [pk for pk, public in new if public], days, now)


def _incidents(loader: Loader, rng: random.Random, public: list[int], days: int, now: dt.datetime) -> None:
    """A public incident (closed, with an update) every few days on some public monitors."""
    if not public:
        return
    rows = []
    for _n in range(days // 3):
        started = now - dt.timedelta(days=rng.uniform(1, days - 1))
        minutes = rng.randint(3, 180)
        rows.append(
            (rng.choice(public), started, started + dt.timedelta(minutes=minutes), "TimeoutError", True)
        )
    first = _last_pk(Incident)
    loader.insert(Incident, ["monitor_id", "started_at", "resolved_at", "first_error", "is_public"], rows)
    loader.insert(
        IncidentUpdate,
        ["incident_id", "text_km", "text_en", "posted_at"],
        [
            (pk, "សេវានេះកំពុងដំណើរការឡើងវិញ។", "The service is working again.", now)
            for pk in Incident.objects.filter(pk__gt=first).values_list("pk", flat=True)
        ],
    )
