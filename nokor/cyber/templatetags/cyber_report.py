"""Template components of the report pages that the shared ones do not cover: a question whose label
is the page heading, and a group of radio buttons in a fieldset (its legend the heading, or not)."""

from __future__ import annotations

from django import template
from django.forms import BoundField

from nokor.core.templatetags.nokor import field as field_context

register = template.Library()


@register.inclusion_tag("cyber/report/_question.html")
def question(bound: BoundField, hint: str = "", autocomplete: str = "", inputmode: str = ""):
    """A text question alone on its page: its label is the page's heading (one h1, not two)."""
    return field_context(bound, hint, autocomplete, inputmode)


@register.inclusion_tag("cyber/report/_radios.html")
def radios(bound: BoundField, heading: bool = False):
    """Radio buttons in a fieldset whose legend is the question (the page's heading when ``heading``)."""
    describedby = []
    if bound.help_text:
        describedby.append(f"{bound.auto_id}-hint")
    if bound.errors:
        describedby.append(f"{bound.auto_id}-error")
    return {"field": bound, "heading": heading, "describedby": " ".join(describedby)}


@register.filter
def unbroken(reference: str) -> str:
    """A reference with non-breaking hyphens, so that a narrow screen never splits it over two lines
    (``normalize_reference`` reads them back as hyphens when it is pasted)."""
    return str(reference).replace("-", "\u2011")
