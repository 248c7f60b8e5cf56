"""Text normalisation for storing, searching and sorting names written in Khmer or Latin script.

Searching: ``normalize_for_search`` is the one form every search index and every query goes through
(``search_name``, ``full_name_search``, ``applicant_name_search``, the open data index...). Besides
removing zero-width characters it folds the common Khmer spelling variants of ``KHMER_VARIANTS`` onto
one form, so a name typed one way finds the same name stored the other way.

Sorting: ``khmer_order(field)`` orders a queryset in Khmer dictionary order: the ICU collation
``khmer`` (locale km-KH, created by core migration 0004) on PostgreSQL; on SQLite a collation of the same
name registered on every connection with ``khmer_sort_key``, an approximation written without ICU.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

# Zero-width characters that Khmer typists insert to mark word breaks; invisible, but they break matching.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"\s+")
KHMER_DIGITS = "០១២៣៤៥៦៧៨៩"
_KHMER_TO_LATIN_DIGITS = str.maketrans(KHMER_DIGITS, "0123456789")


def strip_invisible(value: str) -> str:
    """Remove zero-width characters and collapse white space (what we store)."""
    return _SPACES.sub(" ", value.translate(_INVISIBLE)).strip()


# Spellings of the same Khmer text that must find each other, each folded onto the form on the right.
# Checked against the Unicode Standard (chapter 16.4, Khmer: independent vowels and the characters whose
# use is discouraged) and against real usage. Applied in this order (longer sequences first).
KHMER_VARIANTS: tuple[tuple[str, str, str], ...] = (
    # Deprecated by Unicode ("do not use"): QAQ and QAA are QA and QA + AA; the inherent vowels AQ and AA
    # are invisible and are dropped.
    ("\u17a3", "\u17a2", "U+17A3 KHMER INDEPENDENT VOWEL QAQ (deprecated) is written អ"),
    ("\u17a4", "\u17a2\u17b6", "U+17A4 KHMER INDEPENDENT VOWEL QAA (deprecated) is written អា"),
    ("\u17b4", "", "U+17B4 KHMER VOWEL INHERENT AQ: invisible, do not use"),
    ("\u17b5", "", "U+17B5 KHMER VOWEL INHERENT AA: invisible, do not use"),
    # Subscript DA and subscript TA look the same; both spellings are in use (កណ្ដាល / កណ្តាល).
    ("\u17d2\u178a", "\u17d2\u178f", "COENG DA ្ដ = COENG TA ្ត"),
    # The word 'to give / so that' is written ឲ្យ, ឱ្យ or អោយ.
    ("\u17b2\u17d2\u1799", "\u17a2\u17c4\u1799", "ឲ្យ = អោយ"),
    ("\u17b1\u17d2\u1799", "\u17a2\u17c4\u1799", "ឱ្យ = អោយ"),
    # Independent vowels and their spelled-out forms: QA + the dependent vowel of the same sound.
    # (ឱ and ឲ sound [aon], the vowel ោ, not ូ; ឩ is the one that is អូ.)
    ("\u17a5", "\u17a2\u17b7", "ឥ = អិ"),
    ("\u17a6", "\u17a2\u17b8", "ឦ = អី"),
    ("\u17a7", "\u17a2\u17bb", "ឧ = អុ"),
    ("\u17a9", "\u17a2\u17bc", "ឩ = អូ"),
    ("\u17aa", "\u17a2\u17c5", "ឪ = អៅ (ឪពុក is also written ឳពុក, អៅពុក)"),
    ("\u17af", "\u17a2\u17c1", "ឯ = អេ"),
    ("\u17b0", "\u17a2\u17c3", "ឰ = អៃ"),
    ("\u17b1", "\u17a2\u17c4", "ឱ = អោ (ឱកាស / អោកាស)"),
    ("\u17b2", "\u17a2\u17c4", "ឲ = អោ"),
    ("\u17b3", "\u17a2\u17c5", "ឳ = អៅ"),
    # The vocalic r and l letters and their spelled-out forms (ឬ 'or' is often typed រឺ; ឮ 'hear', លឺ).
    ("\u17ab", "\u179a\u17b9", "ឫ = រឹ"),
    ("\u17ac", "\u179a\u17ba", "ឬ = រឺ"),
    ("\u17ad", "\u179b\u17b9", "ឭ = លឹ"),
    ("\u17ae", "\u179b\u17ba", "ឮ = លឺ"),
    # Split vowels typed in two pieces that render like the single vowel.
    ("\u17c1\u17b8", "\u17be", "េ + ី = ើ"),
    ("\u17c1\u17b6", "\u17c4", "េ + ា = ោ"),
)
# Typing order: a subscript RO is written last in a cluster (ស្ត្រី, យុទ្ធសាស្ត្រ), but is often typed before
# the other subscript (ស្រ្តី, យុទ្ធសាស្រ្ត), which many fonts render the same; and a register shifter
# (៉ ៊) belongs before the vowel (ប៊ី), not after it.
_COENG_RO_FIRST = re.compile("(\u17d2\u179a)(\u17d2[\u1780-\u17a2])")
_SHIFTER_AFTER_VOWEL = re.compile("([\u17b6-\u17c5]+)([\u17c9\u17ca])")


def fold_khmer_variants(value: str, variants: tuple[tuple[str, str, str], ...] = KHMER_VARIANTS) -> str:
    """One spelling for the ``variants`` (all of ``KHMER_VARIANTS`` by default) and the canonical order of
    subscripts and register shifters."""
    if not any("\u1780" <= char <= "\u17ff" for char in value):
        return value
    for variant, canonical, _why in variants:
        value = value.replace(variant, canonical)
    value = _COENG_RO_FIRST.sub(r"\2\1", value)
    return _SHIFTER_AFTER_VOWEL.sub(r"\2\1", value)


def normalize_for_search(value: str) -> str:
    """The form names are indexed and searched by: NFC, no zero-width characters, one spelling for the
    Khmer variants (``KHMER_VARIANTS``), casefolded, Latin digits. Changing it changes stored search
    fields: recompute them with ``manage.py migrate`` (core 0005) or the apps' save methods."""
    value = fold_khmer_variants(unicodedata.normalize("NFC", strip_invisible(value or "")))
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


