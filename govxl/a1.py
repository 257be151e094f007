"""A1 cell addresses: 'B3' <-> (row 2, column 1), zero-based; ranges; covering cells with rectangles.

The bottom of govxl: it imports nothing from govxl, and anything that names a cell uses it.
"""

from __future__ import annotations

import re

_CELL_RE = re.compile(r"^([A-Z]{1,3})([1-9][0-9]*)$")


def col_index(letters: str) -> int:
    """'A' -> 0, 'AA' -> 26."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def col_letters(index: int) -> str:
    s = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        s = chr(65 + rem) + s
    return s


def parse_cell(ref: str) -> tuple[int, int]:
    """'B3' -> (2, 1): zero-based row, column."""
    m = _CELL_RE.match(ref.replace("$", "").upper())
    if not m:
        raise ValueError(f"不是单元格地址：{ref!r}")
    return int(m.group(2)) - 1, col_index(m.group(1))


def cell_name(row: int, col: int) -> str:
    return f"{col_letters(col)}{row + 1}"


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """'A1:C3' -> (r1, c1, r2, c2), zero-based and inclusive; 'B2' is a 1x1 range."""
    a, _, b = ref.partition(":")
    r1, c1 = parse_cell(a)
    r2, c2 = parse_cell(b) if b else (r1, c1)
    if r2 < r1 or c2 < c1:
        raise ValueError(f"区域方向不对：{ref!r}")
    return r1, c1, r2, c2


def range_name(r1: int, c1: int, r2: int, c2: int) -> str:
    a = cell_name(r1, c1)
    return a if (r1, c1) == (r2, c2) else f"{a}:{cell_name(r2, c2)}"


def compress(cells: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Cover a set of cells with few rectangles (column runs, then merged sideways)."""
    by_col: dict[int, list[int]] = {}
    for r, c in sorted(set(cells), key=lambda rc: (rc[1], rc[0])):
        by_col.setdefault(c, []).append(r)
    runs: dict[int, list[tuple[int, int]]] = {}
    for c, rows in by_col.items():
        out: list[tuple[int, int]] = []
        for r in rows:
            if out and out[-1][1] == r - 1:
                out[-1] = (out[-1][0], r)
            else:
                out.append((r, r))
        runs[c] = out
    rects: list[tuple[int, int, int, int]] = []
    open_: dict[tuple[int, int], list[int]] = {}
    for c in sorted(runs):
        for run in runs[c]:
            rect = open_.get(run)
            if rect is not None and rect[3] == c - 1:
                rect[3] = c
            else:
                rect = [run[0], c, run[1], c]
                open_[run] = rect
                rects.append(rect)  # type: ignore[arg-type]
    return sorted((tuple(r) for r in rects), key=lambda r: (r[1], r[0]))  # type: ignore[misc]


def ranges(cells: list[tuple[int, int]], sep: str = ",", prefix: str = "") -> str:
    """Cells as few ranges, written out: [(3, 1), (3, 2), (3, 3)] -> 'B4:D4' (`prefix`: e.g. a sheet's 'T!')."""
    return sep.join(prefix + range_name(*r) for r in compress(cells))
