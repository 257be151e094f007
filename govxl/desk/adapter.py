"""The desk's one door into the govxl library.

Everything the desk asks of govxl goes through the functions here, so that a change of the
library's layout touches this file only:

- :func:`check_upload`: an uploaded file -> its verdict, findings, HTML findings (cells marked),
  the measures of the season overview; :func:`marked_copy`: its marked-up workbook;
- :func:`blank_workbook`: a unit's blank workbook, pre-filled from last year's report (`new --from`);
- :func:`roll_up`: the summary of the passing reports (`aggregate`); :func:`export`: CSV/JSON;
- :data:`ACCEPTED`: the file types a unit may upload (one list).

The functions are plain and picklable (they run in the desk's worker processes); they raise
nothing for a bad upload: an unreadable file is a verdict (``unreadable``) with a reason.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

# The types a unit may upload: suffix -> what it is called on the page. Each is checked by
# govxl's readers, which recognise a file by its content (a .docx named .xlsx is answered as a
# Word document). Word, PDF and .xls are read once govxl imports documents; until then they are
# answered "could not check" with the reader's reason.
ACCEPTED: dict[str, str] = {
    ".xlsx": "Excel 工作簿（.xlsx）",
    ".xls": "Excel 97-2003 工作簿（.xls）",
    ".docx": "Word 文档（.docx）",
    ".pdf": "PDF 文件（.pdf）",
}

PASSED, FAILED, UNREADABLE = "passed", "failed", "unreadable"


def accepted(name: str) -> str | None:
    """The accepted suffix of an uploaded file's name (lower case), or None."""
    suffix = os.path.splitext(name or "")[1].lower()
    return suffix if suffix in ACCEPTED else None


@dataclass
class Outcome:
    """What checking one upload gave: all plain data (stored in the database)."""

    status: str
    reason: str = ""
    edition: str | None = None
    agency: str | None = None
    year: int | None = None
    counts: dict[str, int] = field(default_factory=lambda: {"error": 0, "warning": 0, "info": 0})
    findings: list[dict[str, Any]] = field(default_factory=list)
    html: str = ""  # the HTML findings (tables drawn, cells marked): govxl's report section
    measures: dict[str, float | None] = field(default_factory=dict)


def _check(path: Path):
    """A govxl workbook is checked as such; once govxl checks documents (Word, PDF, .xls: the
    in-memory import of `govxl.documents`), every accepted type goes the same way."""
    try:
        from ..documents import check_path
    except ImportError:  # a govxl without document import: workbooks only, others answered by the readers
        from ..checker import check_file as check_path
    return check_path(path)


def check_upload(path: str | os.PathLike, shown: str, previous: str | os.PathLike | None = None,
                 lang: str = "zh") -> Outcome:
    """Check the stored upload `path` (`shown`: the name to show for it); with `previous`, last
    year's report of the unit, the cross-year relations (上年结转) are checked too."""
    from ..errors import GovxlError, unexpected

    try:
        report = _check(Path(path))
        report.file = shown
        if previous is not None:
            report.findings += _cross_year(report, Path(previous))
    except GovxlError as exc:
        return Outcome(UNREADABLE, reason=exc.text(lang))
    except Exception as exc:  # noqa: BLE001 - an odd upload is a verdict, never a crash
        return Outcome(UNREADABLE, reason=unexpected(exc).text(lang))
    out = Outcome(PASSED if report.ok() else FAILED, edition=report.edition, agency=report.agency,
                  year=report.year, counts=report.counts, findings=[f.to_dict(lang) for f in report.findings])
    if report.verdict == "not_verified":  # the third verdict (govxl.judge), shown with the result
        out.reason = report.verdict_line(lang)
    try:
        from ..report_html import section

        out.html = section(report, lang) if report.edition else ""
    except Exception as exc:  # noqa: BLE001 - the verdict stands without its drawing
        from ..errors import unexpected

        out.html = ""
        out.reason = str(unexpected(exc))
    out.measures = measures_of(report)
    return out


def _cross_year(report, previous: Path) -> list:
    from ..crossyear import compare
    from ..errors import GovxlError

    try:
        last = _check(previous)
    except GovxlError:
        return []
    if report.edition is None or last.edition is None or last.year is None or report.year != last.year + 1:
        return []
    return compare(report, last)