# --------------------------------------------------------------------------------------------------
# Khmer order
# --------------------------------------------------------------------------------------------------
KHMER_COLLATION = "khmer"
# Dependent vowels and the vowel-and-sign combinations, in the order of the Khmer dictionary (Chuon Nath)
# and of CLDR's km collation; combinations of two characters are read as one.
_VOWEL_ORDER = [
    *"\u17b6\u17b7\u17b8\u17b9\u17ba\u17bb\u17bc\u17bd\u17be\u17bf\u17c0\u17c1\u17c2\u17c3\u17c4\u17c5",
    "\u17bb\u17c6",
    "\u17c6",
    "\u17b6\u17c6",
    "\u17c7",
    "\u17b7\u17c7",
    "\u17bb\u17c7",
    "\u17c1\u17c7",
    "\u17c4\u17c7",
]
_KHMER_TOKEN = re.compile("|".join(sorted(_VOWEL_ORDER, key=len, reverse=True)) + "|.", re.DOTALL)
# Signs that change the sound but not the place of a word in the dictionary (compared only on a tie).
_KHMER_MARKS = set("\u17c8\u17c9\u17ca\u17cb\u17cc\u17cd\u17ce\u17cf\u17d0\u17d1\u17dd")


# ICU keeps these apart in its order: subscript DA sorts as DA, and the vocalic r and l letters each sort
# after the words of RO and LO; the sort key does the same (the search form folds them).
_SORT_VARIANTS = tuple(v for v in KHMER_VARIANTS if v[0] not in ("\u17d2\u178a", *"\u17ab\u17ac\u17ad\u17ae"))
_VOCALIC = {"\u17ab": 0x179A, "\u17ac": 0x179A, "\u17ad": 0x179B, "\u17ae": 0x179B}


def _khmer_weight(token: str) -> tuple[int, int]:
    if token in _VOWEL_ORDER:
        return (3, _VOWEL_ORDER.index(token))
    code = ord(token)
    if 0x1780 <= code <= 0x17A2:
        return (2, code * 4)  # consonants in code point order, which is the order of the alphabet
    if token in _VOCALIC:
        return (2, _VOCALIC[token] * 4 + 1 + (code - 0x17AB) % 2)  # ឫ ឬ after RO, ឭ ឮ after LO
    if code == 0x17D2:
        return (4, 0)  # a subscript: clusters come after the consonant with all its vowels
    if 0x17E0 <= code <= 0x17E9:
        return (1, code - 0x17E0 + ord("0"))  # Khmer digits with Latin digits
    if token.isdigit():
        return (1, code)
    if not token.isalpha():
        return (0, code)  # spaces and punctuation first
    return (5, code)  # then digits, Khmer, and Latin and other scripts after Khmer (as ICU's km)


@functools.lru_cache(maxsize=4096)
def khmer_sort_key(value: str) -> tuple:
    """A sort key following Khmer dictionary order, for SQLite and Python lists (PostgreSQL uses ICU).

    Consonants in alphabet order; a word with no vowel before the same consonant with a vowel; vowels in
    the dictionary order; subscript clusters after the consonant with all its vowels; independent
    vowels as their spelled-out form (ឥ with អិ), just after it. Checked against ICU on the names of the
    gazetteer (provinces and districts: the same order; 3,000 communes and villages: two differences).
    Limits: the signs of ``_KHMER_MARKS`` (៉ ៊ ់ ៍ ...) only break ties and syllables are not parsed;
    ឪ sorts with អៅ (ICU: after អូ); Latin text is compared by case-folded code point, not by the rules
    of English."""
    text = unicodedata.normalize("NFC", strip_invisible(value or "")).casefold()
    folded = fold_khmer_variants(text, _SORT_VARIANTS)
    primary = tuple(
        _khmer_weight(token) for token in _KHMER_TOKEN.findall(folded) if token not in _KHMER_MARKS
    )
    return (primary, folded, text)


def _compare_khmer(left: str, right: str) -> int:
    a, b = khmer_sort_key(left), khmer_sort_key(right)
    return (a > b) - (a < b)


def register_sqlite_collation(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: the ``khmer`` collation on SQLite (PostgreSQL has it from ICU)."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(KHMER_COLLATION, _compare_khmer)


def khmer_order(field: str) -> Any:
    """An ``order_by`` term sorting ``field`` in Khmer order: ``qs.order_by(khmer_order("name_km"))``
    (``.desc()`` for the reverse)."""
    from django.db.models.functions import Collate

    return Collate(field, KHMER_COLLATION)


def name_order(km_field: str, en_field: str) -> Any:
    """Order by the name the reader sees: Khmer order of ``km_field`` on Khmer pages, ``en_field`` on
    English pages."""
    return khmer_order(km_field) if current_language() == "km" else en_field
