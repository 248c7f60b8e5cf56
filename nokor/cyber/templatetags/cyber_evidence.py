"""The evidence table shown on report and case pages (``cyber/staff/evidence_list.html``): rows for the
shared table component, built here because their cells hold links and tags. No cell ever holds the
file itself: there are no thumbnails, and an intimate image is a "hidden" tag with its name and hash."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from nokor.core.formatting import format_datetime
from nokor.core.templatetags.nokor import status_tag
from nokor.core.uploads import FORMAT_NAMES
from nokor.cyber import custody
from nokor.cyber.models import EvidenceFile

register = template.Library()
SHORT_HASH = 12


def _name_cell(item: EvidenceFile, url: str) -> str:
    link = format_html('<a href="{}">{}</a>', url, item.original_name)
    if custody.is_sensitive(item):
        # The placeholder stands where a preview would be: words, never the image.
        return format_html("{}<br>{}", status_tag(_("Intimate image: hidden"), "red"), link)
    return link


def _hash_cell(sha256: str) -> str:
    return format_html(
        '<details><summary><code class="code" title="{}">{}…</code>'
        '<span class="visually-hidden"> {}</span></summary><code class="code">{}</code></details>',
        sha256,
        sha256[:SHORT_HASH],
        _("show the full SHA-256"),
        sha256,
    )


def _collected_cell(item: EvidenceFile) -> str:
    collector = item.collected_by
    by = str(collector) if collector is not None and collector.is_staff else _("The reporter")
    return format_html('{}<br><span class="muted">{}</span>', by, format_datetime(item.collected_at))


def _actions_cell(item: EvidenceFile, url: str, user: Any) -> str:
    details = format_html(
        '<a href="{}">{}<span class="visually-hidden"> {}</span></a>', url, _("Details"), item.original_name
    )
    if not custody.may_open(user, item):
        return details
    download = reverse("cyber:evidence_download", args=[item.pk])
    return format_html(
        '{} · <a href="{}">{}<span class="visually-hidden"> {}</span></a>',
        details,
        download,
        _("Download"),
        item.original_name,
    )


@register.simple_tag(takes_context=True)
def evidence_table(context, evidence: Iterable[EvidenceFile]) -> dict[str, Any]:
    """``{% evidence_table evidence as table %}``: the columns and rows of the evidence table."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if isinstance(evidence, QuerySet):
        evidence = evidence.select_related("report__category", "collected_by", "unit")
    rows = []
    for item in evidence:
        url = reverse("cyber:evidence_detail", args=[item.pk])
        rows.append(
            [
                _name_cell(item, url),
                FORMAT_NAMES.get(item.content_type, item.content_type),
                filesizeformat(item.size),
                _collected_cell(item),
                _hash_cell(item.sha256),
                _actions_cell(item, url, user),
            ]
        )
    columns = [
        {"label": label}
        for label in (_("File"), _("Type"), _("Size"), _("Collected"), _("SHA-256"), _("Actions"))
    ]
    return {"columns": columns, "rows": rows}
