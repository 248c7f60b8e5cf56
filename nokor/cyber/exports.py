"""Sharing the list: a STIX 2.1 bundle of the confirmed indicators (for CERTs and partner police) and a
CSV file of every listed identifier (for banks and telecom operators).

What is shared is what the public check says, nothing more: identifiers, counts, dates and verdicts —
never a report, a reporter or a description. Listed means listed by the rules of
``nokor.cyber.scamcheck`` (allow-list, verdicts, threshold, expiry), computed here for the whole list.

STIX patterns use the standard observables where STIX 2.1 has one (``url``, ``domain-name``,
``ipv4-addr``/``ipv6-addr``, ``email-addr``, ``user-account``) and custom observable types with our
``x-nokor-`` prefix where it has none (phone numbers, bank and Bakong accounts, crypto-currency
wallets). The texts inside the bundle and the CSV column names are in English on purpose: they are
data for partners' systems, not pages for people.
"""

from __future__ import annotations

import csv
import datetime as dt
import ipaddress
import uuid
from collections.abc import Iterable
from typing import IO

import stix2
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Case, CharField, Count, F, Max, Min, When
from django.utils import timezone
from stix2.patterns import (
    AndBooleanExpression,
    EqualityComparisonExpression,
    ObjectPath,
    ObservationExpression,
    StringConstant,
)

from nokor.cyber.models import AllowListEntry, IdentifierKind, Verdict
from nokor.cyber.normalize import normalize
from nokor.cyber.scamcheck import (
    LISTABLE_KINDS,
    LISTED_STATUSES,
    SHARED_DOMAINS,
    Listing,
    Status,
    counted_sightings,
    decide,
    expiry_days,
    listings,
    min_reports,
    reporter_key,
)

# Fixed, so that the same indicator keeps the same STIX id from one export to the next (see stix_id).
STIX_NAMESPACE = uuid.UUID("6b0c3f0e-5d0a-4d5e-9a43-6e6f6b6f7201")
PRODUCER_NAME = "Ministry of Interior of the Kingdom of Cambodia - Anti-Cybercrime Department"
PRODUCER_SINCE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
TLP_MARKINGS = {
    "clear": stix2.TLP_WHITE,
    "white": stix2.TLP_WHITE,
    "green": stix2.TLP_GREEN,
    "amber": stix2.TLP_AMBER,
    "red": stix2.TLP_RED,
}
CSV_COLUMNS = ("kind", "value", "first_reported", "last_reported", "report_count", "verdict")
_CHUNK = 100


# --------------------------------------------------------------------------------------------------
# What is listed
# --------------------------------------------------------------------------------------------------
def listed_indicators(
    *, kind: str = "", confirmed_only: bool = False, now: dt.datetime | None = None
) -> list[Listing]:
    """Every identifier the public check lists now (or only the confirmed ones), sorted by kind and
    value. Staff-only and occasional, so it may read the whole sightings table: two grouped queries
    for the identifiers listed by their reports, the verdicts and the allow-list (small, curated
    tables), then the report counts of confirmed identifiers not already found, a hundred at a time."""
    now = now or timezone.now()
    if kind and kind not in LISTABLE_KINDS:
        return []
    verdict_rows = Verdict.objects.all() if not kind else Verdict.objects.filter(kind=kind)
    verdicts = {
        (row_kind, value): (outcome, decided_at)
        for row_kind, value, outcome, decided_at in verdict_rows.values_list(
            "kind", "value", "outcome", "decided_at"
        )
    }
    allowed = set(AllowListEntry.objects.values_list("kind", "value"))
    allowed |= {(IdentifierKind.DOMAIN.value, domain) for domain in SHARED_DOMAINS}
    stats: dict[tuple[str, str], tuple[int, dt.datetime | None, dt.datetime | None]] = {}
    if not confirmed_only:
        stats.update(_listed_by_reports(kind, now))
    confirmed = [pair for pair, (outcome, _) in verdicts.items() if outcome == Verdict.Outcome.CONFIRMED]
    missing = [pair for pair in confirmed if pair not in stats]
    for start in range(0, len(missing), _CHUNK):
        found = listings(missing[start : start + _CHUNK], now=now)
        stats.update(
            {
                pair: (listing.report_count, listing.first_reported_at, listing.last_reported_at)
                for pair, listing in found.items()
            }
        )
    rows = []
    for pair, (count, first, last) in stats.items():
        outcome, decided_at = verdicts.get(pair, (None, None))
        status = decide(
            count=count,
            last_reported_at=last,
            verdict=outcome,
            verdict_at=decided_at,
            allow_listed=pair in allowed,
            now=now,
        )
        if status not in LISTED_STATUSES or (confirmed_only and status != Status.CONFIRMED):
            continue
        rows.append(
            Listing(
                kind=pair[0],
                value=pair[1],
                report_count=count,
                first_reported_at=first,
                last_reported_at=last,
                verdict=outcome,
                verdict_at=decided_at,
                allow_listed=False,
                status=status,
            )
        )
    rows.sort(key=lambda listing: (listing.kind, listing.value))
    return rows


