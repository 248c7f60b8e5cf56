"""Admin of open data (for administrators): the catalogue's metadata, owners and publication; every change
is audited. Releases are read only (a release never changes); data requests are read in the owners' page
and may have their status set here."""

from __future__ import annotations

from django.contrib import admin

from nokor.audit.admin import AuditedModelAdmin
from nokor.opendata.models import DataRequest, Dataset, Release


@admin.register(Dataset)
class DatasetAdmin(AuditedModelAdmin):
    list_display = ("slug", "title_km", "title_en", "frequency", "owner_role", "is_published")
    list_filter = ("is_published", "frequency", "owner_role")
    search_fields = ("slug", "title_km", "title_en", "keywords_km", "keywords_en")
    readonly_fields = ("builder",)
    autocomplete_fields = ("owner_unit",)


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ("dataset", "version", "created_at", "checked_at", "row_count", "suppressed_count")
    list_filter = ("dataset",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DataRequest)
class DataRequestAdmin(AuditedModelAdmin):
    list_display = ("created_at", "dataset", "name", "owner_role", "status")
    list_filter = ("status", "owner_role")
    fields = (
        "dataset",
        "name",
        "email",
        "organisation",
        "what",
        "purpose",
        "owner_role",
        "owner_unit",
        "status",
    )
    readonly_fields = (
        "dataset",
        "name",
        "email",
        "organisation",
        "what",
        "purpose",
        "owner_role",
        "owner_unit",
    )
    subject_field = "requester"
