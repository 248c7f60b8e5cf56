"""Every message of our catalogue has a Khmer translation (no untranslated, no fuzzy entry)."""

import shutil
import subprocess
from pathlib import Path

import pytest

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "km" / "LC_MESSAGES" / "django.po"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext (msgfmt) is not installed")
def test_khmer_catalogue_is_complete_and_valid():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOGUE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext (msgfmt) is not installed")
def test_every_string_in_the_code_is_in_the_catalogue(monkeypatch):
    """makemessages adds nothing untranslated: no string was added to the code without its translation.
    (It rewrites the catalogue in place, so the file is restored afterwards whatever happens.)"""
    from django.core.management import call_command

    original = CATALOGUE.read_bytes()
    monkeypatch.chdir(CATALOGUE.parents[4])
    try:
        call_command(
            "makemessages",
            locale=["km"],
            ignore_patterns=[".venv", "bench", "e2e", "data"],
            no_obsolete=True,
            verbosity=0,
        )
        result = subprocess.run(
            ["msgfmt", "--statistics", "-o", "/dev/null", str(CATALOGUE)],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        CATALOGUE.write_bytes(original)
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
