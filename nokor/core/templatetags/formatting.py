"""Template filters for Khmer and English formatting (filled in by nokor.core.formatting)."""

from django import template

register = template.Library()
