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
import re
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
    ".xlsm": "Excel 启用宏的工作簿（.xlsm）",
    ".xls": "Excel 97-2003 工作簿（.xls）",
    ".docx": "Word 文档（.docx）",
    ".pdf": "PDF 文件（.pdf）",
    ".tif": "扫描或拍照的报告页（.tif、.png、.jpg）",
}
# Pictures of a report's pages (read by text recognition, govxl[ocr]): the suffix as given -> as stored.
PICTURES = {".tif": ".tif", ".tiff": ".tif", ".png": ".png", ".jpg": ".jpg", ".jpeg": ".jpg"}
SUFFIXES = tuple(dict.fromkeys([*ACCEPTED, *PICTURES]))  # every suffix a unit's file may have
STORED = tuple(dict.fromkeys([*ACCEPTED, *PICTURES.values()]))  # the suffixes of the file store

PASSED, FAILED, UNREADABLE = "passed", "failed", "unreadable"
SCANNING = "scanning"  # a scan waiting for text recognition or being read (识别中): its verdict follows
NOT_VERIFIED = "not_verified"  # no rule broken, but some rule could not be checked (a cell not read)
HELD = "held"  # passed, but the office must accept it first (another agency's name, a copy)
LEFT_OUT = "left_out"  # passed, but the office decided not to count it
HOLDS = ("D-AGENCY", "D-COPY")  # the desk's findings that wait for the office's decision


def verdict_of(report) -> str:
    """What a checked report means: passed / failed / not_verified. The one place that reads the
    library's verdict (``Report.verdict`` where govxl has it, else ``Report.ok()``)."""
    v = getattr(report, "verdict", None)
    if callable(v):
        v = v()
    if v in (PASSED, FAILED, NOT_VERIFIED):
        return v
    return PASSED if report.ok() else FAILED


def standing(status: str, held: str = "", decision: str | None = None) -> str:
    """What an upload's stored result means for the season: passed (counted in the roll-up),
    held (waits for the office), left_out (the office said no), failed, not_verified, unreadable,
    scanning (a scan not read yet: 识别中)."""
    if status != PASSED:
        return status
    if held and decision is None:
        return HELD
    return LEFT_OUT if decision == "leave" else PASSED


def accepted(name: str) -> str | None:
    """The accepted suffix of an uploaded file's name (lower case, as stored), or None."""
    suffix = os.path.splitext(name or "")[1].lower()
    return suffix if suffix in ACCEPTED else PICTURES.get(suffix)


def without_scans(fn, *args, **kwargs):
    """`fn(*args, **kwargs)` where a scan (a picture, a PDF without text) is not read: SCANNING when
    one would be (the desk reads it in its OCR worker, ocrqueue.py, never in the other workers)."""
    from ..importer.isolate import ScanNeeded, scans_elsewhere

    try:
        with scans_elsewhere():
            return fn(*args, **kwargs)
    except ScanNeeded:
        return SCANNING


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
    held: str = ""  # the desk's findings that wait for the office (HOLDS), comma-separated
    figures: str | None = None  # a digest of the report's non-zero figures (a copy has the same)


def _check(path: Path):
    """A govxl workbook is checked as such; once govxl checks documents (Word, PDF, .xls: the
    in-memory import of `govxl.sources`), every accepted type goes the same way."""
    try:
        from ..sources import check_path
    except ImportError:  # a govxl without document import: workbooks only, others answered by the readers
        from ..sources.workbook import check_file as check_path
    return check_path(path)


