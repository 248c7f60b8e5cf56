"""Issuing: one published function, validated, audited, with its rendering queued in the same
transaction; codes are unguessable and self-checking."""

import pytest
from django.db import transaction
from django.template import TemplateDoesNotExist
from django_tasks_db.models import DBTaskResult

from nokor.audit.models import AuditEvent
from nokor.documents import codes
from nokor.documents.models import Document


def test_issue_saves_audits_and_queues_the_render(issue, citizen, supervisor_kandal, units):
    document = issue(by=supervisor_kandal)
    assert document.status == Document.Status.GENUINE
    assert document.render_status == Document.RenderStatus.PENDING
    assert document.title_km == "លិខិតបញ្ជាក់ទីលំនៅ" and document.title_en == "Residence certificate"
    assert document.template_name == "documents/pdf/residence_certificate.html"
    assert document.issued_by == supervisor_kandal
    event = AuditEvent.objects.get(action="document.issue")
    assert (event.subject, event.actor, event.unit) == (citizen, supervisor_kandal, units["08"])
    assert event.details["code"] == document.code
    task = DBTaskResult.objects.get(task_path__endswith="render_document")
    assert task.args_kwargs["args"] == [document.pk]


def test_an_automatic_issue_is_shown_as_ministry_staff(issue):
    issue(by=None)
    assert AuditEvent.objects.get(action="document.issue").actor_label == "staff"


def test_a_rolled_back_issue_leaves_no_document_and_no_task(issue):
    with pytest.raises(RuntimeError), transaction.atomic():
        issue()
        raise RuntimeError("the approval failed after the document was issued")
    assert not Document.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_issue_remembers_what_the_document_was_issued_for(issue, citizen):
    document = issue(source=citizen)
    assert (document.source_type, document.source_id) == ("accounts.user", str(citizen.pk))


def test_titles_and_template_can_be_given(issue):
    document = issue(titles={"en": "Certificate of residence"}, template_name="documents/pdf/base.html")
    assert document.title_en == "Certificate of residence" and document.title_km == "លិខិតបញ្ជាក់ទីលំនៅ"
    assert document.template_name == "documents/pdf/base.html"


def test_dates_in_the_content_are_stored_as_iso_text(issue):
    import datetime as dt

    document = issue(context={"address": "x", "date_of_birth": dt.date(1990, 4, 17)})
    document.refresh_from_db()
    assert document.context["date_of_birth"] == "1990-04-17"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"document_type": "no_such_document"}, LookupError),
        ({"template_name": "documents/pdf/missing.html"}, TemplateDoesNotExist),
        ({"data": {"holder_name": "x", "phone": "012 345 678"}}, ValueError),  # more than verification shows
        ({"holder_name": "  "}, ValueError),
        ({"context": {"when": object()}}, ValueError),
    ],
)
def test_issue_refuses_bad_input(issue, change, error):
    with pytest.raises(error):
        issue(**change)
    assert not Document.objects.exists()


def test_codes_are_random_and_carry_a_check_character():
    made = {codes.new_code() for _ in range(200)}
    assert len(made) == 200
    for code in made:
        assert len(code) == 17 and codes.normalize_code(code) == code


def test_every_single_mistyped_character_is_detected():
    code = codes.new_code()
    for position in range(len(code)):
        for char in codes.ALPHABET:
            if char != code[position]:
                assert codes.normalize_code(code[:position] + char + code[position + 1 :]) is None


def test_codes_are_read_as_people_type_them():
    code = codes.new_code()
    printed = codes.display_code(code)
    assert printed.count("-") == 4
    assert codes.normalize_code(f"  {printed.lower()} ") == code
    assert codes.normalize_code(code.replace("0", "O").replace("1", "I")) == code


@pytest.mark.parametrize(
    "garbage", ["", "-", "x" * 5000, None, 42, "ព្រះរាជាណាចក្រកម្ពុជា", "\x00" * 17, "U" * 17]
)
def test_garbage_is_not_a_code(garbage):
    assert codes.normalize_code(garbage) is None
