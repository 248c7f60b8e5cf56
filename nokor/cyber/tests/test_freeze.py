"""Freeze requests: the amount and the answer deadline, transfers pre-filtered by institution, the timers,
the institution's answer, the list of open requests, scope, and the printable request."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from nokor.audit.models import AuditEvent
from nokor.cyber import cases, freeze
from nokor.cyber.models import CaseEvent, FreezeRequest, Institution, Transfer
from nokor.cyber.tests.factories_staff import (  # noqa: F401 (fixtures)
    cyber_data_fixture,
    english_fixture,
    file_report_fixture,
)

FREEZES = "/cyber/staff/freezes/"


@pytest.fixture
def aba(db):
    return Institution.objects.get(code="ABA")


@pytest.fixture
def case(investigator, file_report):
    """Two victims paid the same ABA account; one of them also paid through Wing, one in riel."""
    first = file_report(
        "@scammer", paid=[("1200", "USD", "ABA", "000 123 456"), ("300", "USD", "WING", "012 888")]
    )
    second = file_report(
        "@scammer", paid=[("500", "USD", "ABA", "000 123 456"), ("400000", "KHR", "ABA", "000 123 456")]
    )
    return cases.case_open(by=investigator, title="Crypto scam", reports=[first, second])


def usd_aba(case, aba):
    return list(freeze.candidate_transfers(case, aba).filter(currency="USD"))


def test_the_amount_defaults_to_the_transfers_and_the_answer_is_due_in_the_golden_hour(
    settings, investigator, case, aba
):
    settings.CYBER_FREEZE_ANSWER_MINUTES = 45
    request = freeze.freeze_request(
        case=case, by=investigator, institution=aba, account="000 123 456", transfers=usd_aba(case, aba)
    )
    year = timezone.localdate().year
    assert request.reference == f"FRZ-{year}-000001"
    assert request.amount == Decimal("1700.00") and request.currency == "USD"
    assert request.answer_due - request.requested_at == dt.timedelta(minutes=45)
    assert request.status == FreezeRequest.Status.SENT and request.transfers.count() == 2
    event = case.events.get(kind=CaseEvent.Kind.FREEZE_REQUESTED)
    assert event.data["reference"] == request.reference and event.data["amount"] == "1700.00"
    assert AuditEvent.objects.filter(action="cyber.freeze_request", object_id=str(request.pk)).exists()


def test_transfers_in_two_currencies_need_an_amount(investigator, case, aba):
    transfers = list(freeze.candidate_transfers(case, aba))
    with pytest.raises(cases.CaseError) as refused:
        freeze.freeze_request(
            case=case, by=investigator, institution=aba, account="000 123 456", transfers=transfers
        )
    assert refused.value.field == "amount"
    request = freeze.freeze_request(
        case=case,
        by=investigator,
        institution=aba,
        account="000 123 456",
        transfers=transfers,
        amount=Decimal("1800"),
        currency="USD",
    )
    assert request.amount == Decimal("1800") and request.transfers.count() == 3


def test_transfers_of_another_case_are_refused(investigator, case, aba, file_report):
    other = cases.case_open(
        by=investigator, title="Other", reports=[file_report("@other", paid=[("50", "USD", "ABA", "1")])]
    )
    foreign = list(Transfer.objects.filter(report__case=other))
    with pytest.raises(cases.CaseError):
        freeze.freeze_request(case=case, by=investigator, institution=aba, account="1", transfers=foreign)
    assert not FreezeRequest.objects.exists()


def test_the_page_shows_the_institutions_transfers_first_and_records_the_request(
    english, investigator, case, aba
):
    client = english(investigator)
    url = f"/cyber/staff/cases/{case.reference}/freeze/"
    response = client.get(url, {"institution": aba.pk})

    form = response.context["form"]
    assert {t.institution.code for t in form.fields["transfers"].queryset} == {"ABA"}
    assert form.initial["account"] == "000 123 456" and len(form.initial["transfers"]) == 3
    assert "1 day ago" in response.content.decode()  # the money left yesterday

    chosen = usd_aba(case, aba)
    response = client.post(
        url,
        {
            "institution": aba.pk,
            "account": "000 123 456",
            "transfers": [t.pk for t in chosen],
            "note": "Urgent: two victims.",
        },
    )
    request = FreezeRequest.objects.get()
    assert response.status_code == 302 and response.url == f"{FREEZES}{request.reference}/"
    assert request.amount == Decimal("1700.00") and request.note == "Urgent: two victims."


def test_a_refused_request_shows_the_error_and_keeps_the_input(english, investigator, case, aba):
    response = english(investigator).post(
        f"/cyber/staff/cases/{case.reference}/freeze/",
        {"institution": aba.pk, "account": "000 123 456", "transfers": [], "note": "Please hurry."},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "error-summary" in body and "Enter the amount, or choose the transfers concerned." in body
    assert "Please hurry." in body and 'value="000 123 456"' in body
    assert not FreezeRequest.objects.exists()


def test_the_timers_count_down_then_show_overdue(english, investigator, case, aba):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        request = freeze.freeze_request(
            case=case, by=investigator, institution=aba, account="000 123 456", transfers=usd_aba(case, aba)
        )
    assert freeze.answer_timer(request, start + dt.timedelta(minutes=20))["text"] == "40 minutes left"
    late = freeze.answer_timer(request, start + dt.timedelta(minutes=75))
    assert late["overdue"] and late["text"] == "overdue by 15 minutes"
    assert freeze.money_left(request, start)["days"] == 1

    body = english(investigator).get(FREEZES).content.decode()
    assert request.reference.replace("-", "\u2011") in body and "minutes left" in body


def test_recording_the_answer(english, investigator, case, aba):
    request = freeze.freeze_request(
        case=case, by=investigator, institution=aba, account="000 123 456", transfers=usd_aba(case, aba)
    )
    url = f"{FREEZES}{request.reference}/"
    client = english(investigator)

    response = client.post(url, {"status": "partial", "frozen_amount": "2000", "note": "Balance was low."})
    assert response.status_code == 200 and "less than the amount requested" in response.content.decode()
    assert "Balance was low." in response.content.decode()

    client.post(url, {"status": "partial", "frozen_amount": "650.50", "note": "Balance was low."})

    request.refresh_from_db()
    assert request.status == FreezeRequest.Status.PARTIAL and request.frozen_amount == Decimal("650.50")
    assert request.answered_at and request.answer_recorded_by == investigator
    assert request.answer_note == "Balance was low."
    assert case.events.filter(kind=CaseEvent.Kind.FREEZE_ANSWERED, data__answer="partial").exists()
    assert request.reference not in {r.reference for r in freeze.open_requests_for(investigator)}
    with pytest.raises(cases.CaseError):
        freeze.freeze_answer(freeze=request, by=investigator, status="frozen")


@pytest.mark.parametrize(
    ("status", "amount", "frozen"),
    [
        ("frozen", None, Decimal("1700.00")),
        ("refused", None, Decimal(0)),
        ("no_funds", Decimal("5"), Decimal(0)),
    ],
)
def test_each_answer_sets_what_was_frozen(investigator, case, aba, status, amount, frozen):
    request = freeze.freeze_request(
        case=case, by=investigator, institution=aba, account="000 123 456", transfers=usd_aba(case, aba)
    )
    answered = freeze.freeze_answer(freeze=request, by=investigator, status=status, frozen_amount=amount)
    assert answered.status == status and answered.frozen_amount == frozen


def test_an_investigator_of_another_province_gets_404(english, investigator, investigator_kandal, case, aba):
    request = freeze.freeze_request(
        case=case, by=investigator, institution=aba, account="000 123 456", transfers=usd_aba(case, aba)
    )
    client = english(investigator_kandal)
    assert client.get(f"{FREEZES}{request.reference}/").status_code == 404
    assert client.post(f"{FREEZES}{request.reference}/", {"status": "frozen"}).status_code == 404
    assert client.get(f"/cyber/staff/cases/{case.reference}/freeze/").status_code == 404
    assert request.reference not in client.get(FREEZES).content.decode()
    request.refresh_from_db()
    assert request.status == FreezeRequest.Status.SENT


def test_the_printable_request_lists_the_transfers(english, investigator, case, aba):
    request = freeze.freeze_request(
        case=case, by=investigator, institution=aba, account="000 123 456", transfers=usd_aba(case, aba)
    )
    body = english(investigator).get(f"{FREEZES}{request.reference}/print/").content.decode()
    assert "Request to freeze funds" in body and request.reference in body and case.reference in body
    assert "$1,200.00" in body and "$500.00" in body and "$1,700.00" in body
    assert len(re.findall(r"000 123 456", body)) >= 3
