"""`govxl check` over many files: render the stream of results of a :mod:`govxl.session`.

The CLI layer (it prints), kept apart from the `check` command because only a batch needs it:
imported inside `check` when there are several files, a folder, --summary or --format jsonl.
Output is written as each file finishes, in the order the files were found; only the
summary rows are kept (for the closing table), never the reports.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import typer

from ..errors import GovxlError
from ..report.batch import HEADERS, UNREADABLE, Row, SummaryCSV, Totals
from ..safetext import clean
from ..session import Checked
from .app import EXIT_FAIL, current_lang, say
from .printer import render_text, report_lines, unreadable_line

# A progress bar is worth drawing only when a run takes more than a moment.
PROGRESS_MIN_FILES = 20


def run_batch(results: Iterator[Checked], total: int, *, several: bool, format: str, strict: bool, lang: str,
              summary: Path | None, outputs=None) -> int:
    """Print the `results` of govxl.check_many (`total` files) as they come; return the exit code
    (the worst over all files). `outputs` (govxl/report/outputs.py): the `after` of that run, which
    wrote marked-up copies and the parts of an HTML report, assembled here."""
    try:
        return _run(results, total, several=several, format=format, strict=strict, lang=lang, summary=summary,
                    outputs=outputs)
    except KeyboardInterrupt:  # the pool is stopped and no half summary is left behind by then
        typer.echo(say("已中断。", "Interrupted."), err=True)
        return EXIT_FAIL


def _run(results: Iterator[Checked], total: int, *, several: bool, format: str, strict: bool, lang: str,
         summary: Path | None, outputs=None) -> int:
    totals = Totals()
    failed_outputs = False
    rows: list[Row] = []
    with ExitStack() as stack:
        try:
            sink = stack.enter_context(SummaryCSV(summary, lang)) if summary is not None else None
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, str(summary)) from exc
        out = stack.enter_context(_Output(total, progress=format == "text" and several))
        if format == "json" and several:
            out.line('{"files": [')
        pending = None  # the previous file's JSON, printed once we know whether a comma follows
        page = None
        if outputs is not None and outputs.report is not None:
            from ..report.page import HtmlReport

            page = HtmlReport(outputs.report, lang)
            stack.callback(page.close)
        stack.callback(results.close)  # stops the worker pool, whatever ends the loop
        for checked in results:
            path, report, done = checked.path, checked.report, checked.done
            row = Row.of(checked, strict, lang)
            if done is not None:
                failed_outputs |= _written(out, path, done)
            if page is not None:
                page.add(path, checked.error, row, getattr(done, "part", None),
                         outputs.href(path) if getattr(done, "copy", None) else None)
            totals.add(row)
            if sink is not None:
                sink.add(row)
            if format == "jsonl":
                out.line(json.dumps(checked.to_dict(lang, strict), ensure_ascii=False))
            elif format == "json":
                doc = checked.to_dict(lang, strict)
                if several:
                    if pending is not None:
                        out.line(pending + ",")
                    pending = "  " + json.dumps(doc, ensure_ascii=False)
                else:
                    out.line(json.dumps(doc, ensure_ascii=False, indent=2))
            elif report is None:
                out.error(unreadable_line(path, checked.error, lang))
            elif not several:
                out.close()
                render_text(report, lang, strict)
            elif report.findings:
                for line in report_lines(report, lang, strict):
                    out.line(line)
                out.line("")
            if several and format == "text":
                rows.append(row)
            out.advance()
        out.close()
        if pending is not None:
            typer.echo(pending)
        if format == "json" and several:
            typer.echo(f'], "counts": {json.dumps(totals.to_dict())}, "ok": {json.dumps(totals.ok)}}}')
        elif format == "text" and several:
            summary_table(rows, lang)
            typer.echo(totals_line(totals, lang))
        if page is not None:
            try:
                typer.echo(say("校验报告：", "report page: ") + clean(page.finish(totals)), err=True)
            except OSError as exc:
                typer.echo(say(f"错误：无法写入 {clean(outputs.report)}：", f"error: cannot write {clean(outputs.report)}: ")
                           + clean(exc.strerror or exc), err=True)
                failed_outputs = True
    if summary is not None:  # written when the stack closed: say where, as --annotate and --report do
        typer.echo(say("校验汇总：", "summary: ") + clean(summary), err=True)
    return EXIT_FAIL if failed_outputs else totals.exit_code


def _written(out: _Output, path: Path, done) -> bool:
    """Say what was written for one file (on stderr: stdout may be JSON); True if something failed."""
    if isinstance(done, GovxlError):  # `after` itself failed
        out.error(clean(path) + say("：无法写出标注副本或报告：", ": cannot write the marked-up copy or the report: ")
                  + clean(done.text(current_lang())))
        return True
    if done.copy is not None:
        out.error(say("标注副本：", "marked-up copy: ") + clean(done.copy))
    if done.error:
        out.error(clean(path) + say("：无法写出标注副本：", ": cannot write the marked-up copy: ") + clean(done.error))
        return True
    return False


class _Output:
    """Lines to stdout; on a terminal with many files, above a transient progress bar (rich)."""

    def __init__(self, total: int, progress: bool) -> None:
        self.progress = None
        if progress and total >= PROGRESS_MIN_FILES and sys.stdout.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.console = Console()
            self.progress = Progress(TextColumn(say("校验中", "checking")), BarColumn(), MofNCompleteColumn(),
                                     TimeRemainingColumn(),
                                     console=self.console, transient=True)
            self.task = self.progress.add_task("check", total=total)

    def __enter__(self) -> _Output:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def line(self, text: str) -> None:
        if self.progress is not None:
            self.console.print(text, markup=False, highlight=False, soft_wrap=True)
        else:
            typer.echo(text)

    def error(self, text: str) -> None:
        if self.progress is not None:
            self.console.print(text, markup=False, highlight=False, soft_wrap=True, style="red")
        else:
            typer.echo(text, err=True)

    def advance(self) -> None:
        if self.progress is not None:
            self.progress.advance(self.task)


# ------------------------------------------------------------------ the closing table
def summary_table(rows: list[Row], lang: str) -> None:
    """One line per file: a rich table on a terminal, aligned plain columns when piped."""
    keep = (0, 1, 2, 3, 4, 5, 6, 7, 9)  # not the reason; the rules not verified last
    header = [HEADERS[lang][i] for i in keep]
    cells = [[clean(r.cells(lang)[i]) for i in keep] for r in rows]
    if sys.stdout.isatty():
        from rich.console import Console

        console = Console()
        console.print(rich_table(rows, header, cells, console.width))
        return
    widths = [max(map(_width, col)) for col in zip(header, *cells)]
    typer.echo("\n".join("  ".join(_pad(v, w, right=i >= 5) for i, (v, w) in enumerate(zip(line, widths))).rstrip()
                         for line in [list(header), *cells]))


def rich_table(rows: list[Row], header, cells: list[list[str]], width: int):
    """The closing table for a terminal `width` columns wide: file names are never broken (the file
    column gets the width of the longest name while half the width allows it); the agency wraps."""
    from rich.table import Table

    table = Table(show_lines=False)
    longest = max((_width(c[0]) for c in cells), default=0)
    for i, h in enumerate(header):
        if i == 0:
            table.add_column(h, no_wrap=True, min_width=min(longest, max(width // 2, 10)), overflow="fold")
        else:
            table.add_column(h, overflow="fold", justify="right" if i >= 5 else "left")
    for r, c in zip(rows, cells):
        table.add_row(*c, style={"failed": "red", UNREADABLE: "magenta", "not_verified": "yellow"}.get(r.status, ""))
    return table


def totals_line(t: Totals, lang: str) -> str:
    if lang == "en":
        nv = f", {t.not_verified} passed with rules not verified" if t.not_verified else ""
        return (f"{t.files} files: {t.passed} passed{nv}, {t.failed} failed, {t.unreadable} could not be checked "
                f"({t.error} errors, {t.warning} warnings)")
    nv = f"，{t.not_verified} 个通过但有规则未能核对" if t.not_verified else ""
    return (f"共 {t.files} 个文件：{t.passed} 个通过{nv}，{t.failed} 个不通过，{t.unreadable} 个无法校验"
            f"（错误 {t.error} 个，警告 {t.warning} 个）")


def _width(s: str) -> int:
    if s.isascii():
        return len(s)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int, right: bool) -> str:
    fill = " " * (width - _width(s))
    return fill + s if right else s + fill
