"""The official tables in reading order, and the alignment of a report's labels to them.

Sorted by their top-left cell, a table's labels and data cells give the order (row by row, left to
right) in which an HTML table, and any text flattened from it, presents them; :func:`align` pairs
the labels a report shows with that sequence. :mod:`govxl.importer.place` places the values.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..a1 import ranges
from ..spec import Edition, Field, Label, Table
from .text import Atom, canon

Key = tuple[str, str, str]
MATCH, SKIP = 1000, 1  # alignment score of a matched label / cost of skipping one


@dataclass
class Item:
    """A label or a data cell of a table, in reading order."""

    table: Table
    label: Label | None = None
    field: Field | None = None

    @property
    def key(self) -> str:
        return canon(self.label.text) if self.label else ""

    @property
    def pos(self) -> tuple[int, int]:
        x = self.label or self.field
        return (x.row, x.col)


def reading_order(t: Table) -> list[Item]:
    xs = [Item(t, label=lb) for lb in t.labels] + [Item(t, field=f) for f in t.fields]
    return sorted(xs, key=lambda x: x.pos)


@dataclass
class Segment:
    """The atoms between two aligned labels, and the data cells the spec puts there."""

    table: Table
    fields: list[Field]
    atoms: list[Atom]
    after: str
    # The text ends here (a truncated page): the cells read so far are kept, the rest is missing.
    truncated: bool = False
    # The label that the spec puts after these cells (to tell its truncated start from a value).
    next_label: str = ""
    # The label is the one right before the first cell (its row's label, or the last header
    # above a row without a label): the values after it start that row.
    own_row: bool = True
    # The source row of the label (where the source shows rows).
    row: int = -1


def row_name(f: Field) -> str:
    return f.row_label.split(" / ")[-1]


def col_name(f: Field) -> str:
    return f.col_label.split(" / ")[-1]


def cells_of(fields: list[Field]) -> str:
    """Workbook cells of some fields, as ranges (B4:D4)."""
    return ranges([(f.row, f.col) for f in fields])


def quoted(atoms: list[Atom], limit: int = 60) -> str:
    s = " ".join(a.text for a in atoms if a.kind in "VTL")
    return "“" + (s if len(s) <= limit else s[:limit] + "…") + "”"


def align(expected: list[str], found: list[str]) -> list[tuple[int, int]]:
    """Pairs (i, j) with expected[i] == found[j], in order, maximising the pairs; skipping a
    label costs a little, so that of equally long alignments the most compact wins. Labels
    of `found` before the first pair and after the last are free (headings, prose)."""
    m, n = len(expected), len(found)
    dp = [[0] * (n + 1) for _ in range(m + 1)]
    for i in range(1, m + 1):
        dp[i][0] = dp[i - 1][0] - SKIP
        e, row, prev = expected[i - 1], dp[i], dp[i - 1]
        for j in range(1, n + 1):
            best = prev[j] - SKIP
            if e == found[j - 1] and prev[j - 1] + MATCH > best:
                best = prev[j - 1] + MATCH
            if row[j - 1] - SKIP > best:
                best = row[j - 1] - SKIP
            row[j] = best
    j = max(range(n + 1), key=lambda x: (dp[m][x], -x))
    i, pairs = m, []
    while i > 0 and j > 0:
        if expected[i - 1] == found[j - 1] and dp[i][j] == dp[i - 1][j - 1] + MATCH:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif dp[i][j] == dp[i][j - 1] - SKIP:
            j -= 1
        else:
            i -= 1
    return pairs[::-1]


def constraints_of(ed: Edition) -> list[list[tuple[Key, int]]]:
    """Every sum and balance of the edition as an identity sum(coeff * cell) == 0."""
    out: list[list[tuple[Key, int]]] = []
    for t in ed.tables:
        for s in t.sums:
            for other in s.across:
                total, parts = s.cells(other)
                out.append([((t.key, *total), 1)] + [((t.key, *p), -1) for p in parts])
        for b in t.balances:
            for col in b.cols:
                out.append([((t.key, r, col), 1) for r in b.left] + [((t.key, r, col), -1) for r in b.right])
    return out
