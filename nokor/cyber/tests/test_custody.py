"""Evidence and its chain of custody (nokor/cyber/custody.py): hashed at upload, written once, deleted
only when its case and report are closed and not held, every opening recorded with who, when and why,
intimate images only for cleared investigators, the custody log part of the tamper-evident audit chain.

The fixtures of this module (their names without ``_fixture``) are imported by the evidence view and
command tests."""

from __future__ import annotations

import hashlib
import io
import itertools

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from nokor.audit.models import AuditEvent
from nokor.audit.services import seal_pending, verify_chain
from nokor.cyber import custody, reference_data, reports
from nokor.cyber.models import Case, CaseEvent, EvidenceFile, Report

_numbers = itertools.count(1)


def png(name: str = "chat.png", colour: str = "white") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def stored_bytes(evidence: EvidenceFile) -> bytes:
    with evidence.file.storage.open(evidence.file.name, "rb") as handle:
        return handle.read()


@pytest.fixture(name="evidence_setup", autouse=True)
def evidence_setup_fixture(db, settings, tmp_path):
    """Files in a fresh temporary MEDIA_ROOT, the categories loaded, the rate limits reset; messages
    read in English."""
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    reference_data.load()
    with translation.override("en"):
        yield


@pytest.fixture(name="make_case")
def make_case_fixture(units, investigator):
    """``make_case(unit="12", status="closed", legal_hold=True)``: a case made with the ORM (the case
    services are another module's)."""

    def make(unit: str | None = "12", **fields) -> Case:
        number = next(_numbers)
        return Case.objects.create(
            number=number,
            reference=f"CASE-TEST-{number:06d}",
            title="Investment scam on Telegram",
            unit=units[unit] if unit else None,
            investigator=investigator,
            created_by=investigator,
            **fields,
        )

    return make


@pytest.fixture(name="make_report")
def make_report_fixture(units, citizen):
    """``make_report(category="sextortion", unit="12")``: a report the citizen filed, with one screenshot."""

    def make(category: str = "online-fraud", unit: str = "12", name: str = "chat.png") -> Report:
        return reports.report_submit(
            by=citizen,
            category=category,
            description="They asked me to pay.",
            evidence=[reports.EvidenceInput(file=png(name), name=name)],
            unit=units[unit],
            consent=True,
        ).report

    return make


@pytest.fixture(name="case_evidence")
def case_evidence_fixture(make_case, investigator):
    """A screenshot an investigator added to an open Phnom Penh case."""
    return custody.evidence_add(
        by=investigator, file=png("wallet.png"), case=make_case(), description="Screenshot of the wallet"
    )


def _close(case: Case) -> None:
    case.status = Case.Status.CLOSED
    case.save(update_fields=["status"])


# --------------------------------------------------------------------------------------------------
# Adding evidence
# --------------------------------------------------------------------------------------------------
def test_evidence_added_to_a_case_is_hashed_stored_once_and_starts_its_custody(make_case, investigator):
    case = make_case()
    upload = png("wallet.png", "red")
    expected = hashlib.sha256(upload.read()).hexdigest()

    evidence = custody.evidence_add(
        by=investigator, file=upload, case=case, description="The wallet", collected_where="Victim's phone"
    )

    evidence.refresh_from_db()
    assert evidence.sha256 == expected == hashlib.sha256(stored_bytes(evidence)).hexdigest()
    assert evidence.size == len(stored_bytes(evidence)) and evidence.content_type == "image/png"
    assert evidence.unit == case.unit and evidence.collected_by == investigator
    assert "wallet" not in evidence.file.name  # stored under a random name
    [event] = custody.custody_log(evidence)
    assert event.action == custody.COLLECTED and event.actor == investigator
    assert event.details["sha256"] == expected and event.details["where"] == "Victim's phone"
    assert CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.EVIDENCE).data["evidence"] == str(evidence.pk)


def test_evidence_added_to_a_case_with_a_sextortion_report_is_sensitive(make_case, make_report, investigator):
    case = make_case()
    report = make_report(category="sextortion")
    Report.objects.filter(pk=report.pk).update(case=case, status=Report.Status.LINKED)
    evidence = custody.evidence_add(by=investigator, file=png(), case=case)
    assert evidence.sensitive and custody.is_sensitive(evidence)


