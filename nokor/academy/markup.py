"""Lesson Markdown to safe HTML: markdown-it-py (CommonMark, tables) renders, nh3 sanitises.

Raw HTML in the Markdown is not rendered (it shows as text), and the result is cleaned again with an
allow-list of tags and attributes, so a lesson can never carry a script, an event handler or a style.
Links keep only http(s) and mailto addresses and get ``rel="noopener noreferrer"``. Images may only
show the course's own uploaded images: ``images/<name>`` is rewritten to the image's address, any other
image becomes its alternative text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

import nh3
from django.utils.html import escape
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "h2", "h3", "h4", "p", "br", "hr", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
IMAGE_PREFIX = "images/"
_IMAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$")


def image_names_in(markdown: str) -> set[str]:
    """The ``images/<name>`` files a Markdown text refers to (for the loader)."""
    names = set()
    for token in _parser().parse(markdown or ""):
        for child in token.children or []:
            if child.type == "image":
                src = str(child.attrGet("src") or "")
                if src.startswith(IMAGE_PREFIX):
                    names.add(src[len(IMAGE_PREFIX) :])
    return names


def _parser() -> MarkdownIt:
    # html=False: raw HTML in lessons is shown as text, never passed through.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def render_markdown(markdown: str, *, image_url: Callable[[str], str | None]) -> str:
    """The sanitised HTML of a lesson. ``image_url(name)`` gives the address of the course's image
    ``name`` (None when the course has no such image: the image is replaced by its text)."""
    parser = _parser()
    allowed_sources: set[str] = set()

    def render_image(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        token = tokens[idx]
        src = str(token.attrGet("src") or "")
        alt = self.renderInlineAsText(token.children or [], options, env)
        name = src[len(IMAGE_PREFIX) :] if src.startswith(IMAGE_PREFIX) else ""
        url = image_url(name) if name and _IMAGE_NAME.match(name) else None
        if url is None:
            return escape(alt)
        allowed_sources.add(url)
        return f'<img src="{escape(url)}" alt="{escape(alt)}">'

    parser.add_render_rule("image", render_image)
    html = parser.render(markdown or "")
    return sanitize(html, image_sources=allowed_sources)


def sanitize(html: str, *, image_sources: Collection[str] = ()) -> str:
    """Clean HTML with the lesson allow-list; an image keeps its ``src`` only if it is one of
    ``image_sources`` (the course's own images)."""
    sources = set(image_sources)

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src" and value not in sources:
            return None
        return value

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
