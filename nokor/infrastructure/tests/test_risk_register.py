"""The risk register: scores and levels, the list with its heat map and filters, create and edit
(with the optimistic lock), access."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from nokor.audit.models import AuditEvent
from nokor.infrastructure import risks
from nokor.infrastructure.models import Risk
from nokor.infrastructure.models.risks import risk_level

pytestmark = pytest.mark.django_db


def test_levels_follow_the_score():
    assert [risk_level(s) for s in (1, 4, 5, 9, 10, 16, 20, 25)] == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
        "critical",
        "critical",
    ]


def test_list_shows_heat_map_and_filters_overdue(
    login, infrastructure_officer, django_assert_max_num_queries
):
    risks.risk_create(by=infrastructure_officer, title="Fire in the server room", likelihood=2, impact=5)
    risks.risk_create(
        by=infrastructure_officer,
        title="Old firewall",
        likelihood=4,
        impact=4,
        review_date=timezone.localdate() - dt.timedelta(days=1),
    )
    client = login(infrastructure_officer)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("infrastructure:risks"))
    page = response.content.decode()
    assert page.index("Old firewall") < page.index("Fire in the server room")  # score 16 before 10
    assert '<td class="heat--high">1</td>' in page
    overdue = client.get(reverse("infrastructure:risks"), {"overdue": "on"}).content.decode()
    assert "Old firewall" in overdue and "Fire in the server room" not in overdue


def test_create_scores_and_audits(login, infrastructure_officer):
    response = login(infrastructure_officer).post(
        reverse("infrastructure:risk_create"),
        {"title": "Power cuts", "likelihood": "5", "impact": "3", "status": "open"},
    )
    risk = Risk.objects.get()
    assert response.status_code == 302
    assert (risk.score, risk.level) == (15, Risk.Level.HIGH)
    assert AuditEvent.objects.filter(action="infrastructure.risk_create", object_id=str(risk.pk)).exists()


def test_bad_input_keeps_what_was_typed(login, infrastructure_officer):
    response = login(infrastructure_officer).post(
        reverse("infrastructure:risk_create"), {"title": "", "description": "Typed text", "likelihood": "9"}
    )
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert "Typed text" in response.content.decode()
    assert not Risk.objects.exists()


def test_edit_refused_when_someone_saved_meanwhile(login, infrastructure_officer):
    risk = risks.risk_create(by=infrastructure_officer, title="Power cuts", likelihood=2, impact=2)
    risks.risk_update(by=infrastructure_officer, risk=risk, expected_version=0, likelihood=3)
    response = login(infrastructure_officer).post(
        reverse("infrastructure:risk_edit", args=[risk.pk]),
        {"title": "Power cuts", "likelihood": "5", "impact": "5", "status": "open", "lock_version": "0"},
    )
    assert response.status_code == 200
    risk.refresh_from_db()
    assert risk.likelihood == 3


def test_read_only_auditor_cannot_edit(login, auditor, infrastructure_officer):
    risk = risks.risk_create(by=infrastructure_officer, title="Power cuts")
    assert login(auditor).get(reverse("infrastructure:risks")).status_code == 200
    assert login(auditor).get(reverse("infrastructure:risk_edit", args=[risk.pk])).status_code == 403


def test_offices_are_given_by_number_not_listed(login, infra_officer_kandal, estate):
    client = login(infra_officer_kandal)
    client.cookies["nokor_language"] = "en"
    url = reverse("infrastructure:risk_create")
    form = client.get(url).content.decode()
    assert "Ampov Prey commune office" not in form  # no select of every office
    data = {"title": "Flooding", "likelihood": "3", "impact": "4", "status": "open"}
    other = estate["phnom_penh"].pk  # another province's office
    response = client.post(url, {**data, "sites": f"{estate['kandal'].pk}, {other}"})
    page = response.content.decode()
    assert response.status_code == 200 and 'class="error-summary"' in page
    assert f"There is no office number {other} among yours." in page
    assert f'value="{estate["kandal"].pk}, {other}"' in page  # what was typed is kept
    assert not Risk.objects.exists()
    response = client.post(url, {**data, "sites": f"{estate['kandal'].pk} {estate['kandal_bare'].pk}"})
    risk = Risk.objects.get()
    assert set(risk.sites.all()) == {estate["kandal"], estate["kandal_bare"]}
    edit = client.get(reverse("infrastructure:risk_edit", args=[risk.pk])).content.decode()
    typed = re.search(r'name="sites" value="([^"]*)"', edit).group(1)
    assert sorted(typed.split(", ")) == sorted([str(estate["kandal"].pk), str(estate["kandal_bare"].pk)])
