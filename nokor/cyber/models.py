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

INVESTIGATORS = frozenset({Role.CYBER_INVESTIGATOR, Role.CYBER_SUPERVISOR, Role.CYBER_SENSITIVE_MEDIA})
# Investigators cleared to open intimate images (sextortion, image abuse): each opening is audited.
SENSITIVE_MEDIA = frozenset({Role.CYBER_SENSITIVE_MEDIA})


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
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        verbose_name=_("case"),
    )
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        verbose_name=_("merged into"),
    )
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
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    case = models.ForeignKey("Case", null=True, blank=True, on_delete=models.PROTECT, related_name="evidence")
    unit = models.ForeignKey(
        "geography.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
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
    access = RecordRule(roles={"view": INVESTIGATORS}, unit_field="unit", owner_field="report__reporter")

    class Meta:
        ordering = ["collected_at"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(report__isnull=False) | models.Q(case__isnull=False),
                name="evidence_of_report_or_case",
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class Case(models.Model):
    """An investigation, kept apart from the reports that feed it: one or more reports are linked to a
    case; it has an assigned investigator, tasks, a timeline of typed events (notes among them), a
    status, evidence and freeze requests, and is exported as a case report (PDF)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        INVESTIGATING = "investigating", _("Investigating")
        REFERRED = "referred", _("Referred to the prosecutor")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        SUSPECT_CHARGED = "charged", _("Suspect identified and charged")
        FUNDS_RECOVERED = "recovered", _("Money recovered for the victims")
        DISRUPTED = "disrupted", _("Scam disrupted (numbers, sites or accounts taken down)")
        INSUFFICIENT_EVIDENCE = "insufficient", _("Not enough evidence")
        REFERRED_ABROAD = "abroad", _("Referred to another country")
        NO_CRIME = "no_crime", _("No offence found")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.BigIntegerField(unique=True)
    reference = models.CharField(_("case number"), max_length=24, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    unit = models.ForeignKey(
        "geography.AdministrativeUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit in charge"),
    )
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cyber_cases",
        verbose_name=_("investigator"),
    )
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome details"), blank=True)
    legal_hold = models.BooleanField(
        _("legal hold"), default=False, help_text=_("Evidence may not be deleted, even after closing.")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = ScopedManager()
    access = RecordRule(roles={"view": INVESTIGATORS, "change": INVESTIGATORS}, unit_field="unit")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [models.Index(fields=["investigator", "status"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED


class CaseTask(models.Model):
    """A piece of work on a case, with a due date."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=300)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done_at", "due_on", "created_at"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title


class CaseEvent(models.Model):
    """One entry of a case's timeline, typed; a note is an event of kind ``note`` with its text."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Case opened")
        REPORT_LINKED = "report_linked", _("Report linked")
        REPORT_UNLINKED = "report_unlinked", _("Report unlinked")
        STATUS = "status", _("Status changed")
        ASSIGNED = "assigned", _("Investigator assigned")
        NOTE = "note", _("Note")
        TASK_ADDED = "task_added", _("Task added")
        TASK_DONE = "task_done", _("Task done")
        EVIDENCE = "evidence", _("Evidence added")
        FREEZE_REQUESTED = "freeze_requested", _("Freeze requested")
        FREEZE_ANSWERED = "freeze_answered", _("Bank answered")
        INDICATOR = "indicator", _("Indicator verified")
        REFERRAL = "referral", _("Victim referred")
        CONTACT = "contact", _("Contact with victim or witness")
        LEGAL = "legal", _("Legal step")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("text"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField(_("when"), db_index=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"


class FreezeRequest(models.Model):
    """A structured request, from a case, to a bank or e-wallet to freeze the money paid in the
    transfers concerned; timed against the "golden hour" and closed by the institution's answer."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent, waiting for the answer")
        FROZEN = "frozen", _("Frozen")
        PARTIAL = "partial", _("Partly frozen")
        REFUSED = "refused", _("Refused")
        NO_FUNDS = "no_funds", _("No funds left")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("request number"), max_length=24, unique=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="freeze_requests")
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="freeze_requests",
        verbose_name=_("bank or e-wallet"),
    )
    account = models.CharField(_("account to freeze"), max_length=100)
    transfers = models.ManyToManyField(Transfer, related_name="freeze_requests", verbose_name=_("transfers"))
    amount = models.DecimalField(_("amount requested"), max_digits=14, decimal_places=2)
    currency = models.CharField(
        max_length=3, choices=Transfer.Currency.choices, default=Transfer.Currency.USD
    )
    note = models.TextField(_("note to the institution"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(db_index=True)
    answer_due = models.DateTimeField(_("answer due"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SENT)
    frozen_amount = models.DecimalField(_("amount frozen"), max_digits=14, decimal_places=2, default=0)
    answer_note = models.TextField(_("the institution's answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedManager()
    access = RecordRule(roles={"view": INVESTIGATORS, "change": INVESTIGATORS}, unit_field="case__unit")

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("freeze request")
        verbose_name_plural = _("freeze requests")

    def __str__(self) -> str:
        return self.reference


class ReferralOrganisation(models.Model):
    """Where victims of trafficking into scam compounds are referred (a list kept as data)."""

    code = models.CharField(max_length=30, unique=True)
    name_km = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    description_km = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("referral organisation")
        verbose_name_plural = _("referral organisations")

    def __str__(self) -> str:
        return in_language(self.name_km, self.name_en)


class Referral(models.Model):
    """A report flagged for possible trafficking, referred to an organisation on the list."""

    class Status(models.TextChoices):
        REFERRED = "referred", _("Referred")
        ACCEPTED = "accepted", _("Taken in charge")
        CLOSED = "closed", _("Closed")

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="referrals")
    organisation = models.ForeignKey(
        ReferralOrganisation,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("organisation"),
    )
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REFERRED)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    referred_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    access = RecordRule(roles={"view": INVESTIGATORS, "change": INVESTIGATORS}, unit_field="report__unit")

    class Meta:
        ordering = ["-referred_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"{self.report} → {self.organisation}"
