"""The public scam check: is this phone number, web address, account or user name on the list of
scams reported to the Ministry? The listing rules live here, with the lookup the page and the API share.

Listing rules (one identifier = one canonical ``(kind, value)`` from ``nokor.cyber.normalize``):

1. **Counted reports.** A report counts when it names the identifier (a recognised ``Sighting``) and has
   not been rejected by an investigator (``Report.Status.REJECTED``: "not taken further").
2. **Independent reports.** Reports are counted by reporter, not by row: reports by the same person
   count once. A report's reporter is, in this order, its contact phone number, its contact e-mail
   address (case-insensitive), its reporter's account (unless it was filed on behalf of someone else —
   an officer filing for several victims must not collapse them into one), else the report itself (an
   anonymous report without contact details counts on its own). The same person writing their phone
   once and their e-mail another time counts twice: the precedence is a documented approximation that
   SQL computes in the same query (``COUNT(DISTINCT …)``), never a pairwise comparison.
3. **Listed** when no rule below says otherwise and either an investigator CONFIRMED the identifier, or
   at least ``CYBER_LISTING_MIN_REPORTS`` (default 3) independent reports name it.
4. **Never listed**: an identifier on the allow-list (``AllowListEntry``), or with a FALSE_POSITIVE or
   EXPIRED ("no longer in use") verdict. These verdicts hold until an investigator changes them; new
   reports after them are shown to investigators on the indicators page, not to the public.
5. **Expiry.** A listing lapses ``CYBER_LISTING_EXPIRY_DAYS`` (default 365) after its last counted
   report. A confirmed listing lapses the same number of days after the later of its last report and
   its confirmation: re-confirming it (or a new report) renews it. Old reports count again as soon as a
   new one arrives: the window is "time since the last report", not a sliding count.
6. **Web addresses and their domain.** A URL is checked twice: as itself, and through its registrable
   domain, whose reports are those naming the domain or any URL under it (``Sighting.registrable_domain``).
   A URL under a listed domain is listed ("this site belongs to a domain reported N times"). Shared
   platforms (``SHARED_DOMAINS``: Telegram, Facebook, TikTok…) and allow-listed domains are never listed
   as a whole; a scam page there is listed by its own address only.
7. **Only recognised identifiers** are looked up: text that is not a phone number, address, account or
   user name (a person's name, a sentence) is never listed, so the check cannot be used to accuse people.
8. **Nothing below the threshold is disclosed.** The public sees counts, dates and categories only for a
   listed identifier; an unlisted one is "no reports on our list", never "safe". Reporter data (account,
   contact details, description) is never read into a result.

Every lookup is an index lookup: ``Sighting(kind, value, reported_at)`` for the identifier,
``Sighting(registrable_domain)`` for a domain, the unique ``(kind, value)`` of ``Verdict``,
``AllowListEntry`` and ``SearchCount``, and the report's primary key.

**Cached answers.** The public check reads the counts of an identifier (its reports, dates, verdict,
allow-listing and categories) from the cache for ``CYBER_CHECK_CACHE_SECONDS`` (default 60): a number
reported thousands of times is counted once a minute, not on every check. Every change of a report,
sighting, verdict or allow-list entry saved through the ORM makes every cached answer old (a new cache
generation, at once and again when its transaction commits), and the listing decision itself (rules 3
to 5) is taken afresh on each check, so expiry is always on time. What the cache cannot see (a bulk
update, another process's change with a per-process cache) is at most that many seconds old. The
investigators' indicators page and the dispute service read the database every time (``listings``).

Cost, pinned in the tests: a check adds its search to the process's buffer (``searchcounts``: written
every few seconds, one statement per identifier; one ``SELECT`` of the stored count the first time a
process sees an identifier), then reads the cache; on a miss, four more queries (the sightings
aggregate, verdicts, allow-list, categories) whatever the number of reports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Case, CharField, Count, Max, Min, Q, Value, When
from django.db.models.functions import Cast, Concat, Lower
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nokor.audit.services import audit_record
from nokor.core.context import current_ip
from nokor.core.text import strip_invisible
from nokor.cyber import searchcounts
from nokor.cyber.models import (
    AllowListEntry,
    Dispute,
    IdentifierKind,
    Report,
    Sighting,
    Verdict,
)
from nokor.cyber.normalize import Identifier, normalize

# Platforms where anyone may publish: a domain roll-up there would list the whole platform.
SHARED_DOMAINS = frozenset(
    {
        "t.me",
        "telegram.me",
        "telegram.org",
        "facebook.com",
        "fb.com",
        "fb.me",
        "messenger.com",
        "m.me",
        "tiktok.com",
        "instagram.com",
        "x.com",
        "twitter.com",
        "youtube.com",
        "youtu.be",
        "whatsapp.com",
        "wa.me",
        "google.com",
        "bit.ly",
        "tinyurl.com",
        "linktr.ee",
    }
)

# Identifiers of these kinds are looked up and listed; "unknown" text never is (rule 7).
LISTABLE_KINDS = tuple(kind for kind in IdentifierKind.values if kind != IdentifierKind.UNKNOWN)
RATE_WINDOW_SECONDS = 60
# Identifiers are stored (sightings, verdicts, counts) cut to the column's length; lookups cut the same.
VALUE_MAX_LENGTH = Sighting._meta.get_field("value").max_length


def stored_value(normalized: str) -> str:
    """A canonical value as it is stored and compared (an over-long web address cut to the column)."""
    return normalized[:VALUE_MAX_LENGTH]


def min_reports() -> int:
    """Independent reports needed to list an identifier without an investigator's confirmation."""
    return max(1, int(getattr(settings, "CYBER_LISTING_MIN_REPORTS", 3)))


