"""The one judge: a report's plain data (govxl.judge.data) in, its Report out.

Every source goes through :func:`judge`: a govxl workbook (govxl.sources.workbook.check_raw hands over its
cells and its structure findings) and any document (govxl.importer.Imported.to_report). The judge
summarises blank cells (V-EMPTY, V-BLANK), gives each sum and balance of the spec an outcome
(held, broken, or not verified when it needs a cell that is unknown or known only in a sum), and,
when rules break, names the one cell whose change would make them all hold (govxl.judge.likely).
"""

from __future__ import annotations

from ..a1 import ranges
from ..catalogue import Join
from ..numbers import TOLERANCE, tidy
from ..report.findings import Finding, Report, Unverified
from ..spec import per_edition
from .data import BLANK, IN_SUM, NA, UNKNOWN, Key, ReportData, Sum
from .likely import Linear, likely_cell
from .rules import evaluate, instances, parts_of

HELD, BROKEN, NOT_VERIFIED = "held", "broken", "not_verified"


def judge(data: ReportData, values: dict[Key, float] | None = None) -> Report:
    """The report of `data`. `values`: every field's value, when the source has computed them
    already exactly as :func:`govxl.judge.rules.evaluate` would (a workbook: saves a second pass)."""
    ed = data.edition
    numbers = data.numbers
    sums: list[Sum] = []
    zero = [s for s in data.sums if abs(s.figure) <= TOLERANCE]
    if zero:  # a published sum of 0: every part is 0 (a count is never negative)
        numbers = dict(numbers)
        for s in zero:
            for k in s.cells:
                numbers.setdefault(k, 0)
    sums = [s for s in data.sums if abs(s.figure) > TOLERANCE]
    group = {k: i for i, s in enumerate(sums) for k in s.cells if k not in numbers}
    unknown = {k: w for k, w in data.unknown.items() if k not in numbers}
    if values is None or zero:
        inputs, stated = {}, {}
        for k, v in numbers.items():
            (stated if parts_of(ed, k) else inputs)[k] = v
        values = evaluate(ed, inputs, stated)
    rep = Report(file=data.file, edition=ed.id, template_version=data.template_version, agency=data.agency,
                 year=data.year, findings=list(data.findings), values=values, source=data.source,
                 not_applied=data.not_applied, published=data.published)
    rep.findings += _blanks(data, numbers)
    lin = Linear(ed, numbers, unknown, group, sums)
    broken: list[tuple[int, tuple]] = []
    held: list[tuple] = []
    fast = not unknown and not group
    pending: list[tuple] = []  # sums not verified: together they may still be (a group printed as one row)
    tables = data.tables
    outcomes = rep.outcomes
    for table, is_sum, rule, left, right, where, done, f, label in _plan(ed):
        if tables is not None and table not in tables:
            continue
        if fast:
            lv = values[left[0]] if is_sum else sum([values[k] for k in left])
            rv = sum([values[k] for k in right])
            if abs(lv - rv) <= TOLERANCE:
                outcomes.append(done)  # (held rules are looked up again only when one breaks)
                continue
            blockers: list[Key] = []
        else:
            blockers, lv, rv = lin.settle(left, right)
        if blockers:
            if is_sum:
                pending.append((where, f, (left, right)))
            rep.unverified.append(_unverified(ed, where, label, blockers, group))
            outcomes.append((*where, NOT_VERIFIED))
        elif abs(lv - rv) > TOLERANCE:
            broken.append((len(rep.findings), (left, right)))
            expected, actual = (rv, lv) if is_sum else (lv, rv)
            rep.findings.append(Finding.of(rule, sheet=f.sheet, cell=where[2], row_label=label, col_label=f.col_label,
                                           expected=tidy(expected), actual=tidy(actual)))
            outcomes.append((*where, BROKEN))
        else:
            held.append((left, right))
            outcomes.append(done)
    rep.findings += _together(lin, pending, rep)
    if broken:
        if fast:
            kept = {o[:3] for o in outcomes if o[3] == HELD}
            held = [(it[3], it[4]) for it in _plan(ed) if it[5] in kept]
        cell = likely_cell(lin, [sides for _, sides in broken], held)
        if cell is not None:
            f = ed.field(cell)
            for i, _ in broken:
                g = rep.findings[i]
                name = f.cell if g.sheet == f.sheet else f"{f.sheet}!{f.cell}"
                rep.findings[i] = _with(g, name)
    rep.states = {k: s for k in _stated_keys(data) if (s := data.state(k)) is not None and k not in numbers}
    rep.sums = [(s.cells, s.figure) for s in data.sums]
    return rep


