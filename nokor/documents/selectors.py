"""Reads of issued documents, always through the access layer."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from nokor.core.access import CHANGE, VIEW, get_for_user
from nokor.documents.codes import normalize_code
from nokor.documents.models import Document


def documents_held_by(user: Any) -> QuerySet[Document]:
    """The documents issued to `user` (newest first)."""
    return Document.objects.visible_to(user, VIEW).filter(holder=user).select_related("issuer_unit")


def document_for_user(user: Any, code: str, *, action: str = VIEW) -> Document:
    """One document by its code for `user`: 404 when it is not theirs nor in their scope (or the code is
    not a code), 403 when they may see it but not do `action`."""
    normalized = normalize_code(code)
    if normalized is None:
        raise Http404
    return get_for_user(
        Document.objects.select_related("issuer_unit", "holder", "superseded_by"),
        user,
        action=action,
        code=normalized,
    )


def can_change(user: Any, document: Document) -> bool:
    """Whether `user` may revoke or re-issue `document`."""
    return Document.objects.visible_to(user, CHANGE).filter(pk=document.pk).exists()
