"""Benchmark-scale applications (``manage.py seed_scale --applications N``): realistic rows, written in
bulk, that the pages and services treat exactly like applications made through the site.

What is made, for N applications (a fixed random seed, so the same N gives the same data):

* **Citizens** (about N / 3, fictitious, without a usable password) and **one service officer per
  province** plus a nationwide one (no usable password either: they exist to be assigned and shown).
* **Applications** over the six services of the catalogue, their answers valid for the service's form
  (every required question of the pages shown, hidden pages left out), submitted over the last two
  years with the volume growing towards today, routed like ``application_submit`` routes them (the
  unit at the service's level above the village, the ministry for national services), numbered in
  order of submission within each year (``NK-2026-000123-7``) after the numbers already used, and the
  ``Sequence`` of each year advanced past them, so the next real submission gets the next number.
* **Statuses spread over the workflow** the way time spreads them: most applications older than their
  processing time are decided (approved, refused, some withdrawn, a few appealed), recent ones are
  submitted, under review, waiting for information or for the supervisor; a small backlog stays open
  for weeks; about 2.5 % are drafts. Deadlines are counted in working days (holidays included) as the
  service does; an open application past its deadline was escalated, as the hourly job would have done.
* Their **timelines** (the typed events of each step), **attachments** (rows pointing at one sample
  scan), open **requests for information**, **appeals**, **feedback**, and the **issued documents** of
  approved applications (verifiable by their code; their PDF is not rendered).

And the records the benchmark scenarios use, made once: an application under review in Kandal
assigned to the demo officer ``officer_kandal``, an approved application with its document, and
``bench_drafts`` complete drafts of the demo person ``other_citizen`` with consecutive identifiers
(``DRAFT_ID_PREFIX`` + 12 hex digits), ready to be submitted one per request.

Not made: audit events (the audit chain records what people did; seeded history was not done by
anyone), notifications, PDF files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid
from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Max
from django.utils import timezone

from nokor.accounts.demo import CITIZENS, STAFF
from nokor.accounts.models import RoleAssignment, User
from nokor.accounts.roles import Role
from nokor.core.models import Sequence
from nokor.core.text import normalize_for_search
from nokor.documents.codes import ALPHABET, RANDOM_LENGTH, check_character, display_code
from nokor.documents.models import Document
from nokor.documents.registry import get_type
from nokor.geography.models import AdministrativeUnit
from nokor.services import forms_engine
from nokor.services.calendar import SATURDAY
from nokor.services.documents import MINISTRY_SEAT
from nokor.services.models import (
    Appeal,
    Application,
    ApplicationEvent,
    Attachment,
    EventKind,
    Feedback,
    Holiday,
    InformationRequest,
    ResponsibleLevel,
    Service,
    Status,
)
from nokor.services.reference import make_reference

SEED_DOMAIN = "scale.nokor.invalid"  # e-mail addresses of seeded people (a reserved domain: never delivered)
BATCH = 20_000
HISTORY_DAYS = 730
DRAFT_SHARE = 0.025
TEMPLATES_PER_SERVICE = 16
# Answers of these types are the same in every application of a template; the others are personal.
SHAPE_TYPES = frozenset({"choice", "yesno", "number", "textarea"})
# The bench records: found again by their identifier on the next run.
BENCH_APPLICATION_ID = uuid.UUID("5ca1ab1e-0000-4000-8000-000000000001")
BENCH_APPROVED_ID = uuid.UUID("5ca1ab1e-0000-4000-8000-000000000002")
DRAFT_ID_PREFIX = "5ca1ab1e-0001-4000-8000-"  # + 12 hex digits: the index of the draft
DRAFT_INDEX_MAX = 16**12 - 1
BENCH_OFFICER = "officer_kandal"  # demo person (nokor/accounts/demo.py) whose queue the benchmark opens
BENCH_OFFICER_UNIT = "08"
DRAFTS_FOR = "other_citizen"  # demo person who submits the benchmark's drafts
BENCH_SERVICE = "residence-certificate"
SAMPLE_SCAN = "applications/seed/sample-scan.png"
# A 1×1 white PNG: what every seeded attachment points at.
_SAMPLE_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8ffff3f"
    "0005fe02fedccc59e70000000049454e44ae426082"
)

# How often each service is asked for (residence certificates and birth certificates the most).
SERVICE_WEIGHTS = {
    "residence-certificate": 34,
    "birth-certificate-copy": 22,
    "id-card-replacement": 18,
    "family-book-update": 16,
    "assembly-notice": 7,
    "association-ngo-registration": 3,
}
CLOSED_STATUSES = [(Status.APPROVED, 82), (Status.REFUSED, 10), (Status.WITHDRAWN, 8)]
OPEN_STATUSES_WEIGHTS = [
    (Status.SUBMITTED, 30),
    (Status.IN_REVIEW, 45),
    (Status.INFO_REQUESTED, 12),
    (Status.AWAITING_APPROVAL, 8),
    (Status.APPEALED, 5),
]

FAMILY_NAMES = [
    ("សុខ", "Sok"), ("ចាន់", "Chan"), ("ហេង", "Heng"), ("លី", "Ly"), ("គឹម", "Kim"), ("ស៊ុន", "Sun"),
    ("ម៉ៅ", "Mao"), ("ឈឹម", "Chhim"), ("ពេជ្រ", "Pich"), ("សេង", "Seng"), ("ទេព", "Tep"), ("នួន", "Nuon"),
    ("អ៊ុំ", "Um"), ("ញឹម", "Nhim"), ("ខៀវ", "Khiev"), ("យឹម", "Yim"), ("ប៊ុន", "Bun"), ("ជា", "Chea"),
    ("ឡុង", "Long"), ("ហួត", "Huot"), ("កែវ", "Keo"), ("ម៉ម", "Mom"), ("សួន", "Suon"), ("អ៊ាង", "Eang"),
]  # fmt: skip
GIVEN_NAMES = [
    ("សុខា", "Sokha"), ("ដារ៉ា", "Dara"), ("ស្រីមុំ", "Sreymom"), ("វណ្ណា", "Vanna"), ("សុភ័ក្ត្រ", "Sopheak"),
    ("ចាន់ថា", "Chantha"), ("បូរ៉ា", "Bora"), ("សុភា", "Sophea"), ("រតនា", "Ratana"), ("ពិសិដ្ឋ", "Piseth"),
    ("សំណាង", "Samnang"), ("ធារី", "Theary"), ("វិចិត្រ", "Vichet"), ("ស្រីនាង", "Sreyneang"),
    ("មករា", "Makara"), ("កញ្ញា", "Kanha"), ("សុវណ្ណ", "Sovann"), ("លក្ខិណា", "Leakhena"),
    ("ចរិយា", "Chariya"), ("វឌ្ឍនា", "Vatthana"), ("ភារ៉ា", "Phara"), ("រិទ្ធី", "Rithy"), ("ស្រីពៅ", "Sreypov"),
    ("សុផល", "Sophal"), ("ចន្ទ្រា", "Chantrea"), ("បុប្ផា", "Bopha"), ("វិសាល", "Visal"), ("ណារ៉ុង", "Narong"),
]  # fmt: skip
REFUSAL_REASONS = [
    "អាសយដ្ឋានដែលបានផ្តល់ មិនត្រូវនឹងបញ្ជីស្នាក់នៅរបស់ឃុំទេ។",
    "ឯកសារភ្ជាប់មិនអាចអានបាន ហើយមិនបានផ្ញើឡើងវិញក្នុងរយៈពេលកំណត់។",
    "អ្នកដាក់ពាក្យមិនមានសិទ្ធិស្នើសុំសេវានេះទេ។",
]
INFO_MESSAGES = [
    "សូមផ្ញើរូបថតអត្តសញ្ញាណប័ណ្ណដែលអាចអានបាន។",
    "សូមបញ្ជាក់លេខផ្ទះ និងផ្លូវឱ្យបានច្បាស់លាស់។",
    "សូមភ្ជាប់ឯកសារបញ្ជាក់បន្ថែម។",
]
APPEAL_REASONS = [
    "ខ្ញុំរស់នៅអាសយដ្ឋាននេះតាំងពីឆ្នាំ ២០១៥ ហើយមានសាក្សីអាចបញ្ជាក់បាន។",
    "ឯកសារត្រូវបានផ្ញើរួចហើយ សូមពិនិត្យម្តងទៀត។",
]
FEEDBACK_COMMENTS = ["", "", "", "លឿន និងងាយស្រួល។", "Quick, thank you.", "ត្រូវរង់ចាំយូរបន្តិច។"]

APPLICATION_COLUMNS = (
    "id", "created_at", "updated_at", "number", "reference", "service_id", "service_version_id",
    "applicant_id", "applicant_name", "applicant_name_search", "filed_by_id", "mandate", "answers",
    "status", "unit_id", "assigned_to_id", "submitted_at", "deadline", "paused_at", "escalated_at",
    "decided_at", "decision_reason", "document_code", "receipt_number", "paid_at", "payment_method",
    "lock_version",
)  # fmt: skip
EVENT_COLUMNS = ("application_id", "kind", "actor_id", "at", "text", "data", "visible_to_applicant")
ATTACHMENT_COLUMNS = (
    "id", "application_id", "field_name", "file", "original_name", "content_type", "size", "sha256",
    "uploaded_by_id", "uploaded_at", "replaced",
)  # fmt: skip
DOCUMENT_COLUMNS = (
    "code", "document_type", "template_name", "title_km", "title_en", "holder_id", "holder_name",
    "issuer_unit_id", "issued_on", "issued_by_id", "created_at", "data", "context", "source_type",
    "source_id", "file", "status", "revoked_reason", "render_status", "render_error",
)  # fmt: skip


class Loader(Protocol):
    """What the command hands over: ``insert(model, columns, rows)`` writes rows in bulk;
    ``indexes_built_after(*models)`` is a context in which those tables' non-unique indexes are built
    after the load instead of row by row; in ``streaming()`` rows are written while the next ones are
    made (no database read inside)."""

    def insert(self, model: Any, columns: Any, rows: Any) -> int: ...

    def indexes_built_after(self, *models: Any) -> AbstractContextManager: ...

    def streaming(self) -> AbstractContextManager: ...


@dataclass
class _Place:
    """A village and the offices above it."""

    village: str
    unit_ids: dict[int, int]  # code length (2, 4, 6) -> unit id
    parent_ids: dict[int, int | None]  # the same -> id of the unit one level up


@dataclass
class _ServiceInfo:
    service: Service
    definition: dict
    level: ResponsibleLevel
    name_field: str
    routing_field: str
    document_type: Any
    pages: list[dict]
    fields: list[dict] = field(default_factory=list)


@dataclass
class _Batch:
    applications: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    attachments: list[tuple] = field(default_factory=list)
    documents: list[tuple] = field(default_factory=list)
    requests: list[tuple] = field(default_factory=list)
    appeals: list[tuple] = field(default_factory=list)
    feedback: list[tuple] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.applications)


def draft_id(index: int) -> uuid.UUID:
    """The identifier of the ``index``-th benchmark draft (0-based)."""
    return uuid.UUID(f"{DRAFT_ID_PREFIX}{index:012x}")


def document_code(rng: random.Random) -> str:
    """A well-formed verification code drawn from ``rng`` (seeded data is reproducible)."""
    payload = "".join(rng.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return payload + check_character(payload)


def seed(
    *,
    loader: Loader,
    applications: int,
    bench_drafts: int = 0,
    seed: int = 2026,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Top the applications up to ``applications`` (the benchmark's two records included, its drafts
    not) and add the benchmark's drafts; returns the facts the benchmark needs (identifiers, reference,
    document code). Runs in the caller's transaction."""
    factory = _Factory(loader=loader, seed=seed, log=log)
    drafts = Application.objects.filter(pk__gte=draft_id(0), pk__lte=draft_id(DRAFT_INDEX_MAX))
    existing = Application.objects.count() - drafts.count()
    missing = max(0, applications - existing)
    citizens = (
        factory.citizens(max(1, missing // 3) if missing else 0, offset=existing) if applications else []
    )
    facts: dict[str, Any] = {}
    if applications:
        made = factory.bench_records(citizens)
        missing = max(0, missing - made)
    if missing:
        log(f"applications: {existing:,} in the database, adding {missing:,}")
        tables = (Application, ApplicationEvent, Attachment, Document)
        with loader.indexes_built_after(*tables) if missing >= existing else nullcontext():
            factory.bulk(missing, citizens=citizens, offset=existing)
    else:
        log(f"applications: {existing:,} in the database already (asked for {applications:,})")
    if applications:
        facts = factory.bench_facts()
    facts["drafts"] = bench_drafts
    facts["drafts_added"] = factory.bench_drafts(bench_drafts)
    facts["draft_id_prefix"] = DRAFT_ID_PREFIX
    facts["drafts_for"] = DRAFTS_FOR
    facts["applications"] = Application.objects.count()
    return facts


class _Factory:
    """Makes application rows; one instance per run of the command."""

    def __init__(self, *, loader: Loader, seed: int, log: Callable[[str], None]) -> None:
        self.loader = loader
        self.seed = seed
        self.log = log
        self.now = timezone.now()
        self.today = _local_date(self.now)
        self.services = self._services()
        self.places, self.places_by_province = self._places()
        self.ministry_id = (
            AdministrativeUnit.objects.filter(code=MINISTRY_SEAT).values_list("id", flat=True).first()
        )
        self._deadlines: dict[tuple[dt.date, int], dt.date] = {}
        self._holidays = set(
            Holiday.objects.filter(
                date__range=(
                    self.today - dt.timedelta(days=HISTORY_DAYS + 60),
                    self.today + dt.timedelta(days=400),
                )
            ).values_list("date", flat=True)
        )
        self._officers: dict[str, list[int]] | None = None
        _sample_scan()
        self._shapes: dict[str, list[tuple[dict[str, Any], list[dict]]]] = {}

    # --- reference data ------------------------------------------------------------------------
    def _services(self) -> dict[str, _ServiceInfo]:
        found = {}
        for service in Service.objects.filter(current_version__isnull=False).select_related(
            "current_version"
        ):
            definition = service.current_version.form_definition
            found[service.slug] = _ServiceInfo(
                service=service,
                definition=definition,
                level=ResponsibleLevel(service.responsible_level),
                name_field=definition["applicant_name_field"],
                routing_field=definition["routing_field"],
                document_type=get_type(service.output_document_type)
                if service.output_document_type
                else None,
                pages=definition["pages"],
                fields=[spec for page in definition["pages"] for spec in page["fields"]],
            )
        if not found:
            raise RuntimeError("No service has a form: run manage.py load_services.")
        return found

    def _places(self) -> tuple[list[_Place], dict[str, list[_Place]]]:
        """Every current village whose commune, district and province are in the tree (or the deepest
        units there are, when only part of the tree is loaded)."""
        ids = dict(AdministrativeUnit.objects.current().values_list("code", "id"))
        villages = [code for code in ids if len(code) == 8] or [code for code in ids if len(code) == 6]
        places = []
        for code in sorted(villages):
            ancestors = {n: ids.get(code[:n]) for n in (2, 4, 6)}
            if None in (ancestors[2], ancestors[4]):
                continue
            unit_ids = {n: unit_id for n, unit_id in ancestors.items() if unit_id is not None}
            parents = {6: unit_ids.get(4), 4: unit_ids.get(2), 2: None}
            places.append(_Place(village=code, unit_ids=unit_ids, parent_ids=parents))
        if not places:
            raise RuntimeError("The administrative tree has no village or commune: run load_gazetteer.")
        by_province = defaultdict(list)
        for place in places:
            by_province[place.village[:2]].append(place)
        return places, dict(by_province)

    def officers(self) -> dict[str, list[int]]:
        """Service officers by province code ('' = nationwide): the demo ones, and one seeded officer
        for each province (made on the first run)."""
        if self._officers is not None:
            return self._officers
        provinces = sorted(self.places_by_province)
        wanted = {code: f"officer.{code or 'national'}@{SEED_DOMAIN}" for code in ["", *provinces]}
        existing = set(User.objects.filter(email__in=wanted.values()).values_list("email", flat=True))
        units = dict(AdministrativeUnit.objects.filter(code__in=provinces).values_list("code", "id"))
        for code, email in wanted.items():
            if email in existing:
                continue
            user = User(
                email=email,
                full_name=f"Officer {code or 'national'} (seeded)",
                is_staff=True,
                password=make_password(None),
            )
            user.save()
            RoleAssignment.objects.create(user=user, role=Role.SERVICE_OFFICER, unit_id=units.get(code))
        found: dict[str, list[int]] = defaultdict(list)
        rows = (
            RoleAssignment.objects.active()
            .filter(role=Role.SERVICE_OFFICER)
            .values_list("user_id", "unit__code")
        )
        for user_id, code in rows:
            found[code or ""].append(user_id)
        self._officers = dict(found)
        return self._officers

    def _officer_for(self, rng: random.Random, unit_code: str) -> int | None:
        officers = self.officers()
        candidates = officers.get(unit_code[:2]) or officers.get("") or []
        return rng.choice(candidates) if candidates else None

    def citizens(self, count: int, *, offset: int) -> list[int]:
        """Make ``count`` fictitious citizens; returns their ids (those of up to a thousand citizens
        seeded before when ``count`` is 0, for the benchmark's own records)."""
        seeded = User.objects.filter(email__startswith="citizen.", email__endswith=f"@{SEED_DOMAIN}")
        if not count:
            return list(seeded.order_by("pk").values_list("pk", flat=True)[:1000]) or self._citizens(
                random.Random(f"{self.seed}:citizens:{offset}"), 1, seeded.count()
            )
        return self._citizens(random.Random(f"{self.seed}:citizens:{offset}"), count, seeded.count())

    def _citizens(self, rng: random.Random, count: int, offset: int) -> list[int]:
        """Make ``count`` fictitious citizens (numbered from ``offset``); returns their ids."""
        hashed = make_password(None)  # unusable: nobody signs in as a seeded citizen
        joined = self.now - dt.timedelta(days=HISTORY_DAYS + 30)
        emails = []
        rows = []
        for index in range(offset, offset + count):
            family, given = rng.choice(FAMILY_NAMES), rng.choice(GIVEN_NAMES)
            name = f"{family[0]} {given[0]}"
            email = f"citizen.{index:07d}@{SEED_DOMAIN}"
            emails.append(email)
            moment = joined + dt.timedelta(seconds=rng.randrange(HISTORY_DAYS * 86400))
            rows.append(
                (
                    email,
                    hashed,
                    name,
                    normalize_for_search(name),
                    "km",
                    False,
                    True,
                    False,
                    False,
                    False,
                    moment,
                )
            )
        columns = (
            "email",
            "password",
            "full_name",
            "full_name_search",
            "preferred_language",
            "is_staff",
            "is_active",
            "must_change_password",
            "is_superuser",
            "phone_verified",
            "date_joined",
        )
        for start in range(0, len(rows), BATCH):
            self.loader.insert(User, columns, rows[start : start + BATCH])
        ids = dict(
            User.objects.filter(email__endswith=f"@{SEED_DOMAIN}", email__startswith="citizen.").values_list(
                "email", "id"
            )
        )
        return [ids[email] for email in emails]

    def deadline(self, day: dt.date, working_days: int) -> dt.date:
        """``calendar.add_working_days`` with the holidays read once (it reads them on every call)."""
        key = (day, working_days)
        if key not in self._deadlines:
            result, left = day, working_days
            while left > 0:
                result += dt.timedelta(days=1)
                if result.weekday() < SATURDAY and result not in self._holidays:
                    left -= 1
            self._deadlines[key] = result
        return self._deadlines[key]

    # --- the bulk ------------------------------------------------------------------------------
    def bulk(self, count: int, *, citizens: list[int], offset: int) -> None:
        """Add ``count`` applications of ``citizens`` (``offset`` distinguishes the random stream of a
        top-up)."""
        rng = random.Random(f"{self.seed}:applications:{offset}")
        self.officers()
        drafts = int(count * DRAFT_SHARE)
        submitted = count - drafts
        # Submission moments, oldest first; the volume grows towards today (density rising linearly).
        span = HISTORY_DAYS * 86400
        ages = sorted((span * (1 - rng.random() ** 0.5) for _ in range(submitted)), reverse=True)
        numbers = self._numbers([self.now - dt.timedelta(seconds=age) for age in ages])
        slugs = list(SERVICE_WEIGHTS)
        weights = list(SERVICE_WEIGHTS.values())
        batch = _Batch()
        with self.loader.streaming():  # no database read from here to the end of the block
            for index, age in enumerate(ages):
                info = self.services.get(rng.choices(slugs, weights)[0]) or next(iter(self.services.values()))
                self._submitted(batch, rng, info, rng.choice(citizens), age, numbers[index])
                if len(batch) >= BATCH:
                    self._flush(batch)
                    batch = _Batch()
            for _ in range(drafts):
                info = self.services.get(rng.choices(slugs, weights)[0]) or next(iter(self.services.values()))
                self._draft(batch, rng, info, rng.choice(citizens), rng.random() * 90 * 86400)
                if len(batch) >= BATCH:
                    self._flush(batch)
                    batch = _Batch()
            self._flush(batch)

    def _numbers(self, moments: list[dt.datetime]) -> list[tuple[int, int]]:
        """(year, number) of each submission, in order, after the numbers each year has used already;
        the year's sequence is advanced past them."""
        used: dict[int, int] = {}
        result = []
        for moment in moments:
            year = _local_date(moment).year
            if year not in used:
                used[year] = self._sequence_value(year)
            used[year] += 1
            result.append((year, used[year]))
        for year, last in used.items():
            Sequence.objects.update_or_create(name=f"application-{year}", defaults={"value": last})
        return result

    @staticmethod
    def _sequence_value(year: int) -> int:
        """The highest number of the year in use: the sequence, or a larger number already stored."""
        sequence = (
            Sequence.objects.filter(name=f"application-{year}").values_list("value", flat=True).first() or 0
        )
        stored = (
            Application.objects.filter(reference__startswith=f"NK-{year}-").aggregate(top=Max("number"))[
                "top"
            ]
            or 0
        )
        return max(sequence, stored)

    def _flush(self, batch: _Batch) -> None:
        self.loader.insert(Application, APPLICATION_COLUMNS, batch.applications)
        self.loader.insert(ApplicationEvent, EVENT_COLUMNS, batch.events)
        self.loader.insert(Attachment, ATTACHMENT_COLUMNS, batch.attachments)
        self.loader.insert(Document, DOCUMENT_COLUMNS, batch.documents)
        self.loader.insert(
            InformationRequest,
            (
                "application_id",
                "fields",
                "message",
                "requested_by_id",
                "requested_at",
                "answered_at",
                "answer",
            ),
            batch.requests,
        )
        self.loader.insert(
            Appeal,
            ("application_id", "reason", "unit_id", "submitted_at", "outcome", "decision_reason"),
            batch.appeals,
        )
        self.loader.insert(Feedback, ("application_id", "rating", "comment", "given_at"), batch.feedback)

    # --- one application -------------------------------------------------------------------------
    def _person(self, rng: random.Random) -> dict[str, str]:
        family, given = rng.choice(FAMILY_NAMES), rng.choice(GIVEN_NAMES)
        return {
            "km": f"{family[0]} {given[0]}",
            "latin": f"{family[1]} {given[1]}",
            "national_id": f"{rng.randrange(10**8, 10**9):09d}",
            "phone": _phone(rng),
            "email": f"{given[1].lower()}.{family[1].lower()}{rng.randrange(100, 999)}@gmail.com",
        }

    def _answers(
        self,
        rng: random.Random,
        info: _ServiceInfo,
        place: _Place,
        person: dict[str, str],
        day: dt.date,
        attachments: list[tuple[str, uuid.UUID]],
    ) -> dict[str, Any]:
        """Answers to every question the form shows for them (hidden pages left out), as the pages
        store them (dates ISO, units by code, files as {"attachment", "name"}).

        The shape of the answers (the choices made, so the pages shown) comes from one of a few
        templates of the service; the personal answers (names, numbers, places, dates) are drawn for
        each application."""
        fixed, personal = rng.choice(self._templates(info))
        result = dict(fixed)
        for spec in personal:
            name = spec["name"]
            if spec["type"] == "file":
                if spec.get("required", True) or rng.random() < 0.5:
                    attachment_id = uuid.UUID(int=rng.getrandbits(128), version=4)
                    attachments.append((name, attachment_id))
                    result[name] = {"attachment": str(attachment_id), "name": f"{name}.png"}
                else:
                    result[name] = None
            else:
                result[name] = _value(rng, spec, place, person, day)
        return result

    def _templates(self, info: _ServiceInfo) -> list[tuple[dict[str, Any], list[dict]]]:
        """A few shapes of answers of a service: (answers that are the same for everyone, questions
        whose answer is personal), each for one draw of the choices that decide which pages show."""
        slug = info.service.slug
        if slug not in self._shapes:
            rng = random.Random(f"{self.seed}:templates:{slug}")
            shapes = []
            for _ in range(TEMPLATES_PER_SERVICE):
                person = self._person(rng)
                place = rng.choice(self.places)
                answers = {spec["name"]: _value(rng, spec, place, person, self.today) for spec in info.fields}
                shown = {
                    spec["name"] for _page, spec in forms_engine.visible_fields(info.definition, answers)
                }
                fixed = {}
                personal = []
                for spec in info.fields:
                    if spec["name"] not in shown:
                        continue
                    if spec["type"] in SHAPE_TYPES or spec["name"] in _TEXT_ANSWERS:
                        fixed[spec["name"]] = answers[spec["name"]]
                    else:
                        personal.append(spec)
                shapes.append((fixed, personal))
            self._shapes[slug] = shapes
        return self._shapes[slug]

    def _submitted(
        self,
        batch: _Batch,
        rng: random.Random,
        info: _ServiceInfo,
        applicant_id: int,
        age: float,
        number: tuple[int, int],
        *,
        application_id: uuid.UUID | None = None,
        place: _Place | None = None,
        status: str | None = None,
        officer_id: int | None = None,
    ) -> tuple:
        """One submitted application with its whole history up to its status."""
        submitted_at = self.now - dt.timedelta(seconds=age)
        day = _local_date(submitted_at)
        place = place or rng.choice(self.places)
        person = self._person(rng)
        attachments: list[tuple[str, uuid.UUID]] = []
        answers = self._answers(rng, info, place, person, day, attachments)
        unit_id = self._unit_for(info, place)
        unit_code = place.village[: info.level.code_length] if unit_id else None
        deadline = self.deadline(day, info.service.processing_days)
        status = status or self._status(rng, info, age, deadline)
        officer = officer_id or self._officer_for(rng, unit_code or "")
        application_id = application_id or uuid.UUID(int=rng.getrandbits(128), version=4)
        created_at = submitted_at - dt.timedelta(seconds=rng.randrange(300, 2 * 86400))
        year, serial = number
        reference = make_reference(year, serial)
        events = [
            (EventKind.CREATED, applicant_id, created_at, "", {}, True),
            (
                EventKind.SUBMITTED,
                applicant_id,
                submitted_at,
                "",
                {"unit": unit_code, "deadline": str(deadline)},
                True,
            ),
        ]
        moment = submitted_at
        assigned = paused_at = escalated_at = decided_at = None
        reason = code = ""
        if status not in (Status.SUBMITTED, Status.WITHDRAWN):
            moment += dt.timedelta(seconds=rng.randrange(1800, 2 * 86400))
            assigned = officer
            events.append((EventKind.CLAIMED, officer, moment, "", {}, True))
        if status == Status.INFO_REQUESTED:
            moment += dt.timedelta(seconds=rng.randrange(600, 86400))
            paused_at = moment
            message = rng.choice(INFO_MESSAGES)
            fields = [rng.choice([spec["name"] for spec in info.fields if spec["name"] in answers])]
            events.append((EventKind.INFO_REQUESTED, officer, moment, message, {"fields": fields}, True))
            batch.requests.append((application_id, fields, message, officer, moment, None, ""))
        elif status == Status.AWAITING_APPROVAL:
            moment += dt.timedelta(seconds=rng.randrange(600, 86400))
            events.append((EventKind.FORWARDED, officer, moment, "", {}, False))
        elif status in (Status.APPROVED, Status.REFUSED, Status.APPEALED):
            working = info.service.processing_days
            late = rng.random() < 0.12
            decided_day = self.deadline(day, rng.randint(1, working + (rng.randint(1, 10) if late else 0)))
            decided_at = max(
                moment + dt.timedelta(minutes=5),
                dt.datetime.combine(decided_day, dt.time(9), tzinfo=timezone.get_current_timezone())
                + dt.timedelta(seconds=rng.randrange(0, 7 * 3600)),
            )
            decided_at = min(decided_at, self.now - dt.timedelta(minutes=1))
            moment = max(moment, decided_at)
            if status == Status.APPROVED:
                events.append((EventKind.APPROVED, officer, moment, "", {}, True))
                if info.document_type is not None:
                    code = document_code(rng)
                    events.append((EventKind.DOCUMENT_ISSUED, None, moment, "", {"code": code}, True))
                    batch.documents.append(
                        self._document(
                            info,
                            code,
                            applicant_id,
                            person,
                            answers,
                            place,
                            unit_id,
                            reference,
                            moment,
                            officer,
                            application_id,
                        )
                    )
            else:
                reason = rng.choice(REFUSAL_REASONS)
                events.append((EventKind.REFUSED, officer, moment, reason, {}, True))
                if status == Status.APPEALED:
                    moment = min(
                        moment + dt.timedelta(days=rng.randint(1, 20)), self.now - dt.timedelta(seconds=30)
                    )
                    appeal = rng.choice(APPEAL_REASONS)
                    events.append((EventKind.APPEALED, applicant_id, moment, appeal, {}, True))
                    length = info.level.code_length
                    above = place.parent_ids.get(length) if unit_id else None
                    batch.appeals.append((application_id, appeal, above, moment, Appeal.Outcome.PENDING, ""))
            if status in (Status.APPROVED, Status.REFUSED) and rng.random() < 0.2:
                rating = rng.choices([5, 4, 3, 2, 1], [50, 25, 12, 7, 6])[0]
                given = min(moment + dt.timedelta(days=rng.randint(0, 5)), self.now)
                events.append((EventKind.FEEDBACK, applicant_id, given, "", {"rating": rating}, False))
                batch.feedback.append((application_id, rating, rng.choice(FEEDBACK_COMMENTS), given))
        open_ = status in (Status.SUBMITTED, Status.IN_REVIEW, Status.INFO_REQUESTED,
                           Status.AWAITING_APPROVAL, Status.APPEALED)  # fmt: skip
        if open_ and paused_at is None and deadline < self.today:
            # What the hourly deadline job did the morning after the deadline.
            escalated_at = dt.datetime.combine(
                deadline + dt.timedelta(days=1), dt.time(1), tzinfo=timezone.get_current_timezone()
            )
            events.append((EventKind.OVERDUE, None, escalated_at, "", {}, False))
            events.append((EventKind.ESCALATED, None, escalated_at, "deadline passed", {}, False))
        for name, attachment_id in attachments:
            batch.attachments.append(
                (
                    attachment_id,
                    application_id,
                    name,
                    SAMPLE_SCAN,
                    f"{name}.png",
                    "image/png",
                    len(_SAMPLE_PNG),
                    _SAMPLE_SHA256,
                    applicant_id,
                    created_at,
                    False,
                )
            )
        for kind, actor, at, text, data, visible in events:
            batch.events.append((application_id, kind, actor, at, text, data, visible))
        name = str(answers.get(info.name_field) or person["km"])[:200]
        updated_at = max(event[2] for event in events)
        row = (
            application_id,
            created_at,
            updated_at,
            serial,
            reference,
            info.service.pk,
            info.service.current_version_id,
            applicant_id,
            name,
            normalize_for_search(name),
            None,
            "",
            answers,
            status,
            unit_id,
            assigned,
            submitted_at,
            deadline,
            paused_at,
            escalated_at,
            decided_at,
            reason,
            code,
            "",
            None,
            "",
            len(events) - 1,
        )
        batch.applications.append(row)
        return row

    def _draft(
        self,
        batch: _Batch,
        rng: random.Random,
        info: _ServiceInfo,
        applicant_id: int,
        age: float,
        *,
        application_id: uuid.UUID | None = None,
        complete: bool = False,
    ) -> None:
        """A draft: started, some pages answered (all of them when ``complete``), never submitted."""
        created_at = self.now - dt.timedelta(seconds=age)
        place = rng.choice(self.places)
        person = self._person(rng)
        attachments: list[tuple[str, uuid.UUID]] = []
        answers = self._answers(rng, info, place, person, _local_date(self.now), attachments)
        if not complete:
            keep = {
                spec["name"]
                for page in info.pages[: rng.randint(1, len(info.pages))]
                for spec in page["fields"]
            }
            answers = {name: value for name, value in answers.items() if name in keep}
            attachments = [item for item in attachments if item[0] in keep]
        application_id = application_id or uuid.UUID(int=rng.getrandbits(128), version=4)
        updated_at = min(created_at + dt.timedelta(seconds=rng.randrange(60, 3600)), self.now)
        name = str(answers.get(info.name_field) or "")[:200]
        batch.events.append((application_id, EventKind.CREATED, applicant_id, created_at, "", {}, True))
        for field_name, attachment_id in attachments:
            batch.attachments.append(
                (
                    attachment_id,
                    application_id,
                    field_name,
                    SAMPLE_SCAN,
                    f"{field_name}.png",
                    "image/png",
                    len(_SAMPLE_PNG),
                    _SAMPLE_SHA256,
                    applicant_id,
                    updated_at,
                    False,
                )
            )
        batch.applications.append(
            (
                application_id,
                created_at,
                updated_at,
                None,
                None,
                info.service.pk,
                info.service.current_version_id,
                applicant_id,
                name,
                normalize_for_search(name),
                None,
                "",
                answers,
                Status.DRAFT,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                "",
                "",
                "",
                None,
                "",
                len(info.pages),
            )  # fmt: skip
        )

    def _unit_for(self, info: _ServiceInfo, place: _Place) -> int | None:
        if info.level == ResponsibleLevel.NATIONAL:
            return None
        return place.unit_ids.get(info.level.code_length) or place.unit_ids[4]

    def _status(self, rng: random.Random, info: _ServiceInfo, age: float, deadline: dt.date) -> str:
        """Where an application of this age is in the workflow: recent ones mostly open, older ones
        mostly decided, a small backlog open for weeks."""
        days = age / 86400
        window = info.service.processing_days * 1.4 + 2
        chance_open = 0.85 if days <= window else 0.08 if days <= 30 else 0.004
        if rng.random() < chance_open:
            choices = [(s, w) for s, w in OPEN_STATUSES_WEIGHTS if s != Status.AWAITING_APPROVAL
                       or info.service.needs_supervisor_approval]  # fmt: skip
            if days < 2:  # too recent to have been refused and appealed
                choices = [(s, w) for s, w in choices if s != Status.APPEALED]
            return rng.choices([s for s, _ in choices], [w for _, w in choices])[0]
        return rng.choices([s for s, _ in CLOSED_STATUSES], [w for _, w in CLOSED_STATUSES])[0]

    def _document(
        self,
        info: _ServiceInfo,
        code: str,
        holder_id: int,
        person: dict[str, str],
        answers: dict[str, Any],
        place: _Place,
        unit_id: int | None,
        reference: str,
        moment: dt.datetime,
        officer: int | None,
        application_id: uuid.UUID,
    ) -> tuple:
        kind = info.document_type
        holder_name = str(answers.get(info.name_field) or person["km"])
        if "address" in kind.fields:
            data = {
                "holder_name": holder_name,
                "address": f"{answers.get('house') or ''} ({place.village})".strip(),
            }
        else:
            data = {"holder_name": holder_name, "reference": reference}
        return (
            code,
            kind.slug,
            kind.template,
            kind.title_km,
            kind.title_en,
            holder_id,
            holder_name,
            unit_id or self.ministry_id,
            _local_date(moment),
            officer,
            moment,
            data,
            {"reference": reference},
            "services.application",
            str(application_id),
            "",
            Document.Status.GENUINE,
            "",
            Document.RenderStatus.PENDING,
            "",
        )

    # --- the benchmark's own records ---------------------------------------------------------------
    def bench_records(self, citizens: list[int]) -> int:
        """The two applications the benchmark scenarios open, made once (by one of ``citizens``): one
        under review in Kandal assigned to the demo officer, one approved with its document; returns
        how many were made."""
        rng = random.Random(f"{self.seed}:bench")
        officer = _demo_user(BENCH_OFFICER)
        info = self.services.get(BENCH_SERVICE) or next(iter(self.services.values()))
        kandal = self.places_by_province.get(BENCH_OFFICER_UNIT) or self.places
        batch = _Batch()
        for application_id, status, days in (
            (BENCH_APPLICATION_ID, Status.IN_REVIEW, 1.5),
            (BENCH_APPROVED_ID, Status.APPROVED, 20),
        ):
            if Application.objects.filter(pk=application_id).exists():
                continue
            self.officers()
            age = 86400 * days
            self._submitted(
                batch,
                rng,
                info,
                rng.choice(citizens),
                age,
                self._numbers([self.now - dt.timedelta(seconds=age)])[0],
                application_id=application_id,
                place=rng.choice(kandal),
                status=status,
                officer_id=officer.pk if officer else None,
            )
        self._flush(batch)
        return len(batch)

    def bench_facts(self) -> dict[str, Any]:
        """What the benchmark scenarios open: the application under review, the document's code."""
        application = Application.objects.get(pk=BENCH_APPLICATION_ID)
        approved = Application.objects.get(pk=BENCH_APPROVED_ID)
        return {
            "application_id": str(application.pk),
            "application_reference": application.reference,
            "document_code": approved.document_code,
            "document_display_code": display_code(approved.document_code),
            "officer": BENCH_OFFICER,
        }

    def bench_drafts(self, count: int) -> int:
        """``count`` complete drafts of the benchmark's citizen, identifiers ``draft_id(0…count-1)``
        (those already there are kept, even if submitted since); returns how many were made."""
        if not count:
            return 0
        citizen = _demo_user(DRAFTS_FOR)
        if citizen is None:
            raise RuntimeError(f"The demo person {DRAFTS_FOR} does not exist: run manage.py seed_demo.")
        info = self.services.get(BENCH_SERVICE) or next(iter(self.services.values()))
        existing = set(
            Application.objects.filter(pk__gte=draft_id(0), pk__lte=draft_id(count - 1)).values_list(
                "pk", flat=True
            )
        )
        rng = random.Random(f"{self.seed}:drafts")
        batch = _Batch()
        made = 0
        for index in range(count):
            identifier = draft_id(index)
            if identifier in existing:
                continue
            self._draft(
                batch,
                rng,
                info,
                citizen.pk,
                rng.random() * 3 * 86400,
                application_id=identifier,
                complete=True,
            )
            made += 1
            if len(batch) >= BATCH:
                self._flush(batch)
                batch = _Batch()
        self._flush(batch)
        return made


def _local_date(moment: dt.datetime) -> dt.date:
    """The date in Cambodia of an aware datetime (``timezone.localdate`` without its checks: hot path)."""
    return moment.astimezone(_ZONE).date()


_ZONE = timezone.get_default_timezone()


def _demo_user(key: str) -> User | None:
    email = next((person.email for person in CITIZENS + STAFF if person.key == key), None)
    return User.objects.filter(email=email).first() if email else None


def _sample_scan() -> None:
    """The one file every seeded attachment points at (written once)."""
    if not default_storage.exists(SAMPLE_SCAN):
        default_storage.save(SAMPLE_SCAN, ContentFile(_SAMPLE_PNG))


_SAMPLE_SHA256 = hashlib.sha256(_SAMPLE_PNG).hexdigest()

# Cambodian mobile prefixes and the length of the number after them (valid for phonenumbers).
_PHONE_PREFIXES = [("12", 6), ("12", 7), ("11", 6), ("15", 6), ("16", 6), ("17", 6), ("77", 6), ("78", 6),
                   ("85", 6), ("89", 6), ("92", 6), ("93", 6), ("96", 7), ("97", 7), ("98", 6), ("99", 6),
                   ("10", 6), ("70", 6), ("88", 7), ("69", 6)]  # fmt: skip


def _phone(rng: random.Random) -> str:
    """A valid Cambodian mobile number in E.164 (how phone answers are stored)."""
    prefix, length = rng.choice(_PHONE_PREFIXES)
    return f"+855{prefix}{rng.randrange(10 ** (length - 1), 10**length)}"


_TEXT_ANSWERS = {
    "house": "ផ្ទះលេខ {n} ផ្លូវ {m}",
    "start_time": "08:00",
    "end_time": "11:30",
    "family_book_number": "FB-{n:06d}",
    "certificate_number": "{n:04d}/{m:02d}",
    "child_certificate_number": "{n:04d}/{m:02d}",
    "death_certificate_number": "{n:04d}/{m:02d}",
    "org_acronym": "KYA",
    "newcomer_relationship": "កូន",
    "office_address": "ផ្ទះលេខ {n} ផ្លូវ {m}",
}


def _value(rng: random.Random, spec: dict, place: _Place, person: dict[str, str], day: dt.date) -> Any:
    """An answer to one question, of the question's type and within its limits."""
    name, kind = spec["name"], spec["type"]
    if kind == "text":
        template = _TEXT_ANSWERS.get(name)
        if template is not None:
            return template.format(n=rng.randrange(1, 9999), m=rng.randrange(1, 400))
        if name == "org_name_km":
            return f"សមាគម{rng.choice(['យុវជន', 'កសិករ', 'ស្ត្រី', 'អភិវឌ្ឍន៍សហគមន៍'])}{rng.choice(FAMILY_NAMES)[0]}"
        if name == "org_name_en":
            return f"{rng.choice(['Youth', 'Farmers', 'Women', 'Community Development'])} Association"
        if "latin" in name or name.endswith("_en"):
            return person["latin"]
        return person["km"]
    if kind == "textarea":
        return rng.choice(["សូមជួយពិនិត្យ និងដោះស្រាយ។", "ការប្រមូលផ្តុំដោយសន្តិភាព អំពីការអភិវឌ្ឍសហគមន៍។",
                           "Two founders, see the statutes."])  # fmt: skip
    if kind == "national_id":
        return person["national_id"]
    if kind == "phone":
        return person["phone"]
    if kind == "email":
        return person["email"]
    if kind == "unit":
        levels = spec.get("levels") or [4]
        return place.village if 4 in levels and len(place.village) == 8 else place.village[:6]
    if kind == "date":
        if spec.get("not_in_past") or spec.get("min_working_days_ahead"):
            return (day + dt.timedelta(days=rng.randint(8, 40))).isoformat()
        if "birth" in name:
            return dt.date(rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28)).isoformat()
        return (day - dt.timedelta(days=rng.randint(5, 3000))).isoformat()
    if kind == "number":
        low = int(spec.get("min", 0))
        high = int(spec.get("max", low + 10))
        return rng.randint(low, min(high, low + (4 if high - low < 10 else 300)))
    if kind == "choice":
        return rng.choice([choice["value"] for choice in spec["choices"]])
    if kind == "yesno":
        return rng.choice(["yes", "no"])
    if kind == "file":
        return "file"  # replaced by the attachment (or dropped) by the caller
    return None
