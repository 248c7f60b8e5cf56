"""Admin of the plan's results framework (for administrators): plan > strategies > objectives >
activities, and indicators with their targets; every change is audited. Reports and aggregates are not
edited here (the reporting pages and the aggregation own them)."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from nokor.audit.admin import AuditedModelAdmin
from nokor.core.indicators import INDICATORS
from nokor.strategy.models import Activity, Indicator, Objective, Plan, Strategy, Target


class StrategyInline(admin.TabularInline):
    model = Strategy
    fields = ("code", "title_km", "title_en", "position")
    extra = 0


class ObjectiveInline(admin.TabularInline):
    model = Objective
    fields = ("code", "title_km", "title_en", "position")
    extra = 0


class ActivityInline(admin.StackedInline):
    model = Activity
    fields = (
        ("code", "position"),
        ("title_km", "title_en"),
        ("unit", "department", "focal_person"),
        ("start", "end", "status"),
        ("budget_planned", "budget_spent"),
    )
    autocomplete_fields = ("unit", "focal_person")
    extra = 0


class TargetInline(admin.TabularInline):
    model = Target
    fields = ("year", "value", "is_demo")
    extra = 0


@admin.register(Plan)
class PlanAdmin(AuditedModelAdmin):
    list_display = ("code", "title_km", "title_en", "start_year", "end_year")
    inlines = [StrategyInline]


@admin.register(Strategy)
class StrategyAdmin(AuditedModelAdmin):
    list_display = ("code", "title_km", "title_en", "plan")
    list_filter = ("plan",)
    inlines = [ObjectiveInline]


@admin.register(Objective)
class ObjectiveAdmin(AuditedModelAdmin):
    list_display = ("code", "title_km", "title_en", "strategy")
    list_filter = ("strategy",)
    inlines = [ActivityInline]


@admin.register(Activity)
class ActivityAdmin(AuditedModelAdmin):
    list_display = ("code", "title_km", "department", "status", "budget_planned", "budget_spent")
    list_filter = ("status", "objective__strategy")
    search_fields = ("code", "title_km", "title_en")
    autocomplete_fields = ("unit", "focal_person")


@admin.register(Indicator)
class IndicatorAdmin(AuditedModelAdmin):
    list_display = ("code", "title_km", "unit", "source", "source_key", "is_public")
    list_filter = ("source", "unit", "is_public", "objective__strategy")
    search_fields = ("code", "title_km", "title_en")
    inlines = [TargetInline]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "source_key":  # an automatic indicator is chosen from the registered measures
            choices = [("", "—")] + [
                (key, f"{key} – {source.title}") for key, source in sorted(INDICATORS.items())
            ]
            return forms.ChoiceField(
                choices=choices, required=False, label=db_field.verbose_name, help_text=db_field.help_text
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)
