"""Cybercrime: the category taxonomy, public reports with money transfers and the identifiers they
name (one sighting row per identifier and report), investigators' verdicts on identifiers, the allow-list
of common values, scam-check counts and disputes, and the institutions (banks, e-wallets)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nokor.accounts.roles import Role
from nokor.core.access import RecordRule, ScopedManager
from nokor.core.text import in_language

INVESTIGATORS = frozenset({Role.CYBER_INVESTIGATOR, Role.CYBER_SUPERVISOR})


class IdentifierKind(models.TextChoices):
    PHONE = "phone", _("Phone number")
    URL = "url", _("Web address")
    DOMAIN = "domain", _("Domain name")
    EMAIL = "email", _("E-mail address")
    BANK_ACCOUNT = "bank_account", _("Bank account")
    BAKONG = "bakong", _("Bakong account")
    CRYPTO = "crypto", _("Crypto-currency address")
    HANDLE = "handle", _("Social-media user name")
    UNKNOWN = "unknown", _("Not recognised")


class Category(models.Model):
    """One kind of cybercrime in the maintained taxonomy, with the urgent steps shown to victims."""

    slug = models.SlugField(max_length=50, unique=True)
    name_km = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    next_steps_km = models.TextField(blank=True)
    next_steps_en = models.TextField(blank=True)
    sensitive = models.BooleanField(default=False, help_text=_("Sextortion or image abuse: images hidden."))
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.name_km, self.name_en)

    @property
    def next_steps(self) -> str:
        return in_language(self.next_steps_km, self.next_steps_en)


class Institution(models.Model):
    """A bank or e-wallet, for transfers and freeze requests (a list kept as data)."""

    class Kind(models.TextChoices):
        BANK = "bank", _("Bank")
        EWALLET = "ewallet", _("E-wallet")

    code = models.CharField(max_length=20, unique=True)
    name_km = models.CharField(max_length=200, blank=True)
    name_en = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.BANK)
    freeze_contact = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name_en"]

    def __str__(self) -> str:
        return in_language(self.name_km or self.name_en, self.name_en)


class Report(models.Model):
    """A report of a cybercrime or an attempt, by anyone (with or without an account), kept separate
    from cases. Followed with its reference and a secret tracking code."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        TRIAGED = "triaged", _("Being assessed")
        LINKED = "linked", _("Linked to an investigation")
        REJECTED = "rejected", _("Not taken further")
        CLOSED = "closed", _("Closed")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone call")
        SMS = "sms", _("SMS")
        TELEGRAM = "telegram", _("Telegram")
        FACEBOOK = "facebook", _("Facebook or Messenger")
        WHATSAPP = "whatsapp", _("WhatsApp")
        TIKTOK = "tiktok", _("TikTok")
        WEBSITE = "website", _("Website")
        EMAIL = "email", _("E-mail")
        IN_PERSON = "in_person", _("In person")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.BigIntegerField(unique=True)
    reference = models.CharField(_("reference number"), max_length=24, unique=True)
    tracking_code_hash = models.CharField(max_length=64)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cyber_reports",
    )
    on_behalf_of = models.CharField(_("reported for"), max_length=200, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="reports")
    channel = models.CharField(_("how contact was made"), max_length=20, choices=Channel.choices, blank=True)
    incident_date = models.DateField(_("when it happened"), null=True, blank=True)
    description = models.TextField(_("what happened"))
    attempt_only = models.BooleanField(_("attempt only, nothing lost"), default=False)
    ongoing_contact = models.BooleanField(_("still in contact with the scammer"), default=False)
    vulnerable_victim = models.BooleanField(
        _("victim is a child, elderly or otherwise vulnerable"), default=False
    )
    trafficking_flag = models.BooleanField(
        _("possible victim of trafficking into a scam compound"), default=False
    )
    loss_khr = models.BigIntegerField(_("money lost (riel)"), default=0)
    loss_usd_cents = models.BigIntegerField(_("money lost (US dollar cents)"), default=0)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=20, blank=True)
    consent = models.BooleanField(_("consents to be contacted and to data sharing for the investigation"))
    unit = models.ForeignKey(
        "geography.AdministrativeUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("where the victim lives"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    public_note = models.TextField(_("message to the reporter"), blank=True)
    priority = models.PositiveSmallIntegerField(default=0, db_index=True)
    sla_due = models.DateTimeField(null=True, blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    case_id = models.UUIDField(null=True, blank=True, db_index=True)  # the Case model arrives with triage
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    access = RecordRule(
        roles={"view": INVESTIGATORS, "change": INVESTIGATORS}, unit_field="unit", owner_field="reporter"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["status", "-priority", "created_at"])]

    def __str__(self) -> str:
        return self.reference


class Transfer(models.Model):
    """One payment the victim made to the scammer."""

    class Currency(models.TextChoices):
        KHR = "KHR", _("Riel")
        USD = "USD", _("US dollar")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="transfers")
    institution = models.ForeignKey(Institution, null=True, blank=True, on_delete=models.PROTECT)
    institution_text = models.CharField(_("bank or e-wallet"), max_length=100, blank=True)
    to_account = models.CharField(_("account paid to"), max_length=100, blank=True)
    transaction_id = models.CharField(_("transaction number"), max_length=100, blank=True)
    paid_on = models.DateField(_("date"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.USD)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class Sighting(models.Model):
    """One identifier named in one report: storage grows linearly with reports, and 'seen in N other
    reports' is an index lookup on (kind, value) — never a pairwise table."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sightings")
    kind = models.CharField(max_length=15, choices=IdentifierKind.choices)
    value = models.CharField(max_length=512)
    original = models.CharField(max_length=1024)
    registrable_domain = models.CharField(max_length=255, blank=True, db_index=True)
    recognized = models.BooleanField(default=True)
    reported_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "value", "reported_at"])]
        constraints = [
            models.UniqueConstraint(fields=["report", "kind", "value"], name="sighting_once_per_report")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class Verdict(models.Model):
    """An investigator's verdict on an identifier: it decides, with the report count, what the public sees."""

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed malicious")
        FALSE_POSITIVE = "false_positive", _("False positive")
        EXPIRED = "expired", _("No longer in use")

    kind = models.CharField(max_length=15, choices=IdentifierKind.choices)
    value = models.CharField(max_length=512)
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="verdict_one_per_identifier")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value} {self.outcome}"


