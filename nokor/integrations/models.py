"""Partner organisations and what they integrate with: API keys (stored hashed, scoped, rate-limited),
their daily usage, webhook subscriptions and the log of every delivery."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nokor.accounts.roles import Role
from nokor.core.access import RecordRule, ScopedManager
from nokor.core.text import in_language

# Partners are managed by administrators only (nationwide): one rule for every model of the app.
ADMINISTRATORS = frozenset({Role.ADMINISTRATOR})
ADMINISTRATORS_ONLY = RecordRule(roles={"view": ADMINISTRATORS, "change": ADMINISTRATORS})


class Organisation(models.Model):
    """A partner (a bank, a telecom operator, a ministry…) whose systems use the API through its keys.

    Its keys act as its ``service_account`` (a user without a password), so the access layer decides
    what a key sees exactly as for a person; its ``members`` are the people whose applications the
    organisation may follow (scope ``applications:read-own-org``)."""

    class Kind(models.TextChoices):
        BANK = "bank", _("Bank")
        TELECOM = "telecom", _("Telecom operator")
        MINISTRY = "ministry", _("Ministry or agency")
        NGO = "ngo", _("NGO")
        OTHER = "other", _("Other")

    name_km = models.CharField(_("name in Khmer"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    service_account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="partner_organisation",
        verbose_name=_("service account"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="partner_memberships",
        verbose_name=_("members"),
        help_text=_("People whose applications the organisation may follow through the API."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = ScopedManager()
    access = ADMINISTRATORS_ONLY

    class Meta:
        ordering = ["name_en", "name_km"]
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.name_km, self.name_en)


class ApiKey(models.Model):
    """A key a partner's system sends as ``Authorization: Bearer nk_<prefix>_<secret>``.

    Only the public ``prefix`` and a SHA-256 of the secret are stored: the secret is shown once. A key
    works while it is neither expired nor revoked, for its ``scopes`` only, up to ``rate_limit`` calls a
    minute."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("organisation")
    )
    label = models.CharField(
        _("label"), max_length=100, help_text=_("What the key is for, e.g. the system using it.")
    )
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    rate_limit = models.PositiveIntegerField(_("calls a minute"), default=600)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = ScopedManager()
    access = ADMINISTRATORS_ONLY

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.label} (nk_{self.prefix}_…)"

    def state(self, now=None) -> str:
        """active, expired or revoked."""
        if self.revoked_at:
            return "revoked"
        if self.expires_at and self.expires_at <= (now or timezone.now()):
            return "expired"
        return "active"


class ApiKeyUsage(models.Model):
    """How many calls a key made on a day (written in batches by nokor.integrations.usage)."""

    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField()
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "day"], name="integrations_usage_key_day")]
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.key_id} {self.day}: {self.count}"


class Subscription(models.Model):
    """An organisation's endpoint that receives the listed events, signed with ``secret``.

    The secret is kept (each delivery is signed with it) but shown only once, when it is created."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="subscriptions", verbose_name=_("organisation")
    )
    url = models.URLField(_("address (URL)"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=64, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = ScopedManager()
    access = ADMINISTRATORS_ONLY

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return self.url


class Delivery(models.Model):
    """One event sent to one subscription, with every attempt until it succeeds or gives up.

    Its id is sent as ``Nokor-Delivery``: the same for every attempt, so a receiver can ignore a repeat."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=60)
    payload = models.JSONField()
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    retry_until = models.DateTimeField(_("retried until"))
    last_status_code = models.PositiveIntegerField(_("response code"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    objects = ScopedManager()
    access = ADMINISTRATORS_ONLY

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["subscription", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription_id}"


class DeliveryAttempt(models.Model):
    """One POST of a delivery: the answer's status code (none when it could not be reached), how long it
    took, and the start of the answer or the error."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField(_("when"), default=timezone.now)
    status_code = models.PositiveIntegerField(_("response code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    response_excerpt = models.CharField(_("response"), max_length=500, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        ordering = ["-attempted_at"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
