"""Faults while a citizen applies (issue 10): a full disk or an upload folder that cannot be written gives
a clear error on the page, keeps the draft and what was typed, and leaves nothing half-saved (no row, no
partial file)."""

from __future__ import annotations

import io
import resource
import signal
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from nokor.services.models import Application, Attachment

STORE_ERROR = "Your file could not be stored just now."


def _photo(size: int = 300) -> SimpleUploadedFile:
    """A noisy PNG of about 250 KB: random pixels do not compress."""
    buffer = io.BytesIO()
    Image.effect_noise((size, size), 100).convert("RGB").save(buffer, format="PNG")
    return SimpleUploadedFile("id.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def draft(login, citizen, residence, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    client = login(citizen)
    client.cookies["nokor_language"] = "en"  # the messages are compared in English
    client.post(f"/services/{residence.slug}/start/", {"who": "me"})
    application = Application.objects.get(applicant=citizen)
    page = client.post(
        f"/services/my/{application.pk}/page/name/", {"full_name": "សុខា ចាន់", "latin_name": "Sokha Chan"}
    )
    assert page.status_code == 302
    return client, application


@contextmanager
def small_disk():
    """Files this process writes may not grow past 16 KB (the kernel's RLIMIT_FSIZE: the write fails
    with EFBIG midway, as on a full disk, after part of the file is written)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an error from write(), not a kill
    resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def _files_under(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_full_disk_keeps_the_draft_and_leaves_no_partial_file(draft, settings):
    client, application = draft
    with small_disk():
        response = client.post(f"/services/my/{application.pk}/page/document/", {"id_document": _photo()})
    assert response.status_code == 200
    assert STORE_ERROR in response.content.decode() and "error-summary" in response.content.decode()
    application.refresh_from_db()
    assert application.answers["latin_name"] == "Sokha Chan" and "id_document" not in application.answers
    assert not Attachment.objects.filter(application=application).exists()
    assert _files_under(settings.MEDIA_ROOT) == []  # the partly written file was removed


def test_once_there_is_room_the_same_upload_goes_through(draft, settings):
    client, application = draft
    with small_disk():
        refused = client.post(f"/services/my/{application.pk}/page/document/", {"id_document": _photo()})
    assert STORE_ERROR in refused.content.decode()
    response = client.post(f"/services/my/{application.pk}/page/document/", {"id_document": _photo()})
    assert response.status_code == 302
    assert len(_files_under(settings.MEDIA_ROOT)) == 1
    assert Attachment.objects.filter(application=application, replaced=False).count() == 1


def test_an_upload_folder_that_cannot_be_written_gives_a_clear_error(draft, settings, tmp_path):
    client, application = draft
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the upload folder should be")
    settings.MEDIA_ROOT = blocked
    response = client.post(f"/services/my/{application.pk}/page/document/", {"id_document": _photo(40)})
    assert response.status_code == 200 and STORE_ERROR in response.content.decode()
    application.refresh_from_db()
    assert application.answers["full_name"] == "សុខា ចាន់" and "id_document" not in application.answers
    assert not Attachment.objects.filter(application=application).exists()