class AllowListEntry(models.Model):
    """A common value never correlated nor listed (e.g. a bank's own hotline)."""

    kind = models.CharField(max_length=15, choices=IdentifierKind.choices)
    value = models.CharField(max_length=512)
    reason = models.CharField(max_length=300)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="allowlist_unique")]
        verbose_name = _("allow-list entry")
        verbose_name_plural = _("allow-list")

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class SearchCount(models.Model):
    """How often an identifier was looked up in the public scam check."""

    kind = models.CharField(max_length=15, choices=IdentifierKind.choices)
    value = models.CharField(max_length=512)
    count = models.PositiveBigIntegerField(default=0)
    last_searched_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="searchcount_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value} ×{self.count}"


class Dispute(models.Model):
    """The owner of a number, account or site asks for a listing to be reviewed."""

    class Status(models.TextChoices):
        OPEN = "open", _("Under review")
        UPHELD = "upheld", _("Listing removed")
        REJECTED = "rejected", _("Listing kept")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=15, choices=IdentifierKind.choices)
    value = models.CharField(max_length=512)
    name = models.CharField(_("your name"), max_length=200)
    contact = models.CharField(_("how to contact you"), max_length=200)
    reason = models.TextField(_("why the listing is wrong"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()
    access = RecordRule(roles={"view": INVESTIGATORS, "change": INVESTIGATORS})

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"dispute {self.kind}:{self.value}"


class EvidenceFile(models.Model):
    """A file of evidence (screenshot, PDF…): hashed at upload, stored write-once (never replaced; not
    deleted while its report or case is open or under legal hold). Every view, download, export,
    transfer and re-verification is an event of the audit chain on this object: its chain of custody."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to="evidence/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.TextField(_("description"), blank=True)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("collected by"),
    )
    collected_at = models.DateTimeField(_("collected"), auto_now_add=True)
    collected_where = models.CharField(_("where"), max_length=200, blank=True)
    sensitive = models.BooleanField(
        default=False, help_text=_("Intimate images: never shown in normal views.")
    )
    legal_hold = models.BooleanField(default=False)

    objects = ScopedManager()
    access = RecordRule(
        roles={"view": INVESTIGATORS}, unit_field="report__unit", owner_field="report__reporter"
    )

    class Meta:
        ordering = ["collected_at"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name
