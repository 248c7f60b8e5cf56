"""The authorization matrix (issue 10, "Attack tests"): every page of the URL map and every operation of
the API, asked by every persona, must answer as the table of nokor/core/tests/authz_expectations.py says.

The table is written from the issues' rules, not computed from the views: a persona outside a route's
set must be refused (401, 403, 404, 405, or sent to sign in), and must not change anything with a POST; a
persona inside it must get the page (so the matrix also catches a view that became too strict). A route
or an operation missing from the table fails the build, so a new view must state who may use it.

The records behind the addresses are the demo installation (`seed_demo`, the apps' own seeders), built
once for the module inside a transaction that is rolled back at the end: the citizen's applications in
Kandal, the Kandal cyber case, the courses, offices, systems, datasets… plus what the demo lacks (a
monitor and its incident, a risk, a partner with a key and a webhook delivery, an assignment rule).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import get_resolver
from django.utils import timezone
from PIL import Image

from nokor.accounts.demo import CITIZENS, STAFF
from nokor.core.tests import authz_expectations as table
from nokor.core.tests.test_url_rules import _patterns

# --------------------------------------------------------------------------------------------------
# The records: the demo installation, once for the module
# --------------------------------------------------------------------------------------------------


def _png(name: str = "evidence.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "#336699").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _build_world() -> SimpleNamespace:
    from nokor.academy import assignments
    from nokor.academy import imports as staff_imports
    from nokor.academy import services as academy
    from nokor.academy.models import Audience, Course, Enrolment, LessonImage, Quiz
    from nokor.accounts.models import User
    from nokor.cyber import custody, reports
    from nokor.cyber.models import Case, EvidenceFile, FreezeRequest, Report
    from nokor.documents.models import Document
    from nokor.geography.models import AdministrativeUnit
    from nokor.infrastructure import imports as asset_imports
    from nokor.infrastructure import monitoring, risks
    from nokor.infrastructure.models import Asset, Connectivity, DigitalSystem, Incident, Site
    from nokor.integrations import services as partners
    from nokor.integrations.models import Delivery
    from nokor.integrations.scopes import SCOPES
    from nokor.notifications.models import Message
    from nokor.opendata.models import Release
    from nokor.services import services as ops
    from nokor.services.models import Application
    from nokor.strategy import reporting
    from nokor.strategy.demo import last_finished_period
    from nokor.strategy.models import Activity, Indicator, Objective, ProgressReport, Strategy

    call_command("seed_demo", stdout=io.StringIO())
    people = {person.key: User.objects.get(email=person.email) for person in CITIZENS + STAFF}
    citizen, admin = people["citizen"], people["administrator"]
    w = SimpleNamespace(people=people)

    # Services and documents: the citizen's applications in Kandal (one submitted, one approved).
    applications = Application.objects.filter(applicant=citizen).order_by("created_at")
    w.application = applications.filter(status="submitted").first()
    w.asked = applications.filter(status="info_requested").first()
    w.attachment = w.application.attachments.first()
    w.service = w.application.service_version.service
    w.draft = ops.application_start(service=w.service, applicant=citizen)
    w.page_id = w.draft.service_version.form_definition["pages"][0]["id"]
    w.document = Document.objects.filter(holder=citizen).first()
    w.message = Message.objects.filter(user=citizen, channel="inbox").first()

    # Cyber: the citizen's report in Kandal, the Kandal case with its freeze request and evidence.
    w.report = Report.objects.filter(reporter=citizen).first()
    w.case = Case.objects.first()
    w.freeze = FreezeRequest.objects.first()
    w.evidence = EvidenceFile.objects.first()
    w.phnom_penh_report = reports.report_submit(
        by=None,
        category="phishing",
        description="A message asked me to confirm my bank password on a web page.",
        channel=Report.Channel.SMS,
        attempt_only=True,
        identifiers=[reports.IdentifierInput("+855 12 999 888")],
        unit=AdministrativeUnit.objects.get(code="12"),
    ).report
    w.intimate_image = custody.evidence_add(
        by=people["investigator"], file=_png("photo.png"), report=w.phnom_penh_report, sensitive=True
    )

    # Academy: the public course the citizen follows, one attempt at its quiz, a staff assignment rule.
    w.course = Course.objects.filter(audience=Audience.PUBLIC, is_published=True).order_by("position").first()
    w.lesson = w.course.lessons.order_by("position").first()
    w.quiz = Quiz.objects.filter(course=w.course, is_active=True).first()
    picture = _png("diagram.png")
    w.image = LessonImage(
        course=w.course, name="diagram.png", content_type="image/png", size=picture.size, sha256="0" * 64
    )
    w.image.file.save("diagram.png", picture, save=True)
    enrolment = Enrolment.objects.get(user=citizen, course=w.course, is_current=True)
    drawn = academy.quiz_draw(quiz=w.quiz, enrolment=enrolment)
    w.attempt = academy.attempt_submit(
        enrolment=enrolment, quiz=w.quiz, token=drawn["token"], answers={}, by=citizen
    )
    staff_course = Course.objects.exclude(audience=Audience.PUBLIC).filter(is_published=True).first()
    w.staff_course = staff_course
    w.staff_lesson = staff_course.lessons.order_by("position").first()
    w.staff_quiz = Quiz.objects.filter(course=staff_course, is_active=True).first()
    w.staff_image = LessonImage(
        course=staff_course, name="diagram.png", content_type="image/png", size=picture.size, sha256="0" * 64
    )
    w.staff_image.file.save("diagram.png", _png("diagram.png"), save=True)
    w.rule, _counts = assignments.rule_save(
        by=people["trainer"],
        course=staff_course,
        roles=["service_officer"],
        unit=AdministrativeUnit.objects.get(code="08"),
        due_days=30,
        due_on=None,
        recertify_months=None,
    )
    w.staff_import = staff_imports.import_start(
        by=admin, filename="staff.csv", data=staff_imports.sample_csv(), default_role="service_officer"
    )

    # Infrastructure: a Kandal office, its link, an asset, a system with a monitor, an incident, a risk.
    w.site = Site.objects.filter(unit__code__startswith="08").first() or Site.objects.first()
    w.link = Connectivity.objects.filter(site=w.site).first() or Connectivity.objects.first()
    w.asset = Asset.objects.first()
    w.system = DigitalSystem.objects.exclude(url="").first()
    w.monitor = monitoring.monitor_create_for_system(by=people["infrastructure_officer"], system=w.system)
    w.incident = monitoring.incident_open(monitor=w.monitor) or Incident.objects.get(monitor=w.monitor)
    w.risk = risks.risk_create(
        by=people["infrastructure_officer"], title="Power cuts", likelihood=2, impact=3, systems=[w.system]
    )
    w.asset_import = asset_imports.import_start(
        by=people["infrastructure_officer"], filename="assets.csv", data=asset_imports.sample_csv()
    )

    # Strategy: the Kandal focal point's submitted report, and a draft with a file of evidence.
    w.progress_report = ProgressReport.objects.order_by("pk").first()
    reported = ProgressReport.objects.values_list("activity", flat=True)
    unit = reporting.reporting_units(people["focal_point"])[0]
    activity = next(
        activity
        for activity in Activity.objects.exclude(pk__in=reported).order_by("pk")
        if reporting.activity_concerns(activity, unit)
    )
    draft = reporting.report_create(
        by=people["focal_point"], activity=activity, period=last_finished_period(), unit=unit
    )
    w.draft_report = draft
    w.strategy_evidence = reporting.evidence_add(by=people["focal_point"], report=draft, uploaded_file=_png())
    w.strategy = Strategy.objects.first()
    w.objective = Objective.objects.first()
    w.indicator = Indicator.objects.first()

    # Open data and partners: a release, a bank with a key and a webhook with one delivery.
    w.release = Release.objects.select_related("dataset").order_by("pk").first()
    w.organisation = partners.organisation_create(by=admin, name_km="ធនាគារ", name_en="A bank", kind="bank")
    w.api_key, _token = partners.api_key_create(
        by=admin, organisation=w.organisation, label="Core banking", scopes=["opendata:read"]
    )
    with override_settings(INTEGRATIONS_WEBHOOK_ALLOW_PRIVATE=True):
        w.subscription, _secret = partners.subscription_create(
            by=admin,
            organisation=w.organisation,
            url="https://127.0.0.1:9/hooks",
            events=["document.revoked"],
        )
    w.delivery = Delivery.objects.create(
        subscription=w.subscription,
        event="document.revoked",
        payload={"type": "document.revoked"},
        status=Delivery.Status.FAILED,
        attempts=12,
        retry_until=timezone.now() + dt.timedelta(days=1),
    )
    # A key of the same bank holding every scope but the one each operation needs is made per operation.
    w.scopes = list(SCOPES)
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo installation, built once for the module and rolled back after it."""
    from nokor.integrations import auth
    from nokor.integrations.usage import USAGE

    atomic = transaction.atomic()
    with django_db_blocker.unblock():
        atomic.__enter__()
        try:
            with override_settings(
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], DEMO=True
            ):
                built = _build_world()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
    USAGE._pending.clear()
    auth._local.clear()


