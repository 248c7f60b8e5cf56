"""Pages of the scam check: the public lookup (a GET form, so a result can be shared as a link), the
dispute of a listing, and the investigators' indicators page with its verdicts and exports."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nokor.audit.services import audit_record
from nokor.core.access import PUBLIC, rule, staff_with
from nokor.cyber import exports, indicators, scamcheck
from nokor.cyber.forms_check import CheckForm, DisputeForm, VerdictForm
from nokor.cyber.models import INVESTIGATORS, Category, IdentifierKind, Verdict

# Every investigator, the one cleared for intimate images too (as the indicator services allow).
INDICATOR_ROLES = staff_with(*INVESTIGATORS)
# The reporting flow's start page (nokor/cyber/urls_report.py); its path while it is not mounted.
REPORT_URL_NAME = "cyber:report_start"
REPORT_URL_FALLBACK = "/cyber/report/"
DISPUTE_SESSION_KEY = "cyber_dispute_reference"
PAGE_SIZE = 50


def _private(response: HttpResponse) -> HttpResponse:
    """Results change with every report and search: never cached, never indexed."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = render(request, "cyber/check/too_many.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return _private(response)


def report_url() -> str:
    try:
        return reverse(REPORT_URL_NAME)
    except NoReverseMatch:
        return REPORT_URL_FALLBACK


# --------------------------------------------------------------------------------------------------
# Public
# --------------------------------------------------------------------------------------------------
@rule(PUBLIC)
def check(request: HttpRequest) -> HttpResponse:
    """Type or paste what you were given; see whether it is on the list of reported scams."""
    form = CheckForm(request.GET if "q" in request.GET else None)
    result = None
    if form.is_bound and form.is_valid():
        retry_after = scamcheck.check_retry_after()
        if retry_after:
            return _too_many(request, retry_after)
        result = scamcheck.check(form.cleaned_data["q"])
    context = {
        "form": form,
        "result": result,
        "categories": list(Category.objects.filter(slug__in=result.categories)) if result else [],
        "kind_label": IdentifierKind(result.kind).label if result else "",
        "report_url": report_url(),
        "min_reports": scamcheck.min_reports(),
    }
    return _private(render(request, "cyber/check/check.html", context))


@rule(PUBLIC)
def dispute(request: HttpRequest) -> HttpResponse:
    """The owner of a listed number, account or site asks for a review (creates a Dispute)."""
    query = request.POST.get("q") if request.method == "POST" else request.GET.get("q")
    if not query:
        return redirect("cyber:check")
    retry_after = scamcheck.check_retry_after()
    if retry_after:
        return _too_many(request, retry_after)
    result = scamcheck.lookup(query)
    listing = result.applicable
    form = DisputeForm(request.POST or None, initial={"q": query})
    if request.method == "POST" and listing is not None and form.is_valid():
        try:
            created = scamcheck.dispute_open(
                kind=listing.kind,
                value=listing.value,
                name=form.cleaned_data["name"],
                contact=form.cleaned_data["contact"],
                reason=form.cleaned_data["reason"],
            )
        except scamcheck.DisputeError as error:
            form.add_error(None, str(error))
        else:
            request.session[DISPUTE_SESSION_KEY] = {
                "reference": str(created.pk)[:8].upper(),
                "value": created.value,
            }
            return redirect("cyber:check_dispute_sent")
    context = {
        "form": form,
        "result": result,
        "listing": listing,
        "kind_label": IdentifierKind(listing.kind).label if listing else "",
    }
    return _private(render(request, "cyber/check/dispute.html", context))


@rule(PUBLIC)
def dispute_sent(request: HttpRequest) -> HttpResponse:
    """The confirmation of a dispute, with its reference and what happens next."""
    sent = request.session.get(DISPUTE_SESSION_KEY)
    if not sent:
        return redirect("cyber:check")
    return _private(render(request, "cyber/check/dispute_sent.html", {"sent": sent}))


# --------------------------------------------------------------------------------------------------
# Investigators
# --------------------------------------------------------------------------------------------------
def _int(value: str | None, default: int = 0) -> int:
    try:
        return max(0, int(value or default))
    except ValueError:
        return default


