"""Who may use each page and API operation: the expectations of the authorization matrix
(test_authorization_matrix.py), written from the issues' rules rather than read from the views.

A record's owner sees it, staff see the records of their unit and below (another province: 404), an
auditor reads but does not change, a trainer has no business in cyber cases, the administrator runs the
admin and the partners but does not work applications or cases. The records behind the addresses are
the demo's: the citizen's applications and cyber report in Kandal (08), the Kandal cyber case, a progress
report of the Kandal focal point, and so on (see `_build_world` in the test).

Each entry: the personas that get the page (`ok`: what they get, 200 unless noted), whether a refused
persona also tries a POST (state-changing routes), and where a refused persona may be sent that is not
the sign-in page (`refused_to`, a path prefix). Everyone else must be refused: 401, 403, 404, 405, or a
redirect to sign in.
"""

from __future__ import annotations

from dataclasses import dataclass

PERSONAS = (
    "anonymous",
    "citizen",
    "other_citizen",
    "officer_kandal",
    "officer_siem_reap",
    "supervisor_kandal",
    "investigator",
    "sensitive_investigator",
    "cyber_supervisor",
    "trainer",
    "infrastructure_officer",
    "focal_point",
    "approver",
    "auditor",
    "administrator",
)


@dataclass(frozen=True)
class Expect:
    allowed: frozenset[str]
    ok: frozenset[int] = frozenset({200})
    post: bool = False
    refused_to: tuple[str, ...] = ()


def page(*groups: frozenset[str] | str, ok=(200,), post=False, refused_to=()) -> Expect:
    allowed: set[str] = set()
    for group in groups:
        allowed |= {group} if isinstance(group, str) else set(group)
    unknown = allowed - set(PERSONAS)
    assert not unknown, unknown
    return Expect(frozenset(allowed), frozenset(ok), post, tuple(refused_to))


EVERYONE = frozenset(PERSONAS)
SIGNED_IN = EVERYONE - {"anonymous"}
CITIZENS = frozenset({"citizen", "other_citizen"})
STAFF = SIGNED_IN - CITIZENS
NOBODY: frozenset[str] = frozenset()
ADMIN = frozenset({"administrator"})
# Nationwide roles and the Kandal ones: the staff whose scope covers a Kandal record of their own field.
SERVICE_KANDAL = frozenset({"officer_kandal", "supervisor_kandal"})
# The investigators are of Phnom Penh (12), one of them cleared for intimate images; the supervisor is
# nationwide.
CYBER = frozenset({"investigator", "sensitive_investigator", "cyber_supervisor"})
CYBER_KANDAL = frozenset({"cyber_supervisor"})
ACADEMY_MANAGERS = frozenset({"supervisor_kandal", "cyber_supervisor", "trainer", "auditor", "administrator"})
ACADEMY_EDITORS = frozenset({"trainer", "administrator"})
INFRA_READ = frozenset({"infrastructure_officer", "auditor", "administrator"})
INFRA_WRITE = frozenset({"infrastructure_officer", "administrator"})
PLAN_READ = frozenset({"focal_point", "approver", "auditor", "administrator"})

PUBLIC = page(EVERYONE)
CASE_ACTION = (
    "cyber/^staff/cases/(?P<reference>[^/]+)/(?P<action>edit|status|hold|note|task|task-done|link|unlink)/$"
)
PUBLIC_POST_ONLY = page(EVERYONE, ok=(405,))
SIGNED_IN_PAGE = page(SIGNED_IN)

