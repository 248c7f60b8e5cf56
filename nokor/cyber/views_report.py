"""Pages of reporting a cybercrime: the step-by-step report (one question per page), check answers,
confirmation, the one-page report of an attempt, the status check with the tracking code, adding
information later, and the reports of a signed-in reporter.

The draft lives in the session, for anonymous and signed-in reporters alike: a victim can report
without an account, files chosen on the evidence page must be kept somewhere until the report is sent
(hidden fields cannot carry them), and what was typed stays on the server rather than travelling back
and forth in every page. The session is server-side (database), so the draft is not readable from the
browser; it is removed as soon as the report is sent or the reporter starts again. Evidence files of a
draft are stored under ``evidence-drafts/`` with a random name and moved into the report at submission
(``purge_draft_files`` removes those of abandoned drafts).

A page that fails validation is shown again with the answers as typed and the error summary; the draft
changes only when a page is valid, so nothing typed before is ever lost.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from nokor.core.access import PUBLIC, SIGNED_IN, rule
from nokor.core.uploads import EXTENSIONS
from nokor.cyber import forms_report as forms
from nokor.cyber import reports
from nokor.cyber.models import Category, Institution, Report
from nokor.cyber.normalize import normalize
from nokor.geography.models import AdministrativeUnit

SESSION_DRAFT = "cyber_report_draft"
SESSION_DONE = "cyber_report_done"
SESSION_ACCESS = "cyber_report_access"
# The confirmation is shown for this long after sending (the tracking code only the first time);
# access to a report gained with its tracking code lasts this long in the browser's session.
DONE_SHOWN_SECONDS = 3600
ACCESS_SECONDS = 1800
DRAFT_FILES = "evidence-drafts/"

# The question pages, in order. "transfers" is asked only when money was lost.
STEPS = (
    "who",
    "category",
    "channel",
    "when",
    "money",
    "transfers",
    "identifiers",
    "description",
    "evidence",
    "where",
    "contact",
)
STEP_TITLES = {
    "who": gettext_lazy("Who are you reporting for?"),
    "category": gettext_lazy("What happened?"),
    "channel": gettext_lazy("How they contacted you"),
    "when": gettext_lazy("When did it happen?"),
    "money": gettext_lazy("Did you lose money or pay them anything?"),
    "transfers": gettext_lazy("The payments you made"),
    "identifiers": gettext_lazy("Their phone numbers, links, accounts or user names"),
    "description": gettext_lazy("Tell us what happened"),
    "evidence": gettext_lazy("Screenshots and documents"),
    "where": gettext_lazy("Where does the victim live?"),
    "contact": gettext_lazy("How can we contact you?"),
}
STEP_FORMS = {
    "who": forms.WhoForm,
    "category": forms.CategoryForm,
    "channel": forms.ChannelForm,
    "when": forms.WhenForm,
    "money": forms.MoneyForm,
    "description": forms.DescriptionForm,
    "where": forms.WhereForm,
    "contact": forms.ContactForm,
}


# --------------------------------------------------------------------------------------------------
# The draft
# --------------------------------------------------------------------------------------------------
def _draft(request: HttpRequest) -> dict[str, Any]:
    return dict(request.session.get(SESSION_DRAFT) or {})


def _keep(request: HttpRequest, draft: dict[str, Any]) -> None:
    request.session[SESSION_DRAFT] = draft


def _forget(request: HttpRequest, *, delete_files: bool) -> None:
    draft = request.session.pop(SESSION_DRAFT, None) or {}
    if delete_files:
        for item in draft.get("evidence", []):
            _delete_draft_file(item["path"])


def _delete_draft_file(name: str) -> None:
    if name.startswith(DRAFT_FILES) and default_storage.exists(name):
        default_storage.delete(name)


def purge_draft_files(*, older_than: dt.timedelta = dt.timedelta(days=15)) -> int:
    """Delete the draft evidence files of drafts abandoned longer than a session lasts (for a periodic
    job); returns how many were deleted."""
    if not default_storage.exists(DRAFT_FILES):
        return 0
    limit = timezone.now() - older_than
    deleted = 0
    for name in default_storage.listdir(DRAFT_FILES)[1]:
        full = f"{DRAFT_FILES}{name}"
        if default_storage.get_modified_time(full) < limit:
            default_storage.delete(full)
            deleted += 1
    return deleted


def _applies(step: str, draft: dict[str, Any]) -> bool:
    return step != "transfers" or draft.get("lost_money") == forms.YES


def _steps(draft: dict[str, Any]) -> list[str]:
    return [step for step in STEPS if _applies(step, draft)]


def _step_url(step: str, change: bool = False) -> str:
    url = reverse("cyber:report_step", args=[step])
    return f"{url}?change=1" if change else url


def _next_url(request: HttpRequest, draft: dict[str, Any], step: str) -> str:
    changing = request.GET.get("change") == "1"
    if step == "money" and draft.get("lost_money") == forms.YES and not draft.get("transfers"):
        return _step_url("transfers", changing)
    if changing:
        return reverse("cyber:report_check")
    steps = _steps(draft)
    following = steps[steps.index(step) + 1 :] if step in steps else []
    return _step_url(following[0]) if following else reverse("cyber:report_check")


def _previous_url(draft: dict[str, Any], step: str) -> str:
    steps = _steps(draft)
    if step in steps and steps.index(step) > 0:
        return _step_url(steps[steps.index(step) - 1])
    return reverse("cyber:report_start")


def _missing(draft: dict[str, Any]) -> list[tuple[str, str]]:
    """The answers a report cannot go without: (step, what is missing)."""
    missing = []
    if not draft.get("category"):
        missing.append(("category", _("What happened")))
    if draft.get("who") == forms.WhoForm.SOMEONE and not draft.get("on_behalf_of"):
        missing.append(("who", _("Who you are reporting for")))
    if draft.get("lost_money") == forms.YES and not draft.get("transfers"):
        missing.append(("transfers", _("The payments you made")))
    if not draft.get("description"):
        missing.append(("description", _("Your account of what happened")))
    if "consent" not in draft:
        missing.append(("contact", _("Whether investigators may contact you")))
    return missing


def _page(
    request: HttpRequest, template: str, draft: dict[str, Any], step: str, **context: Any
) -> HttpResponse:
    steps = _steps(draft)
    category = _category_of(draft)
    return render(
        request,
        f"cyber/report/{template}",
        {
            "step": step,
            "title": STEP_TITLES[step],
            "number": steps.index(step) + 1 if step in steps else None,
            "total": len(steps),
            "previous_url": _previous_url(draft, step),
            "changing": request.GET.get("change") == "1",
            "sensitive": category is not None and category.sensitive,
            **context,
        },
    )


def _category_of(draft: dict[str, Any]) -> Category | None:
    slug = draft.get("category")
    return Category.objects.filter(slug=slug).first() if slug else None


# --------------------------------------------------------------------------------------------------
# Start, question pages, check answers, confirmation
# --------------------------------------------------------------------------------------------------
@rule(PUBLIC)
def report_start(request):
    """What reporting is for, the two ways to report, and where to follow a report."""
    return render(
        request,
        "cyber/report/start.html",
        {"has_draft": bool(_draft(request)), "first_url": _step_url(STEPS[0])},
    )


@rule(PUBLIC)
@require_POST
def report_restart(request):
    """Throw the draft away (and its files) and start again."""
    _forget(request, delete_files=True)
    messages.success(request, _("Your draft was deleted."))
    return redirect("cyber:report_start")


@rule(PUBLIC)
@never_cache
def report_step(request, step):
    """One question page of the report."""
    if step == "transfers":
        return _transfers_page(request)
    if step == "identifiers":
        return _identifiers_page(request)
    if step == "evidence":
        return _evidence_page(request)
    if step not in STEP_FORMS:
        raise Http404
    draft = _draft(request)
    form_class = STEP_FORMS[step]
    data = request.POST if request.method == "POST" else None
    form = form_class(data, initial=form_class.initial_from(draft, request.user))
    if data is not None and form.is_valid():
        form.save_to(draft)
        _keep(request, draft)
        return redirect(_next_url(request, draft, step))
    return _page(
        request, f"step_{step}.html", draft, step, form=form, signed_in=request.user.is_authenticated
    )


def _raw(form) -> dict[str, Any]:
    """A row of a list as typed (shown again as typed, even when it is not valid yet)."""
    return {name: form[name].value() for name in form.fields}


def _list_page(request, step: str, formset_class, save) -> HttpResponse:
    """A page holding a list ("add another" without JavaScript). "Add another" and "Remove" post the
    whole list: the valid rows are kept in the draft, and every row is shown again as typed, with one
    more empty row (or one less). "Continue" checks every row and shows the errors beside them."""
    draft = _draft(request)
    if request.method != "POST":
        rows = [formset_class.form.initial_of(row) for row in draft.get(step, [])] or [{}]
        return _list_render(request, step, draft, formset_class(prefix=step, initial=rows))
    formset = formset_class(request.POST, prefix=step)
    removed = request.POST.get("remove", "")
    if "add" in request.POST or removed.isdigit():
        forms_kept = [
            form for index, form in enumerate(formset.forms) if str(index) != removed and form.has_changed()
        ]
        save(draft, [form.as_draft() for form in forms_kept if form.is_valid()])
        _keep(request, draft)
        rows = [_raw(form) for form in forms_kept]
        if "add" in request.POST and len(rows) < formset_class.max_num:
            rows.append({})
        return _list_render(request, step, draft, formset_class(prefix=step, initial=rows or [{}]))
    if formset.is_valid():
        save(draft, [form.as_draft() for form in formset.filled()])
        _keep(request, draft)
        return redirect(_next_url(request, draft, step))
    return _list_render(request, step, draft, formset)


def _list_render(request, step: str, draft: dict[str, Any], formset) -> HttpResponse:
    items = []
    for error in formset.non_form_errors():
        items.append(
            {
                "message": error,
                "href": f"#{formset.forms[0][next(iter(formset.forms[0].fields))].auto_id}"
                if formset.forms
                else "",
            }
        )
    for form in formset.forms:
        for name, errors in form.errors.items():
            for error in errors:
                items.append(
                    {"message": error, "href": f"#{form[name].auto_id}" if name in form.fields else ""}
                )
    entries = [(form, _recognition(form) if step == "identifiers" else None) for form in formset.forms]
    return _page(
        request,
        f"step_{step}.html",
        draft,
        step,
        formset=formset,
        entries=entries,
        error_items=items,
        error_summary=bool(items),
        at_most=len(formset.forms) >= formset.max_num,
    )


def _recognition(form) -> dict[str, Any] | None:
    """What an identifier row was recognised as (shown under it once typed)."""
    text = (form["text"].value() if form.is_bound else form.initial.get("text")) or ""
    kind = (form["kind"].value() if form.is_bound else form.initial.get("kind")) or None
    if not text.strip() or kind not in (None, *[value for value, _label in forms.KIND_CHOICES]):
        return None
    identifier = normalize(text, kind)
    kinds = dict(forms.KIND_CHOICES)
    return {
        "recognized": identifier.recognized,
        "kind": kinds.get(identifier.kind, ""),
        "value": identifier.normalized,
        "reason": identifier.detail if not identifier.recognized else "",
    }


def _transfers_page(request):
    def save(draft, rows):
        draft["transfers"] = rows

    return _list_page(request, "transfers", forms.TransferFormSet, save)


def _identifiers_page(request):
    def save(draft, rows):
        draft["identifiers"] = rows

    return _list_page(request, "identifiers", forms.IdentifierFormSet, save)


def _evidence_page(request):
    """Files are checked one by one: the good ones are kept in the draft even when another is refused."""
    draft = _draft(request)
    files = list(draft.get("evidence", []))
    changing = request.GET.get("change") == "1"
    posted = request.method == "POST"
    form = forms.EvidenceForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and request.POST.get("remove", "").isdigit():
        index = int(request.POST["remove"])
        if index < len(files):
            _delete_draft_file(files.pop(index)["path"])
            draft["evidence"] = files
            _keep(request, draft)
        return redirect(_step_url("evidence", changing))
    if posted and form.is_valid():
        accepted, refused = forms.check_files(form.cleaned_data["files"])
        room = max(reports.MAX_EVIDENCE_FILES - len(files), 0)
        if len(accepted) > room:
            refused.append(
                _("You can send at most %(count)s files with a report.")
                % {"count": reports.MAX_EVIDENCE_FILES}
            )
            accepted = accepted[:room]
        files += [_keep_draft_file(upload) for upload in accepted]
        draft["evidence"] = files
        _keep(request, draft)
        for message in refused:
            form.add_error("files", message)
        if not refused:
            if "add" in request.POST:
                return redirect(_step_url("evidence", changing))
            return redirect(_next_url(request, draft, "evidence"))
    return _page(request, "step_evidence.html", draft, "evidence", form=form, files=files)


def _keep_draft_file(upload) -> dict[str, Any]:
    content_type = upload.sniffed_content_type
    name = default_storage.save(f"{DRAFT_FILES}{uuid.uuid4().hex}{EXTENSIONS[content_type]}", upload)
    return {"path": name, "name": upload.name[:255], "content_type": content_type, "size": upload.size}


@rule(PUBLIC)
@never_cache
def report_check(request):
    """Check the answers, change any of them, then send."""
    draft = _draft(request)
    if not draft:
        return redirect("cyber:report_start")
    missing = _missing(draft)
    error = ""
    if request.method == "POST" and not missing:
        wait = reports.report_retry_after()
        if wait:
            return _too_many(request, wait)
        try:
            submitted = _submit_draft(request, draft)
        except reports.ReportError as refusal:
            error = " ".join(message for messages_ in refusal.errors.values() for message in messages_)
        else:
            _forget(request, delete_files=True)
            _done(request, submitted)
            return redirect("cyber:report_confirmation")
    return render(
        request,
        "cyber/report/check.html",
        {
            "draft": draft,
            "missing": [(step, label, _step_url(step, change=True)) for step, label in missing],
            "rows": _summary(draft),
            "error_summary": error,
            "signed_in": request.user.is_authenticated,
        },
    )


def _summary(draft: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of the check answers page: label, lines of value, and where to change it."""
    category = _category_of(draft)
    institutions = {institution.code: str(institution) for institution in Institution.objects.all()}
    unit = AdministrativeUnit.objects.filter(code=draft["unit"]).first() if draft.get("unit") else None

    def row(step, label, *lines, notes=()):
        return {
            "label": label,
            "lines": [line for line in lines if line],
            "notes": list(notes),
            "url": _step_url(step, True),
        }

    who = _("For myself") if draft.get("who", forms.WhoForm.ME) == forms.WhoForm.ME else _("For someone else")
    flags = []
    if draft.get("vulnerable_victim"):
        flags.append(_("The victim is vulnerable"))
    if draft.get("trafficking_flag"):
        flags.append(_("Someone is held or forced to work"))
    channel = dict(Report.Channel.choices).get(draft.get("channel", ""), "")
    rows = [
        row("who", _("Who the report is for"), who, draft.get("on_behalf_of", ""), *flags),
        row("category", _("What happened"), category.name if category else ""),
        row(
            "channel",
            _("How they contacted you"),
            str(channel),
            (_("You are still in contact with them") if draft.get("ongoing_contact") else "")
            if "ongoing_contact" in draft
            else "",
        ),
        row("when", _("When it happened"), _date_text(draft.get("incident_date"))),
        row(
            "money",
            _("Money lost"),
            _("Yes") if draft.get("lost_money") == forms.YES else _("No") if draft.get("lost_money") else "",
        ),
    ]
    if draft.get("lost_money") == forms.YES:
        rows.append(
            row(
                "transfers",
                _("Payments"),
                *[_payment_text(item, institutions) for item in draft.get("transfers", [])],
            )
        )
    identifier_lines, identifier_notes = [], []
    for item in draft.get("identifiers", []):
        identifier = normalize(item["text"], item.get("kind") or None)
        identifier_lines.append(item["text"])
        if not identifier.recognized:
            identifier_notes.append(
                _("“%(text)s” could not be recognised: %(reason)s It will be kept as you wrote it.")
                % {"text": item["text"], "reason": identifier.detail or ""}
            )
    rows += [
        row(
            "identifiers",
            _("Their phone numbers, links, accounts"),
            *identifier_lines,
            notes=identifier_notes,
        ),
        row("description", _("What happened, in your words"), draft.get("description", "")),
        row("evidence", _("Files"), *[item["name"] for item in draft.get("evidence", [])]),
        row("where", _("Where the victim lives"), unit.full_name if unit else ""),
        row(
            "contact",
            _("Your contact details"),
            draft.get("contact_email", ""),
            draft.get("contact_phone", ""),
            notes=[]
            if draft.get("contact_email") or draft.get("contact_phone")
            else [_("You gave no contact details: we will not be able to contact you.")],
        ),
        row(
            "contact",
            _("Investigators may contact you and share the report"),
            (_("Yes") if draft.get("consent") else _("No")) if "consent" in draft else "",
        ),
    ]
    return rows