# --------------------------------------------------------------------------------------------------
# The addresses: each route's parameters filled with the records above
# --------------------------------------------------------------------------------------------------


def _arguments(w: SimpleNamespace) -> dict[str, dict[str, object]]:
    """The parameters of each route that has some (admin routes are filled by `_admin_arguments`)."""
    app, report, case = w.application, w.report.reference, w.case.reference
    return {
        "me/team/<str:code>/": {"code": "08"},
        "inbox/<uuid:pk>/": {"pk": w.message.pk},
        "verify/<str:code>": {"code": w.document.code},
        "documents/<str:code>/": {"code": w.document.code},
        "documents/<str:code>/download": {"code": w.document.code},
        "documents/<str:code>/revoke": {"code": w.document.code},
        "documents/<str:code>/reissue": {"code": w.document.code},
        "services/my/<uuid:pk>/": {"pk": app.pk},
        "services/my/<uuid:pk>/page/<slug:page_id>/": {"pk": w.draft.pk, "page_id": w.page_id},
        "services/my/<uuid:pk>/check/": {"pk": w.draft.pk},
        "services/my/<uuid:pk>/confirmation/": {"pk": app.pk},
        "services/my/<uuid:pk>/answer/": {"pk": w.asked.pk},
        "services/my/<uuid:pk>/appeal/": {"pk": app.pk},
        "services/my/<uuid:pk>/feedback/": {"pk": app.pk},
        "services/applications/<uuid:pk>/report-payment/": {"pk": app.pk},
        "services/applications/<uuid:pk>/files/<uuid:attachment_id>/": {
            "pk": app.pk,
            "attachment_id": w.attachment.pk,
        },
        "services/queue/<uuid:pk>/": {"pk": app.pk},
        "services/queue/<uuid:pk>/<slug:action>/": {"pk": app.pk, "action": "claim"},
        "services/<slug:slug>/": {"slug": w.service.slug},
        "services/<slug:slug>/eligibility/": {"slug": w.service.slug},
        "services/<slug:slug>/paper-form/": {"slug": w.service.slug},
        "services/<slug:slug>/start/": {"slug": w.service.slug},
        "cyber/report/new/<slug:step>/": {"step": "what"},
        "cyber/report/status/<str:reference>/": {"reference": report},
        "cyber/report/status/<str:reference>/add/": {"reference": report},
        "cyber/report/mine/<str:reference>/": {"reference": report},
        "cyber/staff/reports/<str:reference>/": {"reference": report},
        "cyber/staff/reports/<str:reference>/<slug:action>/": {"reference": report, "action": "message"},
        "cyber/staff/reports/<str:reference>/evidence/add/": {"reference": report},
        "cyber/staff/cases/<str:reference>/": {"reference": case},
        "cyber/staff/cases/<str:reference>/report.pdf": {"reference": case},
        "cyber/staff/cases/<str:reference>/freeze/": {"reference": case},
        "cyber/staff/cases/<str:reference>/evidence/add/": {"reference": case},
        table.CASE_ACTION: {
            "reference": case,
            "action": "note",
        },
        "cyber/staff/freezes/<str:reference>/": {"reference": w.freeze.reference},
        "cyber/staff/freezes/<str:reference>/print/": {"reference": w.freeze.reference},
        "cyber/staff/evidence/<uuid:pk>/": {"pk": w.evidence.pk},
        "cyber/staff/evidence/<uuid:pk>/download/": {"pk": w.evidence.pk},
        "cyber/staff/evidence/<uuid:pk>/view/": {"pk": w.evidence.pk},
        "cyber/staff/evidence/<uuid:pk>/verify/": {"pk": w.evidence.pk},
        "cyber/staff/evidence/<uuid:pk>/transfer/": {"pk": w.evidence.pk},
        "cyber/staff/evidence/<uuid:pk>/legal-hold/": {"pk": w.evidence.pk},
        "cyber/staff/evidence/<uuid:pk>/delete/": {"pk": w.evidence.pk},
        "cyber/staff/statistics/<slug:table>.csv": {"table": "category"},
        "academy/attempts/<int:pk>/": {"pk": w.attempt.pk},
        "academy/courses/<slug:slug>/": {"slug": w.course.slug},
        "academy/courses/<slug:slug>/enrol/": {"slug": w.course.slug},
        "academy/courses/<slug:slug>/continue/": {"slug": w.course.slug},
        "academy/courses/<slug:slug>/print/": {"slug": w.course.slug},
        "academy/courses/<slug:slug>/download/": {"slug": w.course.slug},
        "academy/courses/<slug:slug>/images/<str:name>": {
            "slug": w.course.slug,
            "name": w.image.name,
        },
        "academy/courses/<slug:slug>/lessons/<slug:lesson_slug>/": {
            "slug": w.course.slug,
            "lesson_slug": w.lesson.slug,
        },
        "academy/courses/<slug:slug>/quizzes/<slug:quiz_slug>/": {
            "slug": w.course.slug,
            "quiz_slug": w.quiz.slug,
        },
        "academy/staff/rules/<int:pk>/": {"pk": w.rule.pk},
        "academy/staff/rules/<int:pk>/active/": {"pk": w.rule.pk},
        "academy/staff/reports/export.<str:file_format>": {"file_format": "csv"},
        "academy/staff/import/<uuid:import_id>/": {"import_id": w.staff_import},
        "academy/staff/import/<uuid:import_id>/confirm/": {"import_id": w.staff_import},
        "infrastructure/sites/<int:pk>/": {"pk": w.site.pk},
        "infrastructure/sites/<int:pk>/edit/": {"pk": w.site.pk},
        "infrastructure/sites/<int:pk>/links/new/": {"pk": w.site.pk},
        "infrastructure/links/<int:pk>/edit/": {"pk": w.link.pk},
        "infrastructure/assets/<int:pk>/": {"pk": w.asset.pk},
        "infrastructure/assets/<int:pk>/edit/": {"pk": w.asset.pk},
        "infrastructure/assets/import/<str:token>/": {"token": w.asset_import},
        "infrastructure/systems/<int:pk>/": {"pk": w.system.pk},
        "infrastructure/systems/<int:pk>/edit/": {"pk": w.system.pk},
        "infrastructure/systems/<int:pk>/monitor/": {"pk": w.system.pk},
        "infrastructure/monitors/<int:pk>/": {"pk": w.monitor.pk},
        "infrastructure/monitors/<int:pk>/edit/": {"pk": w.monitor.pk},
        "infrastructure/monitors/<int:pk>/maintenance/": {"pk": w.monitor.pk},
        "infrastructure/incidents/<int:pk>/updates/": {"pk": w.incident.pk},
        "infrastructure/risks/<int:pk>/": {"pk": w.risk.pk},
        "plan/reports/<int:pk>/": {"pk": w.progress_report.pk},
        "plan/reports/<int:pk>/edit/": {"pk": w.draft_report.pk},
        "plan/reports/<int:pk>/submit/": {"pk": w.draft_report.pk},
        "plan/reports/<int:pk>/evidence/": {"pk": w.draft_report.pk},
        "plan/reports/<int:pk>/approve/": {"pk": w.progress_report.pk},
        "plan/reports/<int:pk>/return/": {"pk": w.progress_report.pk},
        "plan/evidence/<int:pk>/": {"pk": w.strategy_evidence.pk},
        "plan/dashboard/strategy/<str:code>/": {"code": w.strategy.code},
        "plan/dashboard/objective/<str:code>/": {"code": w.objective.code},
        "plan/dashboard/indicator/<str:code>/": {"code": w.indicator.code},
        "plan/dashboard/indicator/<str:code>/provinces/": {"code": w.indicator.code},
        "plan/dashboard/indicator/<str:code>/provinces/<str:province>/": {
            "code": w.indicator.code,
            "province": "08",
        },
        "opendata/<slug:slug>/": {"slug": w.release.dataset.slug},
        "opendata/^(?P<slug>[-\\w]+)/v(?P<version>[0-9]{1,9})\\.(?P<kind>csv|json)$": {
            "slug": w.release.dataset.slug,
            "version": w.release.version,
            "kind": "csv",
        },
        "partners/<int:pk>/": {"pk": w.organisation.pk},
        "partners/<int:pk>/keys/new/": {"pk": w.organisation.pk},
        "partners/keys/<int:pk>/revoke/": {"pk": w.api_key.pk},
        "partners/<int:pk>/webhooks/new/": {"pk": w.organisation.pk},
        "partners/webhooks/<int:pk>/deactivate/": {"pk": w.subscription.pk},
        "partners/<int:pk>/deliveries/": {"pk": w.organisation.pk},
        "partners/deliveries/<uuid:pk>/": {"pk": w.delivery.pk},
        "partners/deliveries/<uuid:pk>/resend/": {"pk": w.delivery.pk},
        # Third-party pages (allauth): keys that do not exist, as a stranger would send.
        "accounts/^confirm-email/(?P<key>[-:\\w]+)/$": {"key": "not-a-key"},
        "accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": {"uidb36": "1", "key": "x"},
        "accounts/2fa/webauthn/keys/<int:pk>/remove/": {"pk": 1},
        "accounts/2fa/webauthn/keys/<int:pk>/edit/": {"pk": 1},
        "accounts/oidc/^(?P<provider_id>[^/]+)/login/": {"provider_id": "nokor"},
        "accounts/oidc/^(?P<provider_id>[^/]+)/login/callback/": {"provider_id": "nokor"},
        "api/v1/<path:rest>": {"rest": "no-such-thing"},
    }


