"""The risk register's operations: staff create and edit risks; the monitors raise risks on their own
for a TLS certificate about to expire and for repeated outages, linked to the evidence and raised once
(while such a risk is not closed, the same evidence raises nothing more)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nokor.audit.services import audit_record
from nokor.infrastructure.models import Incident, Monitor, Risk

OUTAGES_IN_30_DAYS = 3  # incidents of one monitor in 30 days that make a risk
RISK_FIELDS = (
    "title",
    "description",
    "likelihood",
    "impact",
    "owner",
    "treatment_plan",
    "controls",
    "status",
    "review_date",
)


class RiskError(Exception):
    """A change refused: the message is for the person who tried (translated)."""


class ConcurrentChange(RiskError):
    """Someone else changed the risk since the page was loaded."""


@transaction.atomic
def risk_create(*, by: Any, systems: Any = (), sites: Any = (), **fields: Any) -> Risk:
    """Enter a risk by hand."""
    risk = Risk(**{k: v for k, v in fields.items() if k in RISK_FIELDS}, created_by=by)
    risk.set_score()
    risk.save()
    risk.systems.set(systems)
    risk.sites.set(sites)
    audit_record(action="infrastructure.risk_create", actor=by, obj=risk, details={"score": risk.score})
    return risk


@transaction.atomic
def risk_update(
    *,
    by: Any,
    risk: Risk,
    expected_version: int | None,
    systems: Any = None,
    sites: Any = None,
    **fields: Any,
) -> Risk:
    """Change a risk (optimistic lock: refused when someone changed it meanwhile)."""
    current = Risk.objects.select_for_update(of=("self",)).get(pk=risk.pk)
    if expected_version is not None and current.lock_version != expected_version:
        raise ConcurrentChange(
            _("Someone else changed this risk while you were reading it. Check it and save again.")
        )
    changed = {}
    for name in RISK_FIELDS:
        if name in fields and getattr(current, name) != fields[name]:
            changed[name] = str(fields[name])
            setattr(current, name, fields[name])
    current.set_score()
    current.lock_version += 1
    current.save(update_fields=[*RISK_FIELDS, "score", "level", "lock_version", "updated_at"])
    if systems is not None:
        current.systems.set(systems)
    if sites is not None:
        current.sites.set(sites)
    audit_record(action="infrastructure.risk_update", actor=by, obj=current, details={"changed": changed})
    return current


def _raise(*, source: str, monitor: Monitor, incident: Incident | None, **fields: Any) -> Risk | None:
    exists = Risk.objects.filter(source=source, evidence_monitor=monitor).exclude(status=Risk.Status.CLOSED)
    if exists.exists():
        return None
    fields["title"] = fields["title"][:200]
    risk = Risk(source=source, evidence_monitor=monitor, evidence_incident=incident, **fields)
    if monitor.system_id:
        risk.owner_id = monitor.system.accountable_person_id
    risk.set_score()
    risk.save()
    if monitor.system_id:
        risk.systems.add(monitor.system_id)
    audit_record(
        action="infrastructure.risk_raise", obj=risk, details={"source": source, "monitor": monitor.pk}
    )
    return risk


@transaction.atomic
def raise_for_tls_expiry(*, monitors: list[Monitor]) -> list[Risk]:
    """A risk for each monitor whose certificate expires within its warning window (once)."""
    already = set(
        Risk.objects.filter(source=Risk.Source.TLS_EXPIRY, evidence_monitor__in=monitors)
        .exclude(status=Risk.Status.CLOSED)
        .values_list("evidence_monitor_id", flat=True)
    )
    raised = []
    for monitor in monitors:
        if monitor.pk in already:
            continue
        expires = timezone.localtime(monitor.cert_expires_at).strftime("%Y-%m-%d")
        with translation.override(settings.LANGUAGE_CODE):  # a record, written once in the default language
            risk = _raise(
                source=Risk.Source.TLS_EXPIRY,
                monitor=monitor,
                incident=None,
                title=_("TLS certificate of %(monitor)s expires on %(date)s")
                % {"monitor": monitor.name, "date": expires},
                description=_("The certificate presented by %(target)s is valid until %(date)s.")
                % {"target": monitor.target, "date": expires},
                treatment_plan=_("Renew the certificate and install it before it expires."),
                likelihood=5,
                impact=4,
                review_date=timezone.localtime(monitor.cert_expires_at).date(),
            )
        if risk is not None:
            raised.append(risk)
    return raised


def raise_for_outages(*, monitor: Monitor, incident: Incident) -> Risk | None:
    """A risk when a monitor has had OUTAGES_IN_30_DAYS incidents or more in 30 days (once)."""
    since = timezone.now() - dt.timedelta(days=30)
    if Incident.objects.filter(monitor=monitor, started_at__gte=since).count() < OUTAGES_IN_30_DAYS:
        return None
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        return _raise(
            source=Risk.Source.OUTAGES,
            monitor=monitor,
            incident=incident,
            title=_("Repeated outages of %(monitor)s") % {"monitor": monitor.name},
            description=_("%(target)s has been down %(count)s times or more in 30 days.")
            % {"target": monitor.target, "count": OUTAGES_IN_30_DAYS},
            likelihood=4,
            impact=3,
            review_date=timezone.localdate() + dt.timedelta(days=14),
        )
