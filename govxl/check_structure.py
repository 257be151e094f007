"""The structure of a workbook: its sheets (S-SHEET, S-ORDER, S-EXTRA, S-AGG), each table's grid
(S-LAYOUT), labels (S-LABEL), merges (S-MERGE), locks and protection (S-LOCK, S-PROTECT), and
its total formulas and their stored results (S-FORMULA, S-CACHE)."""

from __future__ import annotations

import math
from collections import Counter

from .check_identity import _Plan, _TablePlan, norm_formula, norm_label, quote
from .check_values import _n
from .findings import Finding
from .reader import RawSheet, RawWorkbook
from .rules import Key
from .spec import Table, compress, load_aggregate_sheet, load_outputs, range_name


def _sheet_order(raw: RawWorkbook, plan: _Plan) -> list[Finding]:
    out = []
    expected = plan.sheet_order
    names = [s.name for s in raw.sheets]
    actual = [n for n in names if n in expected]
    if actual != [n for n in expected if n in names]:
        out.append(Finding.of("S-ORDER", expected="、".join(expected), actual="、".join(actual)))
    aggregate_list = load_aggregate_sheet().sheet
    if aggregate_list in names:
        out.append(Finding.of("S-AGG", sheet=aggregate_list, actual=aggregate_list))
    # The first sheet of a copy marked up by `check --annotate` is no part of the report: no finding.
    marked = load_outputs()["annotate"]["sheet"]
    extra = [n for n in names if n not in expected and n not in (aggregate_list, marked)]
    if len(extra) > MAX_EXTRA_LISTED:  # one line, not hundreds
        out.append(Finding.of("S-EXTRA", actual=extra[0], detail=f"等 {len(extra)} 张"))
    else:
        out += [Finding.of("S-EXTRA", sheet=n, actual=n) for n in extra]
    return out


MAX_EXTRA_LISTED = 10


def _text(sheet: RawSheet, row: int, col: int) -> str:
    c = sheet.cells.get((row, col))
    return "" if c is None or c.value is None else str(c.value)


