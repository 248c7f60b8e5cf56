"""Admin of the cybercrime reference data (categories, institutions), the allow-list, the disputes of
listings, and a read-only view of verdicts (investigators set them on the indicators page, where they
are scoped and audited). Every change made here is audited."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nokor.audit.admin import AuditedModelAdmin
from nokor.cyber.models import AllowListEntry, Category, Dispute, IdentifierKind, Institution, Verdict
from nokor.cyber.normalize import normalize


@admin.register(Category)
class CategoryAdmin(AuditedModelAdmin):
    list_display = ["slug", "name_km", "name_en", "sensitive", "position", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active", "sensitive"]
    search_fields = ["slug", "name_km", "name_en"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Institution)
class InstitutionAdmin(AuditedModelAdmin):
    list_display = ["code", "name_en", "name_km", "kind", "freeze_contact"]
    list_filter = ["kind"]
    search_fields = ["code", "name_en", "name_km"]


class AllowListEntryForm(forms.ModelForm):
    """The value is stored in its canonical form, so that it meets the sightings it must silence."""

    class Meta:
        model = AllowListEntry
        fields = ["kind", "value", "reason"]

    def clean(self):
        cleaned = super().clean()
        kind, value = cleaned.get("kind"), cleaned.get("value")
        if kind == IdentifierKind.UNKNOWN:
            self.add_error("kind", _("Choose the kind of identifier."))
        elif kind and value:
            identifier = normalize(value, kind)
            if not identifier.recognized:
                self.add_error("value", identifier.detail or _("This is not a valid identifier."))
            else:
                cleaned["value"] = identifier.normalized
                self.instance.value = identifier.normalized
        return cleaned


@admin.register(AllowListEntry)
class AllowListEntryAdmin(AuditedModelAdmin):
    form = AllowListEntryForm
    list_display = ["kind", "value", "reason"]
    list_filter = ["kind"]
    search_fields = ["value", "reason"]


@admin.register(Verdict)
class VerdictAdmin(admin.ModelAdmin):
    """Read-only: a verdict is set on the indicators page, where the investigator's scope is checked."""

    list_display = ["kind", "value", "outcome", "decided_by", "decided_at"]
    list_filter = ["outcome", "kind"]
    search_fields = ["value"]
    list_select_related = ["decided_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Dispute)
class DisputeAdmin(AuditedModelAdmin):
    """Disputes of listings: an investigator records the outcome (setting a verdict on the indicators
    page answers the open disputes of that identifier too)."""

    list_display = ["created_at", "kind", "value", "status", "decided_by", "decided_at"]
    list_filter = ["status", "kind"]
    search_fields = ["value"]
    readonly_fields = ["kind", "value", "name", "contact", "reason", "created_at", "decided_by", "decided_at"]
    fields = [*readonly_fields[:6], "status", "decided_by", "decided_at"]
    list_select_related = ["decided_by"]

    def has_add_permission(self, request):
        return False  # disputes come from the public form

    def save_model(self, request, obj, form, change):
        if change and "status" in form.changed_data:
            obj.decided_by = request.user if obj.status != Dispute.Status.OPEN else None
            obj.decided_at = timezone.now() if obj.status != Dispute.Status.OPEN else None
        super().save_model(request, obj, form, change)