def _plan_of(ed) -> tuple[tuple, ...]:
    """Every sum and balance of the edition once, flat: (table, is_sum, rule, left, right, where,
    its 'held' outcome, the field that names it, its label); an equation is Σ left = Σ right."""
    out = []
    for table, sum_rules, balances in instances(ed):
        for rule, total_key, part_keys, f in sum_rules:
            where = (rule, f.sheet, f.cell)
            out.append((table, True, rule, (total_key,), part_keys, where, (*where, HELD), f, f.row_label))
        for rule, left, right, cells, label in balances:
            where = (rule, cells[0].sheet, ",".join(c.cell for c in cells))
            out.append((table, False, rule, left, right, where, (*where, HELD), cells[0], label))
    return tuple(out)


_plan = per_edition(_plan_of)


def _together(lin: Linear, pending: list[tuple], rep: Report) -> list[Finding]:
    """Sums of one rule that could not be verified one by one because their cells are known only
    in printed sums (a group of rows printed as one row): added up, they use those sums."""
    out = []
    by_rule: dict[str, list[tuple]] = {}
    for where, f, sides in pending:
        if all(k in lin.group for k in lin.value(lin.terms(*sides))[1]):
            by_rule.setdefault(where[0], []).append((where, f, sides))
    for rule, items in by_rule.items():
        if len(items) < 2:
            continue
        left = tuple(k for _, _, s in items for k in s[0])
        right = tuple(k for _, _, s in items for k in s[1])
        blockers, actual, expected = lin.settle(left, right)
        if blockers or abs(actual - expected) <= TOLERANCE:
            continue
        f = items[0][1]
        label = _common([g.row_label for _, g, _ in items])
        out.append(Finding.of(rule, sheet=f.sheet, cell=",".join(w[2] for w, _, _ in items), row_label=label,
                              col_label=f.col_label, expected=tidy(expected), actual=tidy(actual)))
        rep.outcomes.append((rule, f.sheet, out[-1].cell, BROKEN))
    return out


def _common(labels: list[str]) -> str:
    parts = [x.split(" / ") for x in labels]
    same = [p[0] for p in zip(*parts) if len(set(p)) == 1]
    return " / ".join(same) or labels[0]


def _with(f: Finding, cell: str) -> Finding:
    from dataclasses import replace

    return replace(f, likely_cell=cell)


def _stated_keys(data: ReportData):
    yield from data.unknown
    yield from data.blank
    yield from data.na
    for s in data.sums:
        yield from s.cells


def _unverified(ed, where: tuple[str, str, str], label: str, blockers: list[Key], group: dict) -> Unverified:
    fs = sorted({k: ed.field(k) for k in blockers}.values(), key=lambda f: (f.row, f.col))
    names = tuple(f.cell if f.sheet == where[1] else f"{f.sheet}!{f.cell}" for f in fs)
    why = IN_SUM if all(k in group for k in blockers) else UNKNOWN
    return Unverified(rule=where[0], sheet=where[1], cells=where[2], label=label, blocked_by=names, why=why)


def _blanks(data: ReportData, numbers) -> list[Finding]:
    """V-EMPTY for a table whose every input is blank; V-BLANK summarising the other blank inputs."""
    out, blanks = [], {}
    blank = data.blank | data.na  # a cell printed not applicable is summarised as blank too, as before
    if not blank:
        return out
    for t in data.edition.tables:
        if data.tables is not None and t.key not in data.tables:
            continue
        cells = [(f.row, f.col) for f in t.inputs if f.key in blank and f.key not in numbers]
        if cells and len(cells) == len(t.inputs):
            if t.key not in data.no_empty:
                out.append(Finding.of("V-EMPTY", sheet=t.sheet, cell=ranges(cells), row_label=t.title))
        elif cells:
            blanks[t.sheet] = cells
    if blanks:
        where = Join(tuple(f"{sheet}!{ranges(cells)}" for sheet, cells in blanks.items()), "；")
        out.append(Finding.of("V-BLANK", actual=sum(map(len, blanks.values())), reason="cells",
                              params={"cells": where}))
    return out


__all__ = ["judge", "HELD", "BROKEN", "NOT_VERIFIED", "BLANK", "NA", "UNKNOWN", "IN_SUM"]
