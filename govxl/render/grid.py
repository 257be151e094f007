"""An official table as a grid of anchor cells with row and column spans.

Derived entirely from the edition spec: labels (with their merged ranges) and data fields
(with their spans) are placed at their table-relative positions; a cell covered by a merge
does not appear; a position that is neither is an empty 1×1 cell. Every renderer (HTML,
Word, Markdown) draws this grid, so the three agree with each other and with the workbook.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..numbers import show
from ..spec import Field, Table

Key = tuple[str, str, str]


@dataclass(frozen=True)
class Cell:
    """One anchor cell: table-relative zero-based row/col, spans, text, and what it is."""

    row: int
    col: int
    rowspan: int
    colspan: int
    text: str
    kind: str  # "label" | "value" | "empty"
    field: Field | None = None

    @property
    def last_row(self) -> int:
        return self.row + self.rowspan - 1

    @property
    def last_col(self) -> int:
        return self.col + self.colspan - 1


def format_value(v: float | None, kind: str) -> str:
    """Counts as whole numbers; the fee (万元) with up to 6 decimals and no trailing zeros; blank for None."""
    return show(v, whole=kind != "amount")


def grid(table: Table, values: Mapping[Key, float | None]) -> list[list[Cell]]:
    """Rows of anchor cells, top to bottom, left to right."""
    o_r, o_c = table.origin
    anchors: dict[tuple[int, int], Cell] = {}
    for lb in table.labels:
        anchors[(lb.row - o_r, lb.col - o_c)] = Cell(
            lb.row - o_r, lb.col - o_c, lb.last_row - lb.row + 1, lb.last_col - lb.col + 1, lb.text, "label")
    for f in table.fields:
        r1, c1, r2, c2 = f.span or (f.row, f.col, f.row, f.col)
        anchors[(r1 - o_r, c1 - o_c)] = Cell(
            r1 - o_r, c1 - o_c, r2 - r1 + 1, c2 - c1 + 1, format_value(values.get(f.key), f.kind), "value", f)
    covered = {(r, c) for a in anchors.values()
               for r in range(a.row, a.last_row + 1) for c in range(a.col, a.last_col + 1)}
    n_rows, n_cols = table.size
    rows: list[list[Cell]] = []
    for r in range(n_rows):
        row: list[Cell] = []
        for c in range(n_cols):
            if (r, c) in anchors:
                row.append(anchors[(r, c)])
            elif (r, c) not in covered:
                row.append(Cell(r, c, 1, 1, "", "empty"))
        rows.append(row)
    return rows


def header_rows(table: Table, rows: list[list[Cell]]) -> int:
    """How many top rows form the table head (repeated on each printed page): the spec's
    header_rows, or 0 when a head cell reaches below them (a span cannot cross the boundary)."""
    n = table.header_rows
    if any(c.last_row >= n for row in rows[:n] for c in row):
        return 0
    return n


def column_shares(table: Table) -> list[float]:
    """Column widths as fractions of the table's width, from the spec's widths (equal if none)."""
    n = table.size[1]
    widths = list(table.widths[:n]) + [max(table.widths or (1,))] * (n - len(table.widths))
    total = sum(widths)
    return [w / total for w in widths]
