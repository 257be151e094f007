"""The one printer of findings: every command that shows findings or a verdict goes through here.

Text read from a file (file names, labels, agency names, messages quoting them) is always passed
through :func:`govxl.safetext.clean`, in plain lines and in rich tables alike.
"""

from __future__ import annotations

import sys

import typer

from ..safetext import clean


def severity(sev: str, lang: str) -> str:
    from ..catalogue import SEVERITY_ZH

    return sev if lang == "en" else SEVERITY_ZH.get(sev, sev)


def colon(lang: str) -> str:
    """The separator between a place and its message."""
    return ": " if lang == "en" else "："


def finding_line(f, lang: str, *, sheet: bool = False, indent: str = "  ") -> str:
    """One finding on one line: level, rule, place (sheet and cell, if any), message."""
    where = " ".join(clean(x) for x in ((f.sheet if sheet else None), f.cell) if x)
    head = f"{indent}{severity(f.severity, lang)} {f.rule}" + (f" {where}" if where else "")
    return head + colon(lang) + clean(f.message(lang))


def verdict(counts: dict[str, int], ok: bool, lang: str) -> str:
    """The verdict line (govxl.report.findings.verdict: annotate and the report page print it too)."""
    from ..report.findings import verdict as line  # imported here: `govxl --help` need not load the catalogue

    return line(counts, ok, lang)


def unverified_lines(report, lang: str, indent: str = "  ") -> list[str]:
    """The rules that could not be verified, one a line, with the cells that stopped them."""
    items = getattr(report, "unverified", None) or []
    if not items:
        return []
    head = "Rules not verified:" if lang == "en" else "未能核对的规则："
    return [head] + [f"{indent}{u.rule} {clean(u.sheet)}!{u.cells}{colon(lang)}{clean(u.message(lang))}" for u in items]


def report_head(report, lang: str = "zh") -> str:
    if lang == "en":
        who = "".join(f", {x}" for x in (report.agency, report.year) if x)
        return clean(f"{report.file} (edition {report.edition}{who})")
    head = f"{report.file}（{report.edition} 版"
    head += f"，{report.agency}" if report.agency else ""
    return clean(head + (f"，{report.year} 年）" if report.year else "）"))


def source_line(report, lang: str) -> str | None:
    """For a report read from a document (not a workbook): the one line saying what did not apply."""
    if not getattr(report, "source", None):
        return None
    from ..sources.imported import source_line as line

    return clean(line(report, lang))


def in_workbook_order(findings, edition) -> list:
    """`findings` in the workbook's order: the whole workbook and the cover first, then tables 二, 三,
    四 as the edition has them, then any other sheet; the order found within each (a stable sort).
    `edition`: an edition or its id (every report has one)."""
    from ..spec import load_cover, load_edition

    ed = load_edition(edition) if isinstance(edition, str) else edition
    sheets = [load_cover().sheet, *(t.sheet for t in ed.tables)]

    def key(f) -> int:
        if not f.sheet:
            return 0
        return 1 + sheets.index(f.sheet) if f.sheet in sheets else 1 + len(sheets)

    return sorted(findings, key=key)


def group_by_sheet(report, lang: str) -> dict[str, list]:
    groups: dict[str, list] = {}
    for f in in_workbook_order(report.findings, report.edition):
        groups.setdefault(clean(f.sheet) or ("(whole workbook)" if lang == "en" else "（整个工作簿）"), []).append(f)
    return groups


def report_lines(report, lang: str, strict: bool) -> list[str]:
    """One report as plain lines: the file, its findings grouped by sheet, the verdict."""
    lines = [report_head(report, lang)]
    if source_line(report, lang):
        lines.append(source_line(report, lang))
    for sheet, items in group_by_sheet(report, lang).items():
        lines.append(f"[{sheet}]")
        lines += [finding_line(f, lang) for f in items]
    lines += unverified_lines(report, lang)
    lines.append(report.verdict_line(lang, strict))
    return lines


def render_text(report, lang: str, strict: bool) -> None:
    """Findings grouped by sheet: a rich table on a terminal, plain lines when piped."""
    if not sys.stdout.isatty():
        for line in report_lines(report, lang, strict):
            typer.echo(line)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(markup=False, highlight=False)  # text from the file is never markup
    console.print(report_head(report, lang), style="bold")
    if source_line(report, lang):
        console.print(source_line(report, lang))
    for sheet, items in group_by_sheet(report, lang).items():
        table = Table(title=sheet, show_lines=True, title_justify="left")
        for col in (("Rule", "Level", "Cell", "Message") if lang == "en" else ("规则", "级别", "单元格", "说明")):
            table.add_column(col, overflow="fold")
        for f in items:
            style = {"error": "red", "warning": "yellow"}.get(f.severity, "")
            table.add_row(f.rule, severity(f.severity, lang), clean(f.cell), clean(f.message(lang)), style=style)
        console.print(table)
    for line in unverified_lines(report, lang):
        console.print(line, style="yellow")
    ok = report.ok(strict)
    console.print(report.verdict_line(lang, strict), style="bold green" if ok else "bold red")


def unreadable_line(path, error, lang: str) -> str:
    """The one line for a file that could not be checked."""
    return clean(path) + say_lang(lang, "：无法校验：", ": cannot check: ") + clean(error_text(error, lang))


def error_text(error, lang: str) -> str:
    """An error's message in `lang` (govxl.errors.GovxlError.text)."""
    msg = getattr(error, "text", None)
    return msg(lang) if callable(msg) else str(error)


def say_lang(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh
