"""Admin of partner integrations (for administrators). Organisations, keys and subscriptions are created
on the partner pages (/partners/), which create the service account and show a secret once; here an
administrator edits an organisation's members and contact, a key's label and limits, and reads the
delivery log. Every change is audited."""

from __future__ import annotations

from django.contrib import admin

from nokor.audit.admin import AuditedModelAdmin
from nokor.integrations.models import ApiKey, Delivery, DeliveryAttempt, Organisation, Subscription


class CreatedOnThePartnerPages:
    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(CreatedOnThePartnerPages, AuditedModelAdmin):
    list_display = ("name_km", "name_en", "kind", "contact_email", "created_at")
    list_filter = ("kind",)
    search_fields = ("name_km", "name_en")
    readonly_fields = ("service_account", "created_at")
    autocomplete_fields = ("members",)


@admin.register(ApiKey)
class ApiKeyAdmin(CreatedOnThePartnerPages, AuditedModelAdmin):
    list_display = ("label", "organisation", "prefix", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("organisation",)
    fields = (
        "organisation",
        "label",
        "prefix",
        "scopes",
        "rate_limit",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    readonly_fields = ("organisation", "prefix", "scopes", "revoked_at", "last_used_at")


@admin.register(Subscription)
class SubscriptionAdmin(CreatedOnThePartnerPages, AuditedModelAdmin):
    list_display = ("url", "organisation", "active", "created_at")
    list_filter = ("active", "organisation")
    fields = ("organisation", "url", "events", "active", "created_at")
    readonly_fields = ("organisation", "url", "events", "created_at")


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ("attempted_at", "status_code", "duration_ms", "response_excerpt", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(CreatedOnThePartnerPages, AuditedModelAdmin):
    list_display = ("created_at", "event", "subscription", "status", "attempts", "last_status_code")
    list_filter = ("status", "event")
    readonly_fields = (
        "subscription",
        "event",
        "payload",
        "status",
        "attempts",
        "retry_until",
        "last_status_code",
        "created_at",
        "delivered_at",
    )
    inlines = [DeliveryAttemptInline]
