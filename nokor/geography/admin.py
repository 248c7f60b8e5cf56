from django.contrib import admin

from nokor.geography.models import AdministrativeUnit


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name_km", "name_latin", "level", "valid_from", "valid_to"]
    list_filter = ["level"]
    search_fields = ["code", "search_name"]
    raw_id_fields = ["parent"]
    readonly_fields = ["search_name"]