def _date_text(value: str | None) -> str:
    from nokor.core.formatting import format_date

    if not value:
        return ""
    return format_date(dt.date.fromisoformat(value))


def _payment_text(item: dict[str, Any], institutions: dict[str, str]) -> str:
    from nokor.core.formatting import format_money

    parts = [format_money(Decimal(item["amount"]), item["currency"])]
    where = institutions.get(item.get("institution") or "", "") or item.get("institution_text", "")
    if where or item.get("to_account"):
        parts.append(
            _("to %(account)s") % {"account": " ".join(p for p in (where, item.get("to_account", "")) if p)}
        )
    if item.get("paid_on"):
        parts.append(_date_text(item["paid_on"]))
    if item.get("transaction_id"):
        parts.append(_("transaction %(number)s") % {"number": item["transaction_id"]})
    return ", ".join(parts)


def _submit_draft(request, draft: dict[str, Any]) -> reports.SubmittedReport:
    institutions = {institution.code: institution for institution in Institution.objects.all()}
    transfers = [
        reports.TransferInput(
            amount=Decimal(item["amount"]),
            currency=item["currency"],
            institution=institutions.get(item.get("institution") or ""),
            institution_text=item.get("institution_text", ""),
            to_account=item.get("to_account", ""),
            transaction_id=item.get("transaction_id", ""),
            paid_on=dt.date.fromisoformat(item["paid_on"]) if item.get("paid_on") else None,
        )
        for item in (draft.get("transfers", []) if draft.get("lost_money") == forms.YES else [])
    ]
    opened = []
    try:
        for item in draft.get("evidence", []):
            if default_storage.exists(item["path"]):
                opened.append(
                    reports.EvidenceInput(file=default_storage.open(item["path"], "rb"), name=item["name"])
                )
        return reports.report_submit(
            by=request.user,
            category=draft.get("category"),
            description=draft.get("description", ""),
            channel=draft.get("channel", ""),
            incident_date=dt.date.fromisoformat(draft["incident_date"])
            if draft.get("incident_date")
            else None,
            ongoing_contact=bool(draft.get("ongoing_contact")),
            vulnerable_victim=bool(draft.get("vulnerable_victim")),
            trafficking_flag=bool(draft.get("trafficking_flag")),
            on_behalf_of=draft.get("on_behalf_of", "") if draft.get("who") == forms.WhoForm.SOMEONE else "",
            identifiers=[
                reports.IdentifierInput(i["text"], i.get("kind") or None)
                for i in draft.get("identifiers", [])
            ],
            transfers=transfers,
            evidence=opened,
            contact_email=draft.get("contact_email", ""),
            contact_phone=draft.get("contact_phone", ""),
            consent=bool(draft.get("consent")),
            unit=AdministrativeUnit.objects.filter(code=draft["unit"]).first() if draft.get("unit") else None,
        )
    finally:
        for item in opened:
            item.file.close()


