"""Type-ahead search behind the unit picker (an htmx fragment, or a plain page without JavaScript)."""

from __future__ import annotations

from django.shortcuts import render

from nokor.core.access import PUBLIC, rule
from nokor.geography.forms import MAX_MATCHES, UnitField
from nokor.geography.models import AdministrativeUnit


@rule(PUBLIC)
def unit_search(request):
    field = request.GET.get("field", "unit")[:50]
    # The picker's box is named "<field>_q" (so the form gets it without JavaScript); htmx sends it so.
    query = (request.GET.get("q") or request.GET.get(f"{field}_q", ""))[:100]
    levels = [int(x) for x in request.GET.get("levels", "").split(",") if x.isdigit()]
    # The same matching as the form field (a commune's name also offers its villages).
    qs = UnitField(levels=tuple(levels)).search(query)
    matches = list(qs[:MAX_MATCHES]) if len(query.strip()) >= 2 else []
    AdministrativeUnit.with_ancestors(matches)
    # htmx asks for the list alone; without JavaScript the same URL is a page of its own.
    template = "geography/unit_matches.html" if request.htmx else "geography/unit_search_page.html"
    return render(request, template, {"matches": matches, "field": field, "query": query})