def test_a_file_over_the_report_size_limit_is_refused_and_nothing_is_stored(
    make_case, investigator, tmp_path
):
    big = SimpleUploadedFile(
        "huge.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (reports.EVIDENCE_MAX_MB * 1024 * 1024), "image/png"
    )
    with pytest.raises(custody.EvidenceError) as refused:
        custody.evidence_add(by=investigator, file=big, case=make_case())
    assert refused.value.field == "file"
    assert str(reports.EVIDENCE_MAX_MB) in refused.value.message and "smaller than" in refused.value.message
    assert not EvidenceFile.objects.exists() and not list(tmp_path.rglob("*.png"))


def test_a_file_that_is_not_an_image_or_pdf_is_refused(make_case, investigator):
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 an executable", "image/png")
    with pytest.raises(custody.EvidenceError, match="PDF, JPG or PNG"):
        custody.evidence_add(by=investigator, file=fake, case=make_case())


def test_evidence_cannot_be_added_to_a_closed_case_or_by_another_province(
    make_case, investigator, investigator_kandal
):
    with pytest.raises(custody.EvidenceError, match="closed"):
        custody.evidence_add(by=investigator, file=png(), case=make_case(status=Case.Status.CLOSED))
    with pytest.raises(PermissionDenied):
        custody.evidence_add(by=investigator_kandal, file=png(), case=make_case())
    assert not EvidenceFile.objects.exists()


# --------------------------------------------------------------------------------------------------
# Written once
# --------------------------------------------------------------------------------------------------
def test_stored_evidence_is_never_replaced(case_evidence, cyber_supervisor):
    original = stored_bytes(case_evidence)

    # Writing other bytes under the stored name gives another name: the storage never overwrites.
    other_name = case_evidence.file.storage.save(case_evidence.file.name, ContentFile(b"forged"))
    assert other_name != case_evidence.file.name and stored_bytes(case_evidence) == original

    # An instance whose file, hash or size were changed is refused by every service that saves it.
    for field, value in (("sha256", "0" * 64), ("size", 1), ("file", other_name)):
        changed = EvidenceFile.objects.get(pk=case_evidence.pk)
        setattr(changed, field, value)
        with pytest.raises(custody.EvidenceError, match="written once"):
            custody.evidence_legal_hold(
                evidence=changed, by=cyber_supervisor, hold=True, reason="Court order"
            )
    stored = EvidenceFile.objects.get(pk=case_evidence.pk)
    assert (stored.file.name, stored.sha256, stored.size, stored.legal_hold) == (
        case_evidence.file.name,
        case_evidence.sha256,
        case_evidence.size,
        False,
    )
    assert custody.evidence_verify(stored, record=False)


# --------------------------------------------------------------------------------------------------
# Deleting
# --------------------------------------------------------------------------------------------------
def test_evidence_of_an_open_case_may_not_be_deleted(case_evidence, investigator):
    with pytest.raises(custody.EvidenceError, match="case is still open"):
        custody.evidence_delete(evidence=case_evidence, by=investigator, reason="Retention ended")
    assert EvidenceFile.objects.filter(pk=case_evidence.pk).exists()


@pytest.mark.parametrize("held", ["case", "evidence"])
def test_evidence_under_legal_hold_may_not_be_deleted_even_after_closing(
    held, case_evidence, investigator, cyber_supervisor
):
    _close(case_evidence.case)
    if held == "case":
        Case.objects.filter(pk=case_evidence.case_id).update(legal_hold=True)
    else:
        custody.evidence_legal_hold(evidence=case_evidence, by=cyber_supervisor, hold=True, reason="Trial")
    with pytest.raises(custody.EvidenceError, match="legal hold"):
        custody.evidence_delete(evidence=case_evidence, by=investigator, reason="Retention ended")
    assert stored_bytes(case_evidence)


def test_evidence_of_a_closed_case_without_hold_is_deleted_with_its_file_and_the_log_kept(
    case_evidence, investigator, django_capture_on_commit_callbacks
):
    _close(case_evidence.case)
    storage, name = case_evidence.file.storage, case_evidence.file.name
    with django_capture_on_commit_callbacks(execute=True):
        custody.evidence_delete(evidence=case_evidence, by=investigator, reason="Retention ended")
    assert not EvidenceFile.objects.filter(pk=case_evidence.pk).exists() and not storage.exists(name)
    actions = [event.action for event in custody.custody_log(case_evidence.pk)]
    assert actions == [custody.COLLECTED, custody.DELETED]
    assert custody.custody_log(case_evidence.pk).last().details["reason"] == "Retention ended"


