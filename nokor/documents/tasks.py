"""Background work of issued documents: render, sign and store the PDF, then tell the holder."""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from nokor.core.tasks import background
from nokor.documents.models import Document

logger = logging.getLogger(__name__)


@background(max_attempts=6)
def render_document(document_id: int) -> str:
    """Render, sign and store a document's PDF once, then notify its holder.

    Idempotent: a document already rendered is skipped, so a retry or a second worker does nothing. The
    PDF is built in memory and stored whole under a name of its own; the row points at it only in the
    transaction that marks it ready, so nobody ever downloads half a file. On failure (missing signing
    keys, a template error) the document is marked failed with the reason, and the error is raised so
    the task is retried with back-off.
    """
    from nokor.documents import rendering, signing
    from nokor.documents.services import document_ready_notify

    document = Document.objects.select_related("issuer_unit").filter(pk=document_id).first()
    if document is None:
        logger.warning("render_document: document %s does not exist", document_id)
        return "missing"
    if document.is_ready:
        return "skipped"
    try:
        signer = signing.load_signer()  # first: no point in rendering what cannot be signed
        pdf = rendering.render_pdf(document)
        signed = signing.sign_pdf(
            pdf,
            signer=signer,
            reason=f"{document.title_en} {document.display_code}",
            location=f"{document.issuer_unit.name_latin}, Cambodia",
        )
    except Exception as exc:
        _mark_failed(document, exc)
        raise

    storage = document.file.storage
    name = storage.save(
        document.file.field.generate_filename(document, f"{document.code}.pdf"), ContentFile(signed)
    )
    with transaction.atomic():
        current = Document.objects.select_for_update().get(pk=document.pk)
        if current.is_ready:  # another worker finished first: keep theirs
            transaction.on_commit(lambda: storage.delete(name))
            return "skipped"
        current.file.name = name
        current.render_status = Document.RenderStatus.READY
        current.render_error = ""
        current.rendered_at = timezone.now()
        current.save(update_fields=["file", "render_status", "render_error", "rendered_at"])
        document_ready_notify(document=current)
    logger.info("document %s rendered and signed (%s bytes)", document.code, len(signed))
    return "rendered"


def _mark_failed(document: Document, exc: Exception) -> None:
    message = f"{exc.__class__.__name__}: {exc}"[:2000]
    logger.error("document %s could not be rendered: %s", document.code, message, exc_info=exc)
    Document.objects.filter(pk=document.pk).exclude(render_status=Document.RenderStatus.READY).update(
        render_status=Document.RenderStatus.FAILED, render_error=message
    )