PAGES: dict[str, Expect] = {
    # --- core --------------------------------------------------------------------------------------
    "": PUBLIC,
    "about/": PUBLIC,
    "language/": PUBLIC_POST_ONLY,
    "healthz": page(EVERYONE, ok=(200, 503)),  # 503 when the cache or the worker is not there
    "metrics": PUBLIC,  # the view answers the monitoring hosts only; loopback is one in tests
    "units/search/": PUBLIC,
    # --- accounts (allauth's pages: it decides, the platform only guards them) -----------------------
    "accounts/login/": page(EVERYONE, ok=(200, 302)),  # signed in: sent home
    "accounts/signup/": page(EVERYONE, ok=(200, 302)),
    "accounts/signup/paper-form/": PUBLIC,
    "accounts/logout/": page(EVERYONE, ok=(200, 302)),
    "accounts/inactive/": PUBLIC,
    "accounts/confirm-email/": PUBLIC,
    "accounts/password/reset/": PUBLIC,
    "accounts/password/reset/done/": PUBLIC,
    "accounts/password/reset/key/done/": PUBLIC,
    "accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": PUBLIC,  # "invalid link"
    "accounts/^confirm-email/(?P<key>[-:\\w]+)/$": PUBLIC,  # "invalid link"
    "accounts/reauthenticate/": SIGNED_IN_PAGE,
    "accounts/email/": page(SIGNED_IN, post=True),
    "accounts/password/change/": page(SIGNED_IN, post=True),
    "accounts/password/set/": page(SIGNED_IN, ok=(302,)),  # they have one: sent to change it
    "accounts/login/code/confirm/": page(SIGNED_IN, ok=(302,)),
    "accounts/phone/verify/": page(SIGNED_IN, ok=(302,)),
    "accounts/phone/change/": page(SIGNED_IN, post=True),
    "accounts/2fa/": SIGNED_IN_PAGE,
    "accounts/2fa/authenticate/": page(SIGNED_IN, ok=(302,)),
    "accounts/2fa/reauthenticate/": page(SIGNED_IN, ok=(200, 302)),  # citizens have no second factor
    "accounts/2fa/totp/activate/": page(SIGNED_IN, ok=(302,)),
    "accounts/2fa/totp/deactivate/": page(STAFF, ok=(302,)),  # citizens have no TOTP: 404
    "accounts/2fa/recovery-codes/": page(NOBODY),  # no persona has recovery codes
    "accounts/2fa/recovery-codes/download/": page(NOBODY),
    "accounts/2fa/recovery-codes/generate/": page(SIGNED_IN, ok=(302,)),
    "accounts/2fa/webauthn/": SIGNED_IN_PAGE,
    "accounts/2fa/webauthn/add/": page(SIGNED_IN, ok=(302,)),
    "accounts/2fa/webauthn/reauthenticate/": page(SIGNED_IN, ok=(302,)),
    "accounts/2fa/webauthn/keys/<int:pk>/remove/": page(SIGNED_IN, ok=(302,)),
    "accounts/2fa/webauthn/keys/<int:pk>/edit/": page(SIGNED_IN, ok=(302,)),
    "accounts/3rdparty/": SIGNED_IN_PAGE,
    "accounts/3rdparty/login/cancelled/": PUBLIC,
    "accounts/3rdparty/login/error/": page(EVERYONE, ok=(401,)),
    "accounts/3rdparty/signup/": page(NOBODY),  # no social sign-in under way: sent to sign in
    "accounts/social/login/cancelled/": page(EVERYONE, ok=(301,)),  # old addresses, moved
    "accounts/social/login/error/": page(EVERYONE, ok=(301,)),
    "accounts/social/signup/": page(EVERYONE, ok=(301,)),
    "accounts/social/connections/": page(EVERYONE, ok=(301,)),
    "accounts/oidc/^(?P<provider_id>[^/]+)/login/": page(NOBODY),  # no such provider
    "accounts/oidc/^(?P<provider_id>[^/]+)/login/callback/": page(NOBODY),
    "accounts/sessions/": page(SIGNED_IN, post=True),
    # --- the person's own pages --------------------------------------------------------------------
    "me/": SIGNED_IN_PAGE,
    "me/data/": SIGNED_IN_PAGE,
    "me/delete/": page(CITIZENS, post=True),
    "me/security/": page(SIGNED_IN, ok=(302,)),  # to the second-factor page
    # Kandal's team: staff whose role covers Kandal (Siem Reap's officer, Phnom Penh's investigator: 404).
    "me/team/<str:code>/": page(STAFF - {"officer_siem_reap", "investigator", "sensitive_investigator"}),
    "audit/my-data/": SIGNED_IN_PAGE,
    "audit/events/": page("auditor", "administrator"),
    "inbox/": SIGNED_IN_PAGE,
    "inbox/read-all/": page(SIGNED_IN, ok=(405,), post=True),
    "inbox/preferences/": page(SIGNED_IN, post=True),
    "inbox/<uuid:pk>/": page("citizen", post=True),
    "inbox/sms/inbound/": PUBLIC_POST_ONLY,  # the SMS provider's callback (signed)
    # --- documents: the holder, the issuing unit's service staff, the auditor and administrator ------
    "verify/": PUBLIC,
    "verify/<str:code>": PUBLIC,
    "documents/": SIGNED_IN_PAGE,
    "documents/<str:code>/": page("citizen", SERVICE_KANDAL, "auditor", "administrator"),
    "documents/<str:code>/download": page(
        "citizen", SERVICE_KANDAL, "auditor", "administrator", ok=(302,)
    ),  # to the file's signed address
    # Revocation and re-issue: a supervisor of the unit (and the administrator), never the auditor.
    "documents/<str:code>/revoke": page("supervisor_kandal", "administrator", post=True),
    "documents/<str:code>/reissue": page("supervisor_kandal", "administrator", post=True),
    # --- services ----------------------------------------------------------------------------------
    "services/": PUBLIC,
    "services/performance/": PUBLIC,
    "services/<slug:slug>/": PUBLIC,
    "services/<slug:slug>/eligibility/": PUBLIC,
    "services/<slug:slug>/paper-form/": PUBLIC,  # the printable form, for those who cannot apply online
    "services/<slug:slug>/start/": page(SIGNED_IN, post=True),
    "services/my/": SIGNED_IN_PAGE,
    "services/my/<uuid:pk>/": page("citizen", post=True),
    "services/my/<uuid:pk>/page/<slug:page_id>/": page("citizen", post=True),
    "services/my/<uuid:pk>/check/": page("citizen", post=True),
    "services/my/<uuid:pk>/confirmation/": page("citizen"),
    "services/my/<uuid:pk>/answer/": page("citizen", post=True),
    "services/my/<uuid:pk>/appeal/": page("citizen", post=True),
    "services/my/<uuid:pk>/feedback/": page("citizen", post=True),
    # Anyone who may see the application may report a request for an unofficial payment about it.
    "services/applications/<uuid:pk>/report-payment/": page("citizen", SERVICE_KANDAL, "auditor", post=True),
    "services/applications/<uuid:pk>/files/<uuid:attachment_id>/": page("citizen", SERVICE_KANDAL, "auditor"),
    "services/queue/": page(SERVICE_KANDAL, "officer_siem_reap", "auditor"),
    "services/queue/<uuid:pk>/": page(SERVICE_KANDAL, "auditor", post=True),
    "services/queue/<uuid:pk>/<slug:action>/": page(SERVICE_KANDAL, ok=(405,), post=True),
    "services/integrity/": page("supervisor_kandal", "auditor"),
    # --- cyber: reporting and the scam check (public) ----------------------------------------------
    "cyber/report/": PUBLIC,
    "cyber/report/restart/": PUBLIC_POST_ONLY,
    "cyber/report/new/<slug:step>/": page(EVERYONE, ok=(200, 302, 404)),  # a step not started yet
    "cyber/report/check/": page(EVERYONE, ok=(302,)),  # nothing written yet: back to the start
    "cyber/report/sent/": page(EVERYONE, ok=(302,)),
    "cyber/report/attempt/": PUBLIC,
    "cyber/report/paper-form/": PUBLIC,
    "cyber/report/status/": PUBLIC,
    # A report's status: its reporter (or whoever brings its tracking code); others back to the form.
    "cyber/report/status/<str:reference>/": page("citizen", refused_to=("/cyber/report/status/",)),
    "cyber/report/status/<str:reference>/add/": page(
        "citizen", post=True, refused_to=("/cyber/report/status/",)
    ),
    "cyber/report/mine/": SIGNED_IN_PAGE,
    "cyber/report/mine/<str:reference>/": page("citizen"),
    "cyber/check/": PUBLIC,
    "cyber/check/dispute/": page(EVERYONE, ok=(302,)),  # without a checked value: back to the check
    "cyber/check/dispute/sent/": page(EVERYONE, ok=(302,)),
    "cyber/check/dispute/paper-form/": PUBLIC,
    "cyber/statistics/": PUBLIC,
    # --- cyber: the investigators' pages (Kandal records: the nationwide supervisor only) ------------
    "cyber/staff/indicators/": page(CYBER),
    "cyber/staff/indicators/verdict/": page(CYBER, ok=(405,), post=True),
    "cyber/staff/indicators/export.csv": page(CYBER),
    "cyber/staff/indicators/export.stix.json": page(CYBER),
    "cyber/staff/reports/": page(CYBER),
    "cyber/staff/reports/bulk/": page(CYBER, ok=(405,), post=True),
    "cyber/staff/reports/<str:reference>/": page(CYBER_KANDAL),
    "cyber/staff/reports/<str:reference>/<slug:action>/": page(CYBER_KANDAL, ok=(405,), post=True),
    "cyber/staff/reports/<str:reference>/evidence/add/": page(CYBER_KANDAL, post=True),
    "cyber/staff/referrals/": page(CYBER),
    "cyber/staff/cases/": page(CYBER),
    "cyber/staff/cases/new/": page(CYBER, post=True),
    "cyber/staff/cases/<str:reference>/": page(CYBER_KANDAL),
    "cyber/staff/cases/<str:reference>/report.pdf": page(CYBER_KANDAL),
    "cyber/staff/cases/<str:reference>/freeze/": page(CYBER_KANDAL, post=True),
    "cyber/staff/cases/<str:reference>/evidence/add/": page(CYBER_KANDAL, post=True),
    CASE_ACTION: page(CYBER_KANDAL, ok=(405,), post=True),
    "cyber/staff/freezes/": page(CYBER),
    "cyber/staff/freezes/<str:reference>/": page(CYBER_KANDAL, post=True),
    "cyber/staff/freezes/<str:reference>/print/": page(CYBER_KANDAL),
    "cyber/staff/evidence/<uuid:pk>/": page(CYBER_KANDAL),
    "cyber/staff/evidence/<uuid:pk>/download/": page(CYBER_KANDAL),
    "cyber/staff/evidence/<uuid:pk>/view/": page(CYBER_KANDAL),
    "cyber/staff/evidence/<uuid:pk>/verify/": page(CYBER_KANDAL, ok=(405,), post=True),
    "cyber/staff/evidence/<uuid:pk>/transfer/": page(CYBER_KANDAL, post=True),
    "cyber/staff/evidence/<uuid:pk>/legal-hold/": page(CYBER_KANDAL, ok=(405,), post=True),
    "cyber/staff/evidence/<uuid:pk>/delete/": page(CYBER_KANDAL, post=True),
    "cyber/staff/statistics/": page(CYBER),
    "cyber/staff/statistics/<slug:table>.csv": page(CYBER),
    # --- academy -----------------------------------------------------------------------------------
    "academy/": PUBLIC,
    "academy/mine/": SIGNED_IN_PAGE,
    # A quiz attempt: its learner, and the trainers and administrator who answer for the courses.
    "academy/attempts/<int:pk>/": page("citizen", ACADEMY_EDITORS),
    "academy/courses/<slug:slug>/": PUBLIC,
    "academy/courses/<slug:slug>/enrol/": page(SIGNED_IN, ok=(405,), post=True),
    "academy/courses/<slug:slug>/continue/": page(EVERYONE, ok=(302,)),  # to the next lesson
    "academy/courses/<slug:slug>/print/": PUBLIC,
    "academy/courses/<slug:slug>/download/": PUBLIC,
    "academy/courses/<slug:slug>/images/<str:name>": PUBLIC,
    "academy/courses/<slug:slug>/lessons/<slug:lesson_slug>/": PUBLIC,
    # The quiz of a course: those enrolled (the others are sent to the course page to enrol).
    "academy/courses/<slug:slug>/quizzes/<slug:quiz_slug>/": page(
        "citizen", post=True, refused_to=("/academy/courses/",)
    ),
    "academy/staff/": page(ACADEMY_MANAGERS),
    "academy/staff/rules/": page(ACADEMY_MANAGERS),
    "academy/staff/rules/new/": page(ACADEMY_EDITORS, post=True),
    "academy/staff/rules/<int:pk>/": page(ACADEMY_EDITORS, post=True),
    "academy/staff/rules/<int:pk>/active/": page(ACADEMY_EDITORS, ok=(405,), post=True),
    "academy/staff/reports/": page(ACADEMY_MANAGERS),
    "academy/staff/reports/export.<str:file_format>": page(ACADEMY_MANAGERS),
    "academy/staff/overdue/": page(ACADEMY_MANAGERS),
    "academy/staff/import/": page(ADMIN, post=True),
    "academy/staff/import/sample.csv": page(ADMIN),
    "academy/staff/import/<uuid:import_id>/": page(ADMIN),
    "academy/staff/import/<uuid:import_id>/confirm/": page(ADMIN, ok=(405,), post=True),
    # --- infrastructure: the infrastructure officer works, the auditor reads -----------------------
    "infrastructure/status/": PUBLIC,
    "infrastructure/status.json": PUBLIC,
    "infrastructure/sites/": page(INFRA_READ),
    "infrastructure/sites/new/": page(INFRA_WRITE, post=True),
    "infrastructure/sites/unconnected/": page(INFRA_READ),
    "infrastructure/sites/<int:pk>/": page(INFRA_READ),
    "infrastructure/sites/<int:pk>/edit/": page(INFRA_WRITE, post=True),
    "infrastructure/sites/<int:pk>/links/new/": page(INFRA_WRITE, post=True),
    "infrastructure/links/<int:pk>/edit/": page(INFRA_WRITE, post=True),
    "infrastructure/assets/": page(INFRA_READ),
    "infrastructure/assets/<int:pk>/": page(INFRA_READ),
    "infrastructure/assets/<int:pk>/edit/": page(INFRA_WRITE, post=True),
    "infrastructure/assets/import/": page(INFRA_WRITE, post=True),
    "infrastructure/assets/import/sample.csv": page(INFRA_WRITE),
    "infrastructure/assets/import/<str:token>/": page("infrastructure_officer", post=True),  # its uploader
    "infrastructure/systems/": page(INFRA_READ),
    "infrastructure/systems/new/": page(INFRA_WRITE, post=True),
    "infrastructure/systems/completeness/": page(INFRA_READ),
    "infrastructure/systems/<int:pk>/": page(INFRA_READ),
    "infrastructure/systems/<int:pk>/edit/": page(INFRA_WRITE, post=True),
    "infrastructure/systems/<int:pk>/monitor/": page(INFRA_WRITE, ok=(405,), post=True),
    "infrastructure/monitors/": page(INFRA_READ),
    "infrastructure/monitors/new/": page(INFRA_WRITE, post=True),
    "infrastructure/monitors/<int:pk>/": page(INFRA_READ),
    "infrastructure/monitors/<int:pk>/edit/": page(INFRA_WRITE, post=True),
    "infrastructure/monitors/<int:pk>/maintenance/": page(INFRA_WRITE, ok=(405,), post=True),
    "infrastructure/incidents/<int:pk>/updates/": page(INFRA_WRITE, ok=(405,), post=True),
    "infrastructure/risks/": page(INFRA_READ),
    "infrastructure/risks/new/": page(INFRA_WRITE, post=True),
    "infrastructure/risks/<int:pk>/": page(INFRA_WRITE, post=True),
    # --- strategy: the focal point reports, the approver decides, the auditor reads ------------------
    "plan/public/": PUBLIC,
    "plan/reports/": page(PLAN_READ),
    "plan/reports/new/": page("focal_point", ok=(405,), post=True),
    "plan/reports/<int:pk>/": page(PLAN_READ),
    "plan/reports/<int:pk>/edit/": page("focal_point", post=True),  # the draft
    "plan/reports/<int:pk>/submit/": page("focal_point", ok=(405,), post=True),
    "plan/reports/<int:pk>/evidence/": page("focal_point", ok=(405,), post=True),
    "plan/reports/<int:pk>/approve/": page("approver", ok=(405,), post=True),
    "plan/reports/<int:pk>/return/": page("approver", ok=(405,), post=True),
    "plan/evidence/<int:pk>/": page(PLAN_READ),
    "plan/approvals/": page("approver"),
    "plan/overview/": page(PLAN_READ),
    "plan/targets/export/": page("approver", "administrator"),
    "plan/targets/import/": page("approver", "administrator", post=True),
    "plan/dashboard/": page(PLAN_READ),
    "plan/dashboard/strategy/<str:code>/": page(PLAN_READ),
    "plan/dashboard/objective/<str:code>/": page(PLAN_READ),
    "plan/dashboard/indicator/<str:code>/": page(PLAN_READ),
    "plan/dashboard/indicator/<str:code>/provinces/": page(PLAN_READ),
    "plan/dashboard/indicator/<str:code>/provinces/<str:province>/": page(PLAN_READ),
    "plan/dashboard/plan-status.xlsx": page(PLAN_READ),
    "plan/dashboard/progress-report.pdf": page(PLAN_READ),
    # --- open data ---------------------------------------------------------------------------------
    "opendata/": PUBLIC,
    "opendata/catalog.jsonld": PUBLIC,
    "opendata/request/": page(EVERYONE, post=False),
    "opendata/request/sent/": PUBLIC,
    "opendata/request/paper-form/": PUBLIC,
    # Data requests go to the datasets' owner roles (service, cyber, academy, infrastructure, plan).
    "opendata/requests/": page(
        "supervisor_kandal",
        "cyber_supervisor",
        "trainer",
        "infrastructure_officer",
        "approver",
        "auditor",
        "administrator",
    ),
    "opendata/<slug:slug>/": PUBLIC,
    "opendata/^(?P<slug>[-\\w]+)/v(?P<version>[0-9]{1,9})\\.(?P<kind>csv|json)$": PUBLIC,
    # --- partners: the administrator only ----------------------------------------------------------
    "partners/": page(ADMIN),
    "partners/new/": page(ADMIN, post=True),
    "partners/<int:pk>/": page(ADMIN),
    "partners/<int:pk>/keys/new/": page(ADMIN, post=True),
    "partners/keys/<int:pk>/revoke/": page(ADMIN, ok=(405,), post=True),
    "partners/<int:pk>/webhooks/new/": page(ADMIN, post=True),
    "partners/webhooks/<int:pk>/deactivate/": page(ADMIN, ok=(405,), post=True),
    "partners/<int:pk>/deliveries/": page(ADMIN),
    "partners/deliveries/<uuid:pk>/": page(ADMIN),
    "partners/deliveries/<uuid:pk>/resend/": page(ADMIN, ok=(405,), post=True),
    # --- the API's own pages (its operations: OPERATIONS below) -------------------------------------
    "api/v1/openapi.json": PUBLIC,
    "api/v1/docs": PUBLIC,
    "api/v1/": page(NOBODY),  # a problem+json 404
    "api/v1/<path:rest>": page(NOBODY),
}

