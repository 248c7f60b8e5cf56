"""Type-ahead search behind the unit picker (an htmx fragment, or a plain page without JavaScript)."""

from __future__ import annotations

from django.shortcuts import render

from nokor.core.access import PUBLIC, rule
from nokor.geography.forms import MAX_MATCHES
from nokor.geography.models import AdministrativeUnit


@rule(PUBLIC)
def unit_search(request):
    query = request.GET.get("q", "")[:100]
    field = request.GET.get("field", "unit")[:50]
    levels = [int(x) for x in request.GET.get("levels", "").split(",") if x.isdigit()]
    qs = AdministrativeUnit.objects.current().search(query)
    if levels:
        qs = qs.filter(level__in=levels)
    matches = list(qs.order_by("level", "code")[:MAX_MATCHES]) if len(query.strip()) >= 2 else []
    AdministrativeUnit.with_ancestors(matches)
    # htmx asks for the list alone; without JavaScript the same URL is a page of its own.
    template = "geography/unit_matches.html" if request.htmx else "geography/unit_search_page.html"
    return render(request, template, {"matches": matches, "field": field, "query": query})