def _layout_changed(sheet: RawSheet, tp: _TablePlan) -> Finding | None:
    """One S-LAYOUT finding when the table's grid was shifted (rows or columns inserted or deleted)
    or most of its labels differ, instead of a finding for every label, merge, formula and value.

    A label counts as moved when its text sits at another cell nearby; when two or more labels
    moved by the same offset, that offset is the change. A few edited labels stay S-LABEL each."""
    t, get = tp.table, sheet.cells.get
    wrong = sorted((lb for lb, rc, norm in tp.labels
                    if ((c := get(rc)) is None or c.value != lb.text) and norm_label(_text(sheet, *rc)) != norm),
                   key=lambda lb: (lb.row, lb.col))
    if not wrong:
        return None
    where: dict[str, list[tuple[int, int]]] = {}
    for (r, c), cell in sheet.cells.items():
        if isinstance(cell.value, str) and abs(r - t.origin[0]) < 1000 and abs(c - t.origin[1]) < 1000:
            where.setdefault(norm_label(cell.value), []).append((r, c))
    moves: Counter[tuple[int, int]] = Counter()
    for lb in wrong:
        spots = where.get(norm_label(lb.text), [])
        if spots:
            r, c = min(spots, key=lambda rc: (abs(rc[0] - lb.row) + abs(rc[1] - lb.col), rc))
            moves[(r - lb.row, c - lb.col)] += 1
    (dr, dc), n_moved = moves.most_common(1)[0] if moves else ((0, 0), 0)
    if n_moved < 2 and len(wrong) < max(3, len(t.labels) // 2):
        return None
    first = wrong[0]
    if n_moved >= 2:
        parts = []
        if dr:
            parts.append(f"{'下' if dr > 0 else '上'}移了 {abs(dr)} 行")
        if dc:
            parts.append(f"{'右' if dc > 0 else '左'}移了 {abs(dc)} 列")
        cause = "、".join(
            ([("插入了行" if dr > 0 else "删除了行")] if dr else []) + ([("插入了列" if dc > 0 else "删除了列")] if dc else []))
        detail = f"从 {first.cell} 起，“{first.text}”等 {n_moved} 个标签{'、'.join(parts)}（可能{cause}）"
    else:
        detail = (f"{len(wrong)} 个标签与官方表格不符，第一个在 {first.cell}：应为“{first.text}”，"
                  f"实为{quote(_text(sheet, first.row, first.col)) if _text(sheet, first.row, first.col) else '空白'}")
    return Finding.of("S-LAYOUT", sheet=t.sheet, cell=first.cell, expected=first.text,
                      actual=_text(sheet, first.row, first.col), detail=detail)


def _renamed(raw: RawWorkbook, t: Table) -> str:
    first = norm_label(t.labels[0].text)
    for s in raw.sheets:
        if s.loaded and s.name != t.sheet:
            if any(norm_label(c.value) == first for c in s.cells.values() if isinstance(c.value, str)):
                return f"（可能被改名为“{s.name}”）"
    return "（工作表被删除或改名）"


def _structure(raw: RawWorkbook, sheet: RawSheet, tp: _TablePlan) -> list[Finding]:
    out: list[Finding] = []
    t = tp.table
    cells = sheet.cells
    for lb, rc, norm in tp.labels:
        c = cells.get(rc)
        actual = "" if c is None or c.value is None else str(c.value)
        if actual != lb.text and norm_label(actual) != norm:
            out.append(Finding.of("S-LABEL", sheet=t.sheet, cell=lb.cell, expected=lb.text, actual=actual))
    expected = tp.merges
    r1, c1, r2, c2 = t.bounds
    inside = {m for m in sheet.merges if not (m[2] < r1 or m[0] > r2 or m[3] < c1 or m[1] > c2)}
    if inside != expected:
        missing = sorted(expected - sheet.merges)
        extra = sorted(inside - expected)
        parts = []
        if missing:
            parts.append("应合并而未合并：" + "、".join(range_name(*m) for m in missing))
        if extra:
            parts.append("多出的合并：" + "、".join(range_name(*m) for m in extra))
        cells_ = ",".join(range_name(*m) for m in missing + extra)
        out.append(Finding.of("S-MERGE", sheet=t.sheet, cell=cells_, detail="；".join(parts)))
    if not sheet.protected:
        out.append(Finding.of("S-PROTECT", sheet=t.sheet))
    unlocked = _unlocked_styles(raw)
    get = cells.get
    locked_inputs = [f for f, rc, _r, _e in tp.inputs if (c := get(rc)) is None or c.style not in unlocked]
    label_cells = [lb for lb, rc, _n in tp.labels if (c := get(rc)) is not None and c.style in unlocked]
    total_cells = [f for f, rc, _f, _n in tp.totals if (c := get(rc)) is not None and c.style in unlocked]
    if locked_inputs:
        where = ",".join(range_name(*r) for r in compress([(f.row, f.col) for f in locked_inputs]))
        out.append(Finding.of("S-LOCK", sheet=t.sheet, cell=where,
                              detail=f"{len(locked_inputs)} 个应填单元格被锁定，无法填写"))
    if label_cells or total_cells:
        where = ",".join([lb.cell for lb in label_cells] + [f.cell for f in total_cells])
        out.append(Finding.of("S-LOCK", sheet=t.sheet, cell=where,
                              detail=f"{len(label_cells) + len(total_cells)} 个标签或合计单元格未锁定，可能被误改"))
    return out


def _unlocked_styles(raw: RawWorkbook) -> frozenset[int]:
    """The style indices whose cells are not locked: RawWorkbook.locked() for many cells at once."""
    return frozenset(i for i, (locked, _date) in enumerate(raw.styles) if not locked)



def _totals(sheet: RawSheet, tp: _TablePlan, values: dict[Key, float], imported: bool = False) -> list[Finding]:
    out: list[Finding] = []
    t = tp.table
    for f, rc, want, norm in tp.totals:
        c = sheet.cells.get(rc)
        if c is not None and c.formula is not None and (c.formula == want or norm_formula(c.formula) == norm):
            v = c.value
            if v.__class__ is float and (not math.isfinite(v) or abs(v - values[f.key]) > 1e-7):
                # a stale cached result (a NaN or infinity too: stale, and not valid JSON)
                # In a workbook written by govxl import the stored result is the total the report
                # printed: it disagrees with the report's own parts (I-TOTAL), not a stale file.
                out.append(Finding.of("I-TOTAL" if imported and math.isfinite(v) else "S-CACHE", sheet=t.sheet,
                                      cell=f.cell, row_label=f.row_label, col_label=f.col_label,
                                      expected=_n(values[f.key]), actual=_n(v) if math.isfinite(v) else str(v)))
            continue
        common = dict(sheet=t.sheet, cell=f.cell, row_label=f.row_label, col_label=f.col_label)
        if c is None or c.formula is None:
            if c is None or c.value is None:
                actual = "空白"
            else:
                actual = f"常数 {c.value:g}" if isinstance(c.value, float) else quote(c.value)
            out.append(Finding.of("S-FORMULA", expected=want, actual=actual, **common))
            continue
        out.append(Finding.of("S-FORMULA", expected=want, actual="=" + c.formula, **common))
    return out
