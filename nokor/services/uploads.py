"""Checking uploaded files: the type is read from the file's first bytes, never from its name or from
the type the browser declared (both are chosen by the sender), and the size is limited.

Only the formats people actually scan or photograph documents in are accepted: PDF, JPEG and PNG.
"""

from __future__ import annotations

import hashlib
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Enough bytes to recognise every supported format.
HEAD_SIZE = 16

# The signatures ("magic numbers") the formats start with.
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
SUPPORTED_TYPES = tuple(content_type for _signature, content_type in _SIGNATURES)
# Names people know the formats by, and the extension a stored file gets.
FORMAT_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG"}
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
MEGABYTE = 1024 * 1024


def sniff_content_type(head: bytes) -> str | None:
    """The type of a file from its first bytes (PDF, JPEG or PNG), or None when it is none of them."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def _read_head(uploaded_file: IO[bytes]) -> bytes:
    uploaded_file.seek(0)
    head = uploaded_file.read(HEAD_SIZE)
    uploaded_file.seek(0)
    return head


def formats_phrase(accept: list[str] | tuple[str, ...]) -> str:
    """ "PDF, JPG or PNG": the accepted formats as a phrase for messages and hints."""
    names = [FORMAT_NAMES[content_type] for content_type in accept]
    if len(names) == 1:
        return names[0]
    return str(_("%(first)s or %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]})


def validate_upload(uploaded_file, accept: list[str] | tuple[str, ...], max_size_mb: int) -> str:
    """Check an uploaded file's real type and its size; return the type read from its bytes.

    Raises ValidationError with a message for the person uploading it: the file is empty, too large,
    or not of an accepted type (whatever its name or declared type says).
    """
    size = getattr(uploaded_file, "size", None) or 0
    if size == 0:
        raise ValidationError(_("The selected file is empty. Choose another file."), code="empty")
    if size > max_size_mb * MEGABYTE:
        raise ValidationError(
            _("The file must be smaller than %(size)s MB."), code="too_large", params={"size": max_size_mb}
        )
    content_type = sniff_content_type(_read_head(uploaded_file))
    if content_type not in accept:
        raise ValidationError(
            _("The file must be a %(formats)s."),
            code="wrong_type",
            params={"formats": formats_phrase(accept)},
        )
    return content_type


def sha256_hex(uploaded_file) -> str:
    """The SHA-256 digest of an uploaded file, read in chunks (the file is rewound afterwards)."""
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()
