"""manage.py seed_scale --applications: the benchmark's applications are real applications (valid answers,
routing, references, deadlines, timelines), tops up instead of duplicating, and leaves the numbering
so that the next real submission follows on."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from nokor.core.models import Sequence
from nokor.documents.services import document_verify
from nokor.services import forms_engine, scale
from nokor.services import services as ops
from nokor.services.calendar import add_working_days
from nokor.services.models import Application, ApplicationEvent, Attachment, Status
from nokor.services.reference import normalize_reference
from nokor.services.tests.conftest import RESIDENCE_ANSWERS, png_upload

FACTS = "NOKOR_SEED "


@pytest.fixture(autouse=True)
def demo_mode(settings):
    settings.DEMO = True  # seed_scale refuses to run outside demo and benchmark installations


def seed_scale(*args: str) -> dict:
    """Run the command; the facts it printed for the benchmark."""
    out = io.StringIO()
    call_command("seed_scale", *args, stdout=out)
    line = next(line for line in out.getvalue().splitlines() if line.startswith(FACTS))
    return json.loads(line.removeprefix(FACTS))


@pytest.fixture
def seeded(catalogue, officer_kandal, other_citizen):
    """300 applications and 5 drafts of the benchmark (and the demo people it uses)."""
    return seed_scale("--applications", "300", "--bench-drafts", "5")["services"]


def test_it_creates_the_applications_asked_for_with_the_benchmark_drafts(seeded):
    assert Application.objects.count() == 300 + 5
    assert seeded["applications"] == 305 and seeded["drafts_added"] == 5
    assert Application.objects.filter(applicant__email__endswith="@scale.nokor.invalid").exists()


def test_statuses_are_spread_over_the_workflow(seeded):
    statuses = Counter(Application.objects.values_list("status", flat=True))
    assert statuses[Status.APPROVED] > statuses[Status.REFUSED] > 0
    assert statuses[Status.DRAFT] >= 5
    open_ = sum(statuses[status] for status in (Status.SUBMITTED, Status.IN_REVIEW, Status.INFO_REQUESTED))
    assert 0 < open_ < statuses[Status.APPROVED]


def test_references_are_unique_valid_and_numbered_within_their_year(seeded):
    rows = list(
        Application.objects.exclude(status=Status.DRAFT).values_list("reference", "number", "submitted_at")
    )
    references = [reference for reference, _, _ in rows]
    assert len(references) == len(set(references)) == Application.objects.exclude(status=Status.DRAFT).count()
    for reference, number, submitted_at in rows:
        assert normalize_reference(reference) == reference
        year = timezone.localdate(submitted_at).year
        assert reference.startswith(f"NK-{year}-{number:06d}-")
        assert Sequence.objects.get(name=f"application-{year}").value >= number
    assert not Application.objects.filter(status=Status.DRAFT, reference__isnull=False).exists()


def test_answers_routing_and_deadlines_are_those_of_a_real_submission(seeded):
    submitted = Application.objects.exclude(status=Status.DRAFT).select_related(
        "service", "service_version", "unit"
    )
    for application in submitted:
        definition = application.service_version.form_definition
        assert forms_engine.missing_answers(definition, application.answers) == [], application.reference
        assert application.unit == ops.responsible_unit(application.service, application.answers)
        day = timezone.localdate(application.submitted_at)
        assert application.deadline == add_working_days(day, application.service.processing_days)
        events = list(application.events.values_list("kind", flat=True))
        assert events[:2] == ["created", "submitted"]


def test_approved_applications_have_a_document_that_verifies(seeded):
    approved = Application.objects.filter(status=Status.APPROVED).exclude(document_code="")
    assert approved.exists()
    for application in approved[:20]:
        result = document_verify(code=application.document_code)
        assert result.status == "genuine" and result.code == application.document_code


def test_file_answers_point_at_attachments_of_their_application(seeded):
    for attachment in Attachment.objects.select_related("application")[:50]:
        answer = attachment.application.answers[attachment.field_name]
        assert answer["attachment"] == str(attachment.pk)


def test_overdue_open_applications_were_escalated_as_the_hourly_job_does(seeded):
    overdue = Application.objects.filter(
        status__in=(Status.SUBMITTED, Status.IN_REVIEW),
        deadline__lt=timezone.localdate(),
        paused_at__isnull=True,
    )
    assert not overdue.filter(escalated_at__isnull=True).exists()
    for application in overdue:
        assert ApplicationEvent.objects.filter(application=application, kind="escalated").exists()


def test_the_next_real_submission_gets_the_next_reference(seeded, residence, citizen):
    year = timezone.localdate().year
    last = Sequence.objects.get(name=f"application-{year}").value
    application = ops.application_start(service=residence, applicant=citizen)
    upload = png_upload()
    upload.sniffed_content_type = "image/png"
    ops.application_save_page(
        application=application, by=citizen, page_answers=RESIDENCE_ANSWERS, files={"id_document": upload}
    )
    application = ops.application_submit(application=application, by=citizen)
    assert application.number == last + 1
    assert Application.objects.filter(reference=application.reference).count() == 1


def test_the_facts_name_records_the_benchmark_can_open(seeded, login, officer_kandal, other_citizen):
    application = Application.objects.get(pk=seeded["application_id"])
    assert application.reference == seeded["application_reference"] and application.status == Status.IN_REVIEW
    assert application.unit.code.startswith("08") and application.assigned_to == officer_kandal
    client = login(officer_kandal)
    assert (
        seeded["application_reference"] in client.get(f"/services/queue/{application.pk}/").content.decode()
    )
    page = client.get("/services/queue/", {"q": seeded["application_reference"]}).content.decode()
    assert f'href="/services/queue/{application.pk}/"' in page
    verified = client.get(f"/verify/{seeded['document_code']}").content.decode()
    assert seeded["document_display_code"] in verified


def test_a_benchmark_draft_is_submitted_by_its_citizen_from_check_your_answers(seeded, login, other_citizen):
    draft = Application.objects.get(pk=f"{seeded['draft_id_prefix']}000000000003")
    assert draft.applicant == other_citizen and draft.status == Status.DRAFT
    response = login(other_citizen).post(f"/services/my/{draft.pk}/check/", {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == f"/services/my/{draft.pk}/confirmation/"
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED and normalize_reference(draft.reference) == draft.reference


def test_it_tops_up_instead_of_duplicating(seeded):
    again = seed_scale("--applications", "300", "--bench-drafts", "5")["services"]
    assert Application.objects.count() == 305 and again["drafts_added"] == 0
    assert again["application_reference"] == seeded["application_reference"]
    seed_scale("--applications", "340")
    assert Application.objects.count() == 345
    references = list(Application.objects.exclude(reference=None).values_list("reference", flat=True))
    assert len(references) == len(set(references))


def test_it_refuses_outside_demo_installations(settings, catalogue):
    settings.DEMO = False
    with pytest.raises(CommandError, match="NOKOR_DEMO"):
        call_command("seed_scale", "--applications", "10")


def test_it_needs_the_administrative_tree(db):
    with pytest.raises(CommandError, match="load_gazetteer"):
        call_command("seed_scale", "--applications", "10")


def test_draft_identifiers_follow_the_prefix_the_benchmark_formats():
    assert str(scale.draft_id(255)) == f"{scale.DRAFT_ID_PREFIX}0000000000ff"


def test_the_working_day_count_matches_the_calendar(catalogue, officer_kandal):
    factory = scale._Factory(loader=None, seed=1, log=lambda message: None)
    start = timezone.localdate() - dt.timedelta(days=400)
    for offset in range(0, 400, 13):
        day = start + dt.timedelta(days=offset)
        for days in (3, 5, 45):
            assert factory.deadline(day, days) == add_working_days(day, days)
