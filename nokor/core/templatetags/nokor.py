"""Template components every app uses instead of re-writing markup (see CONTRIBUTING.md)."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.html import format_html
from django.utils.http import urlencode

register = template.Library()


@register.inclusion_tag("components/field.html")
def field(bound: BoundField, hint: str = "", autocomplete: str = "", inputmode: str = ""):
    """A labelled form field with its hint and error beside it (the value typed is kept by the form)."""
    attrs = bound.field.widget.attrs
    describedby = []
    if hint or bound.help_text:
        describedby.append(f"{bound.auto_id}-hint")
    if bound.errors:
        describedby.append(f"{bound.auto_id}-error")
        attrs["aria-invalid"] = "true"
    if describedby:
        attrs["aria-describedby"] = " ".join(describedby)
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    if inputmode:
        attrs["inputmode"] = inputmode
    return {
        "field": bound,
        "hint": hint or bound.help_text,
        "is_check": bound.widget_type == "checkbox",
        "is_group": bound.widget_type in ("radioselect", "checkboxselectmultiple"),
    }


@register.inclusion_tag("components/error_summary.html")
def error_summary(*forms):
    """The box at the top of a page that lists every error and links to its field."""
    items = []
    for form in forms:
        if form is None or not form.errors:
            continue
        for error in form.non_field_errors():
            items.append({"message": error, "href": ""})
        for name, errors in form.errors.items():
            if name == "__all__":
                continue
            bound = form[name] if name in form.fields else None
            for error in errors:
                items.append({"message": error, "href": f"#{bound.auto_id}" if bound else ""})
    return {"items": items}


@register.simple_tag
def status_tag(label: str, tone: str = "grey") -> str:
    """Status in words with a coloured tag; the words carry the meaning, the colour only helps. Built
    here rather than from a template: a list page shows one per row (50 template renders a page)."""
    return format_html('<strong class="tag tag--{}">{}</strong>', tone, label)


@register.inclusion_tag("components/pagination.html", takes_context=True)
def pagination(context, page_obj):
    request = context["request"]

    def url_for(number: int) -> str:
        query = request.GET.copy()
        query["page"] = number
        return "?" + urlencode(sorted(query.lists()), doseq=True)

    return {
        "page_obj": page_obj,
        "previous_url": url_for(page_obj.previous_page_number()) if page_obj.has_previous() else "",
        "next_url": url_for(page_obj.next_page_number()) if page_obj.has_next() else "",
    }


@register.inclusion_tag("components/empty_state.html")
def empty_state(message: str, action_url: str = "", action_label: str = ""):
    return {"message": message, "action_url": action_url, "action_label": action_label}


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters changed (filters and sort stay in the URL)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    query.pop("page", None)
    return "?" + urlencode(sorted(query.lists()), doseq=True)


@register.filter
def get_item(mapping, key):
    """`{{ mapping|get_item:key }}`: a dictionary value by a variable key."""
    return mapping.get(key) if hasattr(mapping, "get") else None