def test_evidence_of_a_report_is_kept_while_the_report_is_open(make_report, investigator):
    report = make_report()
    evidence = report.evidence.get()
    with pytest.raises(custody.EvidenceError, match="report is still open"):
        custody.evidence_delete(evidence=evidence, by=investigator, reason="Duplicate")
    Report.objects.filter(pk=report.pk).update(status=Report.Status.REJECTED)
    custody.evidence_delete(evidence=evidence, by=investigator, reason="Duplicate")
    assert not report.evidence.exists()


def test_a_deletion_needs_a_reason(case_evidence, investigator):
    _close(case_evidence.case)
    with pytest.raises(custody.EvidenceError) as refused:
        custody.evidence_delete(evidence=case_evidence, by=investigator, reason="  ")
    assert refused.value.field == "reason" and EvidenceFile.objects.filter(pk=case_evidence.pk).exists()


# --------------------------------------------------------------------------------------------------
# Opening, handing over, holding
# --------------------------------------------------------------------------------------------------
def test_a_download_needs_a_reason_and_is_recorded_with_who_and_why(case_evidence, investigator):
    with pytest.raises(custody.EvidenceError, match="Give the reason"):
        custody.evidence_open(evidence=case_evidence, by=investigator, reason="", purpose=custody.DOWNLOAD)
    assert custody.custody_log(case_evidence).count() == 1

    handle = custody.evidence_open(
        evidence=case_evidence, by=investigator, reason="For the prosecutor", purpose=custody.DOWNLOAD
    )
    with handle:
        assert hashlib.sha256(handle.read()).hexdigest() == case_evidence.sha256
    event = custody.custody_log(case_evidence).last()
    assert (event.action, event.actor, event.details["reason"]) == (
        custody.DOWNLOADED,
        investigator,
        "For the prosecutor",
    )


def test_opening_report_evidence_names_the_reporter_so_they_see_who_viewed_their_data(
    make_report, investigator, citizen
):
    evidence = make_report().evidence.get()
    custody.evidence_open(evidence=evidence, by=investigator, purpose=custody.VIEW).close()
    event = custody.custody_log(evidence).last()
    assert event.action == custody.VIEWED and event.subject == citizen


def test_an_intimate_image_is_opened_only_by_a_cleared_investigator_and_each_opening_recorded(
    make_report, investigator, sensitive_investigator, cyber_supervisor
):
    evidence = make_report(category="sextortion").evidence.get()
    assert evidence.sensitive
    for person in (investigator, cyber_supervisor):
        with pytest.raises(PermissionDenied, match="cleared for intimate images"):
            custody.evidence_open(evidence=evidence, by=person, reason="Need it", purpose=custody.VIEW)
    with pytest.raises(custody.EvidenceError, match="Give the reason"):
        custody.evidence_open(evidence=evidence, by=sensitive_investigator, reason="", purpose=custody.VIEW)

    custody.evidence_open(
        evidence=evidence, by=sensitive_investigator, reason="Identify the account", purpose=custody.VIEW
    ).close()
    event = custody.custody_log(evidence).last()
    assert event.action == custody.SENSITIVE_OPENED and event.actor == sensitive_investigator
    assert event.details["reason"] == "Identify the account" and event.details["purpose"] == custody.VIEW


def test_a_cleared_investigator_opens_intimate_images_of_their_own_unit_only(
    make_report, sensitive_investigator
):
    evidence = make_report(category="sextortion", unit="08").evidence.get()
    with pytest.raises(PermissionDenied):
        custody.evidence_open(evidence=evidence, by=sensitive_investigator, reason="x", purpose=custody.VIEW)


def test_hand_over_to_an_investigator_or_agency_is_recorded_with_the_recipient(
    case_evidence, investigator, cyber_supervisor, investigator_kandal
):
    custody.evidence_transfer(evidence=case_evidence, by=investigator, to=cyber_supervisor, reason="Review")
    custody.evidence_transfer(
        evidence=case_evidence, by=investigator, to="Phnom Penh prosecutor", reason="Indictment"
    )
    with pytest.raises(custody.EvidenceError, match="may not receive"):
        custody.evidence_transfer(evidence=case_evidence, by=investigator, to=investigator_kandal, reason="x")
    first, second = custody.custody_log(case_evidence).filter(action=custody.TRANSFERRED)
    assert first.details["to_user"] == cyber_supervisor.pk and first.details["reason"] == "Review"
    assert second.details["to"] == "Phnom Penh prosecutor" and second.details["to_user"] is None


