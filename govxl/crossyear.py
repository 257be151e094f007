"""Across years: this year's report against last year's.

`govxl check --previous` / `--previous-dir` and `govxl new --from`. What relates to what
(上年结转 = last year's 结转下年度, ...) is declared in each edition spec (`[[cross_year]]`,
see :class:`govxl.spec.CrossYear`) by semantic keys, so a 2020 report in the 2019 edition
pairs with a 2021 report in the 2021 edition wherever both editions have the keys. This
module only pairs reports, looks the keys up and does the arithmetic.

A pair must be consecutive years: otherwise the comparison would only produce noise, so
one X-YEAR warning says why and nothing else is compared. A different agency name is an
X-AGENCY warning, but the comparison is still made (names change in 机构改革).
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from .catalogue import Join, phrase
from .errors import GovxlError, ReadError, UsageError
from .files import walk
from .judge.rules import Key
from .numbers import TOLERANCE, tidy
from .report.findings import Finding, Report
from .sources.workbook import check_file
from .spec import CrossYear, Edition, edition_ids, load_edition


# ------------------------------------------------------------------ comparing two reports
def compare(this: Report, last: Report) -> list[Finding]:
    """Findings of this year's report against last year's (both already checked)."""
    ed = load_edition(this.edition)
    out = _pairing(ed, this, last)
    if any(f.rule == "X-YEAR" for f in out):
        return out
    last_ed = load_edition(last.edition)
    for rel in ed.cross_year:
        out += _relation(ed, last_ed, rel, this, last)
    return out


def _relation(ed: Edition, last_ed: Edition, rel: CrossYear, this: Report, last: Report) -> list[Finding]:
    out: list[Finding] = []
    for line in rel.lines:
        last_key = rel.key(rel.last, line)
        if last_key not in last.values:  # last year's edition has no such cell: the relation does not apply
            continue
        f, lf = ed.field(rel.key(rel.this, line)), last_ed.field(last_key)
        plus = [(k, this.values[rel.key(k, line)]) for k in rel.plus]
        minus = [(k, this.values[rel.key(k, line)]) for k in rel.minus]
        expected = last.values[last_key] + sum(v for _, v in plus) - sum(v for _, v in minus)
        actual = this.values[f.key]
        if abs(expected - actual) <= TOLERANCE:
            continue
        src = {"file": str(last.file), "cell": f"{lf.sheet}!{lf.cell}"}
        reason = "last-cell"
        if plus or minus:
            terms = [phrase(sign, label=_label(ed.field(rel.key(k, line)), rel), value=_num(v))
                     for sign, items in (("plus", plus), ("minus", minus)) for k, v in items]
            reason, src = "last-terms", {"last": _num(last.values[last_key]), **src, "terms": Join(tuple(terms), "")}
        out.append(Finding.of(rel.rule, sheet=f.sheet, cell=f.cell, row_label=f.row_label, col_label=f.col_label,
                              expected=_num(expected), actual=_num(actual), reason=reason, params=src))
    return out


def _label(f, rel: CrossYear) -> str:
    """The label of a term: its column's label for a relation per row, its row's for one per column."""
    return (f.col_label if rel.each == "row" else f.row_label).split(" / ")[-1]


def _pairing(ed: Edition, this: Report, last: Report) -> list[Finding]:
    cover = ed.cover
    where = dict(sheet=cover.sheet, reason="file", params=(("file", str(last.file)),))
    if this.year is None or last.year != this.year - 1:
        return [Finding.of("X-YEAR", cell=_at(cover.raw["year"]), **where,
                           expected=this.year - 1 if this.year is not None else phrase("prev-year-unknown"),
                           actual=last.year if last.year is not None else phrase("not-filled"))]
    if this.agency and last.agency and not same_agency(this.agency, last.agency):
        return [Finding.of("X-AGENCY", cell=_at(cover.raw["agency"]), **where, expected=this.agency, actual=last.agency)]
    return []


def _num(v: float) -> float | int:
    return tidy(v)


def _at(item: dict) -> str:
    return item["at"].split(":")[0]


def same_agency(a: str | None, b: str | None) -> bool:
    """Agency names compare equal when they differ only in whitespace or full/half width."""
    norm = lambda s: "".join(unicodedata.normalize("NFKC", s or "").split())  # noqa: E731
    return bool(norm(a)) and norm(a) == norm(b)


# ------------------------------------------------------------------ finding last year's report
def find_previous(report: Report, candidates: Iterable[Report]) -> list[Report]:
    """Last year's reports of the same agency among `candidates` (normally exactly one)."""
    if report.year is None or not report.agency:
        return []
    return [c for c in candidates if c.year == report.year - 1 and same_agency(c.agency, report.agency)]


def scan(directory: str | os.PathLike, jobs: int | None = None) -> tuple[list[Report], list[Path]]:
    """Check every workbook under `directory` (subfolders too), `jobs` at a time (None: one per core).
    Returns the reports and the files that could not be checked (not a govxl workbook, damaged...),
    which are skipped. A report keeps only the values a cross-year relation reads from last year,
    so that a folder of thousands is a few MB."""
    from .session import check_many

    root = Path(directory)
    if not root.is_dir():
        raise UsageError(code="U-NOFOLDER", path=str(root))
    keep = _last_year_keys()
    reports, skipped = [], []
    for c in check_many(walk(root), jobs, keep_values=True):
        if c.report is None:
            skipped.append(c.path)
        else:
            c.report.values = {k: v for k, v in c.report.values.items() if k in keep}
            reports.append(c.report)
    return reports, skipped