def expiry_days() -> int:
    """Days without a new report (or a re-confirmation) after which a listing lapses."""
    return max(1, int(getattr(settings, "CYBER_LISTING_EXPIRY_DAYS", 365)))


class Status(models.TextChoices):
    """Why an identifier is, or is not, on the public list."""

    CONFIRMED = "confirmed", _("Confirmed by an investigator")
    REPORTED = "reported", _("Reported by enough people")
    ALLOW_LISTED = "allow_listed", _("On the allow-list")
    FALSE_POSITIVE = "false_positive", _("Marked as a false positive")
    NO_LONGER_IN_USE = "expired", _("Marked as no longer in use")
    LAPSED = "lapsed", _("Listing lapsed: no recent report")
    TOO_FEW = "too_few", _("Too few reports to list")
    NONE = "none", _("No report")


LISTED_STATUSES = frozenset({Status.CONFIRMED, Status.REPORTED})


@dataclass(frozen=True, slots=True)
class Listing:
    """What the list says about one identifier: counted reports, their dates, the verdict, the decision."""

    kind: str
    value: str
    report_count: int = 0
    first_reported_at: dt.datetime | None = None
    last_reported_at: dt.datetime | None = None
    verdict: str | None = None
    verdict_at: dt.datetime | None = None
    allow_listed: bool = False
    status: str = Status.NONE

    @property
    def listed(self) -> bool:
        return self.status in LISTED_STATUSES

    @property
    def confirmed(self) -> bool:
        return self.status == Status.CONFIRMED

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def first_reported(self) -> dt.date | None:
        return _local_date(self.first_reported_at)

    @property
    def last_reported(self) -> dt.date | None:
        return _local_date(self.last_reported_at)

    @property
    def active_until(self) -> dt.datetime | None:
        """When the listing lapses unless a report or a re-confirmation renews it."""
        latest = _latest(self.last_reported_at, self.verdict_at if self.confirmed else None)
        return None if latest is None else latest + dt.timedelta(days=expiry_days())


