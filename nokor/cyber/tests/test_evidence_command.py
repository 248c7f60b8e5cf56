"""manage.py evidence: ``verify`` re-hashes the stored files, names each modified or missing one, records
a re-verification in every item's chain of custody and fails when anything is wrong; ``log`` prints a
chain of custody."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from nokor.audit.models import AuditEvent
from nokor.audit.services import verify_chain
from nokor.cyber import custody
from nokor.cyber.tests.test_custody import (  # noqa: F401 (fixtures)
    case_evidence_fixture,
    evidence_setup_fixture,
    make_case_fixture,
    make_report_fixture,
    png,
)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("evidence", *args, stdout=out, stderr=out)
    return out.getvalue()


def run_failing(*args: str) -> tuple[str, str]:
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("evidence", *args, stdout=out, stderr=out)
    return out.getvalue(), str(failed.value)


@pytest.fixture
def three_files(case_evidence, make_report):
    """A case's file and two reports' files."""
    return [case_evidence, make_report().evidence.get(), make_report(name="other.png").evidence.get()]


def test_intact_files_pass_and_each_gets_a_re_verification_in_its_log(three_files):
    output = run("verify")
    assert "Checked 3 evidence files: 3 intact, 0 modified, 0 missing." in output
    for item in three_files:
        event = custody.custody_log(item).last()
        assert event.action == custody.VERIFIED and event.details["result"] == custody.INTACT
        assert event.actor is None and event.actor_label == "manage.py evidence verify"
    assert verify_chain()[1] is None


def test_a_modified_file_is_named_and_the_command_fails(three_files):
    modified = three_files[1]
    with open(modified.file.path, "wb") as handle:
        handle.write(b"\x89PNG\r\n\x1a\nother bytes")
    output, error = run_failing("verify")
    assert f"MODIFIED {modified.pk} 'chat.png'" in output and f"expected {modified.sha256}" in output
    assert "2 intact, 1 modified, 0 missing" in error
    assert custody.custody_log(modified).last().details["result"] == custody.MODIFIED


def test_a_missing_file_is_named_and_the_command_fails(three_files):
    missing = three_files[0]
    missing.file.storage.delete(missing.file.name)
    output, error = run_failing("verify")
    assert f"MISSING {missing.pk} 'wallet.png'" in output and "1 missing" in error
    assert custody.custody_log(missing).last().details["result"] == custody.MISSING


def test_only_one_case_or_recent_files_are_checked_when_asked(three_files, make_case, investigator):
    case = three_files[0].case
    assert "Checked 1 evidence files" in run("verify", "--case", case.reference)
    assert "Checked 0 evidence files" in run("verify", "--case", "CASE-NONE")
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        custody.evidence_add(by=investigator, file=png("later.png"), case=case)
    since = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    assert "Checked 1 evidence files" in run("verify", "--since", since)


def test_a_run_over_several_batches_records_every_item_once(three_files, monkeypatch):
    from nokor.cyber.management.commands import evidence as command

    monkeypatch.setattr(command, "BATCH", 2)
    before = AuditEvent.objects.count()
    run("verify")
    assert AuditEvent.objects.count() == before + 3 and verify_chain()[1] is None


def test_the_log_of_an_item_is_printed_and_a_tampered_one_fails(case_evidence, investigator):
    custody.evidence_open(
        evidence=case_evidence, by=investigator, reason="Court", purpose=custody.DOWNLOAD
    ).close()
    output = run("log", str(case_evidence.pk))
    assert custody.COLLECTED in output and "reason=Court" in output and "links verify" in output

    AuditEvent.objects.filter(action=custody.DOWNLOADED).update(details={"reason": "Other"})
    _, error = run_failing("log", str(case_evidence.pk))
    assert "Chain of custody broken" in error
    _, error = run_failing("log", "not-an-id")
    assert "No evidence file" in error