# The same routes again with other records, where the answer depends on the record.
STAFF_COURSE = "academy/courses/<slug:slug>/"
VARIANTS: dict[str, dict[str, Expect]] = {
    # A staff course: any staff member, never a citizen or a stranger (404).
    "staff course": {
        STAFF_COURSE: page(STAFF),
        STAFF_COURSE + "print/": page(STAFF),
        STAFF_COURSE + "download/": page(STAFF),
        STAFF_COURSE + "continue/": page(STAFF, ok=(302,)),
        STAFF_COURSE + "enrol/": page(STAFF, ok=(405,), post=True),
        STAFF_COURSE + "images/<str:name>": page(STAFF),
        STAFF_COURSE + "lessons/<slug:lesson_slug>/": page(STAFF),
        # Its quiz: the Kandal officer, enrolled by the assignment rule; other staff are sent to enrol.
        STAFF_COURSE + "quizzes/<slug:quiz_slug>/": page(
            "officer_kandal", post=True, refused_to=("/academy/courses/",)
        ),
    },
    # An intimate image in a Phnom Penh report: its record for the investigators in scope, its content
    # for the one cleared for intimate images only (the others get the "restricted" page, 403).
    "intimate image": {
        "cyber/staff/evidence/<uuid:pk>/": page(CYBER),
        "cyber/staff/evidence/<uuid:pk>/view/": page("sensitive_investigator", post=True),
        "cyber/staff/evidence/<uuid:pk>/download/": page("sensitive_investigator", post=True),
    },
    # An anonymous report in Phnom Penh: the Phnom Penh investigator's, as well as the supervisor's.
    "Phnom Penh report": {
        "cyber/staff/reports/<str:reference>/": page(CYBER),
        "cyber/staff/reports/<str:reference>/<slug:action>/": page(CYBER, ok=(405,), post=True),
        "cyber/staff/reports/<str:reference>/evidence/add/": page(CYBER, post=True),
        "cyber/report/status/<str:reference>/": page(NOBODY, refused_to=("/cyber/report/status/",)),
    },
}

