"""Check a filled govxl workbook: identity, structure, values, rules.

Never trusts a cached formula result: totals are recomputed from the inputs, and a
cached result that disagrees is reported (S-CACHE).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .catalogue import KIND_TEXT
from .errors import NoIdentityError, NotGovxlError, ReadError
from .findings import Finding, Report
from .reader import RawCell, RawSheet, RawWorkbook, read_xlsx
from .rules import MAX_COUNT, Key, evaluate, kind_ok
from .rules import check as check_rules
from .spec import (
    Edition,
    Field,
    Label,
    Table,
    cell_name,
    compress,
    edition_ids,
    load_aggregate_sheet,
    load_edition,
    load_outputs,
    parse_cell,
    parse_range,
    per_edition,
    range_name,
)

PROP_PREFIX, NAME_PREFIX = "govxl.", "govxl_"

Reader = Callable[..., RawWorkbook]

EXPECTED_TEXT = KIND_TEXT  # what a value of each kind should be (zh, en)


def value_rule(kind: str) -> str:
    return "V-AMT" if kind == "amount" else "V-INT"


# ------------------------------------------------------------------ text helpers
_WS = re.compile(r"\s+")


def norm_label(text: object) -> str:
    """Labels compare equal when they differ only in whitespace (line breaks from wrapping)."""
    return _WS.sub("", "" if text is None else str(text))


_NUM_TEXT = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def number_from_text(text: str) -> float | None:
    """'１２', ' 12 ', '1,200', '3.5' -> a number; anything else (units, words, '1e3') -> None.

    Invisible characters pasted from web pages (zero-width space, BOM, soft hyphen) are
    dropped first: a cell that shows 12 is read as 12 (with the V-TEXT warning)."""
    s = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).strip()
    if len(s) > 40 or not _NUM_TEXT.match(s) or not s.isascii():
        return None
    n = float(s.replace(",", ""))
    return n if math.isfinite(n) else None


def whole_number(text: object) -> int | None:
    """A year or version number from a property or a cell ('2', '2.0', 2.0, '２０２３'); None if not one."""
    if isinstance(text, bool):
        return None
    n = text if isinstance(text, int | float) else number_from_text(str(text)) if text is not None else None
    if n is None or not math.isfinite(n) or not float(n).is_integer() or abs(n) > 10**9:
        return None
    return int(n)


def norm_formula(text: str | None) -> str:
    if text is None:
        return ""
    parts = re.split(r'("[^"]*")', text.strip().lstrip("="))
    out = []
    for p in parts:
        if not p.startswith('"'):
            p = p.replace("$", "").replace(" ", "").upper().replace("_XLFN.", "").replace("OF:", "")
        out.append(p)
    return "".join(out)


def quote(v: object, limit: int = 40) -> str:
    s = str(v)
    return "“" + (s if len(s) <= limit else s[:limit] + "…") + "”"


# ------------------------------------------------------------------ a workbook written by govxl import
# Custom properties: govxl.source = "import"; govxl.import.<name>.NN the cells of a kind (unread:
# not read from the report; blank_total: a total the report printed blank), as `table!A1:B2 …`,
# in pieces of at most 240 characters (a document property holds 255).
IMPORT_MARK = "import"
_PIECE = 240


def import_marks(fields_by_kind: dict[str, list[Field]]) -> dict[str, str]:
    """The custom properties (without the govxl. prefix) that mark a workbook as imported."""
    out = {"source": IMPORT_MARK}
    for name, fields in fields_by_kind.items():
        by_table: dict[str, list[tuple[int, int]]] = {}
        for f in fields:
            by_table.setdefault(f.table, []).append((f.row, f.col))
        items = [f"{t}!{range_name(*r)}" for t, cells in by_table.items() for r in compress(cells)]
        pieces, cur = [], ""
        for it in items:
            if cur and len(cur) + 1 + len(it) > _PIECE:
                pieces.append(cur)
                cur = ""
            cur = f"{cur} {it}".strip()
        if cur:
            pieces.append(cur)
        for n, piece in enumerate(pieces):
            out[f"{IMPORT_MARK}.{name}.{n:02d}"] = piece
    return out


def _marked(raw: RawWorkbook, ed: Edition, name: str) -> set[Key]:
    prefix = f"{PROP_PREFIX}{IMPORT_MARK}.{name}."
    out: set[Key] = set()
    for k in sorted(raw.properties):
        if not k.startswith(prefix):
            continue
        for item in str(raw.properties[k]).split():
            tk, _, rng = item.partition("!")
            try:
                t = ed.table(tk)
                r0, c0, r1, c1 = parse_range(rng)
            except (KeyError, ValueError):
                continue
            at = {(f.row, f.col): f.key for f in t.fields}
            out |= {at[(r, c)] for r in range(r0, r1 + 1) for c in range(c0, c1 + 1) if (r, c) in at}
    return out


# ------------------------------------------------------------------ identity
def _ident(raw: RawWorkbook, key: str) -> str | None:
    v = raw.properties.get(PROP_PREFIX + key)
    if v:
        return v
    v = raw.names.get(NAME_PREFIX + key)
    if v:
        return v.strip().strip('"').strip("=").strip('"')
    return None


def _layout_matches(raw: RawWorkbook, ed: Edition) -> bool:
    for t in ed.tables:
        sheet = raw.sheet(t.sheet)
        if sheet is None:
            return False
        for lb in t.labels:
            c = sheet.cells.get((lb.row, lb.col))
            if norm_label(c.value if c else None) != norm_label(lb.text):
                return False
    return True


@cache
def _edition_ids() -> tuple[str, ...]:
    return tuple(edition_ids())


def identify(raw: RawWorkbook) -> tuple[Edition, list[Finding]]:
    """The edition a workbook claims (or, failing that, whose layout it has)."""
    ed_id = _ident(raw, "edition")
    known = _edition_ids()
    if ed_id is None:
        for candidate in known:
            ed = load_edition(candidate)
            if _layout_matches(raw, ed):
                return ed, [Finding.of("S-IDENT", expected=ed.id, detail="；请用 govxl new 重新生成后再填写")]
        names = {s.name for s in raw.sheets}
        for candidate in known:
            ed = load_edition(candidate)
            if any(t.sheet in names for t in ed.tables):
                raise NoIdentityError(f"不是 govxl 生成的年报工作簿：缺少模板标识，且表格版式与 {ed.id} 版不符"
                                    "（可能插入或删除了行、列）；请用 govxl new 重新生成后填写")
        raise NoIdentityError(code="R-NOTGOVXL")
    if ed_id not in known:
        raise NotGovxlError(code="R-EDITION", edition=ed_id, known="、".join(known))
    ed = load_edition(ed_id)
    v = whole_number(_ident(raw, "template_version"))
    if v is not None and v > ed.template_version:
        raise NotGovxlError(
            f"模板版本 {v} 比本程序认识的版本（{ed.id} 版第 {ed.template_version} 版）新，请升级 govxl")
    return ed, []


def known_sheets() -> set[str]:
    return set(_known_sheets())


@cache
def _known_sheets() -> frozenset[str]:
    out: set[str] = set()
    for e in _edition_ids():
        ed = load_edition(e)
        out |= {t.sheet for t in ed.tables} | {ed.cover.sheet}
    return frozenset(out)


# ------------------------------------------------------------------ per-edition plan
@dataclass(frozen=True)
class _TablePlan:
    """What checking one table needs, derived once per edition instead of once per file."""

    table: Table
    labels: tuple[tuple[Label, tuple[int, int], str], ...]  # label, position, normalised text
    inputs: tuple[tuple[Field, tuple[int, int], str, str], ...]  # field, position, rule, expected (zh)
    totals: tuple[tuple[Field, tuple[int, int], str, str], ...]  # field, position, formula, normalised
    merges: frozenset[tuple[int, int, int, int]]


@dataclass(frozen=True)
class _Plan:
    tables: tuple[_TablePlan, ...]
    agency_at: tuple[int, int]
    year_at: tuple[int, int]
    sheet_order: tuple[str, ...]


def _make_plan(ed: Edition) -> _Plan:
    tables = []
    for t in ed.tables:
        tables.append(_TablePlan(
            table=t,
            labels=tuple((lb, (lb.row, lb.col), norm_label(lb.text)) for lb in t.labels),
            inputs=tuple((f, (f.row, f.col), value_rule(f.kind), EXPECTED_TEXT[f.kind][0]) for f in t.inputs),
            totals=tuple((f, (f.row, f.col), t.sum_formula(f), norm_formula(t.sum_formula(f))) for f in t.totals),
            merges=frozenset(t.merges),
        ))
    cover = ed.cover.raw
    return _Plan(tuple(tables), parse_cell(cover["agency"]["at"].split(":")[0]), parse_cell(cover["year"]["at"]),
                 (ed.cover.sheet, *(t.sheet for t in ed.tables)))


_plan = per_edition(_make_plan)


# ------------------------------------------------------------------ the check
@dataclass
class _Cell:
    """An input cell's verdict: the number to use (None = blank) and any finding."""

    value: float | None
    finding: Finding | None = None


