"""Users (citizens and staff), their roles scoped to units of the administrative tree, and consents."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from nokor.accounts.roles import Role
from nokor.core.access import RecordRule, ScopedQuerySet
from nokor.core.text import normalize_for_search, strip_invisible


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email=None, password=None, **extra):
        email = self.normalize_email(email) or None
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a citizen (self sign-up) or a staff member (created by an administrator)."""

    class Language(models.TextChoices):
        KHMER = "km", "ខ្មែរ"
        ENGLISH = "en", "English"

    email = models.EmailField(_("e-mail address"), unique=True, null=True, blank=True)
    phone = models.CharField(_("phone number"), max_length=20, unique=True, null=True, blank=True)
    phone_verified = models.BooleanField(_("phone number verified"), default=False)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True, help_text=_("Staff: job title."))
    full_name_search = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.KHMER
    )
    is_staff = models.BooleanField(
        _("staff member"), default=False, help_text=_("Staff sign in with two-factor authentication.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    must_change_password = models.BooleanField(_("must change password at next sign-in"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email or self.phone or f"#{self.pk}"

    def save(self, *args, **kwargs):
        # Derived column kept in step with its source; not business logic.
        self.full_name = strip_invisible(self.full_name)
        self.full_name_search = normalize_for_search(self.full_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "full_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "full_name_search"}
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return str(self)

    def get_short_name(self) -> str:
        return str(self)

    # --- roles -------------------------------------------------------------------------------------
    @cached_property
    def active_roles(self) -> list[RoleAssignment]:
        """The role assignments in force now (from the cached fact, see nokor.accounts.facts)."""
        if not self.is_authenticated or not self.is_staff or not self.pk:
            return []
        from nokor.accounts.facts import ROLES
        from nokor.core.userfacts import fact

        now = timezone.now()
        return [
            a for a in fact(self, ROLES) if a.valid_from <= now and (a.valid_to is None or a.valid_to > now)
        ]

    def has_any_role(self, roles) -> bool:
        return any(a.role in roles for a in self.active_roles)

    def unit_prefixes_for(self, roles) -> set[str] | None:
        """Code prefixes of the units where the user holds one of `roles` ('' = nationwide); None if none."""
        prefixes = {a.unit.code if a.unit_id else "" for a in self.active_roles if a.role in roles}
        return prefixes or None

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.has_any_role({Role.ADMINISTRATOR})

    @property
    def audience(self) -> str:
        return "staff" if self.is_staff else "citizen"


class RoleAssignmentQuerySet(ScopedQuerySet):
    def active(self, on=None) -> RoleAssignmentQuerySet:
        now = on or timezone.now()
        return self.filter(valid_from__lte=now).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=now))


class RoleAssignment(models.Model):
    """A staff member holds `role` at `unit` and everything under it (no unit: nationwide)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)
    unit = models.ForeignKey(
        "geography.AdministrativeUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Leave empty for a nationwide role."),
    )
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    valid_to = models.DateTimeField(_("valid until"), null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()
    # Staff see the roles held within their own scope (their team); an administrator sees all.
    access = RecordRule(
        roles={"view": frozenset(Role.values), "change": frozenset({Role.ADMINISTRATOR})}, unit_field="unit"
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return self.label()

    def label(self) -> str:
        """How the holder is shown to citizens: role and unit, never the name."""
        where = self.unit.name if self.unit_id else _("Nationwide")
        return f"{self.get_role_display()}, {where}"


class Consent(models.Model):
    """A user's acceptance of a version of a document (terms of use, privacy notice)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents")
    document = models.CharField(_("document"), max_length=50)
    version = models.CharField(_("version"), max_length=20)
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-accepted_at"]

    def __str__(self) -> str:
        return f"{self.document} {self.version}"
