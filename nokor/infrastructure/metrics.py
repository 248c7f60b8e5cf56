"""Indicators the infrastructure app offers the strategy app (through nokor.core.indicators).

These are states, not flows: each is measured on the last day of the period (``end``) from the records
as they are now — connectivity and assets keep no history. A record counts in a unit when its unit's
code starts with the unit's code ('' = the whole country). Digital systems are ministry-wide, so their
indicator has a value for the whole country only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from nokor.core.indicators import IndicatorSource, register
from nokor.infrastructure.models import Asset, Connectivity, DigitalSystem, Site


def commune_offices_connected(start: dt.date, end: dt.date, unit_code: str) -> float | None:
    """Percent of the commune offices in use that have a usable internet link (the rule on
    ``Connectivity``); None when there is no commune office."""
    usable = Exists(Connectivity.objects.filter(Connectivity.usable_q(), site=OuterRef("pk")))
    offices = Site.objects.filter(kind=Site.Kind.COMMUNE_OFFICE, is_active=True)
    if unit_code:
        offices = offices.filter(unit_code__startswith=unit_code)
    counts = offices.annotate(usable=usable).aggregate(
        total=Count("pk"), connected=Count("pk", filter=Q(usable=True))
    )
    if not counts["total"]:
        return None
    return round(100 * counts["connected"] / counts["total"], 1)


def commune_offices_connected_by_province(start: dt.date, end: dt.date) -> dict[str, float]:
    """The same percent for every province at once."""
    usable = Exists(Connectivity.objects.filter(Connectivity.usable_q(), site=OuterRef("pk")))
    rows = (
        Site.objects.filter(kind=Site.Kind.COMMUNE_OFFICE, is_active=True)
        .annotate(province=Substr("unit_code", 1, 2), usable=usable)
        .values("province")
        .annotate(total=Count("pk"), connected=Count("pk", filter=Q(usable=True)))
        .order_by()
    )
    return {row["province"]: round(100 * row["connected"] / row["total"], 1) for row in rows if row["total"]}


def systems_reviewed(start: dt.date, end: dt.date, unit_code: str) -> float | None:
    """Percent of the live systems whose last security review falls in the twelve months up to ``end``;
    None for a unit other than the whole country, or when no system is live."""
    if unit_code:
        return None
    since = end - dt.timedelta(days=365)
    counts = DigitalSystem.objects.filter(lifecycle=DigitalSystem.Lifecycle.LIVE).aggregate(
        total=Count("pk"),
        reviewed=Count("pk", filter=Q(last_security_review__gt=since, last_security_review__lte=end)),
    )
    if not counts["total"]:
        return None
    return round(100 * counts["reviewed"] / counts["total"], 1)


def assets_past_end_of_life(start: dt.date, end: dt.date, unit_code: str) -> int:
    """Assets not retired whose end of life is before ``end``."""
    assets = Asset.objects.filter(end_of_life__lt=end).exclude(status=Asset.Status.RETIRED)
    if unit_code:
        assets = assets.filter(unit_code__startswith=unit_code)
    return assets.aggregate(count=Count("pk"))["count"]


def assets_past_end_of_life_by_province(start: dt.date, end: dt.date) -> dict[str, int]:
    """The same count for every province at once."""
    rows = (
        Asset.objects.filter(end_of_life__lt=end)
        .exclude(status=Asset.Status.RETIRED)
        .annotate(province=Substr("unit_code", 1, 2))
        .values("province")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {row["province"]: row["count"] for row in rows}


def asset_records(user: Any, start: dt.date, end: dt.date, unit_code: str) -> QuerySet:
    """The assets behind the count, as `user` may see them."""
    assets = (
        Asset.objects.visible_to(user, "view")
        .filter(end_of_life__lt=end)
        .exclude(status=Asset.Status.RETIRED)
    )
    if unit_code:
        assets = assets.filter(unit_code__startswith=unit_code)
    return assets.order_by("end_of_life", "pk")


def asset_url(asset: Asset) -> str:
    return reverse("infrastructure:asset_detail", args=[asset.pk])


register(
    IndicatorSource(
        "infrastructure.commune_offices_connected",
        "infrastructure",
        _("Commune offices with usable internet"),
        "percent",
        commune_offices_connected,
        measure_by_province=commune_offices_connected_by_province,
    )
)
register(
    IndicatorSource(
        "infrastructure.systems_reviewed",
        "infrastructure",
        _("Live digital systems with a security review in the last 12 months"),
        "percent",
        systems_reviewed,
    )
)
register(
    IndicatorSource(
        "infrastructure.assets_past_end_of_life",
        "infrastructure",
        _("Assets in service past their end of life"),
        "count",
        assets_past_end_of_life,
        measure_by_province=assets_past_end_of_life_by_province,
        records=asset_records,
        record_url=asset_url,
    )
)

# The uptime of public-facing services is registered by the monitors' module.
from nokor.infrastructure import metrics_monitoring  # noqa: F401,E402