def _done(request, submitted: reports.SubmittedReport) -> None:
    report = submitted.report
    request.session[SESSION_DONE] = {
        "reference": report.reference,
        "code": reports.format_tracking_code(submitted.tracking_code),
        "at": int(time.time()),
    }
    _grant(request, report)


@rule(PUBLIC)
@never_cache
def report_confirmation(request):
    """The reference and the tracking code in a panel, the urgent next steps, and what happens next."""
    done = request.session.get(SESSION_DONE)
    if not done or time.time() - done["at"] > DONE_SHOWN_SECONDS:
        request.session.pop(SESSION_DONE, None)
        return redirect("cyber:report_status")
    report = Report.objects.select_related("category").get(reference=done["reference"])
    # Shown once: a refresh, or the next person at a shared computer, sees the reference only.
    code = done.pop("code", "")
    request.session[SESSION_DONE] = done
    return render(
        request,
        "cyber/report/confirmation.html",
        {
            "report": report,
            "tracking_code": code,
            "next_steps": [line for line in report.category.next_steps.splitlines() if line.strip()],
            "contactable": bool(report.reporter_id or report.contact_email or report.contact_phone),
        },
    )


# --------------------------------------------------------------------------------------------------
# Report an attempt on one page
# --------------------------------------------------------------------------------------------------
@rule(PUBLIC)
@never_cache
def report_attempt(request):
    """Someone tried to scam you and you lost nothing: the number or link, on one page."""
    form = forms.AttemptForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        wait = reports.report_retry_after()
        if wait:
            return _too_many(request, wait)
        data = form.cleaned_data
        try:
            submitted = reports.report_submit(
                by=request.user,
                category=data["category"],
                description=data["description"],
                channel=data["channel"],
                attempt_only=True,
                identifiers=form.identifiers(),
                contact_email=data["contact_email"] or "",
                contact_phone=data["contact_phone"] or "",
                consent=False,
                incident_date=timezone.localdate(),
            )
        except reports.ReportError as refusal:
            for name, field_errors in refusal.errors.items():
                form.add_error(name if name in form.fields else None, " ".join(field_errors))
        else:
            _done(request, submitted)
            return redirect("cyber:report_confirmation")
    return render(request, "cyber/report/attempt.html", {"form": form})