def _listed_by_reports(kind: str, now: dt.datetime) -> dict:
    """Identifiers with enough independent, recent reports (before verdicts and the allow-list)."""
    cutoff = now - dt.timedelta(days=expiry_days())
    threshold = min_reports()
    aggregates = {
        "reports": Count(reporter_key(), distinct=True),
        "first": Min("reported_at"),
        "last": Max("reported_at"),
    }
    found = {}
    if kind != IdentifierKind.DOMAIN:
        sightings = counted_sightings().exclude(kind__in=(IdentifierKind.DOMAIN, IdentifierKind.UNKNOWN))
        if kind:
            sightings = sightings.filter(kind=kind)
        rows = (
            sightings.values("kind", "value")
            .annotate(**aggregates)
            .filter(reports__gte=threshold, last__gte=cutoff)
            .order_by()
        )
        found.update(
            {(row["kind"], row["value"]): (row["reports"], row["first"], row["last"]) for row in rows}
        )
    if kind in ("", IdentifierKind.DOMAIN):
        # A domain's reports are those naming it or any address under it (as in the public check).
        domains = (
            counted_sightings()
            .filter(kind__in=(IdentifierKind.URL, IdentifierKind.DOMAIN))
            .annotate(
                domain=Case(
                    When(kind=IdentifierKind.DOMAIN, then=F("value")),
                    default=F("registrable_domain"),
                    output_field=CharField(),
                )
            )
            .exclude(domain="")
            .values("domain")
            .annotate(**aggregates)
            .filter(reports__gte=threshold, last__gte=cutoff)
            .order_by()
        )
        found.update(
            {
                (IdentifierKind.DOMAIN.value, row["domain"]): (row["reports"], row["first"], row["last"])
                for row in domains
            }
        )
    return found


# --------------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------------
def write_csv(rows: Iterable[Listing], out: IO[str]) -> int:
    """Write the rows as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read Khmer and
    other non-Latin text right); returns the number of identifiers written."""
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    written = 0
    for listing in rows:
        writer.writerow(
            [
                listing.kind,
                _cell(listing.value),
                listing.first_reported.isoformat() if listing.first_reported else "",
                listing.last_reported.isoformat() if listing.last_reported else "",
                listing.report_count,
                listing.verdict or "",
            ]
        )
        written += 1
    return written


def _cell(value: str) -> str:
    """Canonical values never start with = - @ or a control character (a phone starts with + and digits
    only); should one ever do, a quote keeps spreadsheet programs from running it as a formula."""
    if value[:1] in ("=", "-", "@", "\t", "\r") or (value[:1] == "+" and not value[1:].isdigit()):
        return "'" + value
    return value


# --------------------------------------------------------------------------------------------------
# STIX 2.1
# --------------------------------------------------------------------------------------------------
def tlp_marking(name: str | None = None) -> stix2.MarkingDefinition:
    """The TLP marking named by ``name`` or ``CYBER_STIX_TLP`` (clear/white, green, amber, red)."""
    name = (name or getattr(settings, "CYBER_STIX_TLP", "amber")).strip().lower().removeprefix("tlp:")
    try:
        return TLP_MARKINGS[name]
    except KeyError as exc:
        raise ImproperlyConfigured(
            f"CYBER_STIX_TLP must be one of {', '.join(TLP_MARKINGS)}, not {name!r}"
        ) from exc


def producer() -> stix2.Identity:
    """The ministry as the producer of the indicators (the same id in every export)."""
    return stix2.Identity(
        id=stix_id("identity", "producer"),
        created=PRODUCER_SINCE,
        modified=PRODUCER_SINCE,
        name=PRODUCER_NAME,
        description="Confirms and shares indicators of online scams reported in Cambodia.",
        identity_class="organization",
        sectors=["government-national"],
        contact_information="Ministry of Interior, Phnom Penh, Cambodia",
    )