@dataclass(frozen=True)
class CheckResult:
    """The answer to one public check. ``listing`` is the identifier's own (None when not recognised);
    ``domain_listing`` is its registrable domain's, for a web address."""

    query: str
    identifier: Identifier
    listing: Listing | None
    domain_listing: Listing | None = None
    searched: int = 0
    categories: tuple[str, ...] = field(default_factory=tuple)

    @property
    def kind(self) -> str:
        return self.identifier.kind if self.identifier.recognized else IdentifierKind.UNKNOWN

    @property
    def normalized(self) -> str:
        return self.identifier.normalized

    @property
    def recognized(self) -> bool:
        return self.identifier.recognized

    @property
    def domain(self) -> str | None:
        return self.identifier.registrable_domain if self.kind == IdentifierKind.URL else None

    @property
    def domain_listed(self) -> bool:
        return self.domain_listing is not None and self.domain_listing.listed

    @property
    def listed(self) -> bool:
        return (self.listing is not None and self.listing.listed) or self.domain_listed

    @property
    def listed_by_domain(self) -> bool:
        """Listed only because the site's domain is (the address itself is not)."""
        return self.listed and not (self.listing is not None and self.listing.listed)

    @property
    def applicable(self) -> Listing | None:
        """The listing whose counts the public sees: the identifier's own, else its domain's."""
        if self.listing is not None and self.listing.listed:
            return self.listing
        if self.domain_listed:
            return self.domain_listing
        return None

    @property
    def report_count(self) -> int:
        return self.applicable.report_count if self.applicable else 0

    @property
    def first_reported(self) -> dt.date | None:
        return self.applicable.first_reported if self.applicable else None

    @property
    def last_reported(self) -> dt.date | None:
        return self.applicable.last_reported if self.applicable else None

    @property
    def confirmed(self) -> bool:
        return self.applicable is not None and self.applicable.confirmed

    def public_data(self) -> dict[str, Any]:
        """The answer as the API gives it: counts, dates and categories only when listed (rule 8)."""
        data: dict[str, Any] = {
            "query": self.query,
            "kind": self.kind,
            "normalized": self.normalized,
            "listed": self.listed,
        }
        if self.listed:
            data.update(
                report_count=self.report_count,
                first_reported=self.first_reported,
                last_reported=self.last_reported,
                categories=list(self.categories),
                confirmed=self.confirmed,
            )
        if self.kind == IdentifierKind.URL:
            data["domain"] = self.domain
            data["domain_listed"] = self.domain_listed
            if self.domain_listed:
                data["domain_report_count"] = self.domain_listing.report_count
        data["searched"] = self.searched
        return data


# --------------------------------------------------------------------------------------------------
# The lookup
# --------------------------------------------------------------------------------------------------
def check(text: str) -> CheckResult:
    """Look ``text`` up in any written form (defanged or not) and count the search."""
    return lookup(text, count_search=True)


def lookup(text: str, *, count_search: bool = False) -> CheckResult:
    """The listing of what ``text`` names (and of its domain for a web address); the search is counted
    only when ``count_search`` (a dispute form re-reading the result does not count as a search)."""
    identifier = normalize(text)
    if not identifier.recognized or identifier.kind not in LISTABLE_KINDS:
        return CheckResult(query=text, identifier=identifier, listing=None)
    own = (identifier.kind, stored_value(identifier.normalized))
    targets = [own]
    domain = identifier.registrable_domain if identifier.kind == IdentifierKind.URL else None
    if domain and domain not in SHARED_DOMAINS:  # a shared platform's reports are never read as a whole
        targets.append((IdentifierKind.DOMAIN.value, domain))
    searched = searchcounts.COUNTER.count(*own) if count_search else searchcounts.stored_count(*own)
    listing, domain_listing, categories = _answer(own, targets, domain)
    return CheckResult(
        query=text,
        identifier=identifier,
        listing=listing,
        domain_listing=domain_listing,
        searched=searched,
        categories=categories,
    )


def _answer(
    own: tuple[str, str], targets: list[tuple[str, str]], domain: str | None
) -> tuple[Listing, Listing | None, tuple[str, ...]]:
    """The identifier's listing, its domain's and the categories shown: from the cache when the
    cached answer is of the current generation and its decisions still hold now, else from the
    database (and cached)."""
    now = timezone.now()
    seconds = cache_seconds()
    key = CACHE_PREFIX + hashlib.sha256(repr(targets).encode()).hexdigest()[:40]
    if seconds > 0:
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY)
        cached = found.get(key)
        if cached is not None and generation is not None and cached[0] == generation:
            listing, domain_listing, categories = cached[1:]
            if all(_still(item, now) for item in (listing, domain_listing) if item is not None):
                return listing, domain_listing, categories
    else:
        generation = None
    found_listings = listings(targets, now=now)
    listing = found_listings[own]
    domain_listing = None
    if domain:
        domain_listing = found_listings.get(
            (IdentifierKind.DOMAIN.value, domain),
            Listing(IdentifierKind.DOMAIN.value, domain, allow_listed=True, status=Status.ALLOW_LISTED),
        )
    applicable = (
        listing if listing.listed else domain_listing if domain_listing and domain_listing.listed else None
    )
    categories = _categories(applicable.kind, applicable.value) if applicable else ()
    if seconds > 0:
        if generation is None:
            generation = _new_generation()
        cache.set(key, (generation, listing, domain_listing, categories), seconds)
    return listing, domain_listing, categories


