"""Open data: the catalogue of published datasets (bilingual metadata mapped onto DCAT-AP), their
immutable numbered releases (CSV and JSON files with a data dictionary), and the public's requests for
data that is not published, each routed to the dataset's data owner.

Datasets hold only aggregates built by the builders of :mod:`nokor.opendata.builders`, with small counts
suppressed (:mod:`nokor.opendata.suppression`) before anything is stored."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from nokor.accounts.roles import Role
from nokor.core.access import RecordRule, ScopedManager
from nokor.core.text import in_language

# Who edits the catalogue (in the admin) and reads every data request; owners read those routed to them.
EDITORS = frozenset({Role.ADMINISTRATOR})
OWNER_ROLES = frozenset(
    {
        Role.SERVICE_SUPERVISOR,
        Role.CYBER_SUPERVISOR,
        Role.TRAINER,
        Role.INFRASTRUCTURE_OFFICER,
        Role.STRATEGY_APPROVER,
        Role.ADMINISTRATOR,
    }
)
REQUEST_READERS = OWNER_ROLES | {Role.AUDITOR}

EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
CAMBODIA_GEONAMES = "https://sws.geonames.org/1831722/"
CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"


class Theme(models.TextChoices):
    """The EU DCAT-AP data themes (the value is the code of the EU vocabulary)."""

    AGRICULTURE = "AGRI", _("Agriculture, fisheries, forestry and food")
    ECONOMY = "ECON", _("Economy and finance")
    EDUCATION = "EDUC", _("Education, culture and sport")
    ENERGY = "ENER", _("Energy")
    ENVIRONMENT = "ENVI", _("Environment")
    GOVERNMENT = "GOVE", _("Government and public sector")
    HEALTH = "HEAL", _("Health")
    INTERNATIONAL = "INTR", _("International issues")
    JUSTICE = "JUST", _("Justice, legal system and public safety")
    REGIONS = "REGI", _("Regions and cities")
    SOCIETY = "SOCI", _("Population and society")
    TECHNOLOGY = "TECH", _("Science and technology")
    TRANSPORT = "TRAN", _("Transport")

    @classmethod
    def uri(cls, code: str) -> str:
        return EU_THEME + code


class Frequency(models.TextChoices):
    """How often a dataset is updated (the value is the code of the EU frequency vocabulary)."""

    DAILY = "DAILY", _("Daily")
    WEEKLY = "WEEKLY", _("Weekly")
    MONTHLY = "MONTHLY", _("Monthly")
    QUARTERLY = "QUARTERLY", _("Quarterly")
    ANNUAL = "ANNUAL", _("Annual")
    IRREGULAR = "IRREG", _("Irregular")

    @classmethod
    def uri(cls, code: str) -> str:
        return EU_FREQUENCY + code


def _theme_codes(value: str) -> None:
    unknown = set(value.split()) - set(Theme.values)
    if unknown:
        raise ValidationError(_("Unknown themes: %(codes)s") % {"codes": ", ".join(sorted(unknown))})


class Dataset(models.Model):
    """A published dataset: what it holds in Khmer and English, who publishes it under which licence,
    its themes, keywords, update frequency and coverage, the builder that makes its releases, the
    suppression threshold of small counts, and the data owner that requests for more data go to."""

    slug = models.SlugField(_("identifier"), max_length=80, unique=True)
    title_km = models.CharField(_("title in Khmer"), max_length=300)
    title_en = models.CharField(_("title in English"), max_length=300)
    description_km = models.TextField(_("description in Khmer"))
    description_en = models.TextField(_("description in English"))
    publisher_km = models.CharField(_("publisher in Khmer"), max_length=200, default="ក្រសួងមហាផ្ទៃ")
    publisher_en = models.CharField(_("publisher in English"), max_length=200, default="Ministry of Interior")
    licence_title = models.CharField(
        _("licence"), max_length=200, default="Creative Commons Attribution 4.0 International (CC BY 4.0)"
    )
    licence_url = models.URLField(_("licence address"), default=CC_BY_4)
    # EU data-theme codes separated by spaces ("JUST SOCI"): a fixed list, filtered with one LIKE.
    themes = models.CharField(_("themes"), max_length=100, validators=[_theme_codes])
    keywords_km = models.CharField(_("keywords in Khmer"), max_length=300, blank=True)
    keywords_en = models.CharField(_("keywords in English"), max_length=300, blank=True)
    frequency = models.CharField(
        _("update frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    spatial_km = models.CharField(_("area covered in Khmer"), max_length=200, default="កម្ពុជា")
    spatial_en = models.CharField(_("area covered in English"), max_length=200, default="Cambodia")
    spatial_uri = models.URLField(_("area covered (GeoNames address)"), default=CAMBODIA_GEONAMES)
    builder = models.CharField(_("builder"), max_length=40, unique=True)
    suppression_threshold = models.PositiveSmallIntegerField(
        _("smallest count published"),
        default=5,
        help_text=_("Counts from 1 to one less than this are hidden (0: nothing is hidden)."),
    )
    owner_role = models.CharField(
        _("data owner (role)"), max_length=40, choices=Role.choices, default=Role.ADMINISTRATOR
    )
    owner_unit = models.ForeignKey(
        "geography.AdministrativeUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("data owner (unit)"),
        help_text=_("Empty: the holders of the role for the whole country."),
    )
    is_published = models.BooleanField(_("published"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    access = RecordRule(roles={"view": EDITORS, "change": EDITORS}, public=models.Q(is_published=True))

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")

    def __str__(self) -> str:
        return self.slug

    @property
    def title(self) -> str:
        return in_language(self.title_km, self.title_en)

    @property
    def description(self) -> str:
        return in_language(self.description_km, self.description_en)

    @property
    def publisher(self) -> str:
        return in_language(self.publisher_km, self.publisher_en)

    @property
    def spatial(self) -> str:
        return in_language(self.spatial_km, self.spatial_en)

    @property
    def theme_codes(self) -> list[str]:
        return self.themes.split()

    def keyword_list(self, language: str) -> list[str]:
        text = self.keywords_en if language == "en" else self.keywords_km
        return [word.strip() for word in text.split(",") if word.strip()]


def _release_path(release: Release, filename: str) -> str:
    return f"opendata/{release.dataset.slug}/{filename}"


class Release(models.Model):
    """One immutable, numbered version of a dataset: its CSV (UTF-8 with a byte order mark, for Excel)
    and JSON files, their data dictionary, the period the data covers and the SHA-256 of the CSV.

    A release is never changed once written, except ``checked_at``: the last time a regeneration found
    the same content (which then makes no new version)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="releases")
    version = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("published"))
    checked_at = models.DateTimeField(_("last checked"))
    temporal_start = models.DateField(_("data from"), null=True, blank=True)
    temporal_end = models.DateField(_("data to"), null=True, blank=True)
    row_count = models.PositiveIntegerField(_("rows"))
    suppressed_count = models.PositiveIntegerField(_("hidden figures"), default=0)
    csv_file = models.FileField(upload_to=_release_path, max_length=200)
    csv_size = models.PositiveIntegerField()
    json_file = models.FileField(upload_to=_release_path, max_length=200)
    json_size = models.PositiveIntegerField()
    sha256 = models.CharField(_("SHA-256 of the CSV file"), max_length=64)
    columns = models.JSONField(_("data dictionary"), default=list)

    objects = ScopedManager()
    access = RecordRule(
        roles={"view": EDITORS, "change": EDITORS}, public=models.Q(dataset__is_published=True)
    )

    class Meta:
        ordering = ["dataset", "-version"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "version"], name="opendata_release_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id} v{self.version}"


class DataRequest(models.Model):
    """A request from the public for data that is not published (or not in this form), routed to the
    data owner of the dataset it is about (the administrators when it is about none)."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("Being looked at")
        ANSWERED = "answered", _("Answered")
        DECLINED = "declined", _("Declined")

    dataset = models.ForeignKey(
        Dataset,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
        verbose_name=_("dataset"),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("your name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    what = models.TextField(_("what data you need"), max_length=4000)
    purpose = models.TextField(_("what you will use it for"), max_length=4000)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)
    owner_role = models.CharField(_("routed to (role)"), max_length=40, choices=Role.choices)
    owner_unit = models.ForeignKey(
        "geography.AdministrativeUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("routed to (unit)"),
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)

    objects = ScopedManager()
    access = RecordRule(
        roles={"view": REQUEST_READERS, "change": OWNER_ROLES},
        unit_field="owner_unit",
        owner_field="requester",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")

    def __str__(self) -> str:
        return f"{self.pk} {self.name}"
