"""The tamper-evident trail: every change and every view of personal data, chained by SHA-256."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nokor.accounts.roles import Role
from nokor.core.access import RecordRule, ScopedManager

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    """One audited action. Once sealed (``seq`` set, see ``nokor.audit.services``), `hash` covers every
    field and the previous event's hash, so editing, deleting, inserting or reordering any row breaks the
    chain from that row on."""

    seq = models.BigIntegerField(unique=True, null=True, blank=True, editable=False)
    occurred_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=300, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("record type"), max_length=80, blank=True)
    object_id = models.CharField(_("record"), max_length=64, blank=True)
    unit = models.ForeignKey(
        "geography.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The person whose personal data this event concerns."),
    )
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = ScopedManager()
    access = RecordRule(
        roles={"view": frozenset({Role.AUDITOR, Role.ADMINISTRATOR})},
        unit_field="unit",
        owner_field="subject",
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["subject", "-occurred_at"]),
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unsealed"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def canonical(self) -> bytes:
        """The exact bytes the hash covers (ids, not labels that could be rendered differently)."""
        fields = {
            "seq": self.seq,
            "occurred_at": self.occurred_at.isoformat(timespec="microseconds"),
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "unit": self.unit_id,
            "subject": self.subject_id,
            "request_id": self.request_id,
            "ip": self.ip,
            "details": self.details,
            "prev_hash": self.prev_hash,
        }
        return json.dumps(
            fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
        ).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()