# --------------------------------------------------------------------------------------------------
# Following a report: status with the tracking code, or from the account
# --------------------------------------------------------------------------------------------------
def _grant(request, report: Report) -> None:
    access = {k: v for k, v in (request.session.get(SESSION_ACCESS) or {}).items() if v > time.time()}
    access[report.reference] = int(time.time()) + ACCESS_SECONDS
    request.session[SESSION_ACCESS] = access


def _has_grant(request, reference: str) -> bool:
    return (request.session.get(SESSION_ACCESS) or {}).get(reference, 0) > time.time()


def _followed(request, reference: str) -> Report | None:
    """The report if this browser gave its tracking code lately, or if it is the signed-in reporter's."""
    canonical = reports.normalize_reference(reference)
    if canonical is None:
        return None
    if _has_grant(request, canonical):
        return Report.objects.select_related("category").filter(reference=canonical).first()
    return reports.my_reports(request.user).filter(reference=canonical).first()


def _too_many(request, retry_after: int) -> HttpResponse:
    response = render(request, "cyber/report/too_many.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


@rule(PUBLIC)
@never_cache
def report_status(request):
    """The status check: reference and tracking code. A wrong reference and a wrong code get the same
    answer, and each client IP has a budget of attempts."""
    form = forms.StatusForm(
        request.POST if request.method == "POST" else None,
        initial={"reference": request.GET.get("reference", "")},
    )
    if request.method == "POST":
        wait = reports.status_retry_after()
        if wait:
            return _too_many(request, wait)
        if form.is_valid():
            report = reports.report_for_tracking(
                reference=form.cleaned_data["reference"], code=form.cleaned_data["code"]
            )
            if report is not None:
                _grant(request, report)
                return redirect("cyber:report_status_detail", reference=report.reference)
            form.add_error(
                None, _("The reference number or the tracking code is not right. Check both and try again.")
            )
    return render(request, "cyber/report/status.html", {"form": form})


@rule(PUBLIC)
@never_cache
def report_status_detail(request, reference):
    """The status of a report in words, the message to the reporter, and what was sent (file names only)."""
    report = _followed(request, reference)
    if report is None:
        return redirect(f"{reverse('cyber:report_status')}?reference={reference[:40]}")
    return _detail(request, report)


def _detail(request, report: Report) -> HttpResponse:
    return render(
        request,
        "cyber/report/detail.html",
        {
            "report": report,
            "explanation": reports.status_explanation(report),
            "tone": reports.STATUS_TONES.get(report.status, "grey"),
            "files": list(report.evidence.values_list("original_name", flat=True)),
            "identifiers": list(report.sightings.values_list("original", flat=True)),
            "can_add": report.status != Report.Status.CLOSED,
            "mine": report.reporter_id is not None and report.reporter_id == request.user.pk,
        },
    )


@rule(PUBLIC)
@never_cache
def report_add_information(request, reference):
    """Add text, identifiers or files to a report (with the tracking code given lately, or as its reporter).
    A refused file is named; what else was given is added all the same."""
    report = _followed(request, reference)
    if report is None:
        if request.user.is_authenticated:
            raise Http404
        return redirect(f"{reverse('cyber:report_status')}?reference={reference[:40]}")
    if report.status == Report.Status.CLOSED:
        return redirect("cyber:report_status_detail", reference=report.reference)
    form = forms.AddInformationForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            reports.report_add_information(
                report=report,
                by=request.user,
                text=form.cleaned_data["text"],
                identifiers=form.identifier_inputs(),
                evidence=[reports.EvidenceInput(file=upload, name=upload.name) for upload in form.accepted],
            )
        except reports.ReportError as refusal:
            for name, field_errors in refusal.errors.items():
                form.add_error(name if name in form.fields else None, " ".join(field_errors))
        else:
            messages.success(request, _("Thank you. Your information was added to the report."))
            for message in form.refused:
                messages.warning(request, message)
            return redirect("cyber:report_status_detail", reference=report.reference)
    return render(request, "cyber/report/add_information.html", {"report": report, "form": form})


@rule(SIGNED_IN)
def report_mine(request):
    """The reports a person filed from their account."""
    page_obj = Paginator(reports.my_reports(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "cyber/report/mine.html", {"page_obj": page_obj, "tones": reports.STATUS_TONES})


@rule(SIGNED_IN)
@never_cache
def report_mine_detail(request, reference):
    """One of my reports (404 for anyone else's)."""
    canonical = reports.normalize_reference(reference)
    report = reports.my_reports(request.user).filter(reference=canonical).first() if canonical else None
    if report is None:
        raise Http404
    return _detail(request, report)
