"""Connectivity of the offices in use, by province and type of their main internet link, as they are on
the day of the release (connectivity keeps no history): offices, and offices with a usable link (the
infrastructure app's own rule, :meth:`Connectivity.usable_q`). Offices are not people: the catalogue
entry publishes every count (threshold 0)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Substr
from django.utils import translation

from nokor.infrastructure.models import Connectivity, Site
from nokor.opendata.builders import (
    ALL_VALUES,
    SUPPRESSION_FLAG,
    TOTAL_NOTE_EN,
    TOTAL_NOTE_KM,
    Builder,
    Column,
    Table,
    expand,
    province_columns,
    province_names,
    register,
    suppressed_rows,
)
from nokor.opendata.suppression import TOTAL

COLUMNS = (
    *province_columns("ការិយាល័យ", "the office"),
    Column(
        "link_type",
        "string",
        f"ប្រភេទនៃការតភ្ជាប់អ៊ីនធឺណិតចម្បង។ {TOTAL_NOTE_KM}",
        f"Type of the main internet link. {TOTAL_NOTE_EN}",
    ),
    Column("link_type_name_km", "string", "ឈ្មោះប្រភេទជាភាសាខ្មែរ។", "Name of the type in Khmer."),
    Column("link_type_name_en", "string", "ឈ្មោះប្រភេទជាភាសាអង់គ្លេស។", "Name of the type in English."),
    Column("offices", "integer", "ចំនួនការិយាល័យកំពុងប្រើប្រាស់។", "Offices in use.", "offices"),
    Column(
        "offices_connected",
        "integer",
        "ចំនួនការិយាល័យដែលមានការតភ្ជាប់អ៊ីនធឺណិតអាចប្រើបាន។",
        "Offices with a usable internet link.",
        "offices",
    ),
    SUPPRESSION_FLAG,
)


def _link_names() -> dict[str, tuple[str, str]]:
    names = {}
    for value, label in Connectivity.LinkType.choices:
        with translation.override("km"):
            km = str(label)
        with translation.override("en"):
            en = str(label)
        names[value] = (km, en)
    return {**names, TOTAL: ALL_VALUES, "": ("មិនបានកត់ត្រា", "Not recorded")}


@register
class OfficeConnectivity(Builder):
    """Offices in use by province and main link type."""

    key = "infrastructure.connectivity"

    def build(self, *, threshold: int) -> Table:
        main_link = Connectivity.objects.filter(site=OuterRef("pk")).order_by("-is_primary", "id")
        usable = Connectivity.objects.filter(Connectivity.usable_q(), site=OuterRef("pk"))
        grouped = (
            Site.objects.filter(is_active=True)
            .annotate(
                province=Substr("unit_code", 1, 2),
                link=Subquery(main_link.values("link_type")[:1]),
                usable=Exists(usable),
            )
            .values_list("province", "link")
            .annotate(offices=Count("pk"), connected=Count("pk", filter=Q(usable=True)))
            .order_by()
        )
        cells: dict[tuple, list[int]] = {}
        for province, link, offices, connected in grouped:
            measures = cells.setdefault((province or "", link or ""), [0, 0])
            measures[0] += offices
            measures[1] += connected
        rows, hidden = suppressed_rows(cells, threshold=threshold, margins=(1,), additive=2)
        provinces, links = province_names(), _link_names()
        labelled = [expand(expand(row, 1, links), 0, provinces) for row in rows]
        return Table(COLUMNS, labelled, None, None, hidden)
