"""The documents section of a person's data: exported in full, kept when the account is deleted."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nokor.accounts.personal_data import Section, register
from nokor.documents.models import Document


def _export(user: Any) -> list[dict[str, Any]]:
    return [
        {
            "code": d.code,
            "document_type": d.document_type,
            "title_km": d.title_km,
            "title_en": d.title_en,
            "holder_name": d.holder_name,
            "issuer_unit": d.issuer_unit.code,
            "issued_on": d.issued_on.isoformat(),
            "status": d.status,
            "revoked_at": d.revoked_at.isoformat() if d.revoked_at else None,
            "superseded_by": d.superseded_by.code if d.superseded_by_id else None,
            "verification_data": d.data,
            "content": d.context,
        }
        for d in Document.objects.filter(holder=user).select_related("issuer_unit", "superseded_by")
    ]


def _retained(user: Any) -> list[str]:
    count = Document.objects.filter(holder=user).count()
    if not count:
        return []
    return [
        _(
            "Issued documents (%(count)s): the law requires the ministry to keep the documents it issued, "
            "so that they can still be verified and their history checked."
        )
        % {"count": count}
    ]


# No erase: issued documents are official records the ministry must keep (they stay linked to the
# anonymised account and keep the holder's name as printed on the paper).
register(Section("documents", gettext_lazy("Issued documents"), _export, erase=None, retained=_retained))
