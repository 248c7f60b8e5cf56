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
    return render(
        request,
        "geography/unit_matches.html",
        {"matches": matches, "field": field, "query": query, "fragment": request.htmx},
    )
