"""Text normalisation for storing and searching names written in Khmer or Latin script."""

from __future__ import annotations

import re
import unicodedata

# Zero-width characters that Khmer typists insert to mark word breaks; invisible, but they break matching.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"\s+")
KHMER_DIGITS = "០១២៣៤៥៦៧៨៩"
_KHMER_TO_LATIN_DIGITS = str.maketrans(KHMER_DIGITS, "0123456789")


def strip_invisible(value: str) -> str:
    """Remove zero-width characters and collapse white space (what we store)."""
    return _SPACES.sub(" ", value.translate(_INVISIBLE)).strip()


def normalize_for_search(value: str) -> str:
    """The form names are indexed and searched by: NFC, no zero-width characters, casefolded, Latin digits."""
    value = unicodedata.normalize("NFC", strip_invisible(value or ""))
    return value.translate(_KHMER_TO_LATIN_DIGITS).casefold()


def latin_digits(value: str) -> str:
    """Accept Khmer digits typed into a number field."""
    return value.translate(_KHMER_TO_LATIN_DIGITS)


def current_language() -> str:
    """``"en"`` on English pages, else ``"km"`` (Khmer is the default)."""
    from django.utils.translation import get_language

    return "en" if (get_language() or "km").startswith("en") else "km"


def in_language(km: str, en: str) -> str:
    """The English text on English pages when there is one, else the Khmer (Khmer is the default)."""
    return en if en and current_language() == "en" else km