def _variant_arguments(w: SimpleNamespace) -> dict[str, dict[str, dict[str, object]]]:
    """The parameters of table.VARIANTS: the same routes with other records."""
    course = table.STAFF_COURSE
    slug = {"slug": w.staff_course.slug}
    pp = {"reference": w.phnom_penh_report.reference}
    return {
        "staff course": {
            course: slug,
            course + "print/": slug,
            course + "download/": slug,
            course + "continue/": slug,
            course + "enrol/": slug,
            course + "images/<str:name>": {**slug, "name": w.staff_image.name},
            course + "lessons/<slug:lesson_slug>/": {**slug, "lesson_slug": w.staff_lesson.slug},
            course + "quizzes/<slug:quiz_slug>/": {**slug, "quiz_slug": w.staff_quiz.slug},
        },
        "intimate image": {
            "cyber/staff/evidence/<uuid:pk>/": {"pk": w.intimate_image.pk},
            "cyber/staff/evidence/<uuid:pk>/view/": {"pk": w.intimate_image.pk},
            "cyber/staff/evidence/<uuid:pk>/download/": {"pk": w.intimate_image.pk},
        },
        "Phnom Penh report": {
            "cyber/staff/reports/<str:reference>/": pp,
            "cyber/staff/reports/<str:reference>/<slug:action>/": {**pp, "action": "message"},
            "cyber/staff/reports/<str:reference>/evidence/add/": pp,
            "cyber/report/status/<str:reference>/": pp,
        },
    }