_BLANK = _Cell(None)


def _read_input(raw: RawWorkbook, c: RawCell | None, f: Field, rule: str, exp_zh: str) -> _Cell:
    if c is None:
        return _BLANK
    v = c.value
    # The common case first: a plain number, not a formula, not formatted as a date.
    if c.type == "n" and c.formula is None and v.__class__ is float:
        if not math.isfinite(v):
            return _bad(f, rule, exp_zh, str(v), "not-finite")
        if raw.is_date(c):
            return _bad(f, rule, exp_zh, v, "date")
        if f.kind == "count" and 0 <= v <= MAX_COUNT and v.is_integer():
            return _Cell(v)
        if not kind_ok(f.kind, v):
            return _bad(f, rule, exp_zh, v, _why(f.kind, v))
        return _Cell(v)
    if c.formula is not None:
        return _bad(f, rule, exp_zh, "=" + c.formula, "formula")
    if v is None:
        return _BLANK
    if c.type == "b":
        return _bad(f, rule, exp_zh, "TRUE" if v else "FALSE", "boolean")
    if c.type == "e":
        return _bad(f, rule, exp_zh, v, "error-value")
    if c.type == "d":
        return _bad(f, rule, exp_zh, v, "date-value")
    if isinstance(v, str):
        if not v.strip():
            return _BLANK
        n = number_from_text(v)
        if n is None:
            return _bad(f, rule, exp_zh, quote(v))
        text_warning = Finding.of("V-TEXT", sheet=f.sheet, cell=f.cell, row_label=f.row_label,
                                  col_label=f.col_label, expected=n, actual=quote(v))
        if not kind_ok(f.kind, n):
            return _bad(f, rule, exp_zh, quote(v), _why(f.kind, n))
        return _Cell(n, text_warning)
    if isinstance(v, float) and not math.isfinite(v):
        return _bad(f, rule, exp_zh, str(v), "not-finite")
    if raw.is_date(c):
        return _bad(f, rule, exp_zh, v, "date")
    if not kind_ok(f.kind, v):
        return _bad(f, rule, exp_zh, v, _why(f.kind, v))
    return _Cell(v)