@cache
def _last_year_keys() -> frozenset[Key]:
    """Every cell any edition's cross-year relations read from last year's report."""
    return frozenset(rel.key(rel.last, line) for e in edition_ids() for rel in load_edition(e).cross_year
                     for line in rel.lines)


class Previous:
    """Where last year's reports come from: one file (`--previous`) or a folder (`--previous-dir`).

    Both are read once, up front, so a batch of checks pairs against the same reports.
    """

    def __init__(self, reports: list[Report], directory: Path | None = None, skipped: list[Path] | None = None) -> None:
        self.reports, self.directory, self.skipped = reports, directory, skipped or []

    @classmethod
    def open(cls, file: str | os.PathLike | None = None, directory: str | os.PathLike | None = None,
             checking: Iterable[str | os.PathLike] = (), jobs: int | None = None) -> Previous | None:
        """None when neither is given. Raises UsageError / ReadError (naming last year's file)."""
        if file is not None and directory is not None:
            raise UsageError(code="U-PREV-BOTH")
        if file is not None:
            checking = list(checking)
            if len(checking) > 1:
                raise UsageError(code="U-PREV-MANY")
            if any(_same_file(file, p) for p in checking):
                raise UsageError(code="U-PREV-SAME", path=str(file))
            from .session import check_one  # last year's report may be a Word or PDF document too

            last = check_one(file)
            if last.report is None:
                raise ReadError(code="R-PREVIOUS", file=str(file), reason=last.error)
            return cls([last.report])
        if directory is not None:
            reports, skipped = scan(directory, jobs)
            return cls(reports, Path(directory), skipped)
        return None

    def findings(self, report: Report) -> list[Finding]:
        """Cross-year findings for `report`: against the one file, or its match in the folder."""
        if self.directory is None:
            return compare(report, self.reports[0])
        if report.year is None or not report.agency:
            return [Finding.of("X-PREV", reason="prev-no-key")]
        matches = [r for r in find_previous(report, self.reports) if not _same_file(r.file, report.file)]
        if len(matches) > 1:  # e.g. a leftover blank copy: prefer the one report that passes its own check
            passing = [r for r in matches if r.ok()]
            matches = passing if len(passing) == 1 else matches
        if len(matches) == 1:
            return compare(report, matches[0])
        who = {"folder": str(self.directory), "year": report.year - 1, "agency": report.agency}
        if matches:
            reason, more = "prev-several", {"n": len(matches), "names": Join(tuple(str(r.file) for r in matches))}
        else:
            reason, more = ("prev-none-skipped", {"n": len(self.skipped)}) if self.skipped else ("prev-none", {})
        return [Finding.of("X-PREV", reason=reason, params=tuple({**who, **more}.items()))]


def _same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()


# ------------------------------------------------------------------ next year's workbook
def edition_for_year(year: int) -> str:
    """The edition a report for `year` uses: the newest whose first year is not after it."""
    ids = edition_ids()
    return next((e for e in ids if load_edition(e).first_year <= year), ids[-1])


def carried(edition: Edition, last: Report) -> tuple[dict[Key, float], dict[Key, str]]:
    """Values and cell comments pre-filled from last year's report by the `prefill` relations."""
    last_ed = load_edition(last.edition)
    values: dict[Key, float] = {}
    comments: dict[Key, str] = {}
    for rel in edition.cross_year:
        if not rel.prefill:
            continue
        for line in rel.lines:
            f, last_key = edition.field(rel.key(rel.this, line)), rel.key(rel.last, line)
            if f.is_total or last_key not in last.values:
                continue
            lf = last_ed.field(last_key)
            values[f.key] = last.values[last_key]
            comments[f.key] = (f"由上年报告预填：{Path(last.file).name}（{last.year} 年）{lf.sheet}!{lf.cell}"
                               f"（{lf.row_label.split(' / ')[-1]} × {lf.col_label.split(' / ')[-1]}）"
                               f"＝ {_num(last.values[last_key])}")
    return values, comments


def new_from(source: str | os.PathLike, out: str | os.PathLike, *, agency: str | None = None,
             year: int | None = None, edition: str | None = None, password: str | None = None,
             force: bool = False) -> tuple[Report, Path | None]:
    """Next year's workbook from last year's: agency and year + 1 taken over, the `prefill`
    relations (上年结转) filled in, everything else blank.

    Last year's file must pass its own check first: if it does not, nothing is written and
    the path returned is None (the report says why). The edition is the one that applies to
    the new year unless `edition` is given, so a 2020 report (2019 edition) gives a 2021
    workbook in the 2021 edition.
    """
    from .writer import write_workbook  # xlsxwriter: only when writing

    if _same_file(source, out):
        raise UsageError(code="U-FROM-SAME", path=str(out))
    try:
        last = check_file(source)
    except GovxlError as exc:
        raise ReadError(code="R-PREVIOUS", file=str(source), reason=exc) from None
    if not last.ok():
        return last, None
    if last.year is None and year is None:
        raise UsageError(code="U-FROM-NOYEAR", path=str(source))
    if year is not None and last.year is not None and year != last.year + 1:
        raise UsageError(code="U-FROM-YEAR", path=str(source), last=last.year, year=year)
    new_year = year if year is not None else last.year + 1
    ed = load_edition(edition or edition_for_year(new_year))
    values, comments = carried(ed, last)
    path = write_workbook(out, ed, agency=agency or last.agency or "", year=new_year, values=values,
                          comments=comments, password=password, force=force)
    return last, path