def _still(listing: Listing, now: dt.datetime) -> bool:
    """Whether a cached listing's decision is still the one its counts and verdict give now (a listing
    lapses at its time even when its answer is cached)."""
    return listing.status == decide(
        count=listing.report_count,
        last_reported_at=listing.last_reported_at,
        verdict=listing.verdict,
        verdict_at=listing.verdict_at,
        allow_listed=listing.allow_listed,
        now=now,
    )


# --------------------------------------------------------------------------------------------------
# The cache of answers
# --------------------------------------------------------------------------------------------------
CACHE_PREFIX = "cyber:check:answer:"
GENERATION_KEY = "cyber:check:generation"


def cache_seconds() -> int:
    """How long a check's answer is read from the cache (0: never cached)."""
    return max(0, int(settings.CYBER_CHECK_CACHE_SECONDS))


def _new_generation() -> str:
    """Make every cached answer old; returns the new generation."""
    generation = uuid.uuid4().hex
    cache.set(GENERATION_KEY, generation, None)
    return generation


def _listing_data_changed(sender: Any, **kwargs: Any) -> None:
    """A report, sighting, verdict or allow-list entry changed: cached answers are old, now for this
    process, and for everyone once the change is committed (a check in between may cache the old counts
    under the new generation; the one at commit makes them old again)."""
    _new_generation()
    transaction.on_commit(_new_generation)


for _model in (Report, Sighting, Verdict, AllowListEntry):
    for _signal in (post_save, post_delete):
        _signal.connect(
            _listing_data_changed, sender=_model, dispatch_uid=f"scamcheck-{_signal}-{_model.__name__}"
        )


def listings(targets: Iterable[tuple[str, str]], *, now: dt.datetime | None = None) -> dict:
    """The listing of each ``(kind, value)``, in three queries whatever their number (one aggregate of
    the sightings with a filtered aggregate per target, the verdicts, the allow-list)."""
    targets = list(dict.fromkeys((str(kind), value) for kind, value in targets))
    if not targets:
        return {}
    now = now or timezone.now()
    stats = _report_stats(targets)
    verdicts = {
        (kind, value): (outcome, decided_at)
        for kind, value, outcome, decided_at in Verdict.objects.filter(_pairs(targets)).values_list(
            "kind", "value", "outcome", "decided_at"
        )
    }
    allowed = set(AllowListEntry.objects.filter(_pairs(targets)).values_list("kind", "value"))
    result = {}
    for target in targets:
        count, first, last = stats[target]
        outcome, decided_at = verdicts.get(target, (None, None))
        kind, value = target
        shared = kind == IdentifierKind.DOMAIN and value in SHARED_DOMAINS
        result[target] = Listing(
            kind=kind,
            value=value,
            report_count=count,
            first_reported_at=first,
            last_reported_at=last,
            verdict=outcome,
            verdict_at=decided_at,
            allow_listed=target in allowed or shared,
            status=decide(
                count=count,
                last_reported_at=last,
                verdict=outcome,
                verdict_at=decided_at,
                allow_listed=target in allowed or shared,
                now=now,
            ),
        )
    return result


def decide(
    *,
    count: int,
    last_reported_at: dt.datetime | None,
    verdict: str | None,
    verdict_at: dt.datetime | None,
    allow_listed: bool,
    now: dt.datetime,
) -> str:
    """The listing rules 3 to 5 (see the module's docstring) as one decision."""
    if allow_listed:
        return Status.ALLOW_LISTED
    if verdict == Verdict.Outcome.FALSE_POSITIVE:
        return Status.FALSE_POSITIVE
    if verdict == Verdict.Outcome.EXPIRED:
        return Status.NO_LONGER_IN_USE
    cutoff = now - dt.timedelta(days=expiry_days())
    if verdict == Verdict.Outcome.CONFIRMED:
        latest = _latest(last_reported_at, verdict_at)
        return Status.CONFIRMED if latest is not None and latest >= cutoff else Status.LAPSED
    if count == 0:
        return Status.NONE
    if count < min_reports():
        return Status.TOO_FEW
    return Status.REPORTED if last_reported_at is not None and last_reported_at >= cutoff else Status.LAPSED


def sightings_of(kind: str, value: str) -> Q:
    """The sightings that are reports of an identifier: for a domain, also every address under it."""
    if kind == IdentifierKind.DOMAIN:
        return Q(kind=IdentifierKind.DOMAIN, value=value) | Q(
            kind__in=(IdentifierKind.URL, IdentifierKind.DOMAIN), registrable_domain=value
        )
    return Q(kind=kind, value=value)


