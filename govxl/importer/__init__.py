"""Import a published 政府信息公开工作年度报告 (an HTML page or text copied from one or from a
PDF) into the values of an edition's tables.

    result = import_report("report.html")   # plain data: the tables as published, the findings
    write_imported_workbook(result, "report.xlsx")   # govxl.writer_imported: a govxl workbook

Nothing here prints or exits: problems are findings (codes I-* in govxl.catalogue) or, when
the file cannot be read at all, a govxl.errors.ReadError.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from ..catalogue import Join, phrase
from ..judge import ReportData, Sum, judge
from ..judge.rules import Key, evaluate, instances
from ..numbers import plain, show
from ..report.findings import Finding, Printed, Report
from ..spec import Edition, Field, edition_ids, load_edition
from .order import cells_of, col_name, row_name
from .place import Placer
from .readings import settle
from .source import Source
from .text import Atom, Lexicon, Val, canon, decompose, import_data, lexicon, simplify, unreadable
from .title import body_year, detect, title_of

__all__ = ["Imported", "import_report"]

Number = int | float


@dataclass
class Imported:
    """The tables of one report, as published."""

    file: str
    edition: Edition
    agency: str | None
    year: int | None
    source: str  # html | tab | pipe | cells | plain, or a document: docx | odt | xlsx | xls | ods | pdf
    # Every cell found, inputs and printed totals alike; None = printed blank.
    values: dict[Key, Number | None] = field(default_factory=dict)
    # Where the agency and the year came from: "title" or "given" (by the caller).
    identity: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    missing_tables: list[str] = field(default_factory=list)
    incomplete_rows: list[tuple[str, str]] = field(default_factory=list)  # (table key, row label)
    # Remarks to attach to workbook cells (a converted unit, a printed total that disagrees).
    notes: dict[Key, str] = field(default_factory=dict)
    # Cells printed as not applicable (`/`, `-`, `—`; in `values` as None) and cells known only as
    # part of a printed sum (a group of rows printed as one row: govxl.judge.Sum).
    na: set[Key] = field(default_factory=set)
    sums: list[Sum] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing_tables and not self.incomplete_rows

    @property
    def inputs(self) -> dict[Key, Number]:
        return {k: v for k, v in self.values.items() if v is not None and not self.edition.field(k).is_total}

    @property
    def stated(self) -> dict[Key, Number]:
        """Totals as printed in the report (they may disagree with their parts)."""
        return {k: v for k, v in self.values.items() if v is not None and self.edition.field(k).is_total}

    def data(self, findings: list[Finding] | None = None, invalid: set[Key] = frozenset()) -> ReportData:
        """The import as the judge's plain data (govxl.judge): a cell printed blank is blank (counts
        as 0, V-BLANK), a cell not found is unknown, a printed sum holds its parts. `findings`: the
        reading findings to carry (default: the import's own, without its arithmetic, which the
        judge redoes); `invalid`: inputs whose value was refused (they count as 0)."""
        ed = self.edition
        numbers: dict[Key, Number] = {}
        blank: set[Key] = set()
        for k, v in self.values.items():
            if v is None:
                blank.add(k)
            elif k not in invalid:
                numbers[k] = v
        in_sum = {k for s in self.sums for k in s.cells}
        unknown = {f.key: "not-read" for f in ed.fields if f.key not in self.values and f.key not in in_sum}
        if findings is None:
            arithmetic = rule_ids(ed)
            findings = [f for f in self.findings if f.rule not in arithmetic]
        return ReportData(file=self.file, edition=ed, agency=self.agency, year=self.year,
                          template_version=ed.template_version, identity=dict(self.identity),
                          numbers=numbers, blank=blank - self.na, na=set(self.na), unknown=unknown,
                          sums=list(self.sums), findings=list(findings))

    def to_report(self) -> Report:
        """The import as a check report (govxl.judge): the published values (a blank counts as 0 and
        is summarised by V-BLANK, as `govxl check` does; a cell not found is unknown) and findings."""
        rep = judge(self.data())
        rep.values = {k: rep.values[k] for k in self.values}
        rep.printed = self.printed()
        return rep

    def printed(self) -> Printed:
        """The import as its workbook holds it (govxl.writer_imported): inputs and totals as printed,
        remarks, the cells not read and the totals printed blank."""
        ed = self.edition
        checks = self.total_checks()
        unread = tuple(f.key for f in ed.fields if f.key not in self.values)
        blank = [k for k, (printed, _) in checks.items() if printed is None]
        blank += [f.key for f in ed.fields if f.is_total and f.key in self.values and self.values[f.key] is None
                  and f.key not in checks]
        return Printed(inputs=self.inputs, stated=self.stated, notes=dict(self.notes), unread=unread,
                       blank_total=tuple(blank))

    def total_checks(self) -> dict[Key, tuple[Number | None, Number]]:
        """Each printed total (None: printed blank) whose parts were all read, with their sum."""
        ed = self.edition
        computed = evaluate(ed, self.inputs)
        out: dict[Key, tuple[Number | None, Number]] = {}

        def read(f: Field) -> bool:
            if not f.is_total:
                return f.key in self.values
            return all(read(ed.field((f.table, *p))) for p in f.parts)

        for f in ed.fields:
            if f.is_total and f.key in self.values and read(f):
                v = computed[f.key]
                out[f.key] = (self.values[f.key], plain(v))
        return out


# ------------------------------------------------------------------ entry point
def import_report(path: str | os.PathLike, *, edition: str | None = None, agency: str | None = None,
                  year: int | None = None, previous: dict[Key, Any] | None = None) -> Imported:
    """Read a report and place its numbers. Raises ReadError when nothing can be read.
    `previous`: last year's values (a Report's `values`), to choose among the splits of 表二 runs.
    The reading and the placing run under the document guards (formats.guarded)."""
    from .formats import guarded

    return guarded(path, lambda p: read_and_place(p, edition=edition, agency=agency, year=year, previous=previous))


def read_and_place(path: str | os.PathLike, *, edition: str | None, agency: str | None,
                   year: int | None, previous: dict[Key, Any] | None = None) -> Imported:
    """The body of import_report, without the guards (it runs inside them)."""
    from .formats import read_any

    src = simplified(read_any(path))
    eds = [load_edition(e) for e in edition_ids()]
    tags: dict[int, Any] = {}  # id of a placed value -> where its unsure reading is (a scan)
    atoms = atomize(src, lexicon(tuple(e.id for e in eds)), tags)
    t_agency, t_year = title_of(src)
    findings: list[Finding] = []
    if edition is not None:
        ed = load_edition(edition)
    else:
        ed, findings = detect(eds, atoms, year or t_year or body_year(src))
        said_year = year or t_year or body_year(src)
        if not findings and said_year is not None and any(ed.first_year < e.first_year <= said_year for e in eds):
            # A 2021 report printed in the 2019 layout: read by the layout it is printed in.
            findings.append(Finding.of("I-LAYOUT", actual=said_year, expected=ed.id))
    unknown = [phrase(what) for what, given, found in (("title-agency", agency, t_agency), ("title-year", year, t_year))
               if given is None and found is None]
    if unknown:
        findings.append(Finding.of("I-TITLE", reason="names", params={"names": Join(tuple(unknown))}))
    res = Imported(file=str(path), edition=ed, agency=agency or t_agency, year=year or t_year, source=src.kind)
    res.identity = {k: w for k, given, found in (("agency", agency, t_agency), ("year", year, t_year))
                    for w in (("given" if given is not None else "title" if found is not None else None),) if w}
    # The text stops on a digit or a sign: the last value may be the start of a longer number (`-` of
    # `-1`); it stops on a `|` of a table row: the last cell is closed, even when it is empty.
    end = src.ends.rstrip()
    placement = Placer(ed, atoms, kind=src.kind, cut_value=src.ends[-1:].isdigit() or src.ends.endswith(("-", "－", "−")),
                       closed=end.endswith(("|", "｜")) and src.kind in ("pipe", "cells"),
                       said=lambda: said_in(src, ed), previous=previous).run()
    res.findings = findings + placement.findings
    unsure: dict[Key, Any] = {}
    unread: list[Finding] = []  # cells printed with no number in them (I-UNREAD)
    for key, val in placement.placed.items():
        if id(val) in tags:  # a cell of a scan read without certainty: unknown, unless the arithmetic decides
            unsure[key] = tags[id(val)]
            continue
        if val.junk:  # a cell printed with no number in it (`1O`, `*`, `不详`): its value is unknown
            f = ed.field(key)
            unread.append(Finding.of("I-UNREAD", sheet=f.sheet, cell=f.cell, row_label=row_name(f),
                                      col_label=col_name(f), actual="“" + _clip(val.text) + "”"))
            continue
        res.values[key] = _number(res, ed.field(key), val)
    for keys, val in placement.sums:  # a group of rows printed as one: each column's sum
        n = _number(res, ed.field(keys[0]), val)
        if n is not None:
            res.sums.append(Sum(keys, n))
    in_sum = {k for s in res.sums for k in s.cells}
    for t in ed.tables:
        if t.key not in placement.found_tables:
            res.missing_tables.append(t.key)
            res.findings.append(Finding.of("I-TABLE", sheet=t.sheet, expected=t.title))
            continue
        rows: dict[int, list[Field]] = {}
        for f in t.fields:
            rows.setdefault(f.row, []).append(f)
        for r, fs in rows.items():
            if any(f.key not in placement.placed and f.key not in in_sum for f in fs):
                why = placement.trouble.get((t.key, r))
                res.incomplete_rows.append((t.key, row_name(fs[0])))
                if getattr(why, "reason", "") == "run-together":
                    continue  # its I-SPLIT says so already: one warning for one row
                res.findings.append(Finding.of("I-ROW", sheet=t.sheet, cell=cells_of(fs), row_label=row_name(fs[0]),
                                               **({"reason": "why", "params": {"why": why}} if why else {})))
        absent = [lb.text for i, lb in enumerate(t.labels) if (t.key, i) not in placement.matched]
        if absent:
            res.findings.append(Finding.of("I-NOLABEL", sheet=t.sheet, actual=len(absent), reason="names",
                                           params={"names": Join(tuple(f"“{x}”" for x in absent))}))
    order = {t.sheet: i for i, t in enumerate(ed.tables)}
    res.findings += settle(ed, res.values, unsure, res.notes) if unsure else []
    res.findings += unread
    res.findings.sort(key=lambda f: order.get(f.sheet, -1))
    res.findings += published_arithmetic(res)
    res.findings += blank_totals(res)
    return res


def atomize(src: Source, lex: Lexicon, tags: dict[int, Any] | None = None) -> list[Atom]:
    """The report as one stream of atoms, with B where a source row ends.  `tags` receives, for
    the value of each cell a scan could not read with certainty (src.unsure), id(value) -> where."""
    from .cellgrid import is_page_number

    raw: list[Atom] = []
    if src.kind == "plain":
        # Page furniture on a line of its own is no cell: a page number (`-2-`, `第 2 页 共 5 页`),
        # the report's title repeated as a running head on every page.
        seen: set[str] = set()
        lines = []
        for ln in src.text.split("\n"):
            head = canon(ln) if ln.rstrip().endswith(_RUNNING_HEADS) else ""
            again = head in seen
            if head:
                seen.add(head)
            lines.append("" if again or _furniture(ln, is_page_number) else ln)
        text = "\n".join(lines)
        line_of, n = [], 0
        for ch in text:
            line_of.append(n)
            n += ch == "\n"
        raw = decompose(text, lex, line_of=line_of)
    else:
        for r, row in enumerate(src.rows):
            if any(c.strip() for c in row) and all(_furniture(c, is_page_number) for c in row if c.strip()):
                continue
            cells = [[Atom("S", cell, r)] if src.kind == "cells" and cell and set(cell) == {"|"}  # a filler line
                     else decompose(cell, lex, row=r) for cell in row]
            # A cell with real bounds holding junk (`1O`, `*`, `不详`) in a row with labels or numbers (one
            # cell per line: in any row): that cell, value unknown, so that the cells after it keep their columns.
            some = src.kind == "cells" or any(a.kind in "LV" for got in cells for a in got)
            for c, (cell, got) in enumerate(zip(row, cells)):
                if some and len(got) == 1 and got[0].kind == "T" and unreadable(cell):
                    text = " ".join("".join(ln.strip() for ln in cell.splitlines()).split())  # (wrapped in a narrow cell)
                    got = [Atom("V", text, r, val=Val(text, None, junk=True))]
                if tags is not None and (r, c) in src.unsure:
                    tags.update((id(a.val), src.unsure[(r, c)]) for a in got if a.val is not None)
                raw += got or [Atom("E", cell, r)]
    out: list[Atom] = []
    for a in raw:
        if out and out[-1].row != a.row:
            out.append(Atom("B", "", a.row))
        out.append(a)
    return out


_RUNNING_HEADS = ("年度报告", "工作报告")


def _furniture(text: str, is_page_number) -> bool:
    """A page number on a line or in a cell of its own (a short text with a digit: quick to rule out)."""
    return len(text) <= 24 and any(ch.isdigit() for ch in text) and is_page_number(text)


def simplified(src: Source) -> Source:
    """The report in Simplified characters without pinyin glosses (text.simplify)."""
    return replace(src, rows=[[simplify(c) for c in row] for row in src.rows], text=simplify(src.text),
                   titles=[simplify(t) for t in src.titles])


def said_in(src: Source, ed: Edition) -> list:
    """The figures the report's prose (before its first table) states for rows of 表二 (narrative.stated)."""
    from ..narrative import stated

    text = canon(src.text or "\n".join(" ".join(r) for r in src.rows))
    first = ed.tables[0]
    starts = [text.find(canon(x)) for x in (first.title, *(lb.text for lb in first.labels[:1]))]
    cut = min((i for i in starts if i >= 0), default=len(text))
    data = import_data()
    return stated(text[:cut], data.stated, data.amount_units)


