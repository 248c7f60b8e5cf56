"""Grading quiz answers, from the snapshot of each question an attempt keeps.

Credit per question is between 0 and 1:

* single choice and true/false: 1 for the right answer, else 0;
* multiple choice: partial credit with a penalty for wrong picks, ``max(0, (right picks - wrong picks) /
  right choices)``: ticking every box earns nothing, missing one of three right answers earns 2/3; the
  answer counts as correct only with full credit;
* short answer: 1 when the answer, normalised (case, spaces, Khmer zero-width characters, Khmer or Latin
  digits, final punctuation: see :func:`normalize_short`), equals an accepted answer of either language;
* number: 1 when within the tolerance of the answer (Khmer digits, spaces and thousands commas accepted).

The score is the mean credit in percent (two decimals); the attempt passes at or above the pass mark.
"""

from __future__ import annotations

import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from nokor.core.text import latin_digits, normalize_for_search

_TRAILING_PUNCTUATION = " .,;:!?។៕\"'“”‘’()"


def normalize_short(value: Any) -> str:
    """A short answer as compared: NFC, casefolded, Latin digits, without zero-width characters, spaces
    (Khmer writes none between words, and typists place them differently) or final punctuation."""
    text = normalize_for_search(str(value or ""))
    text = unicodedata.normalize("NFC", text).strip(_TRAILING_PUNCTUATION)
    return "".join(text.split())


def parse_number(value: Any) -> Decimal | None:
    """A number typed by a learner (Khmer or Latin digits, spaces or commas between thousands)."""
    text = latin_digits(str(value or "")).strip().replace("\u00a0", "").replace(" ", "").replace(",", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def credit_for(question: dict[str, Any], answer: Any) -> Decimal:
    """The credit (0 to 1) an answer earns on a question snapshot."""
    kind = question["kind"]
    if kind == "single":
        right = {str(c["id"]) for c in question["choices"] if c["correct"]}
        return Decimal(1) if answer is not None and str(answer) in right else Decimal(0)
    if kind == "multiple":
        right = {str(c["id"]) for c in question["choices"] if c["correct"]}
        picked = {str(a) for a in (answer or [])} & {str(c["id"]) for c in question["choices"]}
        if not right:
            return Decimal(0)
        hits, misses = len(picked & right), len(picked - right)
        return max(Decimal(0), Decimal(hits - misses) / Decimal(len(right)))
    if kind == "true_false":
        expected = "true" if question["answer_bool"] else "false"
        return Decimal(1) if str(answer).lower() == expected else Decimal(0)
    if kind == "short":
        given = normalize_short(answer)
        accepted = {normalize_short(a) for a in [*question["accepted_km"], *question["accepted_en"]]}
        return Decimal(1) if given and given in accepted else Decimal(0)
    if kind == "numeric":
        number = parse_number(answer)
        if number is None or question["answer_number"] is None:
            return Decimal(0)
        difference = abs(number - Decimal(str(question["answer_number"])))
        return Decimal(1) if difference <= Decimal(str(question["tolerance"] or 0)) else Decimal(0)
    raise ValueError(f"unknown question kind {kind!r}")


def score(questions: list[dict[str, Any]], answers: dict[str, Any]) -> tuple[Decimal, dict[str, str]]:
    """The score in percent and the credit of each question (as strings, for JSON)."""
    results: dict[str, str] = {}
    total = Decimal(0)
    for question in questions:
        credit = credit_for(question, answers.get(str(question["id"])))
        credit = credit.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
        results[str(question["id"])] = str(credit)
        total += credit
    if not questions:
        return Decimal(0), results
    percent = (total * 100 / len(questions)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return percent, results
