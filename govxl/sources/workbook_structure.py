"""The structure of a workbook: its sheets (S-SHEET, S-ORDER, S-EXTRA, S-AGG), each table's grid
(S-LAYOUT), labels (S-LABEL), merges (S-MERGE), locks and protection (S-LOCK, S-PROTECT), and
its total formulas and their stored results (S-FORMULA, S-CACHE)."""

from __future__ import annotations

import math
from collections import Counter

from ..catalogue import Join, phrase
from ..judge.rules import Key
from ..reader import RawSheet, RawWorkbook
from ..report.findings import Finding
from ..spec import Table, compress, load_aggregate_sheet, load_outputs, range_name
from .workbook_identity import CheckPlan, TablePlan, norm_formula, norm_label, quote
from .workbook_values import whole_or_float


def sheet_order_findings(raw: RawWorkbook, plan: CheckPlan) -> list[Finding]:
    out = []
    expected = plan.sheet_order
    names = [s.name for s in raw.sheets]
    actual = [n for n in names if n in expected]
    if actual != [n for n in expected if n in names]:
        out.append(Finding.of("S-ORDER", expected=Join(expected), actual=Join(tuple(actual))))
    aggregate_list = load_aggregate_sheet().sheet
    if aggregate_list in names:
        out.append(Finding.of("S-AGG", sheet=aggregate_list, actual=aggregate_list))
    # The first sheet of a copy marked up by `check --annotate` is no part of the report: no finding.
    marked = load_outputs()["annotate"]["sheet"]
    extra = [n for n in names if n not in expected and n not in (aggregate_list, marked)]
    if len(extra) > MAX_EXTRA_LISTED:  # one line, not hundreds
        out.append(Finding.of("S-EXTRA", actual=extra[0], reason="more-sheets", params={"n": len(extra)}))
    else:
        out += [Finding.of("S-EXTRA", sheet=n, actual=n) for n in extra]
    return out


MAX_EXTRA_LISTED = 10


def _text(sheet: RawSheet, row: int, col: int) -> str:
    c = sheet.cells.get((row, col))
    return "" if c is None or c.value is None else str(c.value)


def layout_changed(sheet: RawSheet, tp: TablePlan) -> Finding | None:
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
        moves = ([phrase("rows-down" if dr > 0 else "rows-up", n=abs(dr))] if dr else []) + (
            [phrase("cols-right" if dc > 0 else "cols-left", n=abs(dc))] if dc else [])
        causes = ([phrase("rows-inserted" if dr > 0 else "rows-deleted")] if dr else []) + (
            [phrase("cols-inserted" if dc > 0 else "cols-deleted")] if dc else [])
        reason, params = "layout-moved", {"cell": first.cell, "label": first.text, "n": n_moved,
                                          "moves": Join(tuple(moves)), "causes": Join(tuple(causes))}
    else:
        found = _text(sheet, first.row, first.col)
        reason, params = "layout-labels", {"n": len(wrong), "cell": first.cell, "label": first.text,
                                           "found": quote(found) if found else phrase("blank")}
    return Finding.of("S-LAYOUT", sheet=t.sheet, cell=first.cell, expected=first.text,
                      actual=_text(sheet, first.row, first.col), reason=reason, params=params)


def renamed_sheet(raw: RawWorkbook, t: Table) -> dict:
    """The reason of an S-SHEET finding: the sheet that holds the table's first label, or none."""
    first = norm_label(t.labels[0].text)
    for s in raw.sheets:
        if s.loaded and s.name != t.sheet:
            if any(norm_label(c.value) == first for c in s.cells.values() if isinstance(c.value, str)):
                return {"reason": "sheet-renamed", "params": {"name": s.name}}
    return {"reason": "sheet-gone"}


def structure_findings(raw: RawWorkbook, sheet: RawSheet, tp: TablePlan) -> list[Finding]:
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
        params = {}
        if missing:
            params["missing"] = Join(tuple(range_name(*m) for m in missing))
        if extra:
            params["extra"] = Join(tuple(range_name(*m) for m in extra))
        reason = "merge-both" if missing and extra else "merge-missing" if missing else "merge-extra"
        cells_ = ",".join(range_name(*m) for m in missing + extra)
        out.append(Finding.of("S-MERGE", sheet=t.sheet, cell=cells_, reason=reason, params=params))
    if not sheet.protected:
        out.append(Finding.of("S-PROTECT", sheet=t.sheet))
    unlocked = _unlocked_styles(raw)
    get = cells.get
    locked_inputs = [f for f, rc, _r, _e in tp.inputs if (c := get(rc)) is None or c.style not in unlocked]
    label_cells = [lb for lb, rc, _label in tp.labels if (c := get(rc)) is not None and c.style in unlocked]
    total_cells = [f for f, rc, _f, _norm in tp.totals if (c := get(rc)) is not None and c.style in unlocked]
    if locked_inputs:
        where = ",".join(range_name(*r) for r in compress([(f.row, f.col) for f in locked_inputs]))
        out.append(Finding.of("S-LOCK", sheet=t.sheet, cell=where,
                              reason="locked-inputs", params={"n": len(locked_inputs)}))
    if label_cells or total_cells:
        where = ",".join([lb.cell for lb in label_cells] + [f.cell for f in total_cells])
        out.append(Finding.of("S-LOCK", sheet=t.sheet, cell=where,
                              reason="unlocked-labels", params={"n": len(label_cells) + len(total_cells)}))
    return out


def _unlocked_styles(raw: RawWorkbook) -> frozenset[int]:
    """The style indices whose cells are not locked: RawWorkbook.locked() for many cells at once."""
    return frozenset(i for i, (locked, _date) in enumerate(raw.styles) if not locked)



def total_findings(sheet: RawSheet, tp: TablePlan, values: dict[Key, float], imported: bool = False) -> list[Finding]:
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
                                      expected=whole_or_float(values[f.key]),
                                      actual=whole_or_float(v) if math.isfinite(v) else str(v)))
            continue
        common = dict(sheet=t.sheet, cell=f.cell, row_label=f.row_label, col_label=f.col_label)
        if c is None or c.formula is None:
            if c is None or c.value is None:
                actual = phrase("blank")
            else:
                actual = phrase("constant", value=f"{c.value:g}") if isinstance(c.value, float) else quote(c.value)
            out.append(Finding.of("S-FORMULA", expected=want, actual=actual, **common))
            continue
        out.append(Finding.of("S-FORMULA", expected=want, actual="=" + c.formula, **common))
    return out
