"""Issued documents: the signed PDF, its public verification code and its life (genuine, revoked,
superseded)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nokor.accounts.roles import Role
from nokor.core.access import RecordRule, ScopedManager
from nokor.core.text import current_language
from nokor.documents.codes import display_code
from nokor.documents.registry import DOCUMENT_TYPES, FieldLabel


def _file_path(document: Document, filename: str) -> str:
    return f"documents/{document.issued_on:%Y/%m}/{document.code}.pdf"


class Document(models.Model):
    """A document the ministry issued to a person (a certificate, an attestation), signed and verifiable
    by anyone who holds its code."""

    class Status(models.TextChoices):
        GENUINE = "genuine", _("Genuine")
        REVOKED = "revoked", _("Revoked")
        SUPERSEDED = "superseded", _("Superseded")

    class RenderStatus(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Preparation failed")

    code = models.CharField(_("verification code"), max_length=20, unique=True, editable=False)
    document_type = models.SlugField(_("document type"), max_length=80, db_index=True)
    template_name = models.CharField(_("template"), max_length=200)
    title_km = models.CharField(_("title in Khmer"), max_length=300)
    title_en = models.CharField(_("title in English"), max_length=300)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # issued documents outlive the account (kept by law)
        related_name="documents",
    )
    holder_name = models.CharField(_("holder's name"), max_length=200)
    issuer_unit = models.ForeignKey(
        "geography.AdministrativeUnit",
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    data = models.JSONField(
        _("verification data"),
        default=dict,
        blank=True,
        help_text=_("The few fields the public verification page shows, to compare with the paper."),
    )
    context = models.JSONField(
        _("document content"), default=dict, blank=True, help_text=_("What the template prints.")
    )
    source_type = models.CharField(_("issued for (type)"), max_length=80, blank=True)
    source_id = models.CharField(_("issued for (record)"), max_length=64, blank=True)
    file = models.FileField(_("signed PDF"), upload_to=_file_path, max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.GENUINE, db_index=True
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_reason = models.TextField(_("reason for revocation"), blank=True)
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supersedes",
    )
    superseded_at = models.DateTimeField(_("replaced"), null=True, blank=True)
    render_status = models.CharField(
        _("PDF"), max_length=20, choices=RenderStatus.choices, default=RenderStatus.PENDING
    )
    render_error = models.TextField(_("last preparation error"), blank=True)
    rendered_at = models.DateTimeField(_("prepared"), null=True, blank=True)

    objects = ScopedManager()
    # Holders see their own; service staff and auditors see what units in their scope issued; only a
    # service supervisor (or an administrator) may revoke or re-issue.
    access = RecordRule(
        roles={
            "view": frozenset(
                {Role.SERVICE_SUPERVISOR, Role.SERVICE_OFFICER, Role.AUDITOR, Role.ADMINISTRATOR}
            ),
            "change": frozenset({Role.SERVICE_SUPERVISOR, Role.ADMINISTRATOR}),
        },
        unit_field="issuer_unit",
        owner_field="holder",
    )

    class Meta:
        ordering = ["-issued_on", "-created_at"]
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        indexes = [
            models.Index(fields=["holder", "-issued_on"]),
            models.Index(fields=["source_type", "source_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.title_en} {self.display_code}"

    def get_absolute_url(self) -> str:
        return reverse("documents:detail", args=[self.code])

    @property
    def display_code(self) -> str:
        return display_code(self.code)

    @property
    def title(self) -> str:
        return self.title_en if current_language() == "en" else self.title_km

    @property
    def is_genuine(self) -> bool:
        return self.status == self.Status.GENUINE

    @property
    def is_ready(self) -> bool:
        return self.render_status == self.RenderStatus.READY and bool(self.file)

    @property
    def status_tone(self) -> str:
        return {self.Status.GENUINE: "green", self.Status.REVOKED: "red"}.get(self.status, "amber")

    def verification_fields(self) -> list[tuple[FieldLabel, Any]]:
        """The verification data with its labels, in the order the document type declares them (a
        PostgreSQL jsonb column does not keep the order keys were written in)."""
        document_type = DOCUMENT_TYPES.get(self.document_type)
        labels = document_type.fields if document_type else {}
        ordered = [key for key in labels if key in self.data] + sorted(set(self.data) - set(labels))
        return [(labels.get(key) or FieldLabel(key, key), self.data[key]) for key in ordered]

    def verification_path(self) -> str:
        return reverse("documents:verify", args=[self.code])

    def verification_url(self) -> str:
        """The address printed in the QR code."""
        return settings.SITE_URL + self.verification_path()
