"""Grading of each question kind, from the snapshot an attempt keeps."""

from decimal import Decimal

import pytest

from nokor.academy.grading import credit_for, normalize_short, parse_number, score


def _choices(*correct: bool) -> list[dict]:
    return [
        {"id": 10 + i, "text_km": "", "text_en": f"c{i}", "correct": ok, "feedback_km": "", "feedback_en": ""}
        for i, ok in enumerate(correct)
    ]


SINGLE = {"id": 1, "kind": "single", "choices": _choices(False, True, False)}
MULTIPLE = {"id": 2, "kind": "multiple", "choices": _choices(True, True, True, False)}
TRUE_FALSE = {"id": 3, "kind": "true_false", "answer_bool": False}
SHORT = {
    "id": 4,
    "kind": "short",
    "accepted_km": ["រាយការណ៍ការឆបោក", "១១៧"],
    "accepted_en": ["Report a scam"],
}
NUMERIC = {"id": 5, "kind": "numeric", "answer_number": "1930.000000", "tolerance": "0"}
NUMERIC_TOLERANT = {"id": 6, "kind": "numeric", "answer_number": "2.5", "tolerance": "0.25"}


def test_single_choice_earns_credit_only_for_the_right_choice():
    assert credit_for(SINGLE, "11") == 1
    assert credit_for(SINGLE, 11) == 1
    assert credit_for(SINGLE, "10") == 0
    assert credit_for(SINGLE, None) == 0


def test_multiple_choice_gives_partial_credit_and_penalises_wrong_picks():
    assert credit_for(MULTIPLE, ["10", "11", "12"]) == 1
    assert credit_for(MULTIPLE, ["10", "11"]) == Decimal(2) / 3
    assert credit_for(MULTIPLE, ["10", "11", "12", "13"]) == Decimal(2) / 3
    assert credit_for(MULTIPLE, ["10", "13"]) == 0
    assert credit_for(MULTIPLE, ["13"]) == 0  # never below zero
    assert credit_for(MULTIPLE, ["10", "999"]) == Decimal(1) / 3  # a foreign id counts for nothing


def test_true_false():
    assert credit_for(TRUE_FALSE, "false") == 1
    assert credit_for(TRUE_FALSE, "true") == 0
    assert credit_for(TRUE_FALSE, None) == 0


@pytest.mark.parametrize(
    "answer",
    [
        "Report a scam",
        "  report   A SCAM. ",
        "report a\u200b scam",
        "រាយការណ៍\u200bការឆបោក",
        "រាយការណ៍ ការឆបោក",
        "រាយការណ៍ការឆបោក។",
        "117",
    ],
)
def test_short_answers_are_compared_normalised_in_either_language(answer):
    assert credit_for(SHORT, answer) == 1


@pytest.mark.parametrize("answer", ["", "report", "scam report", None])
def test_short_answers_that_differ_earn_nothing(answer):
    assert credit_for(SHORT, answer) == 0


def test_normalize_short_turns_khmer_digits_into_latin():
    assert normalize_short("១១៧") == normalize_short("117") == "117"


@pytest.mark.parametrize("answer", ["1930", "១៩៣០", " 1,930 ", "1930.0", "1 930"])
def test_numeric_answers_accept_khmer_digits_and_separators(answer):
    assert credit_for(NUMERIC, answer) == 1


@pytest.mark.parametrize(
    "answer,credit", [("2.25", 1), ("2.75", 1), ("២.៦", 1), ("2.76", 0), ("abc", 0), ("", 0)]
)
def test_numeric_answers_within_the_tolerance(answer, credit):
    assert credit_for(NUMERIC_TOLERANT, answer) == credit


def test_parse_number_refuses_what_is_not_a_number():
    assert parse_number("NaN") is None
    assert parse_number("1e999999999") is None or parse_number("1e999999999").is_finite()
    assert parse_number("twelve") is None


def test_score_is_the_mean_credit_in_percent():
    questions = [SINGLE, MULTIPLE, TRUE_FALSE]
    percent, results = score(questions, {"1": "11", "2": ["10", "11"], "3": "true"})
    assert percent == Decimal("55.56")  # (1 + 2/3 + 0) / 3
    assert results == {"1": "1.0000", "2": "0.6667", "3": "0.0000"}