def test_an_intimate_image_is_handed_over_only_to_a_cleared_investigator(
    make_report, sensitive_investigator, investigator
):
    evidence = make_report(category="sextortion").evidence.get()
    with pytest.raises(custody.EvidenceError, match="may not receive"):
        custody.evidence_transfer(evidence=evidence, by=sensitive_investigator, to=investigator, reason="x")
    assert list(custody.investigators_for(evidence)) == [sensitive_investigator]


def test_an_export_of_a_case_report_is_recorded_in_each_items_custody(
    make_case, investigator, investigator_kandal
):
    case = make_case()
    items = [custody.evidence_add(by=investigator, file=png(name), case=case) for name in ("a.png", "b.png")]
    with pytest.raises(PermissionDenied):
        custody.evidence_export(items=items, by=investigator_kandal, export="Case report")
    custody.evidence_export(items=items, by=investigator, export=f"Case report {case.reference} (PDF)")
    for item in items:
        event = custody.custody_log(item).last()
        assert event.action == custody.EXPORTED and event.details["export"].startswith("Case report CASE-")


def test_only_a_supervisor_places_a_legal_hold(case_evidence, investigator, cyber_supervisor):
    with pytest.raises(PermissionDenied):
        custody.evidence_legal_hold(evidence=case_evidence, by=investigator, hold=True, reason="Trial")
    held = custody.evidence_legal_hold(evidence=case_evidence, by=cyber_supervisor, hold=True, reason="Trial")
    assert held.legal_hold and EvidenceFile.objects.get(pk=case_evidence.pk).legal_hold
    assert custody.custody_log(case_evidence).last().details == {
        "sha256": case_evidence.sha256,
        "hold": True,
        "reason": "Trial",
    }


# --------------------------------------------------------------------------------------------------
# Re-verification and the tamper-evident log
# --------------------------------------------------------------------------------------------------
def test_re_verification_detects_a_modified_or_missing_file_and_is_recorded(case_evidence, investigator):
    assert custody.evidence_verify(case_evidence, by=investigator)
    path = case_evidence.file.path
    with open(path, "wb") as handle:
        handle.write(b"\x89PNG\r\n\x1a\n edited")
    assert not custody.evidence_verify(case_evidence, by=investigator)
    case_evidence.file.storage.delete(case_evidence.file.name)
    assert not custody.evidence_verify(case_evidence, by=investigator)
    results = [
        e.details["result"] for e in custody.custody_log(case_evidence).filter(action=custody.VERIFIED)
    ]
    assert results == [custody.INTACT, custody.MODIFIED, custody.MISSING]


def test_editing_a_custody_event_breaks_the_audit_chain_and_the_items_log(case_evidence, investigator):
    custody.evidence_open(
        evidence=case_evidence, by=investigator, reason="Check", purpose=custody.DOWNLOAD
    ).close()
    custody.evidence_verify(case_evidence, by=investigator)
    assert (
        verify_chain()[1] is None and custody.custody_chain_break(custody.custody_log(case_evidence)) is None
    )
    download = custody.custody_log(case_evidence).get(action=custody.DOWNLOADED)

    AuditEvent.objects.filter(pk=download.pk).update(details={**download.details, "reason": "Nothing"})

    assert verify_chain()[1].seq == download.seq
    assert custody.custody_chain_break(custody.custody_log(case_evidence)).seq == download.seq


def test_a_forged_event_with_a_recomputed_hash_is_still_caught_by_the_next_link(case_evidence, investigator):
    custody.evidence_open(
        evidence=case_evidence, by=investigator, reason="Check", purpose=custody.DOWNLOAD
    ).close()
    custody.evidence_verify(case_evidence, by=investigator)
    seal_pending()  # what the worker does every minute
    forged = custody.custody_log(case_evidence).get(action=custody.DOWNLOADED)
    forged.details = {**forged.details, "reason": "Nothing"}
    forged.hash = forged.compute_hash()
    AuditEvent.objects.filter(pk=forged.pk).update(details=forged.details, hash=forged.hash)

    breaks = custody.custody_chain_break(custody.custody_log(case_evidence))
    assert breaks.seq == forged.seq and "after" in breaks.reason
    assert verify_chain()[1] is not None


def test_the_custody_log_and_its_check_take_two_queries(
    case_evidence, investigator, django_assert_num_queries
):
    for _ in range(5):
        custody.evidence_verify(case_evidence, by=investigator)
    seal_pending()
    with django_assert_num_queries(2):
        assert custody.custody_chain_break(custody.custody_log(case_evidence)) is None