def _bad(f: Field, rule: str, exp_zh: str, actual: object, reason: str = "") -> _Cell:
    """A value finding; `reason` is a code of govxl.catalogue.REASONS."""
    return _Cell(None, Finding.of(rule, sheet=f.sheet, cell=f.cell, row_label=f.row_label,
                                  col_label=f.col_label, expected=exp_zh, actual=actual, reason=reason))


def _why(kind: str, v: float) -> str:
    """Why `v` is not a value of `kind`: a code of govxl.catalogue.REASONS."""
    if kind != "signed" and v < 0:
        return "negative"
    if abs(v) > MAX_COUNT and kind != "amount":
        return "too-big"
    if kind != "amount":
        return "not-whole"
    return "decimals"


def _cover_blanks(ed: Edition, plan: _Plan, rep: Report) -> list[Finding]:
    """V-COVER: a report that does not say whose and which year it is cannot pass."""
    cover = ed.cover.raw
    out = []
    for key, at, missing in (("agency", plan.agency_at, not rep.agency), ("year", plan.year_at, rep.year is None)):
        if missing:
            out.append(Finding.of("V-COVER", sheet=ed.cover.sheet, cell=cell_name(*at), row_label=cover[key]["label"],
                                  reason="not-a-year" if key == "year" else ""))
    return out


