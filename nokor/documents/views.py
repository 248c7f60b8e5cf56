"""Pages of issued documents: public verification, the holder's documents and download, and the
supervisor's revoke and re-issue."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from nokor.audit.services import audit_view
from nokor.core.access import CHANGE, PUBLIC, SIGNED_IN, STAFF, rule
from nokor.core.uploads import file_response
from nokor.documents import selectors, services, throttle
from nokor.documents.codes import display_code, normalize_code
from nokor.documents.forms import RevokeForm, VerifyForm
from nokor.documents.models import Document


def _too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = render(request, "documents/too_many.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _audit_staff_view(request: HttpRequest, document: Document, what: str) -> None:
    """A staff member looking at someone's document views their personal data: audited."""
    if document.holder_id != request.user.pk:
        audit_view(
            actor=request.user, obj=document, subject=document.holder, unit=document.issuer_unit, what=what
        )


@rule(PUBLIC)
def verify_start(request: HttpRequest) -> HttpResponse:
    """Type the code printed on a document (for those who cannot scan the QR code)."""
    form = VerifyForm(request.GET if "code" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("documents:verify", code=form.cleaned_data["code"])
    return render(request, "documents/verify_start.html", {"form": form})


@rule(PUBLIC)
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Anyone holding the paper checks it: genuine, revoked, superseded or unknown (rate-limited)."""
    retry_after = throttle.verification_retry_after()
    if retry_after:
        return _too_many(request, retry_after)
    result = services.document_verify(code=code, channel="page")
    normalized = normalize_code(code)
    shown_code = display_code(normalized) if normalized else code[:64]
    return _private(render(request, "documents/verify.html", {"result": result, "shown_code": shown_code}))


@rule(SIGNED_IN)
def my_documents(request: HttpRequest) -> HttpResponse:
    """The documents issued to the signed-in person."""
    page = Paginator(selectors.documents_held_by(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "documents/my_documents.html", {"page_obj": page})


@rule(SIGNED_IN)
def detail(request: HttpRequest, code: str) -> HttpResponse:
    """One document: its holder, or staff of the issuing unit's scope (audited)."""
    document = selectors.document_for_user(request.user, code)
    _audit_staff_view(request, document, "document")
    context = {"document": document, "can_change": selectors.can_change(request.user, document)}
    return _private(render(request, "documents/detail.html", context))


@rule(SIGNED_IN)
def download(request: HttpRequest, code: str) -> HttpResponse:
    """The signed PDF, as an attachment, for its holder or staff in scope (audited)."""
    document = selectors.document_for_user(request.user, code)
    if not document.is_ready:
        messages.info(request, _("The document is still being prepared. Try again in a few minutes."))
        return redirect(document)
    _audit_staff_view(request, document, "document download")
    response = file_response(
        document.file.open("rb"),
        filename=f"{document.document_type}-{document.code}.pdf",
        content_type="application/pdf",
    )
    return _private(response)


@rule(STAFF)
def revoke(request: HttpRequest, code: str) -> HttpResponse:
    """A service supervisor revokes a document, giving the reason."""
    document = selectors.document_for_user(request.user, code, action=CHANGE)
    if not document.is_genuine:
        messages.error(request, _("Only a genuine document can be revoked."))
        return redirect(document)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.document_revoke(document=document, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("The document was revoked. Its verification now says so."))
        return redirect(document)
    if request.method != "POST":
        _audit_staff_view(request, document, "document")
    return _private(render(request, "documents/revoke.html", {"document": document, "form": form}))


@rule(STAFF)
def reissue(request: HttpRequest, code: str) -> HttpResponse:
    """A service supervisor issues a new copy; the old one then verifies as superseded."""
    document = selectors.document_for_user(request.user, code, action=CHANGE)
    if not document.is_genuine:
        messages.error(request, _("Only a genuine document can be re-issued."))
        return redirect(document)
    if request.method == "POST":
        new = services.document_reissue(document=document, by=request.user)
        messages.success(
            request,
            _("A new document was issued. The previous one (%(code)s) now verifies as superseded.")
            % {"code": document.display_code},
        )
        return redirect(new)
    _audit_staff_view(request, document, "document")
    return _private(render(request, "documents/reissue.html", {"document": document}))