# The Django admin: administrators only (nokor.accounts.admin), every model's pages alike. Others are
# sent to the admin's sign-in, which refuses them, or (its sign-out) back to its index.
ADMIN_PREFIX = "admin/"
ADMIN_PAGES = page(ADMIN, ok=(200, 302), refused_to=("/admin/",))
# Admin pages no one gets: no sign-in or sign-out of its own, read-only models (no add, no delete).
ADMIN_REFUSED_TO_ALL = (
    "admin/login/",
    "admin/logout/",
    "admin/autocomplete/",
    "admin/r/<path:content_type_id>/<path:object_id>/",  # a content type without an object
    "admin/(?P<url>.*)$",  # an unknown admin address: 404
)
# Models the admin only shows: the audit trail, tasks, messages, documents and releases are never added or
# deleted by hand; verdicts, disputes and partners' records are made through their own pages.
ADMIN_NO_ADD = (
    "audit/auditevent",
    "django_tasks_database/dbtaskresult",
    "notifications/message",
    "documents/document",
    "opendata/release",
    "cyber/verdict",
    "cyber/dispute",
    "integrations/organisation",
    "integrations/apikey",
    "integrations/subscription",
    "integrations/delivery",
)
ADMIN_NO_DELETE = (
    "audit/auditevent",
    "django_tasks_database/dbtaskresult",
    "documents/document",
    "opendata/release",
    "cyber/verdict",
)


