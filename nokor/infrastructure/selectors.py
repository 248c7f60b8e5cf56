"""What the infrastructure pages read, always starting from the reader's scope (``visible_to``): lists
of sites and assets filtered by province and kind, sites without usable connectivity, the registry
of systems and its completeness rules."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nokor.core.text import khmer_order, normalize_for_search
from nokor.infrastructure.models import Asset, Connectivity, DigitalSystem, Site

PAGE_SIZE = 50
# Beyond this many rows a list says "more than N" rather than counting 200,000 rows on every page.
COUNT_LIMIT = 10_000


class CappedPaginator(Paginator):
    """Counts at most ``COUNT_LIMIT + 1`` rows (one bounded query), so a page of a huge filtered list
    costs one indexed query for the page and one bounded count; ``capped`` says the count stopped."""

    @cached_property
    def count(self) -> int:
        # Only the keys, unordered.
        return self.object_list.order_by().values("pk")[: COUNT_LIMIT + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_LIMIT


def with_labels(page: Any, **fields: type) -> Any:
    """The page with each row's choice fields labelled (``kind`` gives ``kind_label``): one look-up per
    page, where ``get_kind_display`` rebuilds the choices for every row of a 50-row table."""
    labels = {
        name: {value: str(label) for value, label in choices.choices} for name, choices in fields.items()
    }
    for row in page.object_list:
        for name, by_value in labels.items():
            setattr(row, f"{name}_label", by_value.get(getattr(row, name), getattr(row, name)))
    return page


def province_prefix(value: str) -> str:
    """A unit code typed or chosen in a filter: digits only, at most 8."""
    return "".join(ch for ch in (value or "") if ch.isdigit())[:8]


def in_unit(prefix: str) -> Q:
    """Rows whose copied ``unit_code`` is under the unit ``prefix`` (digits), as a range of codes rather
    than ``LIKE '08%'``: the (unit_code, …) index then gives the rows already in the list's order, so a
    page of 50 reads 50 index entries, whatever the number of rows in the province."""
    condition = Q(unit_code__gte=prefix)
    digits = prefix.rstrip("9")
    if digits:  # the first code after the subtree: "08" → "09", "0899" → "09"
        condition &= Q(unit_code__lt=digits[:-1] + str(int(digits[-1]) + 1))
    return condition


def has_usable_link() -> Exists:
    return Exists(Connectivity.objects.filter(Connectivity.usable_q(), site=OuterRef("pk")))


# --------------------------------------------------------------------------------------------------
# Sites
# --------------------------------------------------------------------------------------------------
def sites_for(
    user: Any, *, unit: str = "", kind: str = "", connectivity: str = "", search: str = ""
) -> QuerySet:
    """Sites the user may see; ``connectivity`` is "usable" or "none" (no usable link)."""
    qs = Site.objects.visible_to(user, "view").select_related("unit")
    if prefix := province_prefix(unit):
        qs = qs.filter(in_unit(prefix))
    if kind in Site.Kind.values:
        qs = qs.filter(kind=kind)
    if connectivity == "usable":
        qs = qs.filter(has_usable_link())
    elif connectivity == "none":
        qs = qs.filter(~has_usable_link())
    if search:
        qs = qs.filter(search_name__contains=normalize_for_search(search))
    return qs.order_by("unit_code", khmer_order("name_km"), "id")


def with_usable(page: Any) -> Any:
    """The page with each site's ``usable`` (has a usable link), read for the page's sites only: as an
    annotation of the list, PostgreSQL hashed every link in the country for each page."""
    ids = [site.pk for site in page.object_list]
    links = Connectivity.objects.filter(Connectivity.usable_q(), site_id__in=ids)
    usable = set(links.values_list("site_id", flat=True))
    for site in page.object_list:
        site.usable = site.pk in usable
    return page


def sites_without_usable_connectivity(user: Any, *, unit: str = "", kind: str = "") -> QuerySet:
    """Active sites with no usable link (see ``Connectivity``): the list to connect next."""
    return sites_for(user, unit=unit, kind=kind, connectivity="none").filter(is_active=True)


# --------------------------------------------------------------------------------------------------
# Assets
# --------------------------------------------------------------------------------------------------
def assets_for(
    user: Any, *, unit: str = "", asset_type: str = "", status: str = "", eol: str = "", search: str = ""
) -> QuerySet:
    """Assets the user may see, newest-first within the unit order; ``eol`` "passed" keeps the assets
    past their end of life. One query on the asset table (its unit code is copied there)."""
    qs = Asset.objects.visible_to(user, "view").select_related("site")
    if prefix := province_prefix(unit):
        qs = qs.filter(in_unit(prefix))
    if asset_type in Asset.Type.values:
        qs = qs.filter(asset_type=asset_type)
    if status in Asset.Status.values:
        qs = qs.filter(status=status)
    if eol == "passed":
        qs = qs.filter(end_of_life__lt=timezone.localdate())
    if search:
        qs = qs.filter(Q(serial__icontains=search) | Q(model__icontains=search))
    return qs.order_by("unit_code", "id")


# --------------------------------------------------------------------------------------------------
# Digital systems
# --------------------------------------------------------------------------------------------------
def review_cutoff(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=365)


def overdue_q(today: datetime.date | None = None) -> Q:
    """Live or retiring systems never reviewed, past their next review date, or reviewed more than a year
    ago without a next date — the same rule as ``DigitalSystem.is_review_overdue``."""
    today = today or timezone.localdate()
    active = Q(lifecycle__in=[DigitalSystem.Lifecycle.LIVE, DigitalSystem.Lifecycle.RETIRING])
    never = Q(last_security_review__isnull=True, next_review_due__isnull=True)
    past_due = Q(next_review_due__lt=today)
    stale = Q(next_review_due__isnull=True, last_security_review__lt=review_cutoff(today))
    return active & (never | past_due | stale)


def systems_for(
    user: Any, *, lifecycle: str = "", classification: str = "", criticality: str = "", overdue: bool = False
) -> QuerySet:
    qs = DigitalSystem.objects.visible_to(user, "view").select_related("accountable_person")
    if lifecycle in DigitalSystem.Lifecycle.values:
        qs = qs.filter(lifecycle=lifecycle)
    if classification in DigitalSystem.Classification.values:
        qs = qs.filter(classification=classification)
    if criticality in DigitalSystem.Criticality.values:
        qs = qs.filter(criticality=criticality)
    if overdue:
        qs = qs.filter(overdue_q())
    return qs.order_by("name")


@dataclass(frozen=True)
class Requirement:
    """A field every system in the registry must have (retired systems excepted)."""

    key: str
    label: Any
    missing: Q


def requirements() -> list[Requirement]:
    """The completeness rules: what governance needs to know about every system that is not retired.
    Backups must have been tested and the hosting site given only where they apply (live systems;
    systems on premises)."""
    live = Q(lifecycle=DigitalSystem.Lifecycle.LIVE)
    return [
        Requirement("purpose", _("Purpose"), Q(purpose="")),
        Requirement("owner", _("Owner department"), Q(owner_department="")),
        Requirement("accountable", _("Accountable person"), Q(accountable_person__isnull=True)),
        Requirement("users", _("Used by"), Q(users="")),
        Requirement("hosting", _("Hosting"), Q(hosting="")),
        Requirement(
            "hosting_site",
            _("Office where it is hosted"),
            Q(hosting=DigitalSystem.Hosting.ON_PREMISES, hosting_site__isnull=True),
        ),
        Requirement("classification", _("Data classification"), Q(classification="")),
        Requirement("criticality", _("Criticality"), Q(criticality="")),
        Requirement(
            "personal_data",
            _("Categories of personal data"),
            Q(holds_personal_data=True, personal_data_categories=[]),
        ),
        Requirement("review", _("Last security review"), live & Q(last_security_review__isnull=True)),
        Requirement("backups", _("Backups tested"), live & Q(backups_tested_on__isnull=True)),
    ]


def completeness(user: Any) -> dict[str, Any]:
    """The governance dashboard's core: per rule, how many systems miss it; the systems missing something
    or overdue for review, with what they miss. Two queries whatever the registry's size."""
    base = DigitalSystem.objects.visible_to(user, "view").exclude(lifecycle=DigitalSystem.Lifecycle.RETIRED)
    rules = requirements()
    annotations = {f"miss_{rule.key}": Q(rule.missing) for rule in rules}
    flags = {
        name: ExpressionWrapper(condition, output_field=BooleanField())
        for name, condition in annotations.items()
    }
    flags["overdue"] = ExpressionWrapper(overdue_q(), output_field=BooleanField())
    anything = Q()
    for rule in rules:
        anything |= rule.missing
    anything |= overdue_q()
    totals = base.aggregate(
        total=Count("pk"),
        incomplete=Count("pk", filter=anything),
        overdue=Count("pk", filter=overdue_q()),
        **{f"miss_{rule.key}": Count("pk", filter=rule.missing) for rule in rules},
    )
    rows = []
    for system in base.filter(anything).annotate(**flags).order_by("name"):
        rows.append(
            {
                "system": system,
                "missing": [rule.label for rule in rules if getattr(system, f"miss_{rule.key}")],
                "overdue": system.overdue,
            }
        )
    return {
        "total": totals["total"],
        "incomplete": totals["incomplete"],
        "complete": totals["total"] - totals["incomplete"],
        "overdue": totals["overdue"],
        "by_rule": [(rule, totals[f"miss_{rule.key}"]) for rule in rules],
        "rows": rows,
    }