def check_raw(raw: RawWorkbook) -> Report:
    ed, findings = identify(raw)
    plan = _plan(ed)
    rep = Report(file=raw.path, edition=ed.id, findings=findings)
    ver = whole_number(_ident(raw, "template_version"))
    rep.template_version = ver if ver is not None else ed.template_version
    cs = raw.sheet(ed.cover.sheet)
    if cs is not None:
        a = cs.cells.get(plan.agency_at)
        rep.agency = str(a.value).strip() if a and a.value not in (None, "") else None
        y = cs.cells.get(plan.year_at)
        rep.year = whole_number(y.value) if y is not None else None
        rep.findings += _cover_blanks(ed, plan, rep)
    if cs is None:
        rep.findings.append(Finding.of("S-SHEET", sheet=ed.cover.sheet, expected=ed.cover.sheet,
                                       detail="（封面写有填报单位和报告年度）"))
    rep.findings += _sheet_order(raw, plan)
    if not raw.structure_locked:
        rep.findings.append(Finding.of("S-BOOK"))

    inputs: dict[Key, float] = {}
    stated: dict[Key, float] = {}
    present: set[str] = set()
    blanks: dict[str, list[tuple[int, int]]] = {}
    value_findings: list[Finding] = []
    sheets: list[tuple[_TablePlan, RawSheet]] = []
    for tp in plan.tables:
        t = tp.table
        sheet = raw.sheet(t.sheet)
        if sheet is None:
            rep.findings.append(Finding.of("S-SHEET", sheet=t.sheet, expected=t.sheet, detail=_renamed(raw, t)))
            continue
        layout = _layout_changed(sheet, tp)
        if layout is not None:  # values would be read from the wrong cells: report the one cause only
            rep.findings.append(layout)
            continue
        sheets.append((tp, sheet))
        present.add(t.key)
        rep.findings += _structure(raw, sheet, tp)
        cells = sheet.cells
        table_blank = []
        for f, rc, rule, exp_zh in tp.inputs:
            cell = _read_input(raw, cells.get(rc), f, rule, exp_zh)
            if cell.finding:
                value_findings.append(cell.finding)
            if cell.value is None:
                if cell.finding is None:
                    table_blank.append(rc)
            else:
                inputs[f.key] = cell.value
        if len(table_blank) == len(tp.inputs):
            rng = ",".join(range_name(*r) for r in compress(table_blank))
            value_findings.append(Finding.of("V-EMPTY", sheet=t.sheet, cell=rng, row_label=t.title))
        elif table_blank:
            blanks[t.sheet] = table_blank
        for f, rc, formula, norm in tp.totals:
            c = cells.get(rc)
            # A constant typed over a total, or a changed formula: the figure shown is what it states.
            if c is not None and _finite(c.value) and abs(c.value) < STATED_MAX and (
                    c.formula is None or (c.formula != formula and norm_formula(c.formula) != norm)):
                stated[f.key] = c.value
    values = evaluate(ed, inputs, stated)
    rep.values = values
    imported = _ident(raw, "source") == IMPORT_MARK
    # Structure again, now that totals can be recomputed: formulas and their cached results.
    for tp, sheet in sheets:
        rep.findings += _totals(sheet, tp, values, imported)
    if imported:
        found = _published(raw, ed, rep, sheets, inputs, present)
        rep.findings += found
        # A table the import did not find: I-TABLE says so; "the whole table is blank" would not.
        gone = {f.sheet for f in found if f.rule == "I-TABLE"}
        value_findings = [f for f in value_findings if not (f.rule == "V-EMPTY" and f.sheet in gone)]
    rep.findings += value_findings
    if blanks:
        n = sum(len(v) for v in blanks.values())
        where = "；".join(f"{s}!{','.join(range_name(*r) for r in compress(cells))}" for s, cells in blanks.items())
        rep.findings.append(Finding.of("V-BLANK", actual=n, detail=where))
    rep.findings += check_rules(ed, values, tables=present)
    return rep


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


