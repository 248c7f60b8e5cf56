"""Indicators: the identifiers reports name, seen from the investigator's side. Verdicts (confirmed,
false positive, no longer in use), the allow-list of common values, correlation counts ("seen in N other
reports") and the scoped list behind the indicators page.

Rules decided here:

- Only cyber investigators and cyber supervisors set verdicts, and only on identifiers named in a report
  they may see (a nationwide role: on any identifier, also one no report names yet). A verdict is
  national: it decides what everyone sees in the public check.
- A verdict answers the disputes still open about its identifier: FALSE_POSITIVE or EXPIRED upholds
  them (the listing is removed), CONFIRMED rejects them (the listing is kept).
- Allow-listed values are never correlated (``seen_in`` is 0) nor listed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nokor.audit.services import audit_record
from nokor.cyber.models import (
    INVESTIGATORS,
    AllowListEntry,
    Dispute,
    IdentifierKind,
    Report,
    Sighting,
    Verdict,
)
from nokor.cyber.normalize import normalize
from nokor.cyber.scamcheck import LISTABLE_KINDS, sightings_of, stored_value
from nokor.integrations import events as partner_events


class IndicatorError(Exception):
    """A change refused: the message is for the investigator who tried (translated)."""


class OutOfScope(IndicatorError):
    """The identifier is named in no report the user may see (the page answers 404, as for a missing one)."""


# --------------------------------------------------------------------------------------------------
# Scope
# --------------------------------------------------------------------------------------------------
def is_nationwide(user: Any) -> bool:
    """Whether the user holds an investigator's role over the whole country."""
    prefixes = user.unit_prefixes_for(INVESTIGATORS) if getattr(user, "is_staff", False) else None
    return prefixes is not None and "" in prefixes


def sightings_visible_to(user: Any) -> models.QuerySet:
    """Sightings of the recognised identifiers in the reports the user may see."""
    visible = Report.objects.visible_to(user).values("pk")
    return Sighting.objects.filter(report__in=visible, recognized=True).exclude(kind=IdentifierKind.UNKNOWN)


def in_scope(user: Any, kind: str, value: str) -> bool:
    """Whether the user may act on an identifier (see the module's rules); a domain is in scope when a
    visible report names it or an address under it."""
    if is_nationwide(user):
        return True
    return sightings_visible_to(user).filter(sightings_of(kind, value)).exists()


def canonical(kind: str, value: str) -> str:
    """The canonical form of ``value`` as ``kind``; IndicatorError when it is not one."""
    if kind not in LISTABLE_KINDS:
        raise IndicatorError(_("Choose the kind of identifier."))
    identifier = normalize(value, kind)
    if not identifier.recognized:
        raise IndicatorError(identifier.detail or _("This is not a valid identifier."))
    return stored_value(identifier.normalized)


# --------------------------------------------------------------------------------------------------
# Verdicts
# --------------------------------------------------------------------------------------------------
_DISPUTE_ANSWER = {
    Verdict.Outcome.CONFIRMED: Dispute.Status.REJECTED,
    Verdict.Outcome.FALSE_POSITIVE: Dispute.Status.UPHELD,
    Verdict.Outcome.EXPIRED: Dispute.Status.UPHELD,
}


@transaction.atomic
def verdict_set(*, kind: str, value: str, outcome: str, by: Any, note: str = "") -> Verdict:
    """Record an investigator's verdict on an identifier (replacing any earlier one), answer the open
    disputes about it, and audit the change."""
    if not (getattr(by, "is_staff", False) and by.has_any_role(INVESTIGATORS)):
        raise PermissionDenied("Only cyber investigators set verdicts.")
    if outcome not in Verdict.Outcome.values:
        raise IndicatorError(_("Choose a verdict."))
    value = canonical(kind, value)
    if not in_scope(by, kind, value):
        raise OutOfScope(_("No report you may see names this identifier."))
    previous = Verdict.objects.select_for_update().filter(kind=kind, value=value).first()
    verdict, _created = Verdict.objects.update_or_create(
        kind=kind,
        value=value,
        defaults={"outcome": outcome, "note": note.strip(), "decided_by": by},
    )
    now = timezone.now()
    answered = Dispute.objects.filter(kind=kind, value=value, status=Dispute.Status.OPEN).update(
        status=_DISPUTE_ANSWER[outcome], decided_by=by, decided_at=now
    )
    audit_record(
        action="cyber.verdict_set",
        actor=by,
        obj=verdict,
        details={
            "kind": kind,
            "value": value,
            "outcome": outcome,
            "previous": previous.outcome if previous else None,
            "note": verdict.note,
            "disputes_answered": answered,
        },
    )
    partner_events.indicator_verdict(verdict)
    return verdict


# --------------------------------------------------------------------------------------------------
# Allow-list
# --------------------------------------------------------------------------------------------------
def is_allow_listed(kind: str, value: str) -> bool:
    """Whether a canonical identifier is on the allow-list."""
    return AllowListEntry.objects.filter(kind=kind, value=value).exists()