def stix_bundle(rows: Iterable[Listing], *, tlp: str | None = None) -> str:
    """A STIX 2.1 bundle (JSON) of one Indicator per confirmed identifier, marked with the TLP level."""
    marking = tlp_marking(tlp)
    identity = producer()
    indicators = [_indicator(listing, identity, marking) for listing in rows]
    bundle = stix2.Bundle(objects=[identity, marking, *indicators])
    return bundle.serialize(pretty=True, ensure_ascii=False)


_KIND_NAMES = {
    IdentifierKind.PHONE: "Phone number",
    IdentifierKind.URL: "Web address",
    IdentifierKind.DOMAIN: "Domain",
    IdentifierKind.EMAIL: "E-mail address",
    IdentifierKind.BANK_ACCOUNT: "Bank account",
    IdentifierKind.BAKONG: "Bakong account",
    IdentifierKind.CRYPTO: "Crypto-currency wallet",
    IdentifierKind.HANDLE: "Social-media account",
}


def stix_id(object_type: str, name: str) -> str:
    """A stable id: partners update the indicator they already hold instead of adding a copy. STIX 2.1
    wants UUIDv4 ids for domain objects (the validator refuses others), so the name's UUIDv5 bits are
    laid out as a version 4 UUID: the same name gives the same id, and different names never meet."""
    derived = uuid.uuid5(STIX_NAMESPACE, f"{object_type}:{name}")
    return f"{object_type}--{uuid.UUID(bytes=derived.bytes, version=4)}"


def _indicator(
    listing: Listing, identity: stix2.Identity, marking: stix2.MarkingDefinition
) -> stix2.Indicator:
    decided = listing.verdict_at or timezone.now()
    reports = ""
    if listing.report_count and listing.first_reported and listing.last_reported:
        reporters = (
            "1 reporter" if listing.report_count == 1 else f"{listing.report_count} independent reporters"
        )
        reports = (
            f" Reported by {reporters} between {listing.first_reported.isoformat()} and "
            f"{listing.last_reported.isoformat()} (Cambodian dates)."
        )
    return stix2.Indicator(
        id=stix_id("indicator", f"{listing.kind}:{listing.value}"),
        created=decided,
        modified=decided,
        created_by_ref=identity.id,
        name=f"{_KIND_NAMES[listing.kind]} used in online scams: {listing.value}",
        description=(
            f"{_KIND_NAMES[listing.kind]} confirmed by an investigator of the Anti-Cybercrime Department "
            f"as used in online scams targeting people in Cambodia.{reports}"
        ),
        indicator_types=["malicious-activity"],
        pattern=pattern_for(listing.kind, listing.value),
        pattern_type="stix",
        pattern_version="2.1",
        valid_from=decided,
        valid_until=listing.active_until,
        labels=["scam", listing.kind],
        object_marking_refs=[marking.id],
    )


def _equals(object_type: str, prop: str, value: str) -> EqualityComparisonExpression:
    return EqualityComparisonExpression(ObjectPath(object_type, [prop]), StringConstant(value))


def pattern_for(kind: str, value: str) -> str:
    """The STIX pattern matching a canonical identifier (quotes and backslashes escaped)."""
    if kind == IdentifierKind.PHONE:
        comparison = _equals("x-nokor-phone", "value", value)
    elif kind == IdentifierKind.URL:
        comparison = _equals("url", "value", value)
    elif kind == IdentifierKind.DOMAIN:
        comparison = _equals(_domain_type(value), "value", value)
    elif kind == IdentifierKind.EMAIL:
        comparison = _equals("email-addr", "value", value)
    elif kind == IdentifierKind.BANK_ACCOUNT:
        bank, _, number = value.partition(":")
        comparison = AndBooleanExpression(
            [
                _equals("x-nokor-bank-account", "bank_code", bank),
                _equals("x-nokor-bank-account", "account_number", number),
            ]
        )
    elif kind == IdentifierKind.BAKONG:
        comparison = _equals("x-nokor-bakong-account", "account_id", value)
    elif kind == IdentifierKind.CRYPTO:
        network = normalize(value, IdentifierKind.CRYPTO).detail
        parts = [_equals("x-nokor-cryptocurrency-wallet", "address", value)]
        if network:
            parts.append(_equals("x-nokor-cryptocurrency-wallet", "network", str(network)))
        comparison = parts[0] if len(parts) == 1 else AndBooleanExpression(parts)
    elif kind == IdentifierKind.HANDLE:
        comparison = _equals("user-account", "account_login", value)
    else:
        raise ValueError(f"no STIX pattern for identifiers of kind {kind!r}")
    return str(ObservationExpression(comparison))


def _domain_type(value: str) -> str:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return "domain-name"
    return "ipv4-addr" if address.version == 4 else "ipv6-addr"