def _published(raw: RawWorkbook, ed: Edition, rep: Report, sheets, inputs: dict[Key, float],
               present: set[str]) -> list[Finding]:
    """An imported workbook: its numbers as published (rep.published: an empty input cell is
    None, not 0; a total as printed, None where printed blank), and each row the import could
    not read and that is still empty (I-ROW, an error: the report is incomplete)."""
    unread, blank = _marked(raw, ed, "unread"), _marked(raw, ed, "blank_total")
    pub: dict[Key, float | None] = {}
    for tp, sheet in sheets:
        for f in tp.table.fields:
            if not f.is_total:
                pub[f.key] = inputs.get(f.key)
                continue
            c = sheet.cells.get((f.row, f.col))
            printed = c.value if c is not None and _finite(c.value) else rep.values.get(f.key)
            pub[f.key] = None if f.key in blank or f.key in unread else printed
    rep.published = pub
    rows: dict[tuple[str, int], list[Field]] = {}
    out = []
    for t in ed.tables:
        if t.key in present and all(f.key in unread and f.key not in inputs for f in t.inputs):
            out.append(Finding.of("I-TABLE", sheet=t.sheet, detail="（导入时）"))
            unread = unread - {f.key for f in t.fields}
    for key in unread:
        f = ed.field(key)
        if f.table in present and not f.is_total and key not in inputs:
            rows.setdefault((f.sheet, f.row), []).append(f)
    for key in sorted(blank, key=lambda k: (ed.field(k).sheet, ed.field(k).row, ed.field(k).col)):
        f = ed.field(key)
        if f.table in present and rep.values.get(key):
            out.append(Finding.of("I-TOTAL", severity="warning", sheet=f.sheet, cell=f.cell, row_label=f.row_label,
                                  col_label=f.col_label, actual="空白", expected=_n(rep.values[key]),
                                  detail="（工作簿中的公式给出各项之和）"))
    for (sheet, _), fs in sorted(rows.items(), key=lambda x: (x[1][0].table, x[0][1])):
        fs.sort(key=lambda f: f.col)
        out.append(Finding.of("I-ROW", sheet=sheet, cell=",".join(range_name(*r) for r in compress([(f.row, f.col) for f in fs])),
                              row_label=fs[0].row_label.split(" / ")[-1], detail="（导入时报告中没有这些数）"))
    return out


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


# A constant typed over a total is used in the arithmetic only below this size (an absurd one would
# overflow the sums); above it, S-FORMULA still reports the constant.
STATED_MAX = 1e15


def _finite(v: object) -> bool:
    return isinstance(v, float) and math.isfinite(v)


def _n(v: float) -> float | int:
    return int(v) if float(v).is_integer() else v


def check_file(path: str | Path, reader: Reader | None = None) -> Report:
    """Check one workbook file. Raises ReadError / NotGovxlError when it cannot be checked."""
    read = reader or read_xlsx
    known = known_sheets()
    # Of a cover sheet only the rows up to its agency and year are read; the list of an
    # aggregate's inputs (S-AGG) is never read.
    raw = read(path, sheets=known, rows=_cover_rows(), skip=_never_read())
    # A renamed table sheet is recognised by its labels, so when a table sheet is missing the
    # unknown sheets are read too (a few). That second read is a hint only: if an extra sheet
    # cannot be read (too big, damaged), the check goes on without it.
    names = {s.name for s in raw.sheets}
    extras = names - known - _never_read()
    missing = not any(all(t.sheet in names for t in load_edition(e).tables) for e in _edition_ids())
    if missing and extras and len(extras) <= 20:
        try:
            raw = read(path, sheets=known | extras, rows=_cover_rows(), skip=_never_read())
        except ReadError:
            pass
    return check_raw(raw)


def prepare() -> None:
    """Load every edition and derive its plan now: a process pool forked after this call
    starts its workers with all of it (instead of each worker loading it again)."""
    for e in _edition_ids():
        ed = load_edition(e)
        _plan(ed)
        evaluate(ed, {})
    known_sheets()
    _cover_rows()
    _never_read()


@cache
def _never_read() -> frozenset[str]:
    return frozenset({load_aggregate_sheet().sheet, load_outputs()["annotate"]["sheet"]})


@cache
def _cover_rows() -> dict[str, int]:
    out: dict[str, int] = {}
    for e in _edition_ids():
        plan = _plan(load_edition(e))
        sheet = plan.sheet_order[0]
        out[sheet] = max(out.get(sheet, 0), plan.agency_at[0] + 1, plan.year_at[0] + 1)
    return out
