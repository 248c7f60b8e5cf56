"""Benchmark-scale cybercrime reports (``manage.py seed_scale --reports N --sightings-per-report K``):
realistic rows, written in bulk, that the scam check, the indicators page and the investigators'
pages treat exactly like reports filed through the site.

What is made, for N reports (a fixed random seed, so the same N gives the same data):

* **Reports** filed over the last two years, the volume growing towards today, numbered within each
  year in order of filing (``CY-2026-000123-7``, ``Report.number`` = year × 10⁹ + number) after the
  numbers already used, and each year's ``Sequence`` advanced past them; categories, channels, losses,
  attempts, flags, priority and first-look deadline as ``report_submit`` computes them; most are
  anonymous with a contact phone or e-mail, and some reporters file several reports (so the scam
  check's "independent reports" count is lower than the raw count); statuses by age (recent ones
  received, older ones assessed, linked, not taken further or closed).
* **Sightings**: K identifiers per report on average (exactly N × K in all), each in the canonical
  form ``nokor.cyber.normalize`` gives (phone numbers in E.164, web addresses, domains, e-mail and
  Bakong addresses, bank accounts, Ethereum addresses, user names, and some unrecognised text). About a
  third name an identifier of a scam *campaign*, drawn from a pool with a long-tailed popularity (a few
  numbers and sites reported thousands of times, many a handful of times): those named by at least three
  independent reports are listed; the rest of the sightings name identifiers seen once, as most are.
* **Payments** (``Transfer``) for reports of money lost, to the bank accounts they name; some
  investigators' **verdicts** (confirmed, false positive) and public **search counts**.

The facts returned name what the benchmark checks: the most-reported phone number, written the way a
person would type it (``012 345 678``), and a valid number that is in no report.

Not made: audit events, notifications, evidence files, cases.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Protocol
from urllib.parse import quote

from django.db.models import Count, Max
from django.utils import timezone

from nokor.accounts.models import RoleAssignment
from nokor.core.models import Sequence
from nokor.cyber import reports as cyber_reports
from nokor.cyber.models import (
    INVESTIGATORS,
    Category,
    IdentifierKind,
    Institution,
    Report,
    SearchCount,
    Sighting,
    Transfer,
    Verdict,
)
from nokor.cyber.normalize import eip55
from nokor.cyber.scamcheck import listings
from nokor.geography.models import AdministrativeUnit

BATCH = 20_000
HISTORY_DAYS = 730
CAMPAIGN_SHARE = 0.35  # of sightings: an identifier of a scam campaign (reported again and again)
REPEAT_REPORTER_SHARE = 0.06  # of reports: filed by someone who filed another one (same contact)
UNKNOWN_PREFIX = ("38", 7)  # a valid Cambodian number prefix the generator never uses: nobody reported it

KIND_WEIGHTS = {
    IdentifierKind.PHONE: 42,
    IdentifierKind.URL: 18,
    IdentifierKind.BANK_ACCOUNT: 12,
    IdentifierKind.HANDLE: 10,
    IdentifierKind.BAKONG: 5,
    IdentifierKind.EMAIL: 5,
    IdentifierKind.DOMAIN: 3,
    IdentifierKind.CRYPTO: 2,
    IdentifierKind.UNKNOWN: 3,
}
CATEGORY_WEIGHTS = {
    "online-fraud": 38,
    "phishing": 20,
    "job-scam": 10,
    "romance-scam": 8,
    "account-takeover": 8,
    "impersonation": 7,
    "online-harassment": 4,
    "sextortion": 3,
    "other": 2,
}
CHANNEL_WEIGHTS = {
    Report.Channel.TELEGRAM: 28,
    Report.Channel.FACEBOOK: 22,
    Report.Channel.PHONE: 16,
    Report.Channel.SMS: 12,
    Report.Channel.WEBSITE: 8,
    Report.Channel.TIKTOK: 5,
    Report.Channel.WHATSAPP: 4,
    Report.Channel.EMAIL: 3,
    Report.Channel.OTHER: 2,
}
CHANNELS, CHANNEL_SHARES = list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values())
KINDS, KIND_SHARES = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
DESCRIPTIONS = [
    "មានគេទាក់ទងខ្ញុំតាម Telegram ហើយណែនាំឱ្យវិនិយោគ។ ខ្ញុំបានផ្ទេរប្រាក់ ហើយមិនអាចដកវិញបានទេ។",
    "សារ SMS ថាគណនីធនាគាររបស់ខ្ញុំត្រូវបានបិទ ហើយឱ្យចុចលើតំណភ្ជាប់ដើម្បីផ្ទៀងផ្ទាត់។",
    "Someone offered me a job liking videos online, then asked me to pay a deposit to get my earnings.",
    "A person I met on Facebook asked for money for a plane ticket and then stopped answering.",
    "គេហៅទូរស័ព្ទមកថាជាប៉ូលិស ហើយទាមទារឱ្យបង់ប្រាក់ពិន័យ។",
    "My Facebook account was taken over and the person is asking my friends for money.",
]
_PHONE_PREFIXES = [
    ("12", 6), ("12", 7), ("11", 6), ("15", 6), ("16", 6), ("17", 6), ("77", 6), ("78", 6), ("85", 6),
    ("89", 6), ("92", 6), ("93", 6), ("96", 7), ("97", 7), ("98", 6), ("99", 6), ("10", 6), ("70", 6),
    ("88", 7), ("69", 6), ("81", 6), ("86", 6), ("87", 6), ("60", 6),
]  # fmt: skip
_WORDS = [
    "kh", "win", "bonus", "profit", "crypto", "invest", "gold", "lucky", "vip", "trade", "cash", "fast",
    "angkor", "mekong", "secure", "login", "verify", "bank", "asia", "royal", "star", "smart", "easy",
]  # fmt: skip
_TLDS = ["com", "net", "xyz", "top", "vip", "online", "site", "com.kh", "cc", "shop"]
_PATHS = ["/", "/login", "/invest", "/verify", "/bonus", "/app", "/account/update", "/register", "/claim"]
_MAIL_PROVIDERS = ["gmail.com", "yahoo.com", "outlook.com", "proton.me", "hotmail.com"]
_BAKONG_BANKS = ["aclb", "abaa", "wing", "cpbk", "ftcc"]
_BANK_CODES = [
    "ABA",
    "ACLEDA",
    "WING",
    "CANADIA",
    "PRINCE",
    "SATHAPANA",
    "CHIPMONG",
    "VATTANAC",
    "FTB",
    "AMK",
]
_UNKNOWN_TEXTS = ["លោក ដារ៉ា", "Mr. Sok, manager", "ក្រុមហ៊ុន វិនិយោគ", "the lady from the agency", "Ms Lina"]

REPORT_COLUMNS = (
    "id", "number", "reference", "tracking_code_hash", "reporter_id", "on_behalf_of", "category_id",
    "channel", "incident_date", "description", "attempt_only", "ongoing_contact", "vulnerable_victim",
    "trafficking_flag", "loss_khr", "loss_usd_cents", "contact_email", "contact_phone", "consent", "unit_id",
    "status", "public_note", "priority", "sla_due", "triaged_at", "rejection_reason", "triaged_by_id",
    "created_at", "updated_at",
)  # fmt: skip
SIGHTING_COLUMNS = (
    "report_id",
    "kind",
    "value",
    "original",
    "registrable_domain",
    "recognized",
    "reported_at",
)
TRANSFER_COLUMNS = (
    "report_id", "institution_id", "institution_text", "to_account", "transaction_id", "paid_on", "amount",
    "currency",
)  # fmt: skip

# An identifier: (kind, value, original, registrable_domain, recognized)
Identifier = tuple[str, str, str, str, bool]


class Loader(Protocol):
    """What the command hands over: ``insert(model, columns, rows)`` writes rows in bulk;
    ``indexes_built_after(*models)`` is a context in which those tables' non-unique indexes are built
    after the load instead of row by row; in ``streaming()`` rows are written while the next ones are
    made (no database read inside)."""

    def insert(self, model: Any, columns: Any, rows: Any) -> int: ...

    def indexes_built_after(self, *models: Any) -> AbstractContextManager: ...

    def streaming(self) -> AbstractContextManager: ...


def seed(
    *,
    loader: Loader,
    reports: int,
    sightings_per_report: int = 5,
    measure_growth: bool = False,
    seed: int = 2026,
    log: Callable[[str], None] = print,
    table_bytes: Callable[[Any], int | None] = lambda model: None,
) -> dict[str, Any]:
    """Top the reports up to ``reports`` (``sightings_per_report`` identifiers each, on average); returns
    the facts the benchmark needs and the storage of the sightings. Runs in the caller's transaction."""
    existing = Report.objects.count()
    missing = max(0, reports - existing)
    growth = []
    factory = _Factory(seed=seed, offset=existing, count=missing, per_report=sightings_per_report)
    if missing:
        log(
            f"reports: {existing:,} in the database, adding {missing:,} "
            f"with {missing * sightings_per_report:,} sightings"
        )
        halves = [missing // 2, missing - missing // 2] if measure_growth else [missing]
        # Reports and payments: indexes built after a large load. Sightings keep theirs all along, so
        # their size grows as it does in production, where they are inserted report by report.
        with loader.indexes_built_after(Report, Transfer) if missing >= existing else nullcontext():
            for part in halves:
                factory.write(loader, part)
                if measure_growth:
                    growth.append(_storage(table_bytes))
    else:
        log(f"reports: {existing:,} in the database already (asked for {reports:,})")
    factory.finish(loader)
    storage = _storage(table_bytes)
    if storage["bytes_per_sighting"] is not None:
        log(f"sightings: {storage['sightings']:,} rows, {storage['bytes']:,} bytes with their indexes, "
            f"{storage['bytes_per_sighting']:.1f} bytes per sighting")  # fmt: skip
    for point in growth:
        log(f"  growth: {point['sightings']:,} sightings, {point['bytes_per_sighting']} bytes per sighting")
    listed = factory.bench_identifier()
    return {
        "reports": Report.objects.count(),
        "sightings": storage["sightings"],
        "sighting_bytes": storage["bytes"],
        "bytes_per_sighting": storage["bytes_per_sighting"],
        "growth": growth,
        **listed,
    }


def _storage(table_bytes: Callable[[Any], int | None]) -> dict[str, Any]:
    """The sighting table's size with its indexes, and per sighting (PostgreSQL only)."""
    count = Sighting.objects.count()
    size = table_bytes(Sighting)
    per = round(size / count, 1) if size is not None and count else None
    return {"sightings": count, "bytes": size, "bytes_per_sighting": per}


def national_form(e164: str) -> str:
    """A Cambodian number as people write it: ``+85512345678`` → ``012 345 678``."""
    digits = "0" + e164.removeprefix("+855")
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


class _Factory:
    """Makes report rows; one instance per run of the command."""

    def __init__(self, *, seed: int, offset: int, count: int, per_report: int) -> None:
        self.rng = random.Random(f"{seed}:reports:{offset}")
        self.per_report = per_report
        self.now = timezone.now()
        self.zone = timezone.get_default_timezone()
        self.categories = dict(Category.objects.filter(is_active=True).values_list("slug", "id"))
        self.sensitive = set(Category.objects.filter(sensitive=True).values_list("id", flat=True))
        self.institutions = dict(Institution.objects.values_list("code", "id"))
        units = AdministrativeUnit.objects.current().values_list("code", "id")
        by_length: dict[int, list[int]] = {}
        for code, unit_id in units:
            by_length.setdefault(len(code), []).append(unit_id)
        self.units = by_length.get(6) or by_length.get(4) or by_length.get(2) or [None]
        self.investigators = list(
            RoleAssignment.objects.active()
            .filter(role__in=INVESTIGATORS)
            .values_list("user_id", flat=True)
            .distinct()
        )
        # The campaign pool: identifiers reported again and again, with a long-tailed popularity.
        self.pool_size = max(50, (count * per_report) // 50)
        self.pool: list[Identifier] = []
        self.pool_seen: Counter[int] = Counter()
        weights = [1 / (rank + 200) ** 1.1 for rank in range(self.pool_size)]  # top: ~2,000 reports at 1M
        self.pool_cumulative = list(itertools.accumulate(weights))
        self.fresh = 0
        self._bench: int | None = None
        self.contacts: list[tuple[str, str]] = []
        self.category_slugs = [slug for slug in CATEGORY_WEIGHTS if slug in self.categories] or list(
            self.categories
        )
        self.category_weights = [CATEGORY_WEIGHTS.get(slug, 1) for slug in self.category_slugs]
        # Filing moments of every report to add, oldest first (the volume grows towards today).
        span = HISTORY_DAYS * 86400
        self.ages = sorted((span * (1 - self.rng.random() ** 0.5) for _ in range(count)), reverse=True)
        self.numbers = self._numbers()
        self.position = 0

    # --- numbering -------------------------------------------------------------------------------
    def _numbers(self) -> list[tuple[int, int]]:
        used: dict[int, int] = {}
        result = []
        for age in self.ages:
            year = (self.now - dt.timedelta(seconds=age)).astimezone(self.zone).year
            if year not in used:
                sequence = (
                    Sequence.objects.filter(name=f"cyber-report-{year}")
                    .values_list("value", flat=True)
                    .first()
                    or 0
                )
                stored = Report.objects.filter(reference__startswith=f"CY-{year}-").aggregate(
                    top=Max("number")
                )["top"]
                used[year] = max(sequence, (stored or 0) - year * cyber_reports.NUMBERS_PER_YEAR)
            used[year] += 1
            result.append((year, used[year]))
        for year, last in used.items():
            Sequence.objects.update_or_create(name=f"cyber-report-{year}", defaults={"value": last})
        return result

    # --- identifiers -------------------------------------------------------------------------------
    def _identifier(self, kind: str) -> Identifier:
        """A new identifier of ``kind``, canonical, with how a reporter might have written it."""
        rng = self.rng
        self.fresh += 1
        n = self.fresh
        if kind == IdentifierKind.PHONE:
            prefix, length = rng.choice(_PHONE_PREFIXES)
            value = f"+855{prefix}{rng.randrange(10 ** (length - 1), 10**length)}"
            return (kind, value, national_form(value) if rng.random() < 0.7 else value, "", True)
        if kind in (IdentifierKind.URL, IdentifierKind.DOMAIN):
            domain = f"{rng.choice(_WORDS)}-{rng.choice(_WORDS)}{n % 9973}.{rng.choice(_TLDS)}"
            if kind == IdentifierKind.DOMAIN:
                return (kind, domain, domain, domain, True)
            if rng.random() < 0.15:  # a scam page on a shared platform: listed by its own address only
                handle = f"{rng.choice(_WORDS)}_{rng.choice(_WORDS)}{n}"
                value = f"https://t.me/{handle}"
                return (kind, value, value, "t.me", True)
            value = f"https://{domain}{rng.choice(_PATHS)}"
            return (kind, value, value.replace("https://", "hxxps://", 1) if rng.random() < 0.2 else value,
                    domain, True)  # fmt: skip
        if kind == IdentifierKind.HANDLE:
            value = f"{rng.choice(_WORDS)}_{rng.choice(_WORDS)}{n}"
            return (kind, value, f"@{value}", "", True)
        if kind == IdentifierKind.BANK_ACCOUNT:
            bank = rng.choice(_BANK_CODES)
            digits = f"{rng.randrange(10**8, 10**12)}"
            return (kind, f"{bank}:{digits}", f"{bank.lower()}: {digits}", "", True)
        if kind == IdentifierKind.BAKONG:
            value = f"{rng.choice(_WORDS)}{n}@{rng.choice(_BAKONG_BANKS)}"
            return (kind, value, value, "", True)
        if kind == IdentifierKind.EMAIL:
            provider = rng.choice(_MAIL_PROVIDERS)
            value = f"{rng.choice(_WORDS)}.{rng.choice(_WORDS)}{n}@{provider}"
            return (kind, value, value, provider, True)
        if kind == IdentifierKind.CRYPTO:
            value = eip55(f"{rng.getrandbits(160):040x}")
            return (kind, value, value.lower(), "", True)
        text = f"{rng.choice(_UNKNOWN_TEXTS)} {n}"
        return (IdentifierKind.UNKNOWN.value, text, text, "", False)

    def _kind(self) -> str:
        return self.rng.choices(KINDS, KIND_SHARES)[0]

    def _pool_identifier(self) -> tuple[int, Identifier]:
        index = bisect.bisect_left(self.pool_cumulative, self.rng.random() * self.pool_cumulative[-1])
        index = min(index, self.pool_size - 1)
        while len(self.pool) <= index:
            kind = self._kind()
            while kind == IdentifierKind.UNKNOWN:  # campaigns are about numbers, sites and accounts
                kind = self._kind()
            self.pool.append(self._identifier(kind))
        return index, self.pool[index]

    # --- reports -----------------------------------------------------------------------------------
    def write(self, loader: Loader, count: int) -> None:
        """Write the next ``count`` reports with their sightings and payments."""
        end = self.position + count
        with loader.streaming():  # no database read from here to the end of the block
            while self.position < end:
                stop = min(end, self.position + BATCH)
                reports, sightings, transfers = [], [], []
                for index in range(self.position, stop):
                    self._report(index, reports, sightings, transfers)
                loader.insert(Report, REPORT_COLUMNS, reports)
                loader.insert(Sighting, SIGHTING_COLUMNS, sightings)
                loader.insert(Transfer, TRANSFER_COLUMNS, transfers)
                self.position = stop

    def _count_for(self, index: int) -> int:
        """Identifiers of the report ``index``: around K, pairs of reports summing to exactly 2K."""
        k = self.per_report
        spread = min(k - 1, 20 - k, 3)
        if spread <= 0:
            return k
        pair = (index // 2) * 2654435761 % (2 * spread + 1) - spread  # a cheap, fixed spread
        return k + pair if index % 2 == 0 else k - pair

    def _report(self, index: int, reports: list, sightings: list, transfers: list) -> None:
        rng = self.rng
        age = self.ages[index]
        year, serial = self.numbers[index]
        created_at = self.now - dt.timedelta(seconds=age)
        report_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        count = self._count_for(index)
        if index == len(self.ages) - 1 and len(self.ages) % 2 == 1:
            count = self.per_report  # the unpaired last report keeps the total exact
        chosen: dict[tuple[str, str], Identifier] = {}
        while len(chosen) < count:
            if rng.random() < CAMPAIGN_SHARE:
                pool_index, identifier = self._pool_identifier()
                if (identifier[0], identifier[1]) in chosen:
                    continue
                self.pool_seen[pool_index] += 1
            else:
                identifier = self._identifier(self._kind())
            chosen[(identifier[0], identifier[1])] = identifier
        for kind, value, original, domain, recognized in chosen.values():
            sightings.append((report_id, kind, value, original, domain, recognized, created_at))
        category_id = self.categories[rng.choices(self.category_slugs, self.category_weights)[0]]
        attempt = rng.random() < 0.3
        loss_usd_cents = loss_khr = 0
        if not attempt and rng.random() < 0.7:
            accounts = [value for kind, value, *_ in chosen.values() if kind == IdentifierKind.BANK_ACCOUNT]
            for number in range(rng.choice([1, 1, 1, 2])):
                amount = round(min(rng.lognormvariate(5.5, 1.4), 250_000), 2)
                usd = rng.random() < 0.7
                account = accounts[number] if number < len(accounts) else ""
                bank = account.split(":")[0] if account else rng.choice(_BANK_CODES)
                paid = (created_at - dt.timedelta(days=rng.randint(0, 10))).astimezone(self.zone).date()
                transfers.append(
                    (
                        report_id,
                        self.institutions.get(bank),
                        "" if bank in self.institutions else bank,
                        account.split(":")[-1] if account else "",
                        f"FT{rng.randrange(10**9, 10**10)}",
                        paid,
                        round(amount if usd else amount * 4000, 2),
                        "USD" if usd else "KHR",
                    )
                )
                if usd:
                    loss_usd_cents += int(round(amount * 100))
                else:
                    loss_khr += int(round(amount * 4000))
        contact_phone, contact_email = self._contact()
        ongoing = rng.random() < 0.15
        vulnerable = rng.random() < 0.08
        trafficking = rng.random() < 0.01
        score = cyber_reports.priority_score(
            loss_khr=loss_khr,
            loss_usd_cents=loss_usd_cents,
            ongoing_contact=ongoing,
            vulnerable_victim=vulnerable,
            sensitive=category_id in self.sensitive,
            trafficking_flag=trafficking,
        )
        status, triaged_at = self._status(age, created_at)
        investigator = rng.choice(self.investigators) if triaged_at and self.investigators else None
        incident = (created_at - dt.timedelta(days=rng.randint(0, 20))).astimezone(self.zone).date()
        reports.append(
            (
                report_id,
                year * cyber_reports.NUMBERS_PER_YEAR + serial,
                cyber_reports.make_reference(year, serial),
                f"{rng.getrandbits(256):064x}",  # the hash of a tracking code nobody holds
                None,
                "" if rng.random() < 0.95 else "ម្តាយរបស់ខ្ញុំ",
                category_id,
                rng.choices(CHANNELS, CHANNEL_SHARES)[0],
                incident,
                rng.choice(DESCRIPTIONS),
                attempt,
                ongoing,
                vulnerable,
                trafficking,
                loss_khr,
                loss_usd_cents,
                contact_email,
                contact_phone,
                rng.random() < 0.8,
                rng.choice(self.units),
                status,
                "",
                score,
                created_at + cyber_reports.SLA[cyber_reports.priority_band(score)],
                triaged_at,
                "Not enough information to act on." if status == Report.Status.REJECTED else "",
                investigator,
                created_at,
                triaged_at or created_at,
            )
        )

    def _contact(self) -> tuple[str, str]:
        """(phone, e-mail) the reporter left: mostly one of them, sometimes none; some people report
        more than once (the same contact again)."""
        rng = self.rng
        if self.contacts and rng.random() < REPEAT_REPORTER_SHARE:
            return rng.choice(self.contacts)
        draw = rng.random()
        if draw < 0.55:
            contact = (self._identifier(IdentifierKind.PHONE)[1], "")
        elif draw < 0.8:
            contact = ("", f"reporter{self.fresh}@example.com")
            self.fresh += 1
        else:
            return ("", "")
        if len(self.contacts) < 50_000:
            self.contacts.append(contact)
        return contact

    def _status(self, age: float, created_at: dt.datetime) -> tuple[str, dt.datetime | None]:
        rng = self.rng
        days = age / 86400
        if days < 3 or (days < 14 and rng.random() < 0.6) or rng.random() < 0.08:
            return Report.Status.RECEIVED, None
        triaged_at = min(created_at + dt.timedelta(hours=rng.randint(2, 24 * 6)), self.now)
        status = rng.choices(
            [Report.Status.TRIAGED, Report.Status.LINKED, Report.Status.REJECTED, Report.Status.CLOSED],
            [40, 15, 15, 30],
        )[0]
        return status, triaged_at

    # --- after the reports ---------------------------------------------------------------------------
    def finish(self, loader: Loader) -> None:
        """Verdicts on some campaign identifiers and search counts of the popular ones."""
        ranked = [index for index, _ in self.pool_seen.most_common()]
        bench = self._bench_pool_index()
        if self.investigators:
            verdicts = []
            existing = set(Verdict.objects.values_list("kind", "value"))
            for rank, index in enumerate(ranked[: max(1, len(ranked) // 100)]):
                kind, value, *_ = self.pool[index]
                if index == bench or (kind, value) in existing:
                    continue
                outcome = Verdict.Outcome.FALSE_POSITIVE if rank % 7 == 3 else Verdict.Outcome.CONFIRMED
                verdicts.append((kind, value, outcome, "", self.rng.choice(self.investigators), self.now))
            loader.insert(
                Verdict, ("kind", "value", "outcome", "note", "decided_by_id", "decided_at"), verdicts
            )
        existing_counts = set(SearchCount.objects.values_list("kind", "value"))
        counts = []
        for index in ranked[: len(ranked) // 5]:
            kind, value, *_ = self.pool[index]
            if (kind, value) not in existing_counts:
                counts.append((kind, value, self.pool_seen[index] * self.rng.randint(1, 8), self.now))
        loader.insert(SearchCount, ("kind", "value", "count", "last_searched_at"), counts)

    def _bench_pool_index(self) -> int | None:
        """The most-reported campaign phone number that is listed (enough independent, recent reports;
        no verdict)."""
        if self._bench is None:
            phones = [i for i, _ in self.pool_seen.most_common() if self.pool[i][0] == IdentifierKind.PHONE][
                :20
            ]
            found = listings([self.pool[i][:2] for i in phones]) if phones else {}
            self._bench = next((i for i in phones if found[self.pool[i][:2]].listed), -1)
        return self._bench if self._bench >= 0 else None

    def bench_identifier(self) -> dict[str, Any]:
        """The most-reported phone number (as typed by a person) and a valid number nobody reported."""
        rng = random.Random("unknown-number")
        prefix, length = UNKNOWN_PREFIX
        unknown = f"+855{prefix}{rng.randrange(10 ** (length - 1), 10**length)}"
        index = self._bench_pool_index()
        if index is None:  # nothing added this time: the most-reported phone number already stored
            row = (
                Sighting.objects.filter(kind=IdentifierKind.PHONE)
                .values("value")
                .annotate(n=Count("id"))
                .order_by("-n")
                .first()
            )
            value = row["value"] if row else None
        else:
            value = self.pool[index][1]
        listed = national_form(value) if value else None
        return {
            "listed_phone": value,
            "listed_phone_written": listed,
            "listed_query": quote(listed) if listed else None,
            "listed_sightings": Sighting.objects.filter(kind=IdentifierKind.PHONE, value=value).count()
            if value
            else 0,
            "unknown_phone": national_form(unknown),
            "unknown_query": quote(national_form(unknown)),
        }
