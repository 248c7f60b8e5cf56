"""The main path as service functions: submit, route, queue, request information, answer, decide."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from nokor.audit.models import AuditEvent
from nokor.notifications.models import Message
from nokor.services import selectors
from nokor.services import services as ops
from nokor.services.calendar import add_working_days
from nokor.services.models import Application, Status
from nokor.services.reference import normalize_reference
from nokor.services.tests.conftest import RESIDENCE_ANSWERS


def test_submit_routes_to_the_commune_and_sets_reference_and_deadline(submitted, citizen):
    assert submitted.status == Status.SUBMITTED
    assert normalize_reference(submitted.reference) == submitted.reference
    assert submitted.unit.code == "080101"  # commune of the village given
    assert submitted.deadline == add_working_days(
        timezone.localdate(submitted.submitted_at), submitted.service.processing_days
    )
    assert submitted.applicant_name == RESIDENCE_ANSWERS["full_name"]
    assert Message.objects.filter(user=citizen, event="application.submitted", channel="email").exists()
    assert AuditEvent.objects.filter(action="application.submit", subject=citizen).exists()


def test_references_are_unique_and_sequential(residence, citizen, submitted):
    second = ops.application_start(service=residence, applicant=citizen)
    ops.application_save_page(application=second, by=citizen, page_answers=dict(submitted.answers))
    second = ops.application_submit(application=second, by=citizen)
    assert second.number == submitted.number + 1 and second.reference != submitted.reference


def test_incomplete_draft_cannot_be_submitted(residence, citizen):
    draft = ops.application_start(service=residence, applicant=citizen)
    with pytest.raises(ops.ServiceError):
        ops.application_submit(application=draft, by=citizen)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.reference is None


def test_officer_of_the_province_sees_it_and_another_province_does_not(
    submitted, officer_kandal, officer_siem_reap
):
    assert submitted in selectors.queue_for(officer_kandal)
    assert submitted not in selectors.queue_for(officer_siem_reap)


def test_queue_search_by_reference_and_by_khmer_name(submitted, officer_kandal):
    assert list(selectors.queue_for(officer_kandal, search=submitted.reference.lower())) == [submitted]
    assert list(selectors.queue_for(officer_kandal, search="សុខា")) == [submitted]
    assert list(selectors.queue_for(officer_kandal, search="Nobody")) == []


def test_request_information_pauses_the_clock_and_answer_resumes_it(submitted, officer_kandal, citizen):
    start = submitted.submitted_at
    with time_machine.travel(start + dt.timedelta(hours=1)):
        ops.application_request_info(
            application=submitted, by=officer_kandal, message="Photo unreadable", fields=["id_document"]
        )
    submitted.refresh_from_db()
    assert submitted.status == Status.INFO_REQUESTED and submitted.paused_at is not None
    assert Message.objects.filter(user=citizen, event="application.info_requested").exists()
    before = submitted.deadline
    with time_machine.travel(start + dt.timedelta(days=7)):
        ops.application_provide_info(application=submitted, by=citizen, message="New photo attached")
    submitted.refresh_from_db()
    assert submitted.status == Status.IN_REVIEW and submitted.paused_at is None
    assert submitted.deadline > before  # the paused working days were given back


def test_approval_issues_the_signed_document(submitted, officer_kandal, citizen):
    ops.application_claim(application=submitted, by=officer_kandal)
    approved = ops.application_approve(
        application=Application.objects.get(pk=submitted.pk), by=officer_kandal
    )
    assert approved.status == Status.APPROVED and approved.document_code
    assert DBTaskResult.objects.filter(task_path__endswith="render_document").exists()
    assert Message.objects.filter(user=citizen, event="application.approved").exists()


def test_service_needing_a_supervisor_goes_to_them(catalogue, citizen, officer_kandal, supervisor_kandal):
    service = catalogue["assembly-notice"]
    application = ops.application_start(service=service, applicant=citizen)
    Application.objects.filter(pk=application.pk).update(status=Status.IN_REVIEW, unit_id=None)
    application.refresh_from_db()
    from nokor.geography.models import AdministrativeUnit

    application.unit = AdministrativeUnit.objects.get(code="0801")
    application.save(update_fields=["unit"])
    forwarded = ops.application_approve(application=application, by=officer_kandal)
    assert forwarded.status == Status.AWAITING_APPROVAL
    with pytest.raises(ops.ServiceError):
        ops.application_approve(application=forwarded, by=officer_kandal)
    final = ops.application_approve(application=forwarded, by=supervisor_kandal)
    assert final.status == Status.APPROVED


def test_refusal_needs_reasons_and_can_be_appealed_to_the_level_above(
    submitted, officer_kandal, citizen, supervisor_kandal
):
    with pytest.raises(ops.ServiceError):
        ops.application_refuse(application=submitted, by=officer_kandal, reason="  ")
    refused = ops.application_refuse(application=submitted, by=officer_kandal, reason="Not resident")
    appeal = ops.appeal_submit(application=refused, by=citizen, reason="I live there since 2015")
    assert appeal.unit.code == "0801"  # the district above the commune
    ops.appeal_decide(appeal=appeal, by=supervisor_kandal, upheld=True, reason="Evidence confirmed")
    assert Application.objects.get(pk=submitted.pk).status == Status.APPROVED


def test_appeal_after_the_deadline_is_refused(submitted, officer_kandal, citizen):
    refused = ops.application_refuse(application=submitted, by=officer_kandal, reason="Not resident")
    with (
        time_machine.travel(refused.decided_at + dt.timedelta(days=refused.service.appeal_days + 2)),
        pytest.raises(ops.ServiceError),
    ):
        ops.appeal_submit(application=refused, by=citizen, reason="late")


def test_two_officers_acting_at_once_one_wins_the_other_is_told(submitted, officer_kandal, supervisor_kandal):
    version = submitted.lock_version
    ops.application_claim(application=submitted, by=officer_kandal, expected_version=version)
    with pytest.raises(ops.ConcurrentChange):
        ops.application_refuse(
            application=submitted, by=supervisor_kandal, reason="x", expected_version=version
        )
    assert Application.objects.get(pk=submitted.pk).status == Status.IN_REVIEW


def test_supervisor_assigns_only_to_officers_of_the_same_scope(
    submitted, supervisor_kandal, officer_kandal, officer_siem_reap
):
    ops.application_assign(application=submitted, by=supervisor_kandal, to=officer_kandal)
    with pytest.raises(ops.ServiceError):
        ops.application_assign(application=submitted, by=supervisor_kandal, to=officer_siem_reap)
    with pytest.raises(ops.ServiceError):
        ops.application_assign(application=submitted, by=officer_kandal, to=officer_kandal)


def test_deadline_job_warns_then_escalates_once(submitted, officer_kandal, supervisor_kandal):
    from nokor.services.tasks import check_deadlines

    ops.application_claim(application=submitted, by=officer_kandal)
    with time_machine.travel(dt.datetime.combine(submitted.deadline, dt.time(3), tzinfo=dt.UTC)):
        assert check_deadlines.call()["warned"] == 1
    later = dt.datetime.combine(submitted.deadline + dt.timedelta(days=3), dt.time(3), tzinfo=dt.UTC)
    with time_machine.travel(later):
        assert check_deadlines.call()["escalated"] == 1
        assert check_deadlines.call()["escalated"] == 0
    assert (
        Message.objects.filter(user=supervisor_kandal, event="application.escalated", channel="inbox").count()
        == 1
    )


def test_feedback_once_after_decision(submitted, officer_kandal, citizen):
    with pytest.raises(ops.ServiceError):
        ops.feedback_submit(application=submitted, by=citizen, rating=5)
    ops.application_refuse(application=submitted, by=officer_kandal, reason="r")
    ops.feedback_submit(application=Application.objects.get(pk=submitted.pk), by=citizen, rating=4)
    with pytest.raises(ops.ServiceError):
        ops.feedback_submit(application=Application.objects.get(pk=submitted.pk), by=citizen, rating=4)


def test_filing_on_behalf_needs_a_mandate_and_both_see_it(residence, citizen, other_citizen):
    with pytest.raises(ops.ServiceError):
        ops.application_start(service=residence, applicant=citizen, filed_by=other_citizen, mandate="")
    application = ops.application_start(
        service=residence, applicant=citizen, filed_by=other_citizen, mandate="I am her brother"
    )
    assert application in Application.objects.visible_to(citizen)
    assert application in Application.objects.visible_to(other_citizen)


def test_performance_aggregation_suppresses_nothing_itself_and_counts(submitted, officer_kandal):
    from nokor.services.models import PerformanceAggregate
    from nokor.services.performance import compute

    ops.application_approve(application=submitted, by=officer_kandal)
    assert compute() > 0
    cell = PerformanceAggregate.objects.get(service=submitted.service, province_code="08", period="12m")
    assert (cell.received, cell.completed, cell.completed_on_time) == (1, 1, 1)
    assert not cell.shown  # fewer than 5: the page will not show it


def test_indicators_match_hand_computed_values(submitted, officer_kandal):
    from nokor.services import metrics

    ops.application_approve(application=submitted, by=officer_kandal)
    today = timezone.localdate(submitted.submitted_at)  # the Cambodian date
    assert metrics.share_within_charter(today, today, "08") == 100.0
    assert metrics.share_within_charter(today, today, "17") is None
    assert metrics.services_online(today, today, "") == 6


def test_confirmation_message_carries_a_copy_of_the_answers_unescaped(submitted, citizen):
    mail = Message.objects.get(user=citizen, event="application.submitted", channel="email")
    assert submitted.reference in mail.subject
    assert "Sokha Chan" in mail.body and "No. 12, Street 3" in mail.body
    assert "&quot;" not in mail.body and "&#x27;" not in mail.body


def test_fee_paid_at_the_office_is_recorded_once_with_its_receipt(submitted, officer_kandal):
    with pytest.raises(ops.ServiceError):
        ops.payment_record(application=submitted, by=officer_kandal, receipt_number="<script>")
    paid = ops.payment_record(application=submitted, by=officer_kandal, receipt_number=" R-2026 / 0042 ")
    assert (paid.receipt_number, paid.payment_method) == ("R-2026 / 0042", "office")
    with pytest.raises(ops.ServiceError):
        ops.payment_record(application=paid, by=officer_kandal, receipt_number="R-2")
