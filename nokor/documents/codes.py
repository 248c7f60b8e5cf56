"""Public verification codes: unguessable, easy to read off paper, and self-checking.

A code is 16 random characters (80 bits from :mod:`secrets`) of Crockford's base32 alphabet, which has
no I, L, O or U, so nothing on the paper can be misread as another character, followed by one check
character (Luhn mod 32). Every single mistyped character and almost every swap of two neighbours is
detected without touching the database, so a mistyped or tampered code is simply "unknown".

Codes are stored and put in URLs as 17 upper-case characters; they are printed in groups of four
("ABCD-EFGH-JKMN-PQRS-T"). Reading accepts lower case, spaces, hyphens, and O/I/L for 0/1/1.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 16
CODE_LENGTH = RANDOM_LENGTH + 1
_INDEX = {char: i for i, char in enumerate(ALPHABET)}
_BASE = len(ALPHABET)
# Crockford's reading rules: letters people confuse with digits read as those digits.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None, "\u00a0": None})
_MAX_INPUT = 64  # anything longer is not a code; never normalise unbounded input


def _luhn_sum(chars: str, *, first_factor: int) -> int:
    factor, total = first_factor, 0
    for char in reversed(chars):
        addend = factor * _INDEX[char]
        total += addend // _BASE + addend % _BASE
        factor = 1 if factor == 2 else 2
    return total


def check_character(payload: str) -> str:
    """The Luhn mod 32 check character of `payload` (characters of ALPHABET)."""
    return ALPHABET[(_BASE - _luhn_sum(payload, first_factor=2) % _BASE) % _BASE]


def new_code() -> str:
    """A fresh code: 16 random characters and their check character."""
    payload = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return payload + check_character(payload)


def normalize_code(raw: object) -> str | None:
    """The stored form of a code someone typed or scanned, or None when it cannot be a valid code
    (wrong length, foreign characters, or a check character that does not match)."""
    if not isinstance(raw, str) or len(raw) > _MAX_INPUT:
        return None
    code = raw.strip().upper().translate(_READ_AS)
    if len(code) != CODE_LENGTH or any(char not in _INDEX for char in code):
        return None
    if _luhn_sum(code, first_factor=1) % _BASE != 0:
        return None
    return code


def display_code(code: str) -> str:
    """A code as printed for people: groups of four separated by hyphens."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