_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)")


def _admin_arguments(route: str) -> dict[str, object]:
    """Admin routes: the first row of the model (or none: the admin then sends its reader back)."""
    from django.apps import apps

    found = re.match(r"admin/(\w+)/(\w+)/<path:object_id>/", route)
    if found:
        model = apps.get_model(found[1], found[2])
        first = model._default_manager.order_by("pk").first()
        return {"object_id": first.pk if first else "0"}
    return {"app_label": "accounts", "url": "nothing-here/", "content_type_id": "1", "object_id": "1"}


def _address(route: str, arguments: dict[str, object]) -> str:
    """The path of `route` with its parameters filled (path converters or regular expressions)."""

    def fill(match: re.Match) -> str:
        return str(arguments[match[1] or match[2]])

    path = _PARAMETER.sub(fill, route).replace("^", "").replace("$", "").replace("\\", "")
    return "/" + path


# --------------------------------------------------------------------------------------------------
# The matrix
# --------------------------------------------------------------------------------------------------
_SIGN_IN = ("/accounts/login/", "/admin/login/")


def _refused(response, expect: table.Expect) -> bool:
    """A refusal: no such page for this person (401/403/404/405) or a redirect to sign in (or to where
    the table says a stranger is sent back)."""
    if response.status_code in (401, 403, 404, 405):
        return True
    if response.status_code in (301, 302, 303, 307, 308):
        location = response["Location"]
        return location.startswith(_SIGN_IN + expect.refused_to)
    return False