def admin_expectation(route: str) -> Expect:
    if route in ADMIN_REFUSED_TO_ALL:
        return page(NOBODY, refused_to=("/admin/",))
    no_add = {f"admin/{model}/add/" for model in ADMIN_NO_ADD}
    no_delete = {f"admin/{model}/<path:object_id>/delete/" for model in ADMIN_NO_DELETE}
    if route in no_add | no_delete:
        return page(NOBODY, refused_to=("/admin/",))
    return ADMIN_PAGES


def expectation(route: str) -> Expect | None:
    if route.startswith(ADMIN_PREFIX):
        return admin_expectation(route)
    return PAGES.get(route)


# --- API operations (the OpenAPI document of nokor.api), by operationId: who gets an answer with the
# session. A POST operation is sent an empty JSON object: an admitted caller is told it is not valid.
OPERATIONS: dict[str, Expect] = {
    "nokor_documents_api_verify": PUBLIC,
    "nokor_services_api_catalogue": PUBLIC,
    "nokor_services_api_applications": SIGNED_IN_PAGE,  # each sees the applications in their scope
    "nokor_services_api_application_detail": page("citizen", SERVICE_KANDAL, "auditor"),
    "nokor_cyber_api_reports_report_create": page(EVERYONE, ok=(400, 422)),  # not a valid report
    "nokor_cyber_api_check_scam_check": PUBLIC,
    "nokor_academy_api_certificate_verify": PUBLIC,
    "nokor_academy_api_courses": PUBLIC,
    "nokor_academy_api_completion_report": page(ACADEMY_MANAGERS),
    "nokor_academy_api_mandatory_training": page(ACADEMY_MANAGERS),
    "nokor_infrastructure_api_status": PUBLIC,
    "nokor_infrastructure_api_sites": page(INFRA_READ),
    "nokor_infrastructure_api_site": page(INFRA_READ),
    "nokor_infrastructure_api_systems": page(INFRA_READ),
    "nokor_infrastructure_api_assets": page(INFRA_READ),
    "nokor_strategy_api_public": PUBLIC,
    "nokor_strategy_api_indicators": page(PLAN_READ),
    "nokor_strategy_api_indicator": page(PLAN_READ),
    "nokor_strategy_api_progress_reports": page(PLAN_READ),
    "nokor_opendata_api_dataset_list": PUBLIC,
    "nokor_opendata_api_dataset_detail": PUBLIC,
    "nokor_opendata_api_release_data": PUBLIC,
}
