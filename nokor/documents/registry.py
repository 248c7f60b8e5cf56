"""The kinds of document the ministry issues: one template each, plus their titles and the few fields
the public verification page shows.

A document type is a plug-in with one interface (CONVENTIONS.md, "Families of similar things"): add a
template ``templates/documents/pdf/<slug>.html`` that extends ``documents/pdf/base.html`` (in this app or
in the app that issues it) and register it once, in that app's ``AppConfig.ready``::

    from nokor.documents.registry import DocumentType, FieldLabel, register

    register(DocumentType(
        slug="academy_certificate",
        title_km="វិញ្ញាបនបត្របញ្ចប់វគ្គបណ្តុះបណ្តាល",
        title_en="Certificate of completion",
        fields={"course": FieldLabel("វគ្គសិក្សា", "Course")},
    ))

Titles and labels are written in both languages here, not translated: a bilingual official document
must read the same whatever the translation catalogues hold (as ``core.formatting`` does for month
names). ``fields`` lists, in order, the only keys ``data`` may hold: the minimum a verifier needs to
compare the screen with the paper.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nokor.core.text import current_language


@dataclass(frozen=True)
class FieldLabel:
    """The label of one verification field, in Khmer and in English."""

    km: str
    en: str

    def __str__(self) -> str:
        return self.en if current_language() == "en" else self.km


@dataclass(frozen=True)
class DocumentType:
    """One kind of issued document: its template, its default titles and its verification fields."""

    slug: str
    title_km: str
    title_en: str
    fields: dict[str, FieldLabel] = field(default_factory=dict)
    template_name: str = ""

    @property
    def template(self) -> str:
        return self.template_name or f"documents/pdf/{self.slug}.html"

    @property
    def titles(self) -> dict[str, str]:
        return {"km": self.title_km, "en": self.title_en}


DOCUMENT_TYPES: dict[str, DocumentType] = {}


def register(document_type: DocumentType) -> DocumentType:
    """Add (or replace) a document type."""
    DOCUMENT_TYPES[document_type.slug] = document_type
    return document_type


def get_type(slug: str) -> DocumentType:
    """The registered type `slug`; LookupError when no app registered it."""
    try:
        return DOCUMENT_TYPES[slug]
    except KeyError:
        raise LookupError(
            f"Unknown document type {slug!r}: register it in nokor.documents.registry"
        ) from None


def type_label(slug: str) -> str:
    """A document type's title in the active language (the slug itself if it is not registered)."""
    found = DOCUMENT_TYPES.get(slug)
    if found is None:
        return slug
    return found.title_en if current_language() == "en" else found.title_km


register(
    DocumentType(
        slug="residence_certificate",
        title_km="លិខិតបញ្ជាក់ទីលំនៅ",
        title_en="Residence certificate",
        fields={
            "holder_name": FieldLabel("ឈ្មោះ", "Name"),
            "address": FieldLabel("ទីលំនៅ", "Address"),
        },
    )
)
