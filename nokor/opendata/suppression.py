"""Statistical disclosure control: which counts of a table may not be published.

A table is a set of cells keyed by tuples (one part per dimension: month, province, category…) holding
counts of people or their records. Along each dimension listed in ``margins`` the totals are published
too: a total is the key with :data:`TOTAL` in that dimension (with two margins, the grand total has
:data:`TOTAL` in both). Every published number is a cell of this extended table, and every *line* (the
cells that differ only in one margin dimension) adds up to its total.

* **Primary suppression**: a count from 1 to ``threshold - 1`` is hidden (0 is shown: an empty cell
  singles nobody out), totals included.
* **Secondary suppression**: a hidden count must not be recoverable from what is shown. First, in every
  line where exactly one number is hidden, the smallest other count is hidden too (a line of one cell
  hides its total). Then an exact check: the hidden numbers are the unknowns of the linear equations
  "line = its total"; a hidden number is recoverable when those equations fix its value (it is the
  same value in every solution). While one is, another count of one of its lines is hidden. The check is
  reduced row echelon form over the integers modulo the prime 2**61 - 1, one group of connected lines
  at a time; with coefficients 0 and ±1 it is exact as long as a group has at most 24 equations
  (Hadamard's bound on the minors stays below the prime), which covers every table published here.

Whether a value is recoverable depends only on which cells are hidden, not on the counts, so the same
pattern protects every additive measure of the same cells (applications decided, decided in time…).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence

TOTAL = "ALL"
PRIMARY, SECONDARY = "primary", "secondary"
_PRIME = 2**61 - 1

Key = tuple[Hashable, ...]


def extend(cells: Mapping[Key, int], margins: Sequence[int]) -> dict[Key, int]:
    """The cells with every total along the ``margins`` dimensions (and totals of totals)."""
    extended: dict[Key, int] = dict(cells)
    for dimension in margins:
        totals: dict[Key, int] = defaultdict(int)
        for key, count in extended.items():
            if key[dimension] != TOTAL:
                totals[key[:dimension] + (TOTAL,) + key[dimension + 1 :]] += count
        extended.update(totals)
    return extended


def lines_of(extended: Iterable[Key], margins: Sequence[int]) -> dict[Key, list[Key]]:
    """Each total's key with the keys of the cells that add up to it."""
    lines: dict[Key, list[Key]] = defaultdict(list)
    for key in extended:
        for dimension in margins:
            if key[dimension] != TOTAL:
                lines[key[:dimension] + (TOTAL,) + key[dimension + 1 :]].append(key)
    return lines


def suppress(cells: Mapping[Key, int], *, threshold: int, margins: Sequence[int] = ()) -> dict[Key, str]:
    """The keys of the extended table (:func:`extend`) that may not be published, with the reason
    (:data:`PRIMARY` or :data:`SECONDARY`). A threshold of 0 or 1 hides nothing.

    Cells that share no line (with two margins of a four-dimensional table: each month and province) are
    protected separately, so the work grows with the size of the table, not with its square."""
    extended = extend(cells, margins)
    hidden = {key: PRIMARY for key, count in extended.items() if 0 < count < threshold}
    if not hidden:
        return hidden
    for part in _parts(lines_of(extended, margins)):
        if any(total in hidden or any(key in hidden for key in members) for total, members in part.items()):
            _protect(extended, part, hidden)
    return hidden


def _parts(lines: Mapping[Key, list[Key]]) -> list[dict[Key, list[Key]]]:
    """The lines split into groups that share no number (union-find over the keys)."""
    parent: dict[Key, Key] = {}

    def root(key: Key) -> Key:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for total, members in lines.items():
        for key in members:
            parent[root(key)] = root(total)
    parts: dict[Key, dict[Key, list[Key]]] = defaultdict(dict)
    for total, members in lines.items():
        parts[root(total)][total] = members
    return list(parts.values())


def _protect(extended: Mapping[Key, int], lines: Mapping[Key, list[Key]], hidden: dict[Key, str]) -> None:
    """Secondary suppression within one group of lines (see the module docstring)."""
    _hide_lone_cells(extended, lines, hidden)
    while True:
        recoverable = _recoverable(lines, hidden)
        if not recoverable:
            return
        # Hide one more count in a line of the first recoverable number, then check again.
        key = min(recoverable, key=repr)
        for total, members in lines.items():
            if (key == total or key in members) and _hide_one_more(extended, total, members, hidden):
                break
        else:  # cannot happen: a recoverable number lies on a line with something left to hide
            raise AssertionError(f"cannot protect {key!r}")
        _hide_lone_cells(extended, lines, hidden)


def _hide_lone_cells(extended: Mapping[Key, int], lines: Mapping[Key, list[Key]], hidden: dict) -> None:
    """Until no line has exactly one hidden number: hide one more in each line that has."""
    changed = True
    while changed:
        changed = False
        for total, members in lines.items():
            count = sum(1 for key in members if key in hidden) + (total in hidden)
            if count == 1 and _hide_one_more(extended, total, members, hidden):
                changed = True


def _hide_one_more(extended: Mapping[Key, int], total: Key, members: list[Key], hidden: dict) -> bool:
    """Hide the smallest shown count of a line (a non-zero one first), else its total; False when
    everything in the line is hidden already."""
    shown = [key for key in members if key not in hidden]
    if shown:
        pick = min(shown, key=lambda key: (extended[key] == 0, extended[key], repr(key)))
    elif total not in hidden:
        pick = total
    else:
        return False
    hidden[pick] = SECONDARY
    return True


def _recoverable(lines: Mapping[Key, list[Key]], hidden: Mapping[Key, str]) -> list[Key]:
    """The hidden numbers whose value the published numbers fix (see the module docstring)."""
    equations = []
    for total, members in lines.items():
        unknowns = [key for key in members if key in hidden]
        terms = {key: 1 for key in unknowns}
        if total in hidden:
            terms[total] = _PRIME - 1  # -1
        if terms:
            equations.append(terms)
    return _fixed_unknowns(equations)


def _fixed_unknowns(equations: list[dict[Key, int]]) -> list[Key]:
    """Reduced row echelon form of the equations (mod the prime): an unknown is fixed when its pivot
    row has no other unknown left."""
    rows = [dict(terms) for terms in equations]
    unknowns = sorted({key for terms in rows for key in terms}, key=repr)
    pivots: list[tuple[Key, dict[Key, int]]] = []
    for unknown in unknowns:
        row = next((r for r in rows if r.get(unknown, 0)), None)
        if row is None:
            continue
        rows.remove(row)
        inverse = pow(row[unknown], _PRIME - 2, _PRIME)
        row = {key: value * inverse % _PRIME for key, value in row.items()}
        for other in [*rows, *(r for _k, r in pivots)]:
            factor = other.get(unknown, 0)
            if factor:
                for key, value in row.items():
                    updated = (other.get(key, 0) - factor * value) % _PRIME
                    if updated:
                        other[key] = updated
                    else:
                        other.pop(key, None)
        pivots.append((unknown, row))
    return [unknown for unknown, row in pivots if len(row) == 1]
