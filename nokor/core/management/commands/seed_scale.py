"""manage.py seed_scale: benchmark-scale data, fast (COPY on PostgreSQL, batched INSERTs elsewhere).

    manage.py seed_scale --applications 1000000 --bench-drafts 30000
    manage.py seed_scale --reports 1000000 --sightings-per-report 5 --measure-growth
    manage.py seed_scale --staff 100000 --courses 50 --progress 2000000
    manage.py seed_scale --sites 16000 --assets 200000 --monitors 2000 --monitor-days 90

Each app's rows are made by its own module (``nokor/services/scale.py``, ``nokor/cyber/scale.py``,
``nokor/academy/scale.py``, ``nokor/infrastructure/scale.py``);
this command only parses, checks the database is ready, hands each module a :class:`BulkLoader`, and
prints what was written. Every app's seeding runs in one transaction (nothing half-written on failure),
then ``VACUUM ANALYZE`` the tables it filled (PostgreSQL), so the planner and the visibility map know
the new rows. When a load is larger than what a table holds already, its non-unique indexes are built
again after the load instead of being updated row by row (``BulkLoader.indexes_built_after``, in the
same transaction; unique indexes stay); the sightings always keep theirs, so their storage grows the
way production's does. While seeding, the tables being loaded are locked: seed before serving.

**Tops up, never duplicates.** ``--applications N`` means "at least N applications": the missing ones
are added (none when N are there already); the same for ``--reports N``, ``--staff N``, ``--courses N``
and ``--progress N`` (lesson-progress rows), ``--sites N``, ``--assets N`` and ``--monitors N`` (each new
monitor with ``--monitor-days`` days of history). The records the benchmark scenarios open (the provincial
officer's application, an issued document, complete drafts for the submit scenario, the demo officer's
enrolments) are made once and found again on the next run; the listed phone number it checks is the
most reported one; the academy's signed quiz pages are made afresh on every run.

The last line of the output is ``NOKOR_SEED {json}``: what the benchmark harness (``bench/run.py``)
needs to know (paths of seeded records, rows written, seconds, bytes per sighting). Demo and benchmark
installations only (``NOKOR_DEMO=1`` or ``NOKOR_DEBUG=1``): the seeded people are fictitious.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction

from nokor.geography.models import AdministrativeUnit

MARKER = "NOKOR_SEED "


class BulkLoader:
    """Appends rows to a model's table: ``COPY … FROM STDIN`` on PostgreSQL, ``executemany`` elsewhere.

    Rows are tuples in the order of ``columns`` (field names or attnames, ``applicant_id``), with Python
    values (UUIDs, aware datetimes, dicts for JSON fields); nothing of the model's ``save()`` runs, so
    ``auto_now`` fields take the value given.

    Inside ``streaming()``, on PostgreSQL, each ``insert`` is handed to a thread that copies it on the
    same connection (same transaction) while the caller makes the next rows: the database works while
    Python generates. The caller must not query the database until the context is left (it waits for
    the last copy and raises its error, if any)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.tables: set[str] = set()
        self._jobs: queue.Queue | None = None
        self._error: BaseException | None = None

    def insert(self, model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Write ``rows`` into ``model``'s table; returns how many were (or, streaming, will be) written."""
        rows = rows if isinstance(rows, list) else list(rows)
        fields = [model._meta.get_field(name) for name in columns]
        rows, fields = self._with_defaults(model, fields, rows)
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        if connection.vendor == "postgresql":
            job = (f"COPY {table} ({names}) FROM STDIN", fields, rows)
            if self._jobs is not None:
                if self._error is not None:
                    raise self._error
                self._jobs.put(job)
            else:
                connection.ensure_connection()
                self._copy(connection.connection, *job)
        else:
            self._insert(table, names, fields, rows)
        self.counts[model._meta.label] += len(rows)
        self.tables.add(model._meta.db_table)
        return len(rows)

    @staticmethod
    def _with_defaults(
        model: type[models.Model], fields: list[models.Field], rows: list[Sequence[Any]]
    ) -> tuple[list[Sequence[Any]], list[models.Field]]:
        """The rows completed with the default of every required column they do not give (a column
        added to a model later needs no change here: the database would refuse its missing value)."""
        given = {field.column for field in fields}
        extra = [
            field
            for field in model._meta.concrete_fields
            if field.column not in given and not field.null and not field.primary_key
        ]
        if not extra:
            return rows, fields
        fixed = [None if callable(field.default) else field.get_default() for field in extra]
        completed = [
            (
                *row,
                *(
                    field.get_default() if callable(field.default) else value
                    for field, value in zip(extra, fixed, strict=True)
                ),
            )
            for row in rows
        ]
        return completed, [*fields, *extra]

    @contextmanager
    def streaming(self) -> Iterator[None]:
        """Copy in a background thread while the caller generates (PostgreSQL; see the class)."""
        if connection.vendor != "postgresql" or self._jobs is not None:
            yield
            return
        connection.ensure_connection()
        jobs: queue.Queue = queue.Queue(maxsize=8)
        worker = threading.Thread(target=self._copier, args=(connection.connection, jobs), daemon=True)
        self._jobs, self._error = jobs, None
        worker.start()
        try:
            yield
        finally:
            jobs.put(None)
            worker.join()
            self._jobs = None
        if self._error is not None:
            raise self._error

    def _copier(self, raw: Any, jobs: queue.Queue) -> None:
        while (job := jobs.get()) is not None:
            if self._error is None:
                try:
                    self._copy(raw, *job)
                except BaseException as error:  # handed to the caller's thread
                    self._error = error

    @staticmethod
    def _copy(raw: Any, statement: str, fields: list[models.Field], rows: list[Sequence[Any]]) -> None:
        json_columns = [i for i, field in enumerate(fields) if isinstance(field, models.JSONField)]
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                if json_columns:
                    row = list(row)
                    for index in json_columns:
                        row[index] = json.dumps(row[index], ensure_ascii=False, default=str)
                copy.write_row(row)

    @staticmethod
    def _insert(table: str, names: str, fields: list[models.Field], rows: list[Sequence[Any]]) -> None:
        placeholders = ", ".join(["%s"] * len(fields))
        prepared = [
            [field.get_db_prep_save(value, connection) for field, value in zip(fields, row, strict=True)]
            for row in rows
        ]
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", prepared)  # noqa: S608

    @contextmanager
    def indexes_built_after(self, *models: type[models.Model]) -> Iterator[None]:
        """Load these tables without their non-unique indexes and build each again afterwards, in the
        caller's transaction (PostgreSQL; elsewhere nothing changes): one sorted build per index is
        much faster than an insertion per row when the load is most of the table. Unique indexes stay,
        so every constraint is checked as the rows arrive; a failure rolls the drops back too."""
        if connection.vendor != "postgresql":
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute(
                "SELECT index.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class index ON index.oid = i.indexrelid "
                "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisunique AND NOT i.indisprimary",
                [[model._meta.db_table for model in models]],
            )
            definitions = cursor.fetchall()
            for name, _ in definitions:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        yield
        with connection.cursor() as cursor:
            # The foreign keys are checked at commit (deferred), and PostgreSQL builds no index on a
            # table with checks pending: run them now, then defer again.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for _, definition in definitions:
                cursor.execute(definition)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def analyze(self) -> None:
        """Bring the planner's statistics (and PostgreSQL's visibility map) up to date for the tables
        written."""
        tables = sorted(self.tables)
        if not tables:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                quoted = ", ".join(connection.ops.quote_name(table) for table in tables)
                # VACUUM cannot run in a transaction (a caller's, a test's): the statistics alone then.
                cursor.execute(f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM (ANALYZE)'} {quoted}")
            elif connection.vendor == "sqlite":
                cursor.execute("ANALYZE")


def table_bytes(model: type[models.Model]) -> int | None:
    """The size of a model's table with its indexes and TOAST (PostgreSQL), else None."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s)", [model._meta.db_table])
        return int(cursor.fetchone()[0])


class Command(BaseCommand):
    help = (
        "Seed benchmark-scale data (tops up to the counts asked; COPY on PostgreSQL). Demo and benchmark "
        "installations only (NOKOR_DEMO=1)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, default=0, help="at least this many applications")
        parser.add_argument(
            "--bench-drafts",
            type=int,
            default=0,
            help="complete drafts of the demo person other_citizen, for the submit benchmark (default 0)",
        )
        parser.add_argument("--reports", type=int, default=0, help="at least this many cybercrime reports")
        parser.add_argument(
            "--sightings-per-report", type=int, default=5, help="identifiers named per report, on average"
        )
        parser.add_argument(
            "--measure-growth",
            action="store_true",
            help="measure the bytes per sighting half-way and at the end (linear growth check)",
        )
        parser.add_argument("--staff", type=int, default=0, help="at least this many staff members")
        parser.add_argument("--courses", type=int, default=0, help="at least this many training courses")
        parser.add_argument(
            "--progress", type=int, default=0, help="at least this many lesson-progress rows (academy)"
        )
        parser.add_argument(
            "--sites", type=int, default=0, help="at least this many offices (infrastructure)"
        )
        parser.add_argument(
            "--assets", type=int, default=0, help="at least this many assets (infrastructure)"
        )
        parser.add_argument("--monitors", type=int, default=0, help="at least this many uptime monitors")
        parser.add_argument(
            "--monitor-days", type=int, default=90, help="days of history of each new monitor (default 90)"
        )
        parser.add_argument(
            "--monitor-target",
            default="127.0.0.1:8123",
            help="HOST:PORT the new monitors check over TCP (default 127.0.0.1:8123)",
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same data)")

    def handle(self, *args, **options):
        if not (settings.DEMO or settings.DEBUG):
            raise CommandError("Benchmark data is only for demo installations: set NOKOR_DEMO=1.")
        for name in (
            "applications", "bench_drafts", "reports", "staff", "courses", "progress", "sites", "assets",
            "monitors", "monitor_days",
        ):  # fmt: skip
            if options[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} cannot be negative.")
        if not 1 <= options["sightings_per_report"] <= 20:
            raise CommandError("--sightings-per-report must be between 1 and 20 (a report names at most 20).")
        academy = options["staff"] or options["courses"] or options["progress"]
        infrastructure = options["sites"] or options["assets"] or options["monitors"]
        if not (
            options["applications"]
            or options["bench_drafts"]
            or options["reports"]
            or academy
            or infrastructure
        ):
            raise CommandError(
                "Nothing to do: give --applications, --bench-drafts, --reports, --staff, --courses, "
                "--progress, --sites, --assets or --monitors."
            )
        if not AdministrativeUnit.objects.exists():
            raise CommandError("Load the administrative tree first: manage.py load_gazetteer.")
        facts: dict[str, Any] = {}
        if options["applications"] or options["bench_drafts"]:
            from nokor.services import scale as services_scale
            from nokor.services.models import Service

            if not Service.objects.filter(current_version__isnull=False).exists():
                call_command("load_services", verbosity=0)
            facts["services"] = self._run(
                "applications",
                lambda loader: services_scale.seed(
                    loader=loader,
                    applications=options["applications"],
                    bench_drafts=options["bench_drafts"],
                    seed=options["seed"],
                    log=self._log,
                ),
            )
        if options["reports"]:
            from nokor.cyber import reference_data
            from nokor.cyber import scale as cyber_scale

            reference_data.load()
            facts["cyber"] = self._run(
                "reports",
                lambda loader: cyber_scale.seed(
                    loader=loader,
                    reports=options["reports"],
                    sightings_per_report=options["sightings_per_report"],
                    measure_growth=options["measure_growth"],
                    seed=options["seed"],
                    log=self._log,
                    table_bytes=table_bytes,
                ),
            )
        if academy:
            from nokor.academy import scale as academy_scale

            facts["academy"] = self._run(
                "academy",
                lambda loader: academy_scale.seed(
                    loader=loader,
                    staff=options["staff"],
                    courses=options["courses"],
                    progress=options["progress"],
                    seed=options["seed"],
                    log=self._log,
                ),
            )
        if infrastructure:
            from nokor.infrastructure import scale as infrastructure_scale

            facts["infrastructure"] = self._run(
                "infrastructure",
                lambda loader: infrastructure_scale.seed(
                    loader=loader,
                    sites=options["sites"],
                    assets=options["assets"],
                    monitors=options["monitors"],
                    monitor_days=options["monitor_days"],
                    target=options["monitor_target"],
                    seed=options["seed"],
                    log=self._log,
                    table_bytes=table_bytes,
                ),
            )
        self.stdout.write(MARKER + json.dumps(facts, ensure_ascii=False, sort_keys=True, default=str))

    def _log(self, message: str) -> None:
        self.stdout.write(message)

    def _run(self, what: str, seed) -> dict[str, Any]:
        """Seed one app in one transaction, analyse its tables, and print how fast it went."""
        loader = BulkLoader()
        started = time.monotonic()
        with transaction.atomic():
            facts = seed(loader)
        written = time.monotonic() - started
        loader.analyze()
        seconds = time.monotonic() - started
        rows = sum(loader.counts.values())
        for label, count in sorted(loader.counts.items()):
            self.stdout.write(f"  {label}: {count:,} rows")
        rate = rows / written if written else 0.0
        self.stdout.write(
            f"{what}: {rows:,} rows in {seconds:.1f} s ({written:.1f} s writing, {rate:,.0f} rows/s; "
            f"{seconds - written:.1f} s analysing)"
        )
        return {
            **facts,
            "rows": dict(loader.counts),
            "seconds": round(seconds, 1),
            "rows_per_second": round(rate),
        }