def _admitted(response, expect: table.Expect) -> bool:
    if response.status_code not in expect.ok:
        return False
    return not (300 <= response.status_code < 400 and response["Location"].startswith(_SIGN_IN))


def _clients(world) -> dict[str, Client]:
    clients = {}
    for persona in table.PERSONAS:
        client = Client()
        if persona != "anonymous":
            client.force_login(world.people[persona])  # staff personas have enrolled TOTP (conftest.py)
        clients[persona] = client
    return clients


def _describe(response) -> str:
    location = response.get("Location")
    return f"{response.status_code}" + (f" → {location}" if location else "")


def _routes() -> list[str]:
    """Every route of the URL map but the API's operations (checked from the OpenAPI document)."""
    from nokor.api import api

    operations = {"api/v1" + path.split("/api/v1", 1)[1] for path in _operation_paths(api)}
    return [route for route, _callback in _patterns(get_resolver()) if _as_openapi(route) not in operations]


def _as_openapi(route: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def _operation_paths(api) -> list[str]:
    return list(api.get_openapi_schema()["paths"])


def test_every_route_has_an_expectation():
    missing = [route for route in _routes() if table.expectation(route) is None]
    assert missing == [], "Routes without an entry in authz_expectations.PAGES: " + ", ".join(missing)


def test_the_table_names_no_route_that_is_gone():
    routes = set(_routes())
    named = [*table.PAGES, *(route for variant in table.VARIANTS.values() for route in variant)]
    assert [route for route in named if route not in routes] == []


@pytest.fixture
def _quiet_refusals():
    """Each refusal logs a warning with its traceback: thousands of them, on purpose, here."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def _page_cells(world) -> list[tuple[str, table.Expect, str]]:
    """(route, expectation, address) of every route of the URL map, then of the variants."""
    arguments = _arguments(world)
    cells = []
    for route in _routes():
        expect = table.expectation(route)
        if expect is None:
            continue  # test_every_route_has_an_expectation names it
        given = arguments.get(route) or (_admin_arguments(route) if route.startswith("admin/") else {})
        cells.append((route, expect, _address(route, given)))
    for label, routes in _variant_arguments(world).items():
        for route, given in routes.items():
            cells.append((f"{route} ({label})", table.VARIANTS[label][route], _address(route, given)))
    return cells


def test_pages_answer_every_persona_as_the_table_says(world, db, _quiet_refusals):
    clients = _clients(world)
    wrong = []
    cells = 0
    for route, expect, address in _page_cells(world):
        for persona, client in clients.items():
            cells += 1
            response = client.get(address)
            if persona in expect.allowed:
                if not _admitted(response, expect):
                    wrong.append(
                        f"GET {address} × {persona}: got {_describe(response)}, expected {set(expect.ok)}"
                    )
            elif not _refused(response, expect):
                wrong.append(f"GET {address} × {persona}: got {_describe(response)}, expected refused")
            elif expect.post or _admin_changes(route):
                response = client.post(address, {})
                if not _refused(response, expect):
                    wrong.append(f"POST {address} × {persona}: got {_describe(response)}, expected refused")
    assert cells > 5000
    assert wrong == [], f"{len(wrong)} of {cells} cells answer wrongly:\n" + "\n".join(wrong)


def _admin_changes(route: str) -> bool:
    return route.startswith("admin/") and route.endswith(("/add/", "/change/", "/delete/"))


# --------------------------------------------------------------------------------------------------
# The API: every operation of the OpenAPI document, with each persona's session and with a partner's key
# --------------------------------------------------------------------------------------------------


def _operations() -> list[tuple[str, str, dict]]:
    from nokor.api import api

    schema = api.get_openapi_schema()
    return [
        (method.upper(), path, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]


def _api_address(path: str, w: SimpleNamespace) -> str:
    values = {
        "code": w.document.code,
        "application_id": w.application.pk,
        "site_id": w.site.pk,
        "slug": w.release.dataset.slug,
        "version": w.release.version,
    }
    if "/strategy/indicators/" in path:
        values["code"] = w.indicator.code
    elif "/academy/certificates/" in path:
        values["code"] = "NOT-ISSUED"  # any code: "unknown", never a refusal
    address = re.sub(r"{(\w+)}", lambda match: str(values[match[1]]), path)
    return address + ("?q=012345678" if path.endswith("/scam-check") else "")


def _call(client: Client, method: str, address: str, **headers):
    if method == "GET":
        return client.get(address, **headers)
    return client.generic(method, address, "{}", content_type="application/json", **headers)


def test_every_operation_has_an_expectation():
    operation_ids = [operation["operationId"] for _method, _path, operation in _operations()]
    assert sorted(operation_ids) == sorted(table.OPERATIONS)


def test_api_operations_answer_every_persona_as_the_table_says(world, db, _quiet_refusals):
    clients = _clients(world)
    wrong = []
    cells = 0
    for method, path, operation in _operations():
        expect = table.OPERATIONS[operation["operationId"]]
        address = _api_address(path, world)
        for persona, client in clients.items():
            cells += 1
            response = _call(client, method, address)
            if persona in expect.allowed:
                if not _admitted(response, expect):
                    wrong.append(f"{method} {address} × {persona}: got {_describe(response)}")
            elif not _refused(response, expect):
                wrong.append(f"{method} {address} × {persona}: got {_describe(response)}, expected refused")
    assert cells == len(table.OPERATIONS) * len(table.PERSONAS)
    assert wrong == [], f"{len(wrong)} of {cells} cells answer wrongly:\n" + "\n".join(wrong)


def test_a_partner_key_without_the_scope_is_refused(world, db, _quiet_refusals):
    """Each operation that takes a key, called with a key of the bank holding every other scope: 403."""
    from nokor.integrations import services as partners

    checked = []
    anonymous = Client()
    for method, path, operation in _operations():
        needed = {scope for need in operation.get("security", []) for scope in need.get("ApiKeyAuth", [])}
        if not needed:
            continue
        _key, token = partners.api_key_create(
            by=world.people["administrator"],
            organisation=world.organisation,
            label="Every other scope",
            scopes=[scope for scope in world.scopes if scope not in needed],
        )
        response = _call(anonymous, method, _api_address(path, world), HTTP_AUTHORIZATION=f"Bearer {token}")
        checked.append((operation["operationId"], response.status_code))
    assert len(checked) >= 10
    assert [(name, status) for name, status in checked if status != 403] == []
