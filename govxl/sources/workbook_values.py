"""The values of a workbook: each input cell read and judged (V-INT, V-AMT, V-TEXT), the cover's
agency and year (V-COVER), and the numbers of a workbook written by `govxl import` as published."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..catalogue import Phrase, phrase
from ..judge.rules import MAX_COUNT, Key, kind_ok
from ..reader import RawCell, RawWorkbook
from ..report.findings import Finding, Report
from ..spec import Edition, Field, cell_name, compress, range_name
from .workbook_identity import CheckPlan, marked_keys, number_from_text, quote


@dataclass
class _Cell:
    """An input cell's verdict: the number to use (None = blank) and any finding."""

    value: float | None
    finding: Finding | None = None


_BLANK = _Cell(None)


def read_input(raw: RawWorkbook, c: RawCell | None, f: Field, rule: str, expected: Phrase) -> _Cell:
    if c is None:
        return _BLANK
    v = c.value
    # The common case first: a plain number, not a formula, not formatted as a date.
    if c.type == "n" and c.formula is None and v.__class__ is float:
        if not math.isfinite(v):
            return _bad(f, rule, expected, str(v), "not-finite")
        if raw.is_date(c):
            return _bad(f, rule, expected, v, "date")
        if f.kind == "count" and 0 <= v <= MAX_COUNT and v.is_integer():
            return _Cell(v)
        if not kind_ok(f.kind, v):
            return _bad(f, rule, expected, v, value_reason(f.kind, v))
        return _Cell(v)
    if c.formula is not None:
        return _bad(f, rule, expected, "=" + c.formula, "formula")
    if v is None:
        return _BLANK
    if c.type == "b":
        return _bad(f, rule, expected, "TRUE" if v else "FALSE", "boolean")
    if c.type == "e":
        return _bad(f, rule, expected, v, "error-value")
    if c.type == "d":
        return _bad(f, rule, expected, v, "date-value")
    if isinstance(v, str):
        if not v.strip():
            return _BLANK
        n = number_from_text(v)
        if n is None:
            return _bad(f, rule, expected, quote(v))
        text_warning = Finding.of("V-TEXT", sheet=f.sheet, cell=f.cell, row_label=f.row_label,
                                  col_label=f.col_label, expected=n, actual=quote(v))
        if not kind_ok(f.kind, n):
            return _bad(f, rule, expected, quote(v), value_reason(f.kind, n))
        return _Cell(n, text_warning)
    if isinstance(v, float) and not math.isfinite(v):
        return _bad(f, rule, expected, str(v), "not-finite")
    if raw.is_date(c):
        return _bad(f, rule, expected, v, "date")
    if not kind_ok(f.kind, v):
        return _bad(f, rule, expected, v, value_reason(f.kind, v))
    return _Cell(v)


def _bad(f: Field, rule: str, expected: Phrase, actual: object, reason: str = "") -> _Cell:
    """A value finding; `reason` is a code of govxl.catalogue.REASONS."""
    return _Cell(None, Finding.of(rule, sheet=f.sheet, cell=f.cell, row_label=f.row_label,
                                  col_label=f.col_label, expected=expected, actual=actual, reason=reason))


def value_reason(kind: str, v: float) -> str:
    """Why `v` is not a value of `kind`: a code of govxl.catalogue.REASONS."""
    if kind != "signed" and v < 0:
        return "negative"
    if abs(v) > MAX_COUNT and kind != "amount":
        return "too-big"
    if kind != "amount":
        return "not-whole"
    return "decimals"


def cover_blanks(ed: Edition, plan: CheckPlan, rep: Report) -> list[Finding]:
    """V-COVER: a report that does not say whose and which year it is cannot pass."""
    cover = ed.cover.raw
    out = []
    for key, at, missing in (("agency", plan.agency_at, not rep.agency), ("year", plan.year_at, rep.year is None)):
        if missing:
            out.append(Finding.of("V-COVER", sheet=ed.cover.sheet, cell=cell_name(*at), row_label=cover[key]["label"],
                                  reason="not-a-year" if key == "year" else ""))
    return out



def published_findings(raw: RawWorkbook, ed: Edition, rep: Report, sheets, inputs: dict[Key, float],
               present: set[str]) -> list[Finding]:
    """An imported workbook: its numbers as published (rep.published: an empty input cell is
    None, not 0; a total as printed, None where printed blank), and each row the import could
    not read and that is still empty (I-ROW, an error: the report is incomplete)."""
    unread, blank = marked_keys(raw, ed, "unread"), marked_keys(raw, ed, "blank_total")
    pub: dict[Key, float | None] = {}
    for tp, sheet in sheets:
        for f in tp.table.fields:
            if not f.is_total:
                pub[f.key] = inputs.get(f.key)
                continue
            c = sheet.cells.get((f.row, f.col))
            printed = c.value if c is not None and is_finite_number(c.value) else rep.values.get(f.key)
            pub[f.key] = None if f.key in blank or f.key in unread else printed
    rep.published = pub
    rows: dict[tuple[str, int], list[Field]] = {}
    out = []
    for t in ed.tables:
        if t.key in present and all(f.key in unread and f.key not in inputs for f in t.inputs):
            out.append(Finding.of("I-TABLE", sheet=t.sheet, reason="at-import"))
            unread = unread - {f.key for f in t.fields}
    for key in unread:
        f = ed.field(key)
        if f.table in present and not f.is_total and key not in inputs:
            rows.setdefault((f.sheet, f.row), []).append(f)
    for key in sorted(blank, key=lambda k: (ed.field(k).sheet, ed.field(k).row, ed.field(k).col)):
        f = ed.field(key)
        if f.table in present and rep.values.get(key):
            out.append(Finding.of("I-TOTAL", severity="warning", sheet=f.sheet, cell=f.cell, row_label=f.row_label,
                                  col_label=f.col_label, actual=phrase("blank"), expected=whole_or_float(rep.values[key]),
                                  reason="formula-sum"))
    for (sheet, _), fs in sorted(rows.items(), key=lambda x: (x[1][0].table, x[0][1])):
        fs.sort(key=lambda f: f.col)
        out.append(Finding.of("I-ROW", sheet=sheet, cell=",".join(range_name(*r) for r in compress([(f.row, f.col) for f in fs])),
                              row_label=fs[0].row_label.split(" / ")[-1], reason="not-in-report"))
    return out




# A constant typed over a total is used in the arithmetic only below this size (an absurd one would
# overflow the sums); above it, S-FORMULA still reports the constant.
STATED_MAX = 1e15


def is_finite_number(v: object) -> bool:
    return isinstance(v, float) and math.isfinite(v)


def whole_or_float(v: float) -> float | int:
    return int(v) if float(v).is_integer() else v
