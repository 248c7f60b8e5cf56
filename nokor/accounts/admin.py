"""The Django admin for accounts: administrators create staff and manage their roles."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from nokor.accounts import services
from nokor.accounts.models import Consent, RoleAssignment, User
from nokor.accounts.roles import Role
from nokor.audit.admin import AuditedModelAdmin
from nokor.audit.services import audit_record
from nokor.core.text import normalize_for_search
from nokor.geography.models import AdministrativeUnit


def _administrators_only(request) -> bool:
    """The admin is for administrators (superusers or the administrator role), who have passed MFA
    (StaffGuardMiddleware sends staff without a second factor to enrol before any staff page)."""
    user = request.user
    return user.is_active and user.is_staff and user.is_administrator


admin.site.has_permission = _administrators_only
admin.site.site_header = _("Nokor administration")
admin.site.site_title = _("Nokor administration")


def _sign_in_through_allauth(request, extra_context=None):
    """The admin has no sign-in of its own: allauth's asks for the second factor. Signed-in people
    who are not administrators are refused rather than sent round in circles."""
    if request.user.is_authenticated:
        raise PermissionDenied
    return redirect_to_login(request.GET.get("next") or request.get_full_path())


admin.site.login = _sign_in_through_allauth


class StaffCreationForm(forms.ModelForm):
    password = forms.CharField(
        label=_("Temporary password"),
        widget=forms.PasswordInput,
        help_text=_("The staff member must change it at first sign-in."),
    )
    role = forms.ChoiceField(label=_("First role"), choices=Role.choices)
    unit_code = forms.CharField(
        label=_("Unit code of the role"),
        required=False,
        max_length=8,
        help_text=_(
            "Gazetteer code, e.g. 08 for Kandal or 0801 for one of its districts. Empty: nationwide."
        ),
    )

    class Meta:
        model = User
        fields = ["email", "full_name", "phone", "position"]

    def clean_email(self):
        email = self.cleaned_data.get("email")
        if not email:
            raise forms.ValidationError(_("Staff accounts need an e-mail address."))
        return email

    def clean_unit_code(self):
        code = self.cleaned_data.get("unit_code", "").strip()
        if not code:
            return None
        unit = AdministrativeUnit.objects.current().filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(_("No current administrative unit has this code."))
        return unit

    def clean_password(self):
        password = self.cleaned_data["password"]
        validate_password(password)
        return password


class RoleAssignmentInline(admin.TabularInline):
    """Roles are changed through the user's page; each change is audited by UserAdmin.save_formset."""

    model = RoleAssignment
    extra = 0
    raw_id_fields = ["unit"]
    fields = ["role", "unit", "valid_from", "valid_to"]


@admin.register(User)
class UserAdmin(AuditedModelAdmin):
    subject_field = "self"
    list_display = ["__str__", "email", "phone", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_active", "preferred_language"]
    search_fields = ["email", "phone", "full_name_search"]
    readonly_fields = ["last_login", "date_joined", "deleted_at"]
    fields = [
        "email",
        "phone",
        "full_name",
        "position",
        "preferred_language",
        "is_staff",
        "is_active",
        "must_change_password",
        "last_login",
        "date_joined",
        "deleted_at",
    ]
    inlines = [RoleAssignmentInline]

    def get_search_results(self, request, queryset, search_term):
        """Names are found in their search form: with or without zero-width spaces, any Khmer spelling."""
        return super().get_search_results(request, queryset, normalize_for_search(search_term))

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = StaffCreationForm
            kwargs["fields"] = None
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return (
            ["email", "full_name", "phone", "position", "password", "role", "unit_code"]
            if obj is None
            else self.fields
        )

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.staff_create(
            by=request.user,
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            phone=form.cleaned_data.get("phone"),
            position=form.cleaned_data.get("position", ""),
            password=form.cleaned_data["password"],
            roles=[(form.cleaned_data["role"], form.cleaned_data["unit_code"])],
        )
        obj.pk = created.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for assignment in formset.new_objects + [obj for obj, _fields in formset.changed_objects]:
            audit_record(
                action="role.assign" if assignment in formset.new_objects else "role.change",
                actor=request.user,
                obj=assignment,
                subject=assignment.user,
                unit=assignment.unit,
                details={"role": assignment.role, "valid_to": assignment.valid_to},
            )
        for assignment in formset.deleted_objects:
            audit_record(
                action="role.delete",
                actor=request.user,
                obj=assignment,
                subject=assignment.user,
                details={"role": assignment.role},
            )


@admin.register(Consent)
class ConsentAdmin(AuditedModelAdmin):
    subject_field = "user"
    list_display = ["user", "document", "version", "accepted_at"]
    raw_id_fields = ["user"]
