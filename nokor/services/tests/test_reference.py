"""Reference numbers carry a check digit that catches typing mistakes."""

from hypothesis import given
from hypothesis import strategies as st

from nokor.services.reference import luhn_digit, make_reference, normalize_reference


def test_reference_format():
    assert make_reference(2026, 123) == f"NK-2026-000123-{luhn_digit('2026000123')}"


@given(st.integers(min_value=2020, max_value=2099), st.integers(min_value=1, max_value=9_999_999))
def test_every_reference_reads_back(year, number):
    reference = make_reference(year, number)
    assert normalize_reference(reference) == reference
    assert normalize_reference(reference.lower().replace("-", "- ")) == reference


@given(st.integers(min_value=1, max_value=999_999), st.integers(min_value=0, max_value=5))
def test_a_mistyped_digit_is_caught(number, position):
    reference = make_reference(2026, number)
    digits = list(reference)
    index = [i for i, c in enumerate(digits) if c.isdigit()][4 + position]
    digits[index] = str((int(digits[index]) + 1) % 10)
    assert normalize_reference("".join(digits)) is None


def test_khmer_digits_are_accepted():
    reference = make_reference(2026, 123)
    khmer = reference.translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"))
    assert normalize_reference(khmer) == reference


def test_garbage_is_not_a_reference():
    for text in ["", "NK-", "NK-2026-12-1", "hello", "NK-2026-000123-X"]:
        assert normalize_reference(text) is None
