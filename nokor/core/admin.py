from django.contrib import admin

from nokor.core.models import BuddhistEraNewYear


@admin.register(BuddhistEraNewYear)
class BuddhistEraNewYearAdmin(admin.ModelAdmin):
    """The Visakha Bochea day of each year, which changes the Buddhist Era year on official documents."""

    list_display = ["year", "date"]
