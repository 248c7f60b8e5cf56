"""Issued documents in the admin: read-only (revoke and re-issue from the documents pages, where the
service rules and the audit apply); opening one is audited as a view of the holder's data."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from nokor.audit.admin import AuditedModelAdmin
from nokor.documents.models import Document


@admin.register(Document)
class DocumentAdmin(AuditedModelAdmin):
    subject_field = "holder"
    list_display = [
        "code",
        "document_type",
        "holder_name",
        "issuer_unit",
        "issued_on",
        "status",
        "render_status",
    ]
    list_filter = ["status", "render_status", "document_type"]
    search_fields = ["code", "holder_name"]
    date_hierarchy = "issued_on"
    raw_id_fields = ["holder", "issued_by", "revoked_by", "superseded_by", "issuer_unit"]
    readonly_fields = [f.name for f in Document._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Document | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Document | None = None) -> bool:
        return False
