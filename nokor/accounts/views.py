"""The account pages: home per audience, personal data export, account deletion."""

from __future__ import annotations

import json

from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from nokor.accounts import personal_data, services
from nokor.accounts.forms import CitizenSignupForm, DeleteAccountForm
from nokor.accounts.models import RoleAssignment
from nokor.accounts.roles import Role
from nokor.audit.services import audit_record, audit_view
from nokor.core.access import CITIZEN, PUBLIC, SIGNED_IN, STAFF, rule
from nokor.geography.models import AdministrativeUnit
from nokor.services import paper


@rule(SIGNED_IN)
def home(request):
    template = "accounts/staff_home.html" if request.user.is_staff else "accounts/citizen_home.html"
    return render(request, template, {"roles": request.user.active_roles})


@rule(SIGNED_IN)
def data_export(request):
    """All personal data held about the signed-in user: a readable page, or JSON with ?format=json."""
    data = services.personal_data_export(user=request.user)
    audit_record(
        action="personal_data.export",
        actor=request.user,
        obj=request.user,
        subject=request.user,
        details={"format": request.GET.get("format", "html")},
    )
    if request.GET.get("format") == "json":
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2, default=str),
            content_type="application/json; charset=utf-8",
        )
        stamp = timezone.now().strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="nokor-my-data-{stamp}.json"'
        return response
    titles = {name: section.title for name, section in personal_data.SECTIONS.items()}
    sections = [
        (
            titles.get(name, gettext("My account")),
            json.dumps(content, ensure_ascii=False, indent=2, default=str),
        )
        for name, content in data.items()
    ]
    return render(request, "accounts/data_export.html", {"sections": sections})


@rule(CITIZEN)
def account_delete(request):
    kept = services.retained_on_deletion(user=request.user)
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.account_delete(user=request.user)
        logout(request)
        return render(request, "accounts/deleted.html", {"kept": kept})
    return render(request, "accounts/delete.html", {"form": form, "kept": kept})


@rule(STAFF)
def team(request, code):
    """The staff holding roles at a unit and under it: only for units within the viewer's own scope."""
    unit = get_object_or_404(AdministrativeUnit, code=code)
    assignments = (
        RoleAssignment.objects.visible_to(request.user)
        .active()
        .filter(Q(unit__code__startswith=unit.code))
        .select_related("user", "unit")
        .order_by("unit__code", "role")
    )
    in_scope = request.user.unit_prefixes_for(set(Role.values)) or set()
    if not any(unit.code.startswith(prefix) for prefix in in_scope):
        raise Http404
    page = Paginator(assignments, 50).get_page(request.GET.get("page"))
    for assignment in page:
        audit_view(
            actor=request.user, obj=assignment, subject=assignment.user, unit=assignment.unit, what="team"
        )
    return render(request, "accounts/team.html", {"unit": unit, "page_obj": page})


@rule(SIGNED_IN)
def security(request):
    return redirect("mfa_index")


@rule(PUBLIC)
def signup_paper_form(request):
    """Sign-up as boxes and lines, for a citizen helped at a commune office: every question of the online
    sign-up but the password, which is never written on paper."""
    section = paper.section_from_form(
        gettext("Your account"), CitizenSignupForm(), leave_out=("password1", "password2")
    )
    for field in section.fields:
        if field.name == "phone":
            field.kind, field.cells = "digits", 10
    return paper.paper_response(
        request,
        title=gettext("Create an account"),
        sections=[section],
        back_url=reverse("account_signup"),
        back_label=gettext("Create an account"),
        intro=gettext(
            "Give an e-mail address or a phone number, or both: you sign in with it. Never write a "
            "password on this form: when the officer has typed in your answers, you choose your password "
            "yourself on the office's screen, where nobody else sees it."
        ),
    )