# ------------------------------------------------------------------ numbers
MAX_FIGURE_DIGITS = 18  # digits before the point of any figure a report prints (a count is below 10**9)


def _clip(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "…"


def _number(res: Imported, f: Field, val: Val) -> Number | None:
    if val.junk:
        return None  # no number was printed: unknown, not a blank
    n = val.number
    if n is not None and (not n.is_finite() or n.adjusted() >= MAX_FIGURE_DIGITS):
        n = None  # `1e400`, a run of a thousand digits: no figure; the cell is unknown, never a made-up value
    if n is None:
        if val.text.strip():
            shown = _clip(val.text.strip())
            res.na.add(f.key)
            res.findings.append(Finding.of("I-NA", sheet=f.sheet, cell=f.cell, row_label=row_name(f),
                                           col_label=col_name(f), actual="“" + shown + "”"))
        return None
    if val.unit:
        data = import_data()
        where = dict(sheet=f.sheet, cell=f.cell, row_label=row_name(f), col_label=col_name(f),
                     actual="“" + val.text + "”")
        target = f.unit or None
        if f.kind == "amount" and val.unit in data.amount_units and target in data.amount_units:
            if val.unit != target:
                n = n * data.amount_units[val.unit] / data.amount_units[target]
                shown = f"{show(n)} {target}"
                res.findings.append(Finding.of("I-UNIT", expected=shown, **where))
                res.notes[f.key] = f"原报告为“{val.text}”，按 {shown} 填入"
        elif f.kind != "amount" and val.unit in data.count_units:
            pass
        else:
            why = "unit-none" if f.kind == "amount" and target is None else "unit-mismatch"
            res.findings.append(Finding.of("I-UNIT", severity="warning", expected=show(n), **where, reason=why))
    return int(n) if n == n.to_integral_value() else float(n)




def blank_totals(res: Imported) -> list[Finding]:
    """A total printed blank although its parts were read: the data keep the blank (JSON null,
    the sum beside it under "recomputed"); the workbook's formula shows the sum, with a comment."""
    out = []
    for key, (printed, parts) in res.total_checks().items():
        if printed is not None or parts == 0:
            continue  # (a blank total of blank or zero parts is the same story as its parts)
        f = res.edition.field(key)
        shown = show(Decimal(str(parts)))
        res.notes[key] = f"原报告此格为空白，按各项之和为 {shown}"
        out.append(Finding.of("I-TOTAL", severity="warning", sheet=f.sheet, cell=f.cell, row_label=row_name(f),
                              col_label=col_name(f), actual=phrase("blank"), expected=shown, reason="kept-blank"))
    return out


def rule_ids(ed: Edition) -> set[str]:
    """The arithmetic rules of an edition (the judge's, not a reading finding)."""
    return {r[0] for _, sums, balances in instances(ed) for r in (*sums, *balances)}


def published_arithmetic(res: Imported) -> list[Finding]:
    """The report's own sums and balances, with its totals as printed (the judge's findings on
    them): a printed total that disagrees with its parts would otherwise vanish behind the
    workbook's formulas. Each such total gets a note for the workbook."""
    ed = res.edition
    stated = res.stated
    computed = evaluate(ed, res.inputs)
    for key, printed in stated.items():
        if abs(printed - computed[key]) > 1e-7:
            res.notes[key] = (f"原报告公布的数字为 {show(Decimal(str(printed)))}，"
                              f"按各项之和应为 {show(Decimal(str(computed[key])))}")
    arithmetic = rule_ids(ed)
    return [f for f in judge(res.data(findings=[])).findings if f.rule in arithmetic]
