"""manage.py evidence: the operators' tools for evidence files.

``evidence verify [--case REF] [--since YYYY-MM-DD]`` re-hashes every stored evidence file (read in
chunks), prints a line per modified or missing file and a summary, and exits 1 when any is modified or
missing. Each file checked gets a "re-verified" event in its chain of custody: the custody log of an
item must show every re-verification, and only ``audit_record`` may extend the audit chain (a bulk
insert would have to re-implement its hashing and locking). To keep that cheap and never block the
site, files are hashed outside any transaction, a batch at a time, and each batch's events are then
written in one short transaction (a few milliseconds of the chain lock per batch, not the hashing time).

``evidence log <id>`` prints the chain of custody of one item and whether its events still verify.
"""

from __future__ import annotations

import argparse
import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from nokor.audit.services import seal_pending
from nokor.cyber import custody
from nokor.cyber.models import EvidenceFile

BATCH = 200


class Command(BaseCommand):
    help = "Evidence tools: 'verify' re-hashes the stored files; 'log <id>' prints a chain of custody."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        verify = commands.add_parser("verify", help="Re-hash every stored evidence file.")
        verify.add_argument("--case", help="Only the evidence of this case (and of its reports).")
        verify.add_argument("--since", type=_date, help="Only evidence collected on or after this day.")
        log = commands.add_parser("log", help="Print the chain of custody of one evidence file.")
        log.add_argument("evidence_id")

    def handle(self, *args, action: str, **options):
        if action == "log":
            return self._log(options["evidence_id"])
        return self._verify(case=options.get("case"), since=options.get("since"))

    def _verify(self, *, case: str | None, since: dt.date | None) -> None:
        items = EvidenceFile.objects.select_related("report", "unit").order_by("collected_at", "pk")
        if case:
            items = items.filter(Q(case__reference=case) | Q(report__case__reference=case))
        if since:
            start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
            items = items.filter(collected_at__gte=start)
        counts = {custody.INTACT: 0, custody.MODIFIED: 0, custody.MISSING: 0}
        batch: list[tuple[EvidenceFile, str | None]] = []
        for evidence in items.iterator(chunk_size=BATCH):
            found = custody.evidence_rehash(evidence)
            result = custody.verification_result(evidence, found)
            counts[result] += 1
            if result == custody.MODIFIED:
                self.stdout.write(
                    f"MODIFIED {evidence.pk} {evidence.original_name!r} ({evidence.file.name}): "
                    f"SHA-256 {found}, expected {evidence.sha256}"
                )
            elif result == custody.MISSING:
                self.stdout.write(f"MISSING {evidence.pk} {evidence.original_name!r} ({evidence.file.name})")
            batch.append((evidence, found))
            if len(batch) >= BATCH:
                _record(batch)
                batch = []
        _record(batch)
        checked = sum(counts.values())
        summary = (
            f"Checked {checked} evidence files: {counts[custody.INTACT]} intact, "
            f"{counts[custody.MODIFIED]} modified, {counts[custody.MISSING]} missing."
        )
        if counts[custody.MODIFIED] or counts[custody.MISSING]:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def _log(self, evidence_id: str) -> None:
        try:
            evidence = EvidenceFile.objects.select_related("report", "unit").get(pk=evidence_id)
        except (EvidenceFile.DoesNotExist, ValidationError, ValueError) as error:
            raise CommandError(f"No evidence file {evidence_id}.") from error
        seal_pending()  # the last minute's events too
        events = list(custody.custody_log(evidence))
        self.stdout.write(f"{evidence.original_name} SHA-256 {evidence.sha256} ({evidence.size} bytes)")
        for event in events:
            who = str(event.actor) if event.actor else event.actor_label or "-"
            details = event.details or {}
            extra = " ".join(
                f"{key}={details[key]}"
                for key in ("result", "purpose", "to", "hold", "reason")
                if key in details
            )
            self.stdout.write(
                f"#{event.seq} {event.occurred_at.isoformat()} {event.action} by {who} {extra}".rstrip()
            )
        broken = custody.custody_chain_break(events)
        if broken:
            raise CommandError(f"Chain of custody broken at audit event #{broken.seq}: {broken.reason}.")
        self.stdout.write(
            self.style.SUCCESS(f"{len(events)} custody events; their audit chain links verify.")
        )


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"a day like 2026-01-31, not {value!r}") from error


def _record(batch: list[tuple[EvidenceFile, str | None]]) -> None:
    if not batch:
        return
    with transaction.atomic():
        for evidence, found in batch:
            custody.verified_event(evidence, found, via="command")
