"""Statistical disclosure control on crafted tables: primary and secondary suppression, and an
independent check (exact rational arithmetic) that no hidden count can be worked out from the totals."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from nokor.opendata.suppression import PRIMARY, SECONDARY, TOTAL, extend, lines_of, suppress


def recoverable(cells, margins, hidden):
    """Hidden numbers fixed by the published ones: solve "each line = its total" over the rationals
    (written here again, independently of the module, by Gaussian elimination with Fractions)."""
    extended = extend(cells, margins)
    unknowns = sorted(hidden, key=repr)
    index = {key: i for i, key in enumerate(unknowns)}
    rows = []
    for total, members in lines_of(extended, margins).items():
        row = [Fraction(0)] * len(unknowns)
        for key in members:
            if key in index:
                row[index[key]] += 1
        if total in index:
            row[index[total]] -= 1
        if any(row):
            rows.append(row)
    pivots = {}
    for column in range(len(unknowns)):
        pivot = next((r for r in rows if r[column] != 0), None)
        if pivot is None:
            continue
        rows.remove(pivot)
        pivot = [value / pivot[column] for value in pivot]
        for other in [*rows, *pivots.values()]:
            factor = other[column]
            if factor:
                for j in range(len(unknowns)):
                    other[j] -= factor * pivot[j]
        pivots[column] = pivot
    return [
        unknowns[column]
        for column, row in pivots.items()
        if all(value == 0 for j, value in enumerate(row) if j != column)
    ]


def test_small_counts_are_hidden_and_zeros_and_large_counts_shown():
    cells = {("a", "x"): 0, ("a", "y"): 3, ("a", "z"): 12, ("b", "x"): 4, ("b", "y"): 5, ("b", "z"): 1}
    hidden = suppress(cells, threshold=5)
    assert hidden == {("a", "y"): PRIMARY, ("b", "x"): PRIMARY, ("b", "z"): PRIMARY}


def test_threshold_zero_hides_nothing():
    assert suppress({("a",): 1, ("b",): 2}, threshold=0, margins=(0,)) == {}


def test_a_lone_small_count_in_a_row_hides_the_next_smallest_count():
    # Row "a" would show 10 + ? + 12 = 25: the 3 would follow from the total.
    cells = {("a", "x"): 10, ("a", "y"): 3, ("a", "z"): 12, ("b", "x"): 8, ("b", "y"): 9, ("b", "z"): 20}
    hidden = suppress(cells, threshold=5, margins=(1,))
    assert hidden == {("a", "y"): PRIMARY, ("a", "x"): SECONDARY}
    assert recoverable(cells, (1,), hidden) == []


def test_with_row_and_column_totals_the_hidden_cells_cannot_be_recomputed():
    cells = {
        ("a", "x"): 10, ("a", "y"): 3, ("a", "z"): 12,
        ("b", "x"): 8, ("b", "y"): 9, ("b", "z"): 20,
        ("c", "x"): 7, ("c", "y"): 30, ("c", "z"): 6,
    }  # fmt: skip
    hidden = suppress(cells, threshold=5, margins=(0, 1))
    assert hidden[("a", "y")] == PRIMARY
    # Column y and row a each need a second hidden cell, and those a third: a closed rectangle.
    assert {("a", "x"), ("b", "y"), ("b", "x")} <= set(hidden)
    assert recoverable(cells, (0, 1), hidden) == []


def test_without_secondary_suppression_the_check_finds_the_recoverable_cell():
    cells = {("a", "x"): 10, ("a", "y"): 3, ("b", "x"): 8, ("b", "y"): 9}
    only_primary = {("a", "y"): PRIMARY}
    assert recoverable(cells, (0, 1), only_primary) == [("a", "y")]


def test_a_small_total_is_hidden_with_its_cells():
    cells = {("a", "x"): 1, ("a", "y"): 2, ("b", "x"): 30, ("b", "y"): 40}
    hidden = suppress(cells, threshold=5, margins=(1,))
    assert hidden[("a", TOTAL)] == PRIMARY
    assert recoverable(cells, (1,), hidden) == []


@pytest.mark.parametrize("seed", range(40))
def test_no_hidden_count_is_ever_recoverable_in_random_tables(seed):
    generator = random.Random(seed)
    rows, columns = generator.randint(2, 6), generator.randint(2, 6)
    cells = {
        (f"r{r}", f"c{c}"): generator.choice([0, 1, 2, 3, 4, 5, 6, 8, 12, 20, 40])
        for r in range(rows)
        for c in range(columns)
    }
    margins = generator.choice([(0,), (1,), (0, 1)])
    hidden = suppress(cells, threshold=5, margins=margins)
    extended = extend(cells, margins)
    assert all(key in hidden for key, count in extended.items() if 0 < count < 5)
    assert recoverable(cells, margins, hidden) == []


@pytest.mark.parametrize("seed", range(10))
def test_three_dimensional_tables_with_two_margins_are_protected(seed):
    generator = random.Random(100 + seed)
    cells = {
        (month, f"p{p}", f"c{c}"): generator.choice([0, 1, 2, 3, 6, 9, 15])
        for month in ("2026-01", "2026-02")
        for p in range(3)
        for c in range(4)
    }
    hidden = suppress(cells, threshold=5, margins=(1, 2))
    assert recoverable(cells, (1, 2), hidden) == []