def marked_copy(path: str | os.PathLike, shown: str, out: str | os.PathLike, lang: str = "zh") -> Path | None:
    """The marked-up copy of the stored upload `path` written to `out`; None when it cannot be
    made (an unreadable file has no cells to mark)."""
    import tempfile

    from ..annotate import annotate, read_source
    from ..errors import GovxlError

    try:
        report = _check(Path(path))
        if report.edition is None:
            return None
        if not getattr(report, "source", None):
            raw = read_source(path)
        else:  # a document: its numbers in a govxl workbook of the official layout, then marked
            from ..importer import import_report

            with tempfile.TemporaryDirectory(prefix="govxl-desk-") as tmp:
                raw = read_source(import_report(path).write_xlsx(Path(tmp) / "doc.xlsx", force=True))
    except GovxlError:
        return None
    report.file = shown
    return annotate(report, out, lang, raw=raw)


def blank_workbook(out: str | os.PathLike, *, agency: str, year: int, edition: str,
                   previous: str | os.PathLike | None = None) -> Path:
    """The unit's workbook for `year`: from last year's report when there is one that passes
    (agency kept, 上年结转 pre-filled), else blank."""
    from .. import new
    from ..errors import GovxlError

    if previous is not None:
        from ..crossyear import new_from

        try:
            _last, path = new_from(previous, out, agency=agency, year=year, edition=edition, force=True)
            if path is not None:
                return path
        except GovxlError:
            pass  # last year's file cannot be used: a blank one
    return new(out, edition=edition, agency=agency, year=year, force=True)


def roll_up(paths: list[Path], out: str | os.PathLike, *, agency: str, year: int) -> Path:
    """The summary workbook of `paths` (the passing reports), written to `out`."""
    from ..aggregate import aggregate, write_summary

    agg = aggregate(paths, year=year, jobs=1, out=out)
    return write_summary(agg, out, agency=agency, force=True)


def export(paths: list[Path], to: str) -> str:
    """The reports' values as CSV or JSON text (`govxl export`)."""
    from ..export import export_text, load

    return export_text(load(paths), to)


def editions() -> list[str]:
    from ..spec import edition_ids

    return list(edition_ids())


def edition_for_year(year: int) -> str:
    from ..crossyear import edition_for_year as pick

    return pick(year)


def readable_error(exc: BaseException) -> str | None:
    """The clerk's sentence of a library error, or None for anything else."""
    from ..errors import GovxlError

    return str(exc) if isinstance(exc, GovxlError) else None


# ------------------------------------------------------------------ the season overview
@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    fields: tuple[tuple[str, str, str], ...]
    per: tuple[tuple[str, str, str], ...]
    ratio: float | None = None
    at_least: float = 0
    points: float | None = None

    @property
    def share(self) -> bool:
        return bool(self.per)


@cache
def measures() -> tuple[Measure, ...]:
    """templates/desk.toml: what the season overview compares."""
    from ..errors import SpecError
    from ..spec import templates_dir

    try:
        raw = tomllib.loads((templates_dir() / "desk.toml").read_text(encoding="utf-8"))["desk"]["measures"]
        out = []
        for m in raw:
            keys = [tuple(k.split("/")) for k in (*m["fields"], *m.get("per", ()))]
            if any(len(k) != 3 for k in keys):
                raise ValueError(f"{m['key']}: fields 应写成 table/row/column")
            jump = m.get("jump", {})
            out.append(Measure(m["key"], m["label"], tuple(tuple(k.split("/")) for k in m["fields"]),
                               tuple(tuple(k.split("/")) for k in m.get("per", ())),
                               jump.get("ratio"), jump.get("at_least", 0), jump.get("points")))
        return tuple(out)
    except (OSError, KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise SpecError(code="U-SPEC-READ", source="desk.toml", why=str(exc)) from None


def measures_of(report) -> dict[str, float | None]:
    """Each measure of a checked report (None where its edition lacks a field, or a share of 0)."""
    values = report.values or {}
    out: dict[str, float | None] = {}
    for m in measures():
        if not all(k in values for k in (*m.fields, *m.per)):
            out[m.key] = None
            continue
        top = sum(values[k] for k in m.fields)
        if m.share:
            bottom = sum(values[k] for k in m.per)
            out[m.key] = top / bottom if bottom else None
        else:
            out[m.key] = top
    return out


def jump(m: Measure, now: float | None, last: float | None) -> bool:
    """Whether the change from `last` to `now` is beyond the measure's threshold."""
    if now is None or last is None:
        return False
    if m.share:
        return m.points is not None and abs(now - last) * 100 > m.points
    if m.ratio is None or abs(now - last) < m.at_least:
        return False
    if last == 0 or now == 0:
        return True
    return now / last > m.ratio or last / now > m.ratio


@cache
def findings_css() -> str:
    """The style of govxl's HTML findings (the official tables, marked cells), for the desk's pages."""
    from ..report_html import CSS, _fills, texts

    return CSS + _fills(texts("zh"))
