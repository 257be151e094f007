"""Reports in the official layout that govxl did not make, built from the edition spec: Word tables
(python-docx), hand-made Excel sheets (openpyxl), each with the odd things clerks do to them.

A table is first a *grid*: rows of cells `(text, rowspan, colspan)` at a cell's top-left and None
where a merged cell continues; the tests edit the grid (split a header over rows, drop the
sub-rows of （六）, misspell a label...) and then write it out.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from govxl.judge.rules import evaluate
from govxl.spec import Edition, Table

Cell = tuple[str, int, int] | None
Grid = list[list[Cell]]


def number(v) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def table_grid(t: Table, values: dict, blank_totals: bool = False) -> Grid:
    """The official table `t` with `values` (every field, totals included) as a grid."""
    r1, c1, r2, c2 = t.bounds
    grid: Grid = [[("", 1, 1) for _ in range(c2 - c1 + 1)] for _ in range(r2 - r1 + 1)]
    for lb in t.labels:
        grid[lb.row - r1][lb.col - c1] = (lb.text, 1, 1)
    for f in t.fields:
        shown = "" if blank_totals and f.is_total else number(values.get(f.key))
        grid[f.row - r1][f.col - c1] = (shown, 1, 1)
    for mr1, mc1, mr2, mc2 in t.merges:
        text = grid[mr1 - r1][mc1 - c1][0]  # type: ignore[index]
        for r in range(mr1, mr2 + 1):
            for c in range(mc1, mc2 + 1):
                grid[r - r1][c - c1] = None
        grid[mr1 - r1][mc1 - c1] = (text, mr2 - mr1 + 1, mc2 - mc1 + 1)
    return grid


def all_values(ed: Edition, inputs: dict) -> dict:
    return evaluate(ed, inputs)


def find_row(grid: Grid, text: str) -> int:
    for r, row in enumerate(grid):
        if any(c is not None and c[0] == text for c in row):
            return r
    raise KeyError(text)


def set_text(grid: Grid, old: str, new: str) -> None:
    for row in grid:
        for i, c in enumerate(row):
            if c is not None and c[0] == old:
                row[i] = (new, c[1], c[2])
                return
    raise KeyError(old)


Edit = Callable[[Table, Grid], Grid]


def write_docx(path: Path, ed: Edition, values: dict, *, title: str, edit: Edit | None = None,
               borders: bool = True, blank_totals: bool = False, setup: Callable | None = None,
               after: Callable | None = None) -> Path:
    """A Word document: the title, then each table's heading and the table (merged cells merged).
    `setup(doc)` runs first (page size, footer), `after(table, t)` on each finished Word table."""
    import docx

    doc = docx.Document()
    if setup is not None:
        setup(doc)
    doc.add_paragraph(title)
    for t in ed.tables:
        doc.add_paragraph(t.title)
        grid = table_grid(t, values, blank_totals)
        if edit is not None:
            grid = edit(t, grid)
        width = max(len(r) for r in grid)
        tbl = doc.add_table(rows=len(grid), cols=width)
        if borders:
            tbl.style = "Table Grid"
        for r, row in enumerate(grid):
            for c, cell in enumerate(row):
                if cell is None:
                    continue
                text, rs, cs = cell
                target = tbl.cell(r, c)
                if rs > 1 or cs > 1:
                    target = target.merge(tbl.cell(r + rs - 1, c + cs - 1))
                target.text = text
        if after is not None:
            after(tbl, t)
    doc.save(path)
    return path


def write_sheet(path: Path, ed: Edition, values: dict, *, at: tuple[int, int] = (3, 2), title: str = "",
                text_every: int = 2, blank_totals: bool = False, edit: Edit | None = None) -> Path:
    """One sheet, no merges, all three tables one below the other starting at `at` (0-based: C4),
    each under its heading; every `text_every`-th number typed as text."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "年报统计表"
    r0, c0 = at
    if title:
        ws.cell(row=r0 + 1, column=c0 + 1, value=title)
        r0 += 2
    n = 0
    for t in ed.tables:
        ws.cell(row=r0 + 1, column=c0 + 1, value=t.title)
        r0 += 1
        grid = table_grid(t, values, blank_totals)
        if edit is not None:
            grid = edit(t, grid)
        for r, row in enumerate(grid):
            for c, cell in enumerate(row):
                if cell is None or cell[0] == "":
                    continue
                v: object = cell[0]
                if cell[0].isdigit():
                    n += 1
                    v = cell[0] if n % text_every == 0 else int(cell[0])
                ws.cell(row=r0 + r + 1, column=c0 + c + 1, value=v)
        r0 += len(grid) + 2
    wb.save(path)
    return path