def check_upload(path: str | os.PathLike, shown: str, previous: str | os.PathLike | None = None,
                 lang: str = "zh", expect: dict | None = None, previous_name: str = "",
                 scans: bool = True) -> Outcome:
    """Check the stored upload `path` (`shown`: the name to show for it); with `previous`, last
    year's report of the unit, the cross-year relations (上年结转) are checked too; with `expect`
    (year, edition, agency of the season and the unit), the report is matched to them. The file is
    checked under its shown name in a temporary folder: no name of the store reaches a message.
    With `scans` False, a scan that text recognition can read (the upload or last year's report)
    is not read: the outcome is SCANNING, for the desk's queue of scans (ocrqueue.py)."""
    import shutil
    import tempfile

    from ..errors import GovxlError, unexpected

    with tempfile.TemporaryDirectory(prefix="govxl-desk-") as tmp:
        named = Path(tmp) / _plain_name(shown, Path(path).suffix)
        try:
            shutil.copyfile(path, named)
            report = _check(named) if scans else without_scans(_check, named)
            if isinstance(report, str):  # SCANNING
                return scanning(lang)
            report.file = shown
            if previous is not None:
                last = _cross_year(report, Path(previous), previous_name or shown) if scans else \
                    without_scans(_cross_year, report, Path(previous), previous_name or shown)
                if isinstance(last, str):  # SCANNING: last year's report is a scan: both are read in the OCR worker
                    return scanning(lang)
                report.findings += last
        except GovxlError as exc:
            return Outcome(UNREADABLE, reason=scrub(exc.text(lang), tmp, Path(path).parent))
        except Exception as exc:  # noqa: BLE001 - an odd upload is a verdict, never a crash
            return Outcome(UNREADABLE, reason=scrub(unexpected(exc).text(lang), tmp, Path(path).parent))
        status = verdict_of(report)
        matched = match(report, expect or {})
        report.findings += matched
        if any(f.severity == "error" for f in matched):
            status = FAILED
        out = Outcome(status, edition=report.edition, agency=report.agency, year=report.year, counts=report.counts,
                      findings=[f.to_dict(lang) for f in report.findings],
                      held=",".join(f.rule for f in matched if f.rule in HOLDS), figures=figures_of(report))
        if status == NOT_VERIFIED:  # which rules, and why (the first few)
            from ..catalogue import Join, say

            unverified = list(getattr(report, "unverified", ()))
            out.reason = say("desk-not-verified", lang, {"n": len(unverified), "rules": Join(
                tuple(f"{u.rule} {u.message(lang)}" for u in unverified[:6]), "；")})
        try:
            from ..report.page import section

            # the desk shows its own labelled line and verdict: the section's first line goes
            out.html = re.sub(r'^<p class="about">.*?</p>', "", section(report, lang), count=1, flags=re.S) \
                if report.edition else ""
        except Exception as exc:  # noqa: BLE001 - the verdict stands without its drawing
            out.html = ""
            out.reason = scrub(unexpected(exc).text(lang), tmp)
        out.html = scrub(out.html, tmp)
        out.findings = [{k: scrub(v, tmp) if isinstance(v, str) else v for k, v in f.items()} for f in out.findings]
    out.measures = measures_of(report)
    return out


def scanning(lang: str = "zh", failed: bool = False) -> Outcome:
    """The outcome of a scan before it is read (识别中, and what happens next), or whose reading
    ended the OCR worker or ran out of time (`failed`)."""
    from .wording import say

    if failed:
        return Outcome(UNREADABLE, reason=say("e-scan-crashed", lang))
    return Outcome(SCANNING, reason=say("scanning-note", lang), counts={})


def _plain_name(shown: str, suffix: str) -> str:
    stem = re.sub(r'[\x00-\x1f\x7f/\\:*?"<>|]', "_", Path(shown).stem).strip(" .")[:80] or "upload"
    return stem + suffix


def scrub(text: str, *folders: str | os.PathLike) -> str:
    """`text` without the server's folders (a temporary one, the desk's): a unit sees file names only."""
    for f in folders:
        for form in {str(f), str(Path(f).resolve())}:
            text = text.replace(form + os.sep, "").replace(form, "")
    return text


def _norm(name: str | None) -> str:
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", name or "").split()).casefold()


def match(report, expect: dict) -> list:
    """The desk's findings of a report against its season and unit: a different year or edition
    is an error (D-YEAR, D-EDITION); another agency's name a warning the office may accept (D-AGENCY)."""
    from ..catalogue import Phrase
    from ..report.findings import Finding

    out = []
    if report.edition is None or not expect:
        return out
    missing = Phrase("not-filled")
    if report.year != expect["year"]:
        out.append(Finding.of("D-YEAR", expected=expect["year"], actual=report.year if report.year else missing))
    if report.edition != expect["edition"]:
        out.append(Finding.of("D-EDITION", expected=expect["edition"], actual=report.edition))
    if _norm(report.agency) != _norm(expect["agency"]):
        out.append(Finding.of("D-AGENCY", expected=expect["agency"], actual=report.agency or missing))
    return out


def copy_finding(other: str, how: str, lang: str = "zh") -> dict:
    """D-COPY: the report is the same file (how="sha") or has the same figures ("values") as `other`'s."""
    from ..report.findings import Finding

    return Finding.of("D-COPY", expected=other, reason=f"dup-{how}").to_dict(lang)


