"""Admin of the service catalogue: texts, charter figures and the form definition of each e-service (a
changed definition becomes a new version), a read-only preview of the form in Khmer and English, and
the public holidays that working-day deadlines skip."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from nokor.audit.admin import AuditedModelAdmin
from nokor.audit.services import audit_record
from nokor.services import forms_engine
from nokor.services.catalogue import SERVICE_FIELDS, service_version_create
from nokor.services.models import Holiday, Service, ServiceVersion

LANGUAGES = (("km", "ខ្មែរ"), ("en", "English"))


class ServiceAdminForm(forms.ModelForm):
    """The service's fields, and its current form definition as JSON text (checked on save)."""

    form_definition = forms.CharField(
        label=_("Form definition (JSON)"),
        widget=forms.Textarea(attrs={"rows": 30, "class": "vLargeTextField", "spellcheck": "false"}),
        help_text=_(
            "Pages, questions, eligibility questions and declaration, as described at the top of "
            "nokor/services/forms_engine.py. Saving a changed definition creates a new form version; "
            "applications already started keep the version they began with."
        ),
    )

    class Meta:
        model = Service
        fields = [*SERVICE_FIELDS, "is_active"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        version = self.instance.current_version if self.instance.pk else None
        if version is not None:
            self.initial["form_definition"] = json.dumps(
                version.form_definition, ensure_ascii=False, indent=2
            )

    def clean_form_definition(self) -> dict:
        text = self.cleaned_data["form_definition"]
        try:
            definition = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValidationError(
                _("This is not valid JSON: %(error)s (line %(line)s, column %(column)s)."),
                code="json",
                params={"error": error.msg, "line": error.lineno, "column": error.colno},
            ) from error
        forms_engine.validate_definition(definition)
        return definition

    def clean(self) -> dict:
        cleaned = super().clean()
        definition, level = cleaned.get("form_definition"), cleaned.get("responsible_level")
        if definition is not None and level:
            try:
                forms_engine.validate_definition(definition, responsible_level=level)
            except ValidationError as error:
                self.add_error("form_definition", error)
        return cleaned


class ServiceVersionInline(admin.TabularInline):
    """The versions of a service's form, newest first: read-only (applications point to them)."""

    model = ServiceVersion
    fields = ["number", "created_at", "created_by", "preview"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("preview"))
    def preview(self, version: ServiceVersion) -> str:
        url = reverse("admin:services_service_preview", args=[version.service_id])
        return format_html('<a href="{}?version={}">{}</a>', url, version.number, _("Preview"))


@admin.register(Service)
class ServiceAdmin(AuditedModelAdmin):
    """The catalogue: an administrator edits a service's texts and its form definition."""

    form = ServiceAdminForm
    inlines = [ServiceVersionInline]
    list_display = [
        "name_en",
        "slug",
        "responsible_level",
        "processing_days",
        "fee_riel",
        "version",
        "is_active",
    ]
    list_filter = ["responsible_level", "is_active"]
    search_fields = ["slug", "name_km", "name_en"]
    readonly_fields = ["version", "preview_link"]
    fieldsets = [
        (None, {"fields": ["slug", "name_km", "name_en", "is_active"]}),
        (
            _("Texts"),
            {
                "fields": [
                    "summary_km",
                    "summary_en",
                    "eligibility_km",
                    "eligibility_en",
                    "documents_km",
                    "documents_en",
                ]
            },
        ),
        (
            _("Service charter"),
            {
                "fields": [
                    "fee_riel",
                    "processing_days",
                    "responsible_level",
                    "needs_supervisor_approval",
                    "appeal_days",
                    "output_document_type",
                ]
            },
        ),
        (_("Form"), {"fields": ["version", "preview_link", "form_definition"]}),
    ]

    @admin.display(description=_("form version"))
    def version(self, service: Service) -> Any:
        return service.current_version.number if service.current_version_id else "—"

    @admin.display(description=_("preview"))
    def preview_link(self, service: Service) -> str:
        if not service.pk or not service.current_version_id:
            return "—"
        url = reverse("admin:services_service_preview", args=[service.pk])
        return format_html(
            '<a href="{}">{}</a>', url, _("See the form as applicants will, in Khmer and English")
        )

    def save_model(self, request, obj: Service, form: ServiceAdminForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        definition = form.cleaned_data["form_definition"]
        current = obj.current_version
        if current is None or current.form_definition != definition:
            version = service_version_create(service=obj, definition=definition, by=request.user)
            audit_record(
                action="service.version_create",
                actor=request.user,
                obj=version,
                details={"service": obj.slug, "number": version.number},
            )

    def get_urls(self):
        preview = path(
            "<path:object_id>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="services_service_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request, object_id: str):
        """Every page of a form version (the current one, or ?version=N) as applicants see it, read-only,
        Khmer beside English; conditional pages and questions say when they are asked."""
        service = self.get_object(request, object_id)
        if service is None:
            raise Http404
        if not self.has_view_or_change_permission(request, service):
            raise PermissionDenied
        versions = service.versions.all()
        number = request.GET.get("version")
        version = versions.filter(number=number).first() if number else service.current_version
        if version is None:
            raise Http404
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": service,
            "version": version,
            "is_current": version.pk == service.current_version_id,
            "title": _("Preview of the form"),
            "languages": LANGUAGES,
            **form_preview(version.form_definition),
        }
        return render(request, "admin/services/service/preview.html", context)


def form_preview(definition: dict) -> dict:
    """What the preview page shows: for each page and each language, its title, hint, condition and a
    disabled form with every question (conditional ones too); the eligibility questions; the declaration."""
    pages = []
    for page in definition.get("pages", []):
        columns = []
        for language, _name in LANGUAGES:
            form = forms.Form(prefix=language)  # two columns on one page: distinct ids
            conditions = {}
            for spec in page["fields"]:
                field = forms_engine.make_field(spec, language)
                field.disabled = True
                form.fields[spec["name"]] = field
                if spec.get("show_if"):
                    conditions[spec["name"]] = _condition_text(definition, spec["show_if"], language)
            columns.append(
                {
                    "language": language,
                    "title": forms_engine.text_in(page["title"], language),
                    "hint": forms_engine.text_in(page.get("hint"), language),
                    "condition": _condition_text(definition, page.get("show_if"), language),
                    "fields": [(form[name], conditions.get(name, "")) for name in form.fields],
                }
            )
        pages.append({"id": page["id"], "columns": columns})
    eligibility = [
        {
            "id": question["id"],
            "columns": [
                {
                    "question": forms_engine.text_in(question["question"], language),
                    "exit_unless": question.get("exit_unless", "yes"),
                    "exit_message": forms_engine.text_in(question["exit_message"], language),
                }
                for language, _name in LANGUAGES
            ],
        }
        for question in definition.get("eligibility", [])
    ]
    declaration = [
        forms_engine.text_in(definition.get("declaration"), language) for language, _name in LANGUAGES
    ]
    return {
        "pages": pages,
        "eligibility": eligibility,
        "declaration": declaration,
        "routing_field": definition.get("routing_field", ""),
        "applicant_name_field": definition.get("applicant_name_field", ""),
    }


def _condition_text(definition: dict, condition: dict | None, language: str) -> str:
    if not condition:
        return ""
    with translation.override(language):
        return _describe(definition, condition, language)


def _describe(definition: dict, condition: dict, language: str) -> str:
    target = forms_engine.field_by_name(definition, condition["field"]) or {}
    labels = {
        choice["value"]: forms_engine.text_in(choice["label"], language)
        for choice in target.get("choices", [])
    }
    labels.update({"yes": str(_("Yes")), "no": str(_("No"))} if target.get("type") == "yesno" else {})
    values = condition["in"] if "in" in condition else [condition["equals"]]
    return str(_("Asked only when “%(question)s” is: %(answers)s")) % {
        "question": forms_engine.field_label(definition, condition["field"], language),
        "answers": ", ".join(labels.get(value, str(value)) for value in values),
    }


@admin.register(Holiday)
class HolidayAdmin(AuditedModelAdmin):
    """Public holidays: days that working-day deadlines skip (seeded by `manage.py load_holidays`)."""

    list_display = ["date", "name_en", "name_km"]
    search_fields = ["name_en", "name_km"]
    date_hierarchy = "date"
    ordering = ["date"]