def allow_listed(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The allow-listed ones among canonical ``(kind, value)`` pairs, in one query."""
    pairs = list(pairs)
    if not pairs:
        return set()
    condition = Q()
    for kind, value in pairs:
        condition |= Q(kind=kind, value=value)
    return set(AllowListEntry.objects.filter(condition).values_list("kind", "value"))


@transaction.atomic
def allow_list_add(*, kind: str, value: str, reason: str, by: Any) -> AllowListEntry:
    """Put a common value (a bank's hotline, a ministry's site) on the allow-list (audited)."""
    value = canonical(kind, value)
    entry, created = AllowListEntry.objects.get_or_create(
        kind=kind, value=value, defaults={"reason": reason.strip()}
    )
    if not created and reason.strip() and entry.reason != reason.strip():
        entry.reason = reason.strip()
        entry.save(update_fields=["reason"])
    audit_record(
        action="cyber.allow_list_add",
        actor=by,
        obj=entry,
        details={"kind": kind, "value": value, "reason": reason},
    )
    return entry


@transaction.atomic
def allow_list_remove(*, entry: AllowListEntry, by: Any) -> None:
    """Take a value off the allow-list (audited)."""
    audit_record(
        action="cyber.allow_list_remove",
        actor=by,
        obj=entry,
        details={"kind": entry.kind, "value": entry.value},
    )
    entry.delete()


# --------------------------------------------------------------------------------------------------
# Correlation
# --------------------------------------------------------------------------------------------------
def seen_in(kind: str, value: str, exclude_report: Any = None) -> int:
    """In how many reports (all of them, whatever their status or scope; a count only) an identifier is
    named, leaving out ``exclude_report``; 0 for an allow-listed value. One index lookup."""
    if is_allow_listed(kind, value):
        return 0
    sightings = Sighting.objects.filter(kind=kind, value=value)
    if exclude_report is not None:
        sightings = sightings.exclude(report=exclude_report)
    return sightings.count()  # one sighting per identifier and report (a unique constraint)


def seen_in_many(pairs: Iterable[tuple[str, str]], exclude_report: Any = None) -> dict:
    """``seen_in`` for several identifiers (a report's sightings on a triage page) in two queries."""
    pairs = list(dict.fromkeys(pairs))
    if not pairs:
        return {}
    condition = Q()
    for kind, value in pairs:
        condition |= Q(kind=kind, value=value)
    sightings = Sighting.objects.filter(condition)
    if exclude_report is not None:
        sightings = sightings.exclude(report=exclude_report)
    counts = {
        (row["kind"], row["value"]): row["reports"]
        for row in sightings.values("kind", "value").annotate(reports=Count("pk"))
    }
    allowed = allow_listed(pairs)
    return {pair: 0 if pair in allowed else counts.get(pair, 0) for pair in pairs}


# --------------------------------------------------------------------------------------------------
# The indicators page (a selector)
# --------------------------------------------------------------------------------------------------
VERDICT_FILTERS = ("none", *Verdict.Outcome.values)
SORTS = {
    "-last": ("-last_reported_at", "kind", "value"),
    "last": ("last_reported_at", "kind", "value"),
    "-reports": ("-reports", "-last_reported_at", "kind", "value"),
    "reports": ("reports", "-last_reported_at", "kind", "value"),
    "value": ("value", "kind"),
}


def indicators_for(
    user: Any,
    *,
    kind: str = "",
    search: str = "",
    verdict: str = "",
    min_reports: int = 0,
    sort: str = "-last",
) -> models.QuerySet:
    """Identifiers named in the reports the user may see, one row each with its number of reports in
    that scope and its first and last report; filterable by kind, text, verdict and number of reports."""
    sightings = sightings_visible_to(user)
    if kind in LISTABLE_KINDS:
        sightings = sightings.filter(kind=kind)
    search = search.strip()
    if search:
        identifier = normalize(search, kind) if kind in LISTABLE_KINDS else normalize(search)
        if identifier.recognized:
            # a domain finds the addresses under it too
            sightings = sightings.filter(sightings_of(identifier.kind, stored_value(identifier.normalized)))
        else:
            sightings = sightings.filter(value__icontains=search)
    if verdict in VERDICT_FILTERS:
        verdicts = Verdict.objects.filter(kind=OuterRef("kind"), value=OuterRef("value"))
        if verdict == "none":
            sightings = sightings.filter(~Exists(verdicts))
        else:
            sightings = sightings.filter(Exists(verdicts.filter(outcome=verdict)))
    # registrable_domain follows from the value: grouping by it too keeps one row per identifier
    rows = sightings.values("kind", "value", "registrable_domain").annotate(
        reports=Count("report", distinct=True),
        first_reported_at=Min("reported_at"),
        last_reported_at=Max("reported_at"),
    )
    if min_reports > 1:
        rows = rows.filter(reports__gte=min_reports)
    return rows.order_by(*SORTS.get(sort, SORTS["-last"]))


def open_disputes(pairs: Iterable[tuple[str, str]]) -> dict:
    """How many disputes are open for each of these identifiers (one query)."""
    pairs = list(pairs)
    if not pairs:
        return {}
    condition = Q()
    for kind, value in pairs:
        condition |= Q(kind=kind, value=value)
    rows = (
        Dispute.objects.filter(condition, status=Dispute.Status.OPEN)
        .values("kind", "value")
        .annotate(open=Count("pk"))
        .order_by()
    )
    return {(row["kind"], row["value"]): row["open"] for row in rows}
