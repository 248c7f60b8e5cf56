"""Issuing, revoking, re-issuing and verifying documents.

Other apps issue documents through :func:`document_issue` only (they never touch the model), for example
the services app when an application is approved and the academy when a course is completed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.template.loader import get_template
from django.utils import timezone

from nokor.audit.services import audit_record
from nokor.core.tasks import enqueue
from nokor.core.text import current_language
from nokor.documents.codes import new_code, normalize_code
from nokor.documents.models import Document
from nokor.documents.registry import FieldLabel, get_type
from nokor.integrations import events as partner_events
from nokor.notifications.services import notify

logger = logging.getLogger(__name__)

VERIFY_CHANNELS = ("page", "api")


class DocumentStateError(ValueError):
    """The operation does not apply to the document in its present status."""


def _as_json(value: Mapping[str, Any], what: str) -> dict[str, Any]:
    try:
        return json.loads(json.dumps(dict(value), cls=DjangoJSONEncoder, ensure_ascii=False))
    except TypeError as exc:
        raise ValueError(f"{what} must hold JSON values (text, numbers, dates): {exc}") from exc


@transaction.atomic
def document_issue(
    *,
    document_type: str,
    template_name: str | None = None,
    titles: Mapping[str, str] | None = None,
    holder: Any,
    holder_name: str,
    issuer_unit: Any,
    data: Mapping[str, Any],
    context: Mapping[str, Any],
    source: models.Model | None = None,
    by: Any = None,
    issued_on: dt.date | None = None,
) -> Document:
    """Issue a document to `holder` (a user, or None for someone without an account) in the name of
    `issuer_unit`, and queue its rendering and signing (the holder is told when it is ready).

    ``document_type`` must be registered (:mod:`nokor.documents.registry`); ``template_name`` and
    ``titles`` (``{"km": …, "en": …}``) default to the type's. ``data`` holds only the verification fields
    the type declares (shown to anyone who verifies the code); ``context`` is everything else the
    template prints (stored as JSON: dates become ISO strings). ``source`` is the record the document was
    issued for (an application); ``by`` the staff member who issued it.
    """
    kind = get_type(document_type)
    template_name = template_name or kind.template
    get_template(template_name)  # a wrong name fails here, in the caller's transaction, not in the worker
    titles = {**kind.titles, **(titles or {})}
    if not titles.get("km") or not titles.get("en"):
        raise ValueError("A document needs a title in Khmer and in English.")
    unexpected = sorted(set(data) - set(kind.fields))
    if unexpected:
        raise ValueError(
            f"{document_type} documents show only {sorted(kind.fields)} on verification, not {unexpected}."
        )
    if not holder_name.strip():
        raise ValueError("A document needs the holder's name.")
    stored_data = _as_json(data, "data")
    document = _create(
        document_type=document_type,
        template_name=template_name,
        title_km=titles["km"],
        title_en=titles["en"],
        holder=holder,
        holder_name=holder_name.strip(),
        issuer_unit=issuer_unit,
        issued_on=issued_on or timezone.localdate(),
        issued_by=by if getattr(by, "is_authenticated", False) else None,
        data=stored_data,
        context=_as_json(context, "context"),
        source_type=source._meta.label_lower if source is not None else "",
        source_id=str(source.pk) if source is not None else "",
    )
    audit_record(
        action="document.issue",
        actor=by,
        actor_label=None if getattr(by, "is_authenticated", False) else "staff",  # issued automatically
        obj=document,
        subject=holder,
        unit=issuer_unit,
        details={
            "code": document.code,
            "document_type": document_type,
            "source": f"{document.source_type}:{document.source_id}" if source is not None else "",
        },
    )
    return document


def _create(**fields: Any) -> Document:
    """Save a new document under a fresh code and queue its rendering (same transaction)."""
    from nokor.documents.tasks import render_document

    for _attempt in range(5):  # 80 random bits: a collision is all but impossible, but never fatal
        try:
            with transaction.atomic():
                document = Document.objects.create(code=new_code(), **fields)
            break
        except IntegrityError:
            if _attempt == 4:
                raise
    enqueue(render_document, document.pk)
    return document


@transaction.atomic
def document_revoke(*, document: Document, by: Any, reason: str) -> Document:
    """Revoke a genuine document: from now on its verification says "revoked" with the date. The reason
    is kept for staff and auditors, never shown to the public."""
    reason = reason.strip()
    if not reason:
        raise ValueError("A revocation needs a reason.")
    document = Document.objects.select_for_update().get(pk=document.pk)
    if not document.is_genuine:
        raise DocumentStateError(f"Document {document.code} is {document.status}, not genuine.")
    document.status = Document.Status.REVOKED
    document.revoked_at = timezone.now()
    document.revoked_by = by
    document.revoked_reason = reason
    document.save(update_fields=["status", "revoked_at", "revoked_by", "revoked_reason"])
    partner_events.document_revoked(document)
    audit_record(
        action="document.revoke",
        actor=by,
        obj=document,
        subject=document.holder,
        unit=document.issuer_unit,
        details={"code": document.code, "reason": reason},
    )
    return document


@transaction.atomic
def document_reissue(*, document: Document, by: Any) -> Document:
    """Issue a new copy of a genuine document (same content, new code, today's date), for example when
    the paper was lost or the template corrected; the old one is marked superseded by the new one."""
    old = Document.objects.select_for_update().get(pk=document.pk)
    if not old.is_genuine:
        raise DocumentStateError(f"Document {old.code} is {old.status}, not genuine.")
    new = _create(
        document_type=old.document_type,
        template_name=old.template_name,
        title_km=old.title_km,
        title_en=old.title_en,
        holder=old.holder,
        holder_name=old.holder_name,
        issuer_unit=old.issuer_unit,
        issued_on=timezone.localdate(),
        issued_by=by,
        data=old.data,
        context=old.context,
        source_type=old.source_type,
        source_id=old.source_id,
    )
    old.status = Document.Status.SUPERSEDED
    old.superseded_by = new
    old.superseded_at = timezone.now()
    old.save(update_fields=["status", "superseded_by", "superseded_at"])
    audit_record(
        action="document.reissue",
        actor=by,
        obj=old,
        subject=old.holder,
        unit=old.issuer_unit,
        details={"code": old.code, "new_code": new.code},
    )
    audit_record(
        action="document.issue",
        actor=by,
        obj=new,
        subject=new.holder,
        unit=new.issuer_unit,
        details={"code": new.code, "document_type": new.document_type, "reissue_of": old.code},
    )
    return new


@transaction.atomic
def document_supersede(*, document: Document, replacement: Document, by: Any) -> Document:
    """Mark a genuine document superseded by a newer one issued for the same purpose with new content
    (a training certificate renewed by recertification): verification of the old code then says
    "superseded", not "revoked"."""
    old = Document.objects.select_for_update().get(pk=document.pk)
    if not old.is_genuine:
        raise DocumentStateError(f"Document {old.code} is {old.status}, not genuine.")
    if replacement.pk == old.pk or replacement.holder_id != old.holder_id:
        raise ValueError("A document is superseded only by another document of the same holder.")
    old.status = Document.Status.SUPERSEDED
    old.superseded_by = replacement
    old.superseded_at = timezone.now()
    old.save(update_fields=["status", "superseded_by", "superseded_at"])
    audit_record(
        action="document.supersede",
        actor=by,
        actor_label=None if getattr(by, "is_authenticated", False) else "staff",  # done automatically
        obj=old,
        subject=old.holder,
        unit=old.issuer_unit,
        details={"code": old.code, "new_code": replacement.code},
    )
    return old


def document_ready_notify(*, document: Document) -> None:
    """Tell the holder their document can be downloaded (once per document, whatever the retries)."""
    if document.holder is None or not document.holder.is_active:
        return
    notify(
        user=document.holder,
        event="document.ready",
        context={
            "title_km": document.title_km,
            "title_en": document.title_en,
            "code": document.display_code,
            "link": document.get_absolute_url(),
        },
        key=f"document.ready:{document.pk}",
        link=document.get_absolute_url(),
    )


# --------------------------------------------------------------------------------------------------
# Public verification
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VerificationResult:
    """What the public learns about a code: its status and, for a genuine document only, the fields
    to compare with the paper. Nothing else (no reason for a revocation, no holder account)."""

    status: str  # "genuine" | "revoked" | "superseded" | "unknown"
    code: str = ""
    document_type: str | None = None
    title_km: str = ""
    title_en: str = ""
    issued_on: dt.date | None = None
    issuer_unit: Any = None
    changed_at: dt.datetime | None = None  # when it was revoked or superseded
    fields: list[tuple[FieldLabel, Any]] = field(default_factory=list)

    UNKNOWN = "unknown"

    @property
    def title(self) -> str:
        return self.title_en if current_language() == "en" else self.title_km

    @property
    def known(self) -> bool:
        return self.status != self.UNKNOWN

    @property
    def tone(self) -> str:
        return {"genuine": "green", "revoked": "red", "superseded": "amber"}.get(self.status, "grey")


@transaction.atomic
def document_verify(*, code: str, channel: str = "page") -> VerificationResult:
    """Look a code up for anyone (the QR code, the verification form, the API) and record that it was
    verified: an audit event the holder sees in "who viewed my data", by "the public".

    A code that fails its check character is "unknown" without a database query; unknown codes are
    logged, not audited (no one's data was shown).
    """
    if channel not in VERIFY_CHANNELS:
        raise ValueError(f"unknown verification channel {channel!r}")
    normalized = normalize_code(code)
    document = (
        Document.objects.select_related("issuer_unit").filter(code=normalized).first() if normalized else None
    )
    if document is None:
        logger.info(
            "verification of an unknown code (%s, check %s)", channel, "ok" if normalized else "failed"
        )
        return VerificationResult(status=VerificationResult.UNKNOWN)
    audit_record(
        action="document.verify",
        actor=None,
        actor_label="",
        obj=document,
        subject=document.holder,
        unit=document.issuer_unit,
        details={"code": document.code, "channel": channel, "status": document.status},
    )
    fields = document.verification_fields() if document.is_genuine else []
    return VerificationResult(
        status=document.status,
        code=document.code,
        document_type=document.document_type,
        title_km=document.title_km,
        title_en=document.title_en,
        issued_on=document.issued_on,
        issuer_unit=document.issuer_unit,
        changed_at=document.revoked_at or document.superseded_at,
        fields=fields,
    )