@rule(INDICATOR_ROLES)
def indicator_list(request: HttpRequest) -> HttpResponse:
    """Identifiers named in the reports of the investigator's scope, with their reports, public status
    and verdict; the verdict actions and the exports."""
    params = {
        "kind": request.GET.get("kind", ""),
        "search": request.GET.get("q", "")[:512],
        "verdict": request.GET.get("verdict", ""),
        "min_reports": _int(request.GET.get("min_reports")),
        "sort": request.GET.get("sort", "-last"),
    }
    rows = indicators.indicators_for(request.user, **params)
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    pairs = [(row["kind"], row["value"]) for row in page_obj.object_list]
    domains = {
        row["value"]: (IdentifierKind.DOMAIN.value, row["registrable_domain"])
        for row in page_obj.object_list
        if row["kind"] == IdentifierKind.URL
        and row["registrable_domain"]
        and row["registrable_domain"] not in scamcheck.SHARED_DOMAINS
    }
    public = scamcheck.listings([*pairs, *domains.values()])  # as the public check sees them
    disputes = indicators.open_disputes(pairs)
    page_rows = []
    for row in page_obj.object_list:
        pair = (row["kind"], row["value"])
        domain = public.get(domains.get(row["value"])) if row["kind"] == IdentifierKind.URL else None
        page_rows.append(
            {
                **row,
                "kind_label": IdentifierKind(row["kind"]).label,
                "listing": public[pair],
                "domain_listing": domain if domain is not None and domain.listed else None,
                "disputes": disputes.get(pair, 0),
            }
        )
    context = {
        "page_obj": page_obj,
        "rows": page_rows,
        "params": params,
        "kinds": [
            (kind, label) for kind, label in IdentifierKind.choices if kind in scamcheck.LISTABLE_KINDS
        ],
        "outcomes": Verdict.Outcome.choices,
        "min_reports_listing": scamcheck.min_reports(),
        "expiry_days": scamcheck.expiry_days(),
    }
    return _private(render(request, "cyber/staff/indicators.html", context))


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("cyber:indicators")


@rule(INDICATOR_ROLES)
@require_POST
def indicator_verdict(request: HttpRequest) -> HttpResponse:
    """Confirm an identifier, mark it a false positive or no longer in use (in the user's scope)."""
    form = VerdictForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The verdict was not recorded: choose a verdict for an identifier."))
        return redirect(_back(request))
    data = form.cleaned_data
    try:
        verdict = indicators.verdict_set(
            kind=data["kind"],
            value=data["value"],
            outcome=data["outcome"],
            by=request.user,
            note=data["note"],
        )
    except indicators.OutOfScope as error:
        raise Http404 from error
    except indicators.IndicatorError as error:
        messages.error(request, str(error))
        return redirect(_back(request))
    messages.success(
        request,
        _("%(value)s: %(verdict)s.") % {"value": verdict.value, "verdict": verdict.get_outcome_display()},
    )
    return redirect(_back(request))


def _export_name(extension: str, kind: str) -> str:
    day = timezone.localdate().isoformat()
    return f"nokor-scam-indicators{'-' + kind if kind else ''}-{day}.{extension}"


def _audit_export(request: HttpRequest, export_format: str, kind: str, count: int) -> None:
    audit_record(
        action="cyber.indicators_export",
        actor=request.user,
        details={"format": export_format, "kind": kind, "indicators": count},
    )


@rule(INDICATOR_ROLES)
def indicators_csv(request: HttpRequest) -> HttpResponse:
    """Every listed identifier, for banks and telecom operators (UTF-8 CSV with a byte-order mark)."""
    kind = request.GET.get("kind", "")
    kind = kind if kind in scamcheck.LISTABLE_KINDS else ""
    buffer = io.StringIO()
    count = exports.write_csv(exports.listed_indicators(kind=kind), buffer)
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name("csv", kind)}"'
    _audit_export(request, "csv", kind, count)
    return _private(response)


@rule(INDICATOR_ROLES)
def indicators_stix(request: HttpRequest) -> HttpResponse:
    """The confirmed indicators as a STIX 2.1 bundle, marked with the configured TLP level."""
    kind = request.GET.get("kind", "")
    kind = kind if kind in scamcheck.LISTABLE_KINDS else ""
    rows = exports.listed_indicators(kind=kind, confirmed_only=True)
    response = HttpResponse(
        exports.stix_bundle(rows).encode("utf-8"), content_type="application/stix+json;version=2.1"
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name("json", kind)}"'
    _audit_export(request, "stix", kind, len(rows))
    return _private(response)
