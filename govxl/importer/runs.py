"""Split digits whose cell boundaries were lost: `801000081` -> 80 1 0 0 0 0 81.

Text copied from a PDF often runs a row's numbers together.  The table's own arithmetic
decides where the boundaries were: the row's total columns (T3-COL, T4-SUM) while a row is
split, then the column sums and balances (T3-SUM, T3-BAL) across rows.  A run is split
only when exactly one reading survives; otherwise the caller reports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from .text import Val

MAX_DIGITS = 9  # no count reaches a billion (rules.MAX_COUNT)
NODE_CAP = 200_000
CANDIDATE_CAP = 500
SOLUTION_CAP = 64

Cell = Decimal | None
# A linear identity sum(coeff * cell) == 0 over cell keys.
Constraint = Sequence[tuple[object, int]]


class TooMany(Exception):
    """The readings could not all be enumerated within the budget."""


def readings(vals: Sequence[Val], k: int, constraints: Sequence[Sequence[tuple[int, int]]] = ()) -> list[tuple[Cell, ...]]:
    """Every way to read `vals` as exactly `k` cells: a run of digits may be several cells
    (no leading zeros, at most MAX_DIGITS digits each); every other value is one cell.
    `constraints` are identities over cell positions 0..k-1 that each reading must satisfy.
    Raises TooMany when the search exceeds its budget."""
    n = len(vals)
    cap = [len(v.text) if v.run else 1 for v in vals]
    max_after = [0] * (n + 1)
    for t in range(n - 1, -1, -1):
        max_after[t] = max_after[t + 1] + cap[t]
    due: dict[int, list[Sequence[tuple[int, int]]]] = {}
    for c in constraints:
        due.setdefault(max(i for i, _ in c), []).append(c)
    out: list[tuple[Cell, ...]] = []
    cells: list[Cell] = []
    budget = [NODE_CAP]

    def ok() -> bool:
        for c in due.get(len(cells) - 1, ()):
            if sum(coef * (cells[i] or 0) for i, coef in c) != 0:
                return False
        return True

    def fits(t_next: int, digits_left: int) -> bool:
        need_min = (1 if digits_left else 0) + (n - t_next)
        have_max = digits_left + max_after[t_next]
        return len(cells) + need_min <= k <= len(cells) + have_max

    def token(t: int) -> None:
        budget[0] -= 1
        if budget[0] < 0:
            raise TooMany
        if t == n:
            if len(cells) == k:
                out.append(tuple(cells))
                if len(out) > CANDIDATE_CAP:
                    raise TooMany
            return
        v = vals[t]
        if not v.run:
            cells.append(v.number)
            if fits(t + 1, 0) and ok():
                token(t + 1)
            cells.pop()
            return
        piece(t, v.text, 0)

    def piece(t: int, s: str, pos: int) -> None:
        if pos == len(s):
            token(t + 1)
            return
        for length in range(1, min(MAX_DIGITS, len(s) - pos) + 1):
            p = s[pos: pos + length]
            if length > 1 and p[0] == "0":
                break
            cells.append(Decimal(p))
            if fits(t + 1, len(s) - pos - length) and ok():
                budget[0] -= 1
                if budget[0] < 0:
                    raise TooMany
                piece(t, s, pos + length)
            cells.pop()

    if n == 0 or not fits(0, 0):
        return []
    token(0)
    return out


def choose(options: Sequence[Sequence[tuple[Cell, ...]]], keys: Sequence[Sequence[object]],
           fixed: dict[object, Cell], constraints: Sequence[Constraint]) -> list[set[int]] | None:
    """Which readings of each ambiguous row survive the identities across rows.

    `options[s]` are the readings of row s, whose cells are `keys[s]`; `fixed` holds every
    other cell that is known. Only identities that touch an ambiguous row and whose other
    cells are all known are used.  Returns, per row, the indices of the readings that occur
    in some consistent whole; None if the search exceeded its budget."""
    where: dict[object, int] = {k: s for s, ks in enumerate(keys) for k in ks}
    due: dict[int, list[Constraint]] = {}
    for c in constraints:
        rows = {where[k] for k, _ in c if k in where}
        if rows and all(k in where or k in fixed for k, _ in c):
            due.setdefault(max(rows), []).append(c)
    chosen: dict[object, Cell] = dict(fixed)
    used: list[set[int]] = [set() for _ in options]
    picks: list[int] = []
    budget = [NODE_CAP]
    solutions = [0]

    def holds(c: Constraint) -> bool:
        return sum(coef * (chosen[k] or 0) for k, coef in c) == 0

    def go(s: int) -> None:
        if s == len(options):
            for r, i in enumerate(picks):
                used[r].add(i)
            solutions[0] += 1
            if solutions[0] >= SOLUTION_CAP:
                raise TooMany
            return
        for i, reading in enumerate(options[s]):
            budget[0] -= 1
            if budget[0] < 0:
                raise TooMany
            for k, v in zip(keys[s], reading):
                chosen[k] = v
            if all(holds(c) for c in due.get(s, ())):
                picks.append(i)
                go(s + 1)
                picks.pop()

    try:
        go(0)
    except TooMany:
        return None
    return used