def figures_of(report) -> str | None:
    """A digest of the report's input figures (None when it has none but zeros)."""
    import hashlib

    values = report.values or {}
    if report.edition is None or not any(values.values()):
        return None
    items = sorted((("/".join(k)), round(float(v or 0), 6)) for k, v in values.items() if v)
    return hashlib.sha256(repr((report.edition, items)).encode()).hexdigest()


def _cross_year(report, previous: Path, name: str) -> list:
    import shutil
    import tempfile

    from ..crossyear import compare
    from ..errors import GovxlError

    with tempfile.TemporaryDirectory(prefix="govxl-desk-") as tmp:  # last year's file under its own name
        named = Path(tmp) / _plain_name(name, previous.suffix)
        shutil.copyfile(previous, named)
        try:
            last = _check(named)
        except GovxlError:
            return []
        last.file = name
    if report.edition is None or last.edition is None or last.year is None or report.year != last.year + 1:
        return []
    return compare(report, last)


def marked_copy(path: str | os.PathLike, shown: str, out: str | os.PathLike, lang: str = "zh") -> Path | None:
    """The marked-up copy of the stored upload `path` written to `out`; None when it cannot be
    made (an unreadable file has no cells to mark)."""
    import shutil
    import tempfile

    from ..errors import GovxlError
    from ..report.annotate import annotate, read_source

    with tempfile.TemporaryDirectory(prefix="govxl-desk-") as tmp:
        named = Path(tmp) / _plain_name(shown, Path(path).suffix)
        shutil.copyfile(path, named)
        try:
            report = _check(named)
            if report.edition is None:
                return None
            if not getattr(report, "source", None):
                raw = read_source(named)
            else:  # a document: its numbers in a govxl workbook of the official layout (from its report), then marked
                from ..writer_imported import write_report_workbook

                raw = read_source(write_report_workbook(report, Path(tmp) / "doc.xlsx", force=True))
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


def roll_up(paths: list[Path], out: str | os.PathLike, *, agency: str, year: int,
            left_out: list[tuple[str, str]] = (), lang: str = "zh") -> Path:
    """The summary workbook of `paths` (the reports the desk counts: each is summed, the desk has
    decided on duplicates), written to `out`, with a sheet of the units left out and why."""
    from ..aggregate import check_all, combine, list_sheet, sum_values
    from ..writer import Extra, write_workbook

    agg = combine(check_all(paths, 1), year=year)
    for e in agg.entries:  # the office has seen the copies and accepted them: every one counts
        if not e.included and e.report is not None and e.finding is not None and e.finding.rule == "AGG-DUP":
            e.included, e.finding = True, None
    agg.sums = sum_values(agg.edition, [e.report for e in agg.entries if e.included])
    extra = [list_sheet(agg)]
    if left_out:
        from .wording import say

        extra.append(Extra(say("sheet-left-out", lang), [say("sheet-unit", lang), say("sheet-why", lang)],
                           [list(x) for x in left_out], [40, 80]))
    return write_workbook(out, agg.edition, agency=agency, year=agg.year, values=agg.sums, force=True, extra=extra)


def export(paths: list[Path], to: str, lang: str = "zh") -> str:
    """The reports' values as CSV or JSON text (`govxl export`), with the files' names only."""
    import json

    from ..export import export_text, load

    text = export_text(load(paths), to, lang)
    for folder in {str(p.parent) for p in paths}:
        text = scrub(text, folder)
        text = text.replace(json.dumps(folder + os.sep)[1:-1], "")
    return text


def editions() -> list[str]:
    from ..spec import edition_ids

    return list(edition_ids())


def edition_for_year(year: int) -> str:
    from ..crossyear import edition_for_year as pick

    return pick(year)


def readable_error(exc: BaseException, lang: str = "zh") -> str | None:
    """The clerk's sentence of a library error (in `lang`), or None for anything else."""
    from ..errors import GovxlError

    return exc.text(lang) if isinstance(exc, GovxlError) else None


# ------------------------------------------------------------------ the season overview
@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    label_en: str
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
            out.append(Measure(m["key"], m["label"], m.get("label_en", m["key"]), tuple(tuple(k.split("/")) for k in m["fields"]),
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
    from ..report.page import CSS, fill_styles, texts

    return CSS + fill_styles(texts("zh"))
