"""Sum the reports of many agencies into one summary report (汇总报告), and check a parent
report against its children (ROLL).

Everything here works over the edition spec's fields (semantic keys): which cells are inputs,
which are totals and what kind of number each holds all come from templates/. Totals are
never summed: the summary is written with live formulas, which recompute them from the
summed inputs. Counts are summed as integers and the fee as exact decimals, so 200 fees
of 0.1 万元 make 20, not 19.999999999999996.

The library raises govxl.errors exceptions and returns data; `govxl.cli.commands.aggregate` prints.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .catalogue import Join, phrase
from .errors import GovxlError, InputsError, UsageError
from .files import find_workbooks
from .judge.rules import Key
from .report.findings import Finding, Report
from .session import Checked
from .spec import Edition, edition_ids, load_aggregate_sheet, load_cover, load_edition

Number = int | float
_MICRO = Decimal("0.000001")  # the fee has at most 6 decimals (V-AMT)


# ------------------------------------------------------------------ finding and checking the inputs
def iter_files(paths: Iterable[str | os.PathLike], skip: str | os.PathLike | None = None) -> list[Path]:
    """The workbooks named by `paths` (see :mod:`govxl.files`; `skip` is the summary being written,
    or the parent being checked), sorted by path, so that "the first" of two duplicates does not
    depend on the order of the arguments."""
    return sorted(find_workbooks(paths, skip=skip), key=str)


def _digest(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return ""  # the check says why in a clerk's words


def check_all(paths: Sequence[Path], jobs: int | None = 1) -> list[Checked]:
    """Check every file, in order, `jobs` at a time (None: one per core), as `govxl check` does."""
    from .session import check_many

    return list(check_many(paths, jobs, keep_values=True))


# ------------------------------------------------------------------ sums
def _dec(v: float | None) -> Decimal:
    """A cell's number as the decimal the clerk typed (the shortest repr of the float, ≤ 6 places).
    A float of 15 or more integer digits has no decimals to keep (and would overflow quantize)."""
    d = Decimal(repr(float(v or 0)))
    return d if d.adjusted() >= 15 else d.quantize(_MICRO)


def sum_values(edition: Edition, reports: Sequence[Report]) -> dict[Key, Number]:
    """Per input field of `edition`, the sum over `reports`: counts as exact integers, amounts as
    exact decimals returned as the nearest float (which prints back as that same decimal)."""
    out: dict[Key, Number] = {}
    for f in edition.fields:
        if f.is_total:
            continue
        if f.kind == "amount":
            out[f.key] = float(sum((_dec(r.values.get(f.key)) for r in reports), Decimal(0)))
        else:
            out[f.key] = sum(int(round(r.values.get(f.key) or 0)) for r in reports)
    return out


def key_totals(edition: Edition, report: Report) -> list[Number | None]:
    """The key totals of templates/aggregate.toml for one report (None where the edition lacks a key)."""
    keys = {f.key for f in edition.fields}
    out: list[Number | None] = []
    for kt in load_aggregate_sheet().totals:
        if not all(k in keys for k in kt.fields):
            out.append(None)
            continue
        v = sum((_dec(report.values.get(k)) for k in kt.fields), Decimal(0))
        out.append(int(v) if v == v.to_integral_value() else float(v))
    return out


# ------------------------------------------------------------------ choosing what to sum
@dataclass
class Entry:
    """One input of an aggregate: whether it is summed, and the finding that says why not
    (AGG-DUP, AGG-FAIL, AGG-READ) or that it is summed despite errors (AGG-KEPT)."""

    checked: Checked
    name: str  # the path relative to the folder that holds every input: no user's home in the summary
    sha256: str = ""  # of the file's content ("" if it could not be read)
    included: bool = False
    finding: Finding | None = None

    @property
    def report(self) -> Report | None:
        return self.checked.report


@dataclass
class Aggregate:
    edition: Edition
    year: int | None
    entries: list[Entry]
    sums: dict[Key, Number]

    @property
    def included(self) -> list[Entry]:
        return [e for e in self.entries if e.included]

    @property
    def left_out(self) -> list[Entry]:
        return [e for e in self.entries if not e.included]

    @property
    def findings(self) -> list[Finding]:
        return [e.finding for e in self.entries if e.finding is not None]


def display_names(paths: Sequence[Path]) -> dict[Path, str]:
    """Each path relative to the deepest folder that holds them all (a lone file: its name)."""
    resolved = {p: p.resolve() for p in paths}
    try:
        base = os.path.commonpath([str(r.parent) for r in resolved.values()])
    except ValueError:  # nothing in common (Windows drives)
        return {p: str(p) for p in paths}
    return {p: os.path.relpath(r, base) for p, r in resolved.items()}


def _norm_agency(name: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def _majority(values: list, order: list) -> object:
    """The most common value; a tie goes to the one earliest in `order` (newest edition, latest year)."""
    if not values:
        return None
    counts = Counter(values)
    best = max(counts.values())
    return min((v for v in counts if counts[v] == best), key=order.index)


def _edition_and_year(checked: list[Checked], names: dict[Path, str], edition: str | None,
                      year: int | None) -> tuple[str, int | None]:
    reports = [c.report for c in checked if c.report is not None]
    if not reports:
        some = Join(tuple(phrase("file-why", name=names[c.path], why=c.error) for c in checked[:3]))
        raise UsageError(code="U-AGG-UNREADABLE", some=some,
                         more=phrase("more-files", n=len(checked)) if len(checked) > 3 else "")
    given_year = year is not None
    if edition is None:
        edition = _majority([r.edition for r in reports], edition_ids())  # type: ignore[assignment]
    if year is None:
        years = [r.year for r in reports if r.year is not None]
        year = _majority(years, sorted(set(years), reverse=True))  # type: ignore[assignment]
    offenders = []
    for c in checked:
        r = c.report
        if r is None:
            continue
        if r.edition != edition:
            offenders.append((names[c.path], ("R-AGG-EDITION", {"edition": r.edition})))
        elif year is not None and r.year != year:
            offenders.append((names[c.path], ("R-AGG-YEAR", {"year": r.year}) if r.year is not None
                              else ("R-AGG-NOYEAR", {})))
    if offenders:
        want, want_en = f"{edition} 版" + (f"、{year} 年" if year is not None else ""), f"edition {edition}" + (
            f", year {year}" if year is not None else "")
        basis, basis_en = ("", "") if given_year else ("，以多数为准", ", as most are")
        raise InputsError("R-AGG-MIXED", offenders, want=want, want_en=want_en, basis=basis, basis_en=basis_en,
                          n=len(offenders))
    return edition, year  # type: ignore[return-value]


def _listed(path: Path) -> set[str]:
    """Short hashes of the reports a summary workbook says it summed (its list sheet)."""
    from .reader import read_xlsx

    spec = load_aggregate_sheet()
    labels = dict((k, lb) for k, lb, _ in spec.columns)
    try:
        sheet = read_xlsx(path, sheets={spec.sheet}).sheet(spec.sheet)
    except GovxlError:
        return set()
    if sheet is None:
        return set()
    head = {c.value: col for (r, col), c in sheet.cells.items() if r == 0}
    h_col, s_col = head.get(labels["hash"]), head.get(labels["status"])
    if h_col is None:
        return set()
    out = set()
    for (r, col), c in sheet.cells.items():
        if r > 0 and col == h_col and isinstance(c.value, str) and c.value:
            status = sheet.cells.get((r, s_col)) if s_col is not None else None
            if status is None or status.value != spec.texts["status"]["left_out"]:
                out.add(c.value)
    return out


def _overlaps(checked: list[Checked], names: dict[Path, str], sha: dict[Path, str]) -> None:
    """Refuse a summary given together with reports it already contains: they would count twice."""
    summaries = [c for c in checked if c.report and any(f.rule == "S-AGG" for f in c.report.findings)]
    if not summaries:
        return
    n = load_aggregate_sheet().hash_chars
    offenders = []
    for s in summaries:
        listed = _listed(s.path)
        inside = [c for c in checked if c is not s and sha[c.path] and sha[c.path][:n] in listed]
        if inside:
            more, more_en = (f"等 {len(inside)} 份", f" and {len(inside) - 1} more") if len(inside) > 1 else ("", "")
            offenders.append((names[s.path], ("R-AGG-INSIDE", {"name": names[inside[0].path], "more": more,
                                                               "more_en": more_en})))
    if offenders:
        raise InputsError("R-AGG-OVERLAP", offenders)


def combine(checked: list[Checked], *, edition: str | None = None, year: int | None = None,
            include_failing: bool = False) -> Aggregate:
    """Decide, input by input, what is summed, and sum it.

    Every readable input must be of one edition and one year (`edition`/`year` if given, else the
    majority), or InputsError lists the others. A report with errors is left out (AGG-FAIL) unless
    `include_failing` (AGG-KEPT). Of duplicates (same file content; same agency; the same non-zero
    figures under another agency) the first by path is summed and the others left out (AGG-DUP).
    """
    names = display_names([c.path for c in checked])
    ed_id, year = _edition_and_year(checked, names, edition, year)
    sha = {c.path: _digest(c.path) for c in checked}
    _overlaps(checked, names, sha)
    ed = load_edition(ed_id)
    inputs = [f.key for f in ed.fields if not f.is_total]
    seen: dict[str, dict[object, str]] = {"sha": {}, "agency": {}, "values": {}}
    entries: list[Entry] = []
    for c in checked:
        e = Entry(c, names[c.path], sha[c.path])
        entries.append(e)
        r = c.report
        if r is None:
            e.finding = Finding.of("AGG-READ", actual=e.name, reason="as-given",
                                   params=(("zh", c.error.text("zh")), ("en", c.error.text("en"))))
            continue
        errors = r.counts["error"]
        what = {"reason": "failing", "params": (("n", errors), ("rules", Join(tuple(sorted(
            {f.rule for f in r.findings if f.severity == "error"})))))}
        if errors and not include_failing:
            e.finding = Finding.of("AGG-FAIL", actual=e.name, **what)
            continue
        figures = tuple(round(float(r.values.get(k) or 0), 6) for k in inputs)
        keys = {"sha": e.sha256 or None, "agency": _norm_agency(r.agency) or None,
                "values": figures if any(figures) else None}
        dup = next((k for k, v in keys.items() if v is not None and v in seen[k]), None)
        if dup is not None:
            e.finding = Finding.of("AGG-DUP", actual=e.name, expected=seen[dup][keys[dup]], reason=f"dup-{dup}")
            continue
        for k, v in keys.items():
            if v is not None:
                seen[k][v] = e.name
        e.included = True
        if errors:
            e.finding = Finding.of("AGG-KEPT", actual=e.name, **what)
    sums = sum_values(ed, [e.report for e in entries if e.included])  # type: ignore[misc]
    return Aggregate(ed, year, entries, sums)


def aggregate(paths: Iterable[str | os.PathLike], *, year: int | None = None, include_failing: bool = False,
              jobs: int = 1, out: str | os.PathLike | None = None) -> Aggregate:
    """Find, check and sum the reports under `paths` (files or folders; `out`, if found there, is not read)."""
    files = iter_files(paths, skip=out)
    if not files:
        raise UsageError(code="U-AGG-NOFILES")
    return combine(check_all(files, jobs), year=year, include_failing=include_failing)


# ------------------------------------------------------------------ the summary workbook
def _verdict(report: Report) -> str:
    from .catalogue import SEVERITY_ZH

    cover = load_cover().raw
    counts = report.counts
    parts = [f"{counts[k]} 个{SEVERITY_ZH[k]}" for k in ("error", "warning", "info") if counts[k]]
    if report.ok():
        return cover["pass_text"] + (f"（{'，'.join(parts)}）" if parts else "")
    return cover["fail_text"] + "：" + "，".join(parts)


def unverified_note(report: Report, edition: Edition, lang: str = "zh") -> str:
    """Which cells of the roll-up rest on this input's unknown cells (not read, or printed only in a
    sum: counted as 0) or on its rules that were not verified (govxl.judge); "" if none."""
    from .a1 import ranges
    from .catalogue import say

    cells: dict[str, list[tuple[int, int]]] = {}
    for key, state in report.states.items():
        if state in ("unknown", "in_sum"):
            f = edition.field(key)
            cells.setdefault(f.sheet, []).append((f.row, f.col))
    for u in report.unverified:
        cells.setdefault(u.sheet, [])
    if not cells:
        return ""
    where = "；".join(f"{sheet}!{ranges(sorted(c))}" if c else sheet for sheet, c in cells.items())
    return say("rests-on-unverified", lang, {"n": len(report.unverified), "cells": where})


def list_sheet(agg: Aggregate):
    """The extra sheet: every input, summed or not, with its agency, file, hash, key totals, verdict."""
    from .writer import Extra

    spec = load_aggregate_sheet()
    texts = spec.texts
    header: list[str] = []
    widths: list[float] = []
    for key, label, width in spec.columns:
        labels = [kt.label for kt in spec.totals] if key == "totals" else [label]
        header += labels
        widths += [width] * len(labels)
    rows = []
    for i, e in enumerate(agg.entries, 1):
        r = e.report
        notes = [e.finding.message()] if e.finding else []
        if r is not None and e.included:
            if not r.agency:
                notes.append(texts["no_agency"])
            if any(f.rule == "S-AGG" for f in r.findings):
                notes.append(texts["is_aggregate"])
            rests = unverified_note(r, agg.edition)
            if rests:
                notes.append(rests)
        status = "left_out" if not e.included else ("flagged" if e.finding else "included")
        cells = {
            "no": i, "status": texts["status"][status], "agency": (r.agency or "") if r else "",
            "file": e.name, "hash": e.sha256[: spec.hash_chars],
            "verdict": _verdict(r) if r else texts["unreadable"], "note": "；".join(notes),
        }
        totals = key_totals(agg.edition, r) if r is not None and e.included else [None] * len(spec.totals)
        row: list = []
        for key, _, _ in spec.columns:
            row += totals if key == "totals" else [cells[key]]
        rows.append(row)
    footer = texts["footer"].format(total=len(agg.entries), included=len(agg.included), left_out=len(agg.left_out))
    return Extra(spec.sheet, header, rows, widths, footer=[footer])


def write_summary(agg: Aggregate, out: str | os.PathLike, *, agency: str, force: bool = False) -> Path:
    """Write the summary: a locked govxl workbook of the inputs' edition whose input cells hold the
    sums (totals stay live formulas), followed by the list sheet."""
    from .safefile import prepare_output
    from .writer import write_workbook

    prepare_output(out, force, inputs=tuple(e.checked.path for e in agg.entries))  # never over an input
    if not agg.included:
        raise UsageError(code="U-AGG-NONE", n=len(agg.entries))
    return write_workbook(out, agg.edition, agency=agency, year=agg.year, values=agg.sums, force=force,
                          extra=[list_sheet(agg)])


# ------------------------------------------------------------------ parent = sum of children (ROLL)
def _differs(kind: str, a: float, b: float) -> bool:
    if kind == "amount":
        return _dec(a) != _dec(b)
    return int(round(a)) != int(round(b))


def compare_with_children(parent: Report, children: Sequence[Report]) -> list[Finding]:
    """A ROLL warning for every input cell where the parent differs from the sum of its children.
    Totals are not compared: they follow from the inputs (and a tampered one is S-FORMULA's)."""
    ed = load_edition(parent.edition)  # type: ignore[arg-type]
    sums = sum_values(ed, children)
    out = []
    for f in ed.fields:
        if f.is_total:
            continue
        have = parent.values.get(f.key) or 0
        if _differs(f.kind, have, sums[f.key]):
            actual = float(_dec(have)) if f.kind == "amount" else int(round(have))
            out.append(Finding.of("ROLL", sheet=f.sheet, cell=f.cell, row_label=f.row_label, col_label=f.col_label,
                                  expected=sums[f.key], actual=actual, reason="children", params={"n": len(children)}))
    return out


def check_children(parent: Report, paths: Iterable[str | os.PathLike], *, jobs: int = 1) -> list[Finding]:
    """Check `parent` against the reports under `paths`, chosen exactly as `aggregate` chooses them
    (same edition and year as the parent, duplicates and failing reports left out and reported)."""
    files = iter_files(paths, skip=parent.file)
    if not files:
        raise UsageError(code="U-CHILDREN-NOFILES")
    agg = combine(check_all(files, jobs), edition=parent.edition, year=parent.year)
    if not agg.included:
        raise UsageError(code="U-CHILDREN-NONE", n=len(agg.entries))
    return agg.findings + compare_with_children(parent, [e.report for e in agg.included])  # type: ignore[misc]
