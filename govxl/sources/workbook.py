"""Check a filled govxl workbook: identity, structure, values, rules.

Never trusts a cached formula result: totals are recomputed from the inputs, and a
cached result that disagrees is reported (S-CACHE).

The concerns live in their own modules (workbook_identity: which workbook and edition, text
helpers, the plan; workbook_structure: sheets, labels, merges, locks, formulas; workbook_values:
input cells and the cover); this module runs them in order.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import ReadError
from ..judge import ReportData, judge
from ..judge.rules import Key, evaluate
from ..reader import RawSheet, RawWorkbook, read_xlsx
from ..report.findings import Finding, Report
from ..spec import load_edition
from .workbook_identity import (
    IMPORT_MARK,
    TablePlan,
    check_plan,
    checked_edition_ids,
    cover_rows,
    ident_of,
    identify,
    known_sheets,
    marked,
    never_read,
    norm_formula,
    whole_number,
)
from .workbook_structure import (
    layout_changed,
    renamed_sheet,
    sheet_order_findings,
    structure_findings,
    total_findings,
)
from .workbook_values import STATED_MAX, cover_blanks, is_finite_number, published_findings, read_input

Reader = Callable[..., RawWorkbook]


def check_raw(raw: RawWorkbook) -> Report:
    ed, findings = identify(raw)
    plan = check_plan(ed)
    rep = Report(file=raw.path, edition=ed.id, findings=findings)
    ver = whole_number(ident_of(raw, "template_version"))
    rep.template_version = ver if ver is not None else ed.template_version
    cs = raw.sheet(ed.cover.sheet)
    if cs is not None:
        a = cs.cells.get(plan.agency_at)
        rep.agency = str(a.value).strip() if a and a.value not in (None, "") else None
        y = cs.cells.get(plan.year_at)
        rep.year = whole_number(y.value) if y is not None else None
        rep.findings += cover_blanks(ed, plan, rep)
    if cs is None:
        rep.findings.append(Finding.of("S-SHEET", sheet=ed.cover.sheet, expected=ed.cover.sheet,
                                       reason="cover-sheet"))
    rep.findings += sheet_order_findings(raw, plan)
    if not raw.structure_locked:
        rep.findings.append(Finding.of("S-BOOK"))

    inputs: dict[Key, float] = {}
    stated: dict[Key, float] = {}
    present: set[str] = set()
    blank: set[Key] = set()
    value_findings: list[Finding] = []
    sheets: list[tuple[TablePlan, RawSheet]] = []
    for tp in plan.tables:
        t = tp.table
        sheet = raw.sheet(t.sheet)
        if sheet is None:
            rep.findings.append(Finding.of("S-SHEET", sheet=t.sheet, expected=t.sheet, **renamed_sheet(raw, t)))
            continue
        layout = layout_changed(sheet, tp)
        if layout is not None:  # values would be read from the wrong cells: report the one cause only
            rep.findings.append(layout)
            continue
        sheets.append((tp, sheet))
        present.add(t.key)
        rep.findings += structure_findings(raw, sheet, tp)
        cells = sheet.cells
        for f, rc, rule, exp_zh in tp.inputs:
            cell = read_input(raw, cells.get(rc), f, rule, exp_zh)
            if cell.finding:
                value_findings.append(cell.finding)
            if cell.value is None:
                if cell.finding is None:
                    blank.add(f.key)
            else:
                inputs[f.key] = cell.value
        for f, rc, formula, norm in tp.totals:
            c = cells.get(rc)
            # A constant typed over a total, or a changed formula: the figure shown is what it states.
            if c is not None and is_finite_number(c.value) and abs(c.value) < STATED_MAX and (
                    c.formula is None or (c.formula != formula and norm_formula(c.formula) != norm)):
                stated[f.key] = c.value
    values = evaluate(ed, inputs, stated)
    rep.values = values
    imported = ident_of(raw, "source") == IMPORT_MARK
    # Structure again, now that totals can be recomputed: formulas and their cached results.
    for tp, sheet in sheets:
        rep.findings += total_findings(sheet, tp, values, imported)
    data = ReportData(file=raw.path, edition=ed, agency=rep.agency, year=rep.year,
                      template_version=rep.template_version, identity={"agency": "cover", "year": "cover"},
                      numbers={**inputs, **stated} if stated else inputs, blank=blank, tables=present)
    if imported:
        found = published_findings(raw, ed, rep, sheets, inputs, present)
        rep.findings += found
        # A table the import did not find: I-TABLE says so; "the whole table is blank" would not.
        gone = {f.sheet for f in found if f.rule == "I-TABLE"}
        data.no_empty = {t.key for t in ed.tables if t.sheet in gone}
        # A cell the import could not read is unknown, not blank: the rules that need it are not verified.
        unread = marked(raw, ed, "unread")
        data.unknown = {k: "unread" for k in unread if k not in inputs}
        data.blank -= set(data.unknown)
        data.published = rep.published
    data.findings = rep.findings + value_findings
    return judge(data, values)



def check_file(path: str | Path, reader: Reader | None = None) -> Report:
    """Check one workbook file. Raises ReadError / NotGovxlError when it cannot be checked."""
    read = reader or read_xlsx
    known = known_sheets()
    # Of a cover sheet only the rows up to its agency and year are read; the list of an
    # aggregate's inputs (S-AGG) is never read.
    raw = read(path, sheets=known, rows=cover_rows(), skip=never_read())
    # A renamed table sheet is recognised by its labels, so when a table sheet is missing the
    # unknown sheets are read too (a few). That second read is a hint only: if an extra sheet
    # cannot be read (too big, damaged), the check goes on without it.
    names = {s.name for s in raw.sheets}
    extras = names - known - never_read()
    missing = not any(all(t.sheet in names for t in load_edition(e).tables) for e in checked_edition_ids())
    if missing and extras and len(extras) <= 20:
        try:
            raw = read(path, sheets=known | extras, rows=cover_rows(), skip=never_read())
        except ReadError:
            pass
    return check_raw(raw)


def prepare() -> None:
    """Load every edition and derive its plan now: a process pool forked after this call
    starts its workers with all of it (instead of each worker loading it again)."""
    for e in checked_edition_ids():
        ed = load_edition(e)
        check_plan(ed)
        evaluate(ed, {})
    known_sheets()
    cover_rows()
    never_read()
