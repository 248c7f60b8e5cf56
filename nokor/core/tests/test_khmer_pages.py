"""Khmer everywhere a citizen looks: every public and citizen page rendered in Khmer shows no English
from our catalogue and no stray English words, and the Khmer text of the seeded database content
(services, courses, plan, status page, datasets...) is complete."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models, transaction
from django.test.utils import override_settings
from django.urls import get_resolver

KHMER = re.compile("[\u1780-\u17ff]")
# Seeded texts that are the same in both languages on purpose, and why.
LANGUAGE_NEUTRAL = {
    "Moi@2024": "a weak password shown as an example in the passphrase quiz",
    "Sokha1985!": "a weak password shown as an example in the passphrase quiz",
    "cloud bicycle pepper temple": "a passphrase shown as an example: random English words on purpose",
}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The whole demo installation (manage.py seed_demo: gazetteer, catalogue, every app's demo data),
    made once for the module's tests inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), override_settings(DEMO=True):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", stdout=io.StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --------------------------------------------------------------------------------------------------
# Khmer text in the database
# --------------------------------------------------------------------------------------------------
def _translatable_pairs(model: type[models.Model]) -> list[tuple[str, str]]:
    """The ``<x>_km`` / ``<x>_en`` field pairs of a model (the pattern ``in_language(km, en)`` reads)."""
    names = {field.name for field in model._meta.concrete_fields}
    return [
        (name, name[:-3] + "_en")
        for name in sorted(names)
        if name.endswith("_km") and name[:-3] + "_en" in names
    ]


def _missing_in_json(value: Any, path: str = "") -> list[str]:
    """Places in a JSON document (a service's form definition...) where ``{"km": ..., "en": ...}`` has
    English and no Khmer."""
    missing = []
    if isinstance(value, dict):
        if "en" in value and "km" in value and value["en"] and not KHMER.search(str(value["km"] or "")):
            missing.append(path)
        for key, item in value.items():
            missing += _missing_in_json(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            missing += _missing_in_json(item, f"{path}[{index}]")
    return missing


def _khmer_gaps(model: type[models.Model]) -> list[str]:
    pairs = _translatable_pairs(model)
    json_fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.JSONField)]
    if not pairs and not json_fields:
        return []
    gaps = []
    for row in model._default_manager.all().iterator():
        for km, en in pairs:
            english, khmer = getattr(row, en), getattr(row, km)
            if isinstance(english, str) and english in LANGUAGE_NEUTRAL:
                continue
            if isinstance(english, str) and english.strip() and not KHMER.search(khmer or ""):
                gaps.append(f"{model._meta.label} {row.pk} {km}: {english[:60]!r}")
            elif isinstance(english, list) and english and not khmer:
                gaps.append(f"{model._meta.label} {row.pk} {km}: {english[:3]!r}")
        for name in json_fields:
            gaps += [
                f"{model._meta.label} {row.pk} {name}{path}" for path in _missing_in_json(getattr(row, name))
            ]
    return gaps


def test_every_seeded_text_has_its_khmer(seeded, db):
    checked = [m for m in apps.get_models() if m.__module__.startswith("nokor.") and _translatable_pairs(m)]
    assert {"services.Service", "academy.Course", "strategy.Plan", "opendata.Dataset"} <= {
        m._meta.label for m in checked
    }
    gaps = [
        gap
        for model in apps.get_models()
        if model.__module__.startswith("nokor.")
        for gap in _khmer_gaps(model)
    ]
    assert not gaps, "\n".join(gaps)


# --------------------------------------------------------------------------------------------------
# Every public and citizen page in Khmer
# --------------------------------------------------------------------------------------------------
CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "km" / "LC_MESSAGES" / "django.po"
# Routes of the walk that are not pages to read: machine formats, files, and actions that only redirect.
NOT_PAGES = {
    "healthz", "metrics", "language/", "accounts/logout/", "inbox/read-all/",
    "accounts/2fa/recovery-codes/download/", "documents/<str:code>/download",
    "services/applications/<uuid:pk>/files/<uuid:attachment_id>/", "cyber/report/restart/",
    "academy/courses/<slug:slug>/download/", "academy/courses/<slug:slug>/images/<str:name>",
    "infrastructure/status.json", "opendata/catalog.jsonld",
    r"opendata/^(?P<slug>[-\w]+)/v(?P<version>[0-9]{1,9})\.(?P<kind>csv|json)$",
}  # fmt: skip
# Pages whose address holds a secret the test cannot make up (an e-mailed key, a provider's callback, a
# security key): rendered by allauth with our templates, covered by the accounts tests.
SECRET_ADDRESSES = {
    r"accounts/^confirm-email/(?P<key>[-:\w]+)/$",
    r"accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
    r"accounts/oidc/^(?P<provider_id>[^/]+)/login/", r"accounts/oidc/^(?P<provider_id>[^/]+)/login/callback/",
    "accounts/2fa/webauthn/keys/<int:pk>/remove/", "accounts/2fa/webauthn/keys/<int:pk>/edit/",
}  # fmt: skip
# English that is right on a Khmer page, and why (removed from the text before the checks).
ALLOWED_ENGLISH = {
    "Creative Commons Attribution 4.0 International": "the licence's official title",
    "Settings › Privacy and Security › Two-Step Verification": "Telegram's menus, as the learner sees them",
    "Accounts Centre › Password and security › Two-factor authentication": (
        "Facebook's menus, as the learner sees them"
    ),
    "One-Time Password": "what OTP stands for, as banks' messages write it",
}
# Elements whose text is code, not language: data column names, hashes, the JSON of a data export.
CODE_ELEMENTS = ("script", "style", "template", "code", "pre", "kbd", "samp")
# User data and identifiers: never UI strings.
USER_DATA = re.compile(
    r"[\w.+-]+@[\w-]+(\.[\w-]+)+"  # e-mail addresses
    r"|https?://\S+|www\.\S+|/[\w/.-]+"  # addresses
    r"|\b[A-Z]{2,}(-\d[\w-]*)+\b"  # references (NK-2026-000001-1, CY-...)
)
ENGLISH_WORDS = re.compile(r"\b[A-Za-z][a-z]+(?:['’][a-z]+)?(?:[ \t]+[A-Za-z][a-z]+(?:['’][a-z]+)?)+\b")


def _catalogue_english() -> dict[str, re.Pattern]:
    """The msgids of our catalogue that a Khmer page must not show: translated differently from the
    English, at least 4 characters and a word of 2 letters; each as a pattern where placeholders match
    anything."""
    import polib

    found = {}
    for entry in polib.pofile(str(CATALOGUE)):
        for msgid in filter(None, [entry.msgid, entry.msgid_plural]):
            translated = entry.msgstr or next(iter(entry.msgstr_plural.values()), "")
            text = " ".join(msgid.split())
            if len(text) < 4 or not re.search(r"[A-Za-z]{2}", text) or translated.strip() == msgid.strip():
                continue
            parts = re.split(r"%\(\w+\)[sd]|%[sd]|\{\w*\}", text)
            if len(parts) > 1 and sum(len(re.findall(r"[A-Za-z]{2,}", part)) for part in parts) < 2:
                continue  # "%(first)s or %(last)s" would match any English
            pattern = "(?:.*)".join(re.escape(part) for part in parts)
            found[text] = re.compile(rf"^{pattern}$", re.DOTALL)
    return found


def _visible_text(html: str) -> list[str]:
    """Text nodes a reader sees or hears (with alt, title, placeholder and aria-label), without code
    (``CODE_ELEMENTS``), text marked ``lang="en"`` and identifiers (``USER_DATA``), white space
    collapsed."""
    import lxml.html

    document = lxml.html.fromstring(html)
    marked_english = document.xpath("//*[starts-with(@lang, 'en')]")  # the language switch's "English"
    for element in [*document.iter(*CODE_ELEMENTS), *marked_english]:
        element.drop_tree()
    pieces = []
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        pieces += [element.text, element.tail]
        pieces += [element.get(name) for name in ("alt", "title", "placeholder", "aria-label")]
    texts = (" ".join(USER_DATA.sub(" ", piece).split()) for piece in pieces if piece)
    return [text for text in texts if text]


def _route_arguments(citizen) -> dict[str, list[dict[str, Any]]]:
    """Real objects of the demo installation for the routes with parameters (several for some)."""
    from nokor.academy import services as academy
    from nokor.academy.models import Audience, Course, QuizAttempt
    from nokor.cyber.models import Report
    from nokor.cyber.views_report import STEPS
    from nokor.documents.models import Document
    from nokor.notifications.models import Message
    from nokor.opendata.models import Dataset
    from nokor.services.models import Application, Service

    services = [
        {"slug": slug}
        for slug in Service.objects.filter(current_version__isnull=False).values_list("slug", flat=True)
    ]
    public_courses = Course.objects.filter(is_published=True, audience=Audience.PUBLIC).order_by("slug")
    course = public_courses.first()
    quiz = course.quizzes.order_by("position").first()
    if not QuizAttempt.objects.filter(enrolment__user=citizen).exists():  # an attempt to show its result
        enrolment = academy.enrolment_create(user=citizen, course=course, by=citizen)
        token = academy.quiz_draw(quiz=quiz, enrolment=enrolment)["token"]
        academy.attempt_submit(enrolment=enrolment, quiz=quiz, token=token, answers={}, by=citizen)
    courses = [{"slug": slug} for slug in public_courses.values_list("slug", flat=True)]
    applications = [
        {"pk": pk} for pk in Application.objects.filter(applicant=citizen).values_list("pk", flat=True)
    ]
    first = Application.objects.filter(applicant=citizen).select_related("service_version").first()
    reports = [
        {"reference": ref}
        for ref in Report.objects.filter(reporter=citizen).values_list("reference", flat=True)
    ]
    documents = [
        {"code": code} for code in Document.objects.filter(holder=citizen).values_list("code", flat=True)
    ]
    return {
        "services/<slug:slug>/": services,
        "services/<slug:slug>/eligibility/": services,
        "services/<slug:slug>/start/": services[:1],
        "services/<slug:slug>/paper-form/": services,
        **{
            f"services/my/<uuid:pk>/{tail}": applications
            for tail in ["", "check/", "confirmation/", "answer/", "appeal/", "feedback/"]
        },
        "services/applications/<uuid:pk>/report-payment/": applications,
        "services/my/<uuid:pk>/page/<slug:page_id>/": [
            {"pk": first.pk, "page_id": page["id"]} for page in first.service_version.form_definition["pages"]
        ],
        "academy/courses/<slug:slug>/": courses,
        "academy/courses/<slug:slug>/enrol/": courses[:1],
        "academy/courses/<slug:slug>/continue/": courses[:1],
        "academy/courses/<slug:slug>/print/": courses[:1],
        "academy/courses/<slug:slug>/lessons/<slug:lesson_slug>/": [
            {"slug": course.slug, "lesson_slug": slug}
            for slug in course.lessons.values_list("slug", flat=True)[:3]
        ],
        "academy/courses/<slug:slug>/quizzes/<slug:quiz_slug>/": [
            {"slug": course.slug, "quiz_slug": slug} for slug in course.quizzes.values_list("slug", flat=True)
        ],
        "academy/attempts/<int:pk>/": [
            {"pk": pk}
            for pk in QuizAttempt.objects.filter(enrolment__user=citizen).values_list("pk", flat=True)[:2]
        ],
        "opendata/<slug:slug>/": [
            {"slug": slug}
            for slug in Dataset.objects.filter(is_published=True).values_list("slug", flat=True)
        ],
        "cyber/report/new/<slug:step>/": [{"step": step} for step in STEPS],
        "cyber/report/status/<str:reference>/": reports,
        "cyber/report/status/<str:reference>/add/": reports,
        "cyber/report/mine/<str:reference>/": reports,
        "inbox/<uuid:pk>/": [
            {"pk": pk}
            for pk in Message.objects.filter(user=citizen, channel="inbox").values_list("pk", flat=True)[:3]
        ],
        "verify/<str:code>": documents,
        "documents/<str:code>/": documents,
    }


def _urls(route: str, arguments: list[dict[str, Any]] | None) -> list[str]:
    """The addresses of a route of the walk, its ``<converter:name>`` parameters filled in."""
    if "<" not in route:
        return ["/" + route]
    fill = re.compile(r"<(?:\w+:)?(\w+)>")
    return [
        "/" + fill.sub(lambda m, values=values: str(values[m.group(1)]), route) for values in arguments or []
    ]


def _problems(html: str, catalogue: dict[str, re.Pattern], user_values: set[str]) -> list[str]:
    problems = []
    for text in _visible_text(html):
        for known in [*ALLOWED_ENGLISH, *user_values]:
            text = text.replace(known, " ")
        if not re.search("[A-Za-z]{2}", text):
            continue
        text = " ".join(text.split())
        msgids = [msgid for msgid, pattern in catalogue.items() if pattern.match(text)]
        if msgids:
            problems.append(f"catalogue English {text!r} (msgid {msgids[0]!r})")
            continue
        for words in (match.group(0) for match in ENGLISH_WORDS.finditer(text)):
            problems.append(f"English words {words!r} in {text[:80]!r}")
    return problems


def _user_values(citizen) -> set[str]:
    """What people typed or the demo stored about them (names, answers...): shown as typed, not UI."""
    from nokor.services.models import Application

    values = {citizen.full_name, citizen.email}
    for answers in Application.objects.filter(applicant=citizen).values_list("answers", flat=True):
        values |= {" ".join(str(value).split()) for value in (answers or {}).values() if value}
    return {value for value in values if len(value) >= 4}


def test_every_public_and_citizen_page_is_in_khmer(seeded, db, client):
    """Each page of the walk that a visitor or a citizen may open, with real objects, read in Khmer as
    both (a page that redirects or refuses one of them is read as the other)."""
    from nokor.accounts.demo import CITIZENS
    from nokor.accounts.models import User
    from nokor.core.access import view_rule_of
    from nokor.core.tests.test_url_rules import _patterns

    citizen = User.objects.get(email=CITIZENS[0].email)
    arguments = _route_arguments(citizen)
    catalogue = _catalogue_english()
    user_values = _user_values(citizen)
    client.cookies["nokor_language"] = "km"
    checked, unreachable, problems = set(), [], []
    routes = [
        route
        for route, callback in _patterns(get_resolver())
        if view_rule_of(callback) and view_rule_of(callback).kind in ("public", "citizen", "signed_in")
    ]
    for route in routes:
        # accounts/social/ is allauth's old alias of accounts/3rdparty/
        if route in NOT_PAGES or route in SECRET_ADDRESSES or route.startswith("accounts/social/"):
            continue
        urls = _urls(route, arguments.get(route))
        if not urls:
            unreachable.append(route)
        for signed_in in (False, True):
            if signed_in:
                client.force_login(citizen)
            else:
                client.logout()
            client.cookies["nokor_language"] = "km"
            for url in urls:
                response = client.get(url)
                if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                    continue
                checked.add(url)
                problems += [
                    f"{url} ({'citizen' if signed_in else 'anonymous'}): {p}"
                    for p in _problems(response.content.decode(), catalogue, user_values)
                ]
    assert unreachable == [], "pages of the walk with no arguments in _route_arguments"
    assert {
        "/",
        "/services/",
        "/cyber/check/",
        "/cyber/report/",
        "/academy/",
        "/opendata/",
        "/me/",
        "/accounts/login/",
        "/plan/public/",
        "/infrastructure/status/",
    } <= checked
    assert len(checked) > 60
    assert not problems, "\n".join(problems)
