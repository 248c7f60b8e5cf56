"""The progress-report workflow: draft, submit, return with a comment, correct, approve and lock; access
by unit; numbers only; concurrent edits; reminders sent once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from nokor.audit.models import AuditEvent
from nokor.notifications.models import Message
from nokor.strategy import reporting
from nokor.strategy.models import IndicatorValue, ProgressReport

pytestmark = pytest.mark.django_db


def cells_of(report):
    return {(cell.unit_code, cell.sex): cell.name for cell in reporting.value_cells(report)}


def draft(focal_point, awareness, period, values=None, **extra):
    report = reporting.report_create(
        by=focal_point, activity=awareness, period=period, unit=focal_point.active_roles[0].unit
    )
    names = cells_of(report)
    return reporting.report_update(
        by=focal_point,
        report=report,
        expected_version=report.lock_version,
        activity_status="in_progress",
        narrative=extra.get("narrative", "Sessions held."),
        risks="",
        budget_spent=None,
        values={names[key]: value for key, value in (values or {}).items()},
    )


def test_a_kandal_report_asks_for_kandal_values_by_sex(focal_point, awareness, period):
    report = reporting.report_create(
        by=focal_point, activity=awareness, period=period, unit=focal_point.active_roles[0].unit
    )
    assert set(cells_of(report)) == {("08", "female"), ("08", "male")}


def test_returned_report_is_corrected_resubmitted_and_approved_then_locked(
    focal_point, approver, awareness, period, login
):
    report = draft(
        focal_point, awareness, period, {("08", "female"): Decimal(10), ("08", "male"): Decimal(12)}
    )
    report = reporting.report_submit(by=focal_point, report=report)
    assert Message.objects.filter(user=approver, event="strategy.report_submitted").exists()

    reporting.report_return(by=approver, report=report, comment="The male figure looks wrong.")
    report.refresh_from_db()
    assert report.state == ProgressReport.State.RETURNED
    assert Message.objects.filter(user=focal_point, event="strategy.report_returned").exists()
    page = login(focal_point).get(reverse("strategy:report_edit", args=[report.pk]))
    assert "The male figure looks wrong." in page.content.decode()

    report = draft(
        focal_point, awareness, period, {("08", "female"): Decimal(10), ("08", "male"): Decimal(21)}
    )
    report = reporting.report_submit(by=focal_point, report=report)
    reporting.report_approve(by=approver, report=report)
    report.refresh_from_db()
    assert report.state == ProgressReport.State.APPROVED
    assert list(report.events.values_list("kind", flat=True)) == [
        "created",
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]
    actions = set(AuditEvent.objects.filter(object_id=str(report.pk)).values_list("action", flat=True))
    assert {"strategy.report_submit", "strategy.report_returned", "strategy.report_approved"} <= actions

    # Approved data is locked: the service refuses, the form page sends to the read-only page.
    with pytest.raises(reporting.ReportError):
        draft(focal_point, awareness, period, {("08", "male"): Decimal(99)})
    assert IndicatorValue.objects.get(report=report, sex="male").value == 21
    response = login(focal_point).post(
        reverse("strategy:report_edit", args=[report.pk]), {"activity_status": "completed"}
    )
    assert response.status_code == 302
    assert response.url == reverse("strategy:report_detail", args=[report.pk])
    assert IndicatorValue.objects.get(report=report, sex="male").value == 21


def test_kandal_focal_point_cannot_see_or_report_for_phnom_penh(
    focal_point, focal_point_phnom_penh, awareness, period, login, units
):
    other = draft(focal_point_phnom_penh, awareness, period)
    client = login(focal_point)
    assert client.get(reverse("strategy:report_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("strategy:report_edit", args=[other.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        reporting.report_create(by=focal_point, activity=awareness, period=period, unit=units["12"])
    mine = client.get(reverse("strategy:reports"))
    assert other not in mine.context["page_obj"].object_list


def test_a_non_number_is_refused_and_the_other_answers_are_kept(focal_point, awareness, period, login):
    report = draft(focal_point, awareness, period)
    names = cells_of(report)
    response = login(focal_point).post(
        reverse("strategy:report_edit", args=[report.pk]),
        {
            "lock_version": report.lock_version,
            "activity_status": "delayed",
            "narrative": "Two sessions postponed by rain.",
            names[("08", "female")]: "N/A",
            names[("08", "male")]: "១២",  # Khmer digits are numbers
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "not a word such as N/A" in page
    assert "Two sessions postponed by rain." in page
    assert 'value="N/A"' in page
    assert response.context["form"].cleaned_data[names[("08", "male")]] == 12
    assert not IndicatorValue.objects.filter(report=report).exists()


def test_a_value_must_fit_the_indicator_unit(focal_point, period, plan):
    from nokor.strategy.models import Activity

    law = Activity.objects.get(code="3.1.1")  # indicator 3.1.a is yes/no
    report = reporting.report_create(
        by=focal_point, activity=law, period=period, unit=focal_point.active_roles[0].unit
    )
    (name,) = cells_of(report).values()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        reporting.report_update(
            by=focal_point,
            report=report,
            expected_version=None,
            activity_status="in_progress",
            narrative="",
            risks="",
            budget_spent=None,
            values={name: Decimal(2)},
        )


def test_a_concurrent_edit_is_refused(focal_point, awareness, period):
    report = draft(focal_point, awareness, period)
    with pytest.raises(reporting.ConcurrentChange):
        reporting.report_update(
            by=focal_point,
            report=report,
            expected_version=report.lock_version - 1,
            activity_status="delayed",
            narrative="",
            risks="",
            budget_spent=None,
            values={},
        )


def test_only_approvers_decide_and_only_by_post(focal_point, approver, auditor, awareness, period, login):
    report = reporting.report_submit(by=focal_point, report=draft(focal_point, awareness, period))
    url = reverse("strategy:report_approve", args=[report.pk])
    assert login(auditor).post(url).status_code == 403
    assert login(approver).get(url).status_code == 405
    response = login(approver).post(reverse("strategy:report_return", args=[report.pk]), {"comment": ""})
    assert response.status_code == 400
    assert "Write what the focal point should correct." in response.content.decode()
    assert login(approver).post(url).status_code == 302
    report.refresh_from_db()
    assert report.state == ProgressReport.State.APPROVED


def test_reminders_are_sent_once_before_and_once_after_the_deadline(focal_point, period):
    import datetime as dt

    before = period.deadline - dt.timedelta(days=3)
    assert reporting.reminders_send(today=before) == 1
    assert reporting.reminders_send(today=before) == 0
    assert (
        Message.objects.filter(user=focal_point, event="strategy.report_due").count()
        == Message.objects.filter(user=focal_point, event="strategy.report_due")
        .values("channel")
        .distinct()
        .count()
    )
    after = period.deadline + dt.timedelta(days=2)
    assert reporting.reminders_send(today=after) == 1
    assert reporting.reminders_send(today=after) == 0


def test_staff_pages_render_with_few_queries(
    focal_point, approver, auditor, awareness, period, login, django_assert_max_num_queries
):
    report = reporting.report_submit(by=focal_point, report=draft(focal_point, awareness, period))
    for user, name, args in [
        (focal_point, "strategy:reports", []),
        (approver, "strategy:approvals", []),
        (auditor, "strategy:overview", []),
        (approver, "strategy:report_detail", [report.pk]),
    ]:
        client = login(user)
        with django_assert_max_num_queries(25):
            response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name


def test_evidence_is_checked_by_its_bytes_and_shown_only_within_the_unit(
    focal_point, focal_point_phnom_penh, auditor, awareness, period, login
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from nokor.services.tests.conftest import png_upload

    report = draft(focal_point, awareness, period)
    client = login(focal_point)
    url = reverse("strategy:evidence_add", args=[report.pk])
    fake = SimpleUploadedFile("list.pdf", b"not really a pdf", content_type="application/pdf")
    assert client.post(url, {"file": fake}).status_code == 302
    assert not report.evidence.exists()
    assert client.post(url, {"file": png_upload("attendance.png")}).status_code == 302
    evidence = report.evidence.get()
    assert evidence.content_type == "image/png"
    download = reverse("strategy:evidence", args=[evidence.pk])
    assert login(auditor).get(download).status_code == 200
    assert login(focal_point_phnom_penh).get(download).status_code == 404