def counted_sightings() -> models.QuerySet:
    """Sightings that count towards a listing (rule 1): recognised, in a report not rejected."""
    return Sighting.objects.filter(recognized=True).exclude(report__status=Report.Status.REJECTED)


def reporter_key() -> Case:
    """Who made a report, as one comparable string (rule 2): contact phone, contact e-mail, account
    (unless filed for someone else), else the report itself."""
    return Case(
        When(~Q(report__contact_phone=""), then=Concat(Value("p:"), "report__contact_phone")),
        When(~Q(report__contact_email=""), then=Concat(Value("e:"), Lower("report__contact_email"))),
        When(
            Q(report__reporter__isnull=False, report__on_behalf_of=""),
            then=Concat(Value("u:"), Cast("report__reporter_id", CharField())),
        ),
        default=Concat(Value("r:"), Cast("report_id", CharField())),
        output_field=CharField(),
    )


def _report_stats(targets: list[tuple[str, str]]) -> dict:
    conditions = [sightings_of(kind, value) for kind, value in targets]
    aggregates = {}
    for index, condition in enumerate(conditions):
        aggregates[f"n{index}"] = Count(reporter_key(), distinct=True, filter=condition)
        aggregates[f"f{index}"] = Min("reported_at", filter=condition)
        aggregates[f"l{index}"] = Max("reported_at", filter=condition)
    row = counted_sightings().filter(reduce(or_, conditions)).aggregate(**aggregates)
    return {
        target: (row[f"n{index}"] or 0, row[f"f{index}"], row[f"l{index}"])
        for index, target in enumerate(targets)
    }


def _categories(kind: str, value: str) -> tuple[str, ...]:
    slugs = (
        counted_sightings()
        .filter(sightings_of(kind, value))
        .values_list("report__category__slug", flat=True)
        .distinct()
    )
    return tuple(sorted(slugs))


def _pairs(targets: Iterable[tuple[str, str]]) -> Q:
    return reduce(or_, (Q(kind=kind, value=value) for kind, value in targets))


def _latest(*moments: dt.datetime | None) -> dt.datetime | None:
    present = [moment for moment in moments if moment is not None]
    return max(present) if present else None


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    if moment is None:
        return None
    return timezone.localtime(moment).date()


# --------------------------------------------------------------------------------------------------
# Rate limit (the page, the API and the dispute form share one budget per client address)
# --------------------------------------------------------------------------------------------------
def check_retry_after() -> int | None:
    """Count one check for the current client; the seconds to wait when it is over its budget
    (``CYBER_CHECK_RATE_LIMIT`` a minute, counted in the shared cache), else None."""
    limit = int(getattr(settings, "CYBER_CHECK_RATE_LIMIT", 30))
    if limit <= 0:
        return None
    now = int(time.time())
    key = f"cyber:check:{current_ip() or 'unknown'}:{now // RATE_WINDOW_SECONDS}"
    cache.add(key, 0, timeout=RATE_WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=RATE_WINDOW_SECONDS * 2)
        count = 1
    if count > limit:
        return RATE_WINDOW_SECONDS - now % RATE_WINDOW_SECONDS
    return None


# --------------------------------------------------------------------------------------------------
# Disputes
# --------------------------------------------------------------------------------------------------
class DisputeError(Exception):
    """A dispute refused: the message is for the person who asked (translated)."""


@transaction.atomic
def dispute_open(*, kind: str, value: str, name: str, contact: str, reason: str) -> Dispute:
    """The owner of a listed number, account or site asks for the listing to be reviewed (audited)."""
    if kind not in LISTABLE_KINDS:
        raise DisputeError(_("Only a listed phone number, address, account or user name can be disputed."))
    identifier = normalize(value, kind)
    value = stored_value(identifier.normalized)
    if not identifier.recognized or not listings([(kind, value)])[(kind, value)].listed:
        raise DisputeError(_("This is not on our list, so there is nothing to dispute."))
    dispute = Dispute.objects.create(
        kind=kind,
        value=value,
        name=strip_invisible(name)[:200],
        contact=strip_invisible(contact)[:200],
        reason=reason.strip(),
    )
    # The disputer's name and contact are personal data: they stay on the dispute, out of the trail.
    audit_record(action="cyber.dispute_open", obj=dispute, details={"kind": kind, "value": dispute.value})
    return dispute
