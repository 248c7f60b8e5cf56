from django.contrib import admin

from nokor.notifications.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "to", "event", "status", "attempts"]
    list_filter = ["channel", "status", "event"]
    search_fields = ["to", "idempotency_key"]
    readonly_fields = [f.name for f in Message._meta.fields]
    raw_id_fields = ["user"]

    def has_add_permission(self, request):
        return False
