"""Admin integration: every change made in the admin, and every record opened there, is audited; the
audit trail itself is read-only."""

from __future__ import annotations

from django.contrib import admin
from django.forms.models import model_to_dict

from nokor.audit.models import AuditEvent
from nokor.audit.services import audit_record


def _changes(obj, form) -> dict:
    if form is None or not getattr(form, "changed_data", None):
        return {}
    new = model_to_dict(obj, fields=form.changed_data)
    old = getattr(form, "initial", {})
    return {
        name: {"old": old.get(name), "new": new.get(name)}
        for name in form.changed_data
        if "password" not in name
    }


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves, deletions and record views write audit events. `subject_field` names the
    user a record is about, so it shows in that person's 'who viewed my data'."""

    subject_field: str | None = None

    def _subject(self, obj):
        if self.subject_field == "self":
            return obj
        return getattr(obj, self.subject_field) if self.subject_field else None

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            action=f"admin.{'change' if change else 'add'}",
            actor=request.user,
            obj=obj,
            subject=self._subject(obj),
            details=_changes(obj, form),
        )

    def delete_model(self, request, obj):
        audit_record(action="admin.delete", actor=request.user, obj=obj, subject=self._subject(obj))
        super().delete_model(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200 and self.subject_field:
            obj = self.get_object(request, object_id)
            if obj is not None:
                audit_record(
                    action="personal_data.view",
                    actor=request.user,
                    obj=obj,
                    subject=self._subject(obj),
                    details={"what": "admin"},
                )
        return response


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["seq", "occurred_at", "action", "actor_label", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["action", "object_id", "request_id"]
    ordering = ["-id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
