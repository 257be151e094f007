"""The plan of a marked-up copy (`govxl check --annotate`): which cells each finding marks, what
each input cell of the original held, where the values of a damaged table go, and the texts of
the marks. govxl/annotate.py writes the copy from this plan."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..catalogue import CATALOGUE, SEVERITIES, SEVERITY_ZH
from ..judge.rules import Key
from ..reader import RawCell, RawSheet, RawWorkbook
from ..spec import Edition, Field, Table, cell_name, load_edition, load_outputs, parse_cell, parse_range
from .findings import Finding, Report

# Findings about the file's structure that a copy rebuilt from the spec does not carry over.
REPAIRED = frozenset({"S-IDENT", "S-SHEET", "S-LABEL", "S-LAYOUT", "S-MERGE", "S-FORMULA", "S-CACHE", "S-LOCK",
                      "S-PROTECT", "S-ORDER"})
# Sheets of the original that are no part of the report and are not copied.
NOT_COPIED = frozenset({"S-EXTRA", "S-AGG"})
# Findings about a whole table: listed on the first sheet, not drawn on every cell.
WHOLE = frozenset({"V-EMPTY"})


def texts(lang: str) -> dict:
    out = load_outputs()["annotate"]
    return {**out, **out["en" if lang == "en" else "zh"]}


def severity_word(sev: str, lang: str) -> str:
    return sev if lang == "en" else SEVERITY_ZH[sev]


def worst(findings: Iterable[Finding]) -> str:
    sevs = {f.severity for f in findings}
    return next(s for s in SEVERITIES if s in sevs)


# ------------------------------------------------------------------ what the original holds
@dataclass(frozen=True)
class Content:
    """An input cell of the original, to be written into the copy as it was."""

    kind: str  # number | date | text | bool | formula | error
    value: object = None
    formula: str | None = None

    @property
    def plain(self) -> bool:
        return self.kind == "number"


def content_of(raw: RawWorkbook, c: RawCell | None) -> Content | None:
    """None for a blank cell."""
    if c is None:
        return None
    v = c.value
    if c.formula is not None:
        return Content("formula", v, c.formula)
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if c.type == "b":
        return Content("bool", bool(v))
    if c.type == "e":
        return Content("error", str(v))
    if isinstance(v, str):
        return Content("text", v)
    if isinstance(v, int | float) and math.isfinite(v):
        return Content("date" if raw.is_date(c) else "number", float(v))
    return Content("text", str(v))


@dataclass
class Unplaced:
    """A cell of a damaged table that has no place in the official one (or the reverse)."""

    sheet: str
    cell: str  # in the original
    content: str
    row_text: str
    missing: bool = False  # True: an official cell not found in the original


# ------------------------------------------------------------------ values placed by label
def _align(official: list[set[str]], found: list[set[str]]) -> dict[int, int]:
    """Order-keeping alignment of official rows (or columns) to those of a sheet, maximising the
    labels they share (rows inserted or deleted in between are skipped); unmatched lines between
    two matched ones are paired in order when both gaps are the same size."""
    n, m = len(official), len(found)
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            score = len(official[i] & found[j])
            best[i][j] = max(best[i + 1][j], best[i][j + 1], best[i + 1][j + 1] + score if score else 0)
    pairs: dict[int, int] = {}
    i = j = 0
    while i < n and j < m:
        score = len(official[i] & found[j])
        if score and best[i][j] == best[i + 1][j + 1] + score:
            pairs[i] = j
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    anchors = [(-1, -1), *sorted(pairs.items()), (n, m)]
    for (i1, j1), (i2, j2) in zip(anchors, anchors[1:]):
        if i2 - i1 == j2 - j1:
            for k in range(1, i2 - i1):
                pairs[i1 + k] = j1 + k
    return pairs


def _norm(text: object) -> str:
    from ..sources.workbook_identity import norm_label

    return norm_label(text)


def place_by_label(sheet: RawSheet, t: Table) -> tuple[dict[Key, tuple[int, int]], list[Unplaced]]:
    """Where each field of `t` is on a sheet whose rows or columns were inserted or deleted: the
    row of its row's labels and the column of its column's labels. Returns the positions found
    and what could not be placed (extra cells of the original; official cells not found)."""
    r0, c0, r1, c1 = t.bounds
    rows_off = list(range(r0, max(r1, *(b.show_row for b in t.balances)) + 1)) if t.balances else list(range(r0, r1 + 1))
    cols_off = list(range(c0, c1 + 1))
    by_row: dict[int, set[str]] = {r: set() for r in rows_off}
    by_col: dict[int, set[str]] = {c: set() for c in cols_off}
    for lb in t.labels:
        by_row[lb.row].add(_norm(lb.text))
        by_col[lb.col].add(_norm(lb.text))
    for b in t.balances:
        by_row[b.show_row].add(_norm(b.show_label))
    strings = {rc: _norm(c.value) for rc, c in sheet.cells.items()
               if isinstance(c.value, str) and c.formula is None and rc[0] < r1 + 1000 and rc[1] < c1 + 200}
    known = set().union(*by_row.values()) | {_norm(t.title)}
    rmax = max([r for r, _ in strings] + [r1])
    cmax = max([c for _, c in strings] + [c1])
    f_rows: list[set[str]] = [set() for _ in range(rmax + 1)]
    f_cols: list[set[str]] = [set() for _ in range(cmax + 1)]
    for (r, c), s in strings.items():
        if s in known:
            f_rows[r].add(s)
            f_cols[c].add(s)
    rmap = {rows_off[i]: j for i, j in _align([by_row[r] for r in rows_off], f_rows).items()}
    cmap = {cols_off[i]: j for i, j in _align([by_col[c] for c in cols_off], f_cols).items()}
    at: dict[Key, tuple[int, int]] = {}
    out: list[Unplaced] = []
    for f in t.fields:
        if f.row in rmap and f.col in cmap:
            at[f.key] = (rmap[f.row], cmap[f.col])
        elif not f.is_total:
            out.append(Unplaced(t.sheet, f.cell, "", f.row_label, missing=True))
    # What sits inside the table's area in the original and is neither a label nor a placed cell.
    taken = set(at.values())
    balance_rows = {rmap[b.show_row] for b in t.balances if b.show_row in rmap}
    if rmap and cmap:
        top, bottom = min(rmap.values()), max(rmap.values())
        left, right = min(cmap.values()), max(cmap.values())
        for (r, c), cell in sorted(sheet.cells.items()):
            if not (top <= r <= bottom and left <= c <= right) or (r, c) in taken or r in balance_rows:
                continue
            v = cell.value
            if v is None or (isinstance(v, str) and (not v.strip() or _norm(v) in known)):
                continue
            shown = ("=" + cell.formula) if cell.formula else (f"{v:g}" if isinstance(v, float) else str(v))
            row_text = " ".join(str(x.value) for (rr, cc), x in sorted(sheet.cells.items())
                                if rr == r and cc < c and isinstance(x.value, str) and x.value.strip())
            out.append(Unplaced(t.sheet, cell_name(r, c), shown, row_text[:80]))
    return at, out


# ------------------------------------------------------------------ the plan of a copy
@dataclass
class Plan:
    """Everything the copy shows beyond the plain workbook."""

    report: Report
    edition: Edition
    lang: str
    contents: dict[Key, Content] = field(default_factory=dict)
    numbers: dict[Key, float] = field(default_factory=dict)
    marks: dict[tuple[str, int, int], list[Finding]] = field(default_factory=dict)
    unplaced: list[Unplaced] = field(default_factory=list)


def _cells_of(ref: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for part in ref.split(","):
        part = part.strip()
        try:
            r1, c1, r2, c2 = parse_range(part) if ":" in part else (*parse_cell(part), *parse_cell(part))
        except Exception:  # not a cell reference (a free-text location): nothing to mark
            continue
        if (r2 - r1 + 1) * (c2 - c1 + 1) > 10_000:
            continue
        out += [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
    return out


def marks_of(report: Report, edition: Edition, blanks: Iterable[Field] = ()) -> dict[tuple[str, int, int], list[Finding]]:
    """The findings that name each field (sheet, row, col): the cells to mark. `blanks`: the
    unfilled input cells, marked with the one V-BLANK finding that counts them all."""
    damaged = {f.sheet for f in report.findings if f.rule == "S-LAYOUT"}
    fields = {(f.sheet, f.row, f.col) for f in edition.fields}
    marks: dict[tuple[str, int, int], list[Finding]] = {}
    blank_rule = next((f for f in report.findings if f.rule == "V-BLANK"), None)
    if blank_rule is not None:
        for f in blanks:
            marks.setdefault((f.sheet, f.row, f.col), []).append(blank_rule)
    for f in report.findings:
        if f.rule in REPAIRED | NOT_COPIED | WHOLE or not f.cell or f.sheet in damaged:
            continue
        for r, c in _cells_of(f.cell):
            if (f.sheet, r, c) in fields:
                marks.setdefault((f.sheet, r, c), []).append(f)
        if f.likely_cell:  # the cell that most likely is wrong (govxl.judge) carries the rules it breaks
            sheet, _, cell = f.likely_cell.rpartition("!")
            for r, c in _cells_of(cell):
                if (sheet or f.sheet, r, c) in fields and f not in marks.get((sheet or f.sheet, r, c), []):
                    marks.setdefault((sheet or f.sheet, r, c), []).append(f)
    return marks


def make_plan(report: Report, raw: RawWorkbook, lang: str = "zh") -> Plan:
    from ..sources.workbook_identity import expected_for, value_rule
    from ..sources.workbook_values import read_input

    ed = load_edition(report.edition)
    plan = Plan(report, ed, lang)
    damaged = {f.sheet for f in report.findings if f.rule == "S-LAYOUT"}
    whole = {f.sheet for f in report.findings if f.rule in WHOLE}
    blanks: list[Field] = []
    for t in ed.tables:
        sheet = raw.sheet(t.sheet)
        if sheet is None:
            continue
        if t.sheet in damaged:
            at, unplaced = place_by_label(sheet, t)
            plan.unplaced += unplaced
        else:
            at = {f.key: (f.row, f.col) for f in t.fields}
        for f in t.inputs:
            if f.key not in at:
                continue
            c = sheet.cells.get(at[f.key])
            content = content_of(raw, c)
            if content is not None:
                plan.contents[f.key] = content
            got = read_input(raw, c, f, value_rule(f.kind), expected_for(f.kind))
            if got.value is not None:
                plan.numbers[f.key] = got.value
            elif content is None and t.sheet not in whole | damaged:
                blanks.append(f)
    plan.marks = marks_of(report, ed, blanks)
    return plan


def status(f: Finding, plan: Plan, t: dict) -> str:
    if f.rule in REPAIRED:
        return t["repaired"]
    if f.rule in NOT_COPIED:
        return t["not_copied"]
    if any(f in marks for marks in plan.marks.values()):
        return t["marked"]
    return t["listed"]


def comment_text(findings: list[Finding], lang: str) -> str:
    lines = []
    for f in findings:
        title = CATALOGUE[f.rule].title_en if lang == "en" else CATALOGUE[f.rule].title_zh
        msg = f.message(lang)
        if len(msg) > 400:
            msg = msg[:400] + "…"
        lines.append(f"{f.rule}（{severity_word(f.severity, lang)}）{title}\n{msg}" if lang != "en"
                     else f"{f.rule} ({f.severity}) {title}\n{msg}")
    return "\n\n".join(lines)
