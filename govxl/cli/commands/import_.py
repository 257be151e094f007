"""`govxl import`: a published report (HTML page, copied text, Word, Excel, PDF) -> a govxl workbook or JSON.

Exit codes: 0 every table read completely; 1 a table is missing or incomplete (what was found
is still written); 2 the report could not be read or the output not written.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..app import EXIT_FINDINGS, EXIT_OK, Arg, ForceOpt, H, Lang, LangOpt, OutputOpt, command, fail, say
from ..printer import finding_line, in_workbook_order


class To(str, Enum):
    xlsx = "xlsx"
    json = "json"


@command("import", en="Read the statistics tables of a published annual report (web page, text, Word, Excel or "
                       "PDF) into a govxl workbook (or JSON), to be checked with govxl check.\n\n"
                       "Exit codes: 0 read completely, 1 a table missing or incomplete (what was read is still "
                       "written), 2 could not read.")
def import_(
    report: Annotated[Path, Arg(
        "年度报告：网页（.html）、Word（.docx/.odt）、Excel（.xlsx/.xls/.ods）、带文字的 PDF，或复制出的文字（.txt）。",
        "the annual report: a web page (.html), Word (.docx/.odt), Excel (.xlsx/.xls/.ods), a PDF with text, or "
        "copied text (.txt).", ("报告", "REPORT"))],
    output: OutputOpt(H("输出文件：.xlsx 工作簿或 .json（以 .json 结尾即输出 JSON）。",
                        "the output file: an .xlsx workbook or .json (a name ending in .json gives JSON).")) = None,
    to: Annotated[To | None, typer.Option("--to", help=H(
        "输出格式：xlsx（govxl 工作簿）或 json（不给 -o 时输出到屏幕）；不指定则按输出文件的扩展名。",
        "output format: xlsx (a govxl workbook) or json (to standard output without -o); by default the "
        "output file's ending."))] = None,
    agency: Annotated[str | None, typer.Option(help=H("机关名称（默认从报告标题读取）。",
                                                      "the agency (by default read from the report's title)."))] = None,
    year: Annotated[int | None, typer.Option(help=H("报告年度（默认从报告标题读取）。",
                                                    "the year (by default read from the report's title)."))] = None,
    edition: Annotated[str | None, typer.Option(help=H(
        "报告格式版本，如 2021 或 2019（默认按表格标签判断）。",
        "the format edition, 2021 or 2019 (by default told by the tables' labels)."))] = None,
    previous: Annotated[Path | None, typer.Option("--previous", help=H(
        "上一年度的工作簿或报告：据其数字（上年现行有效加本年制发减本年废止）帮助拆分表二中连在一起的数字。",
        "last year's workbook or report: its figures (last year's in force plus issued minus repealed) help "
        "split numbers run together in table 2 (the regulations and notices)."))] = None,
    force: ForceOpt = False,
    lang: LangOpt = Lang.zh,
) -> None:
    """把网页、文本、Word、Excel 或 PDF 形式的年度报告中的统计表读成 govxl 工作簿（或 JSON），再用 govxl check 校验。

    退出码 0 完整读取，1 有表格缺失或不完整（已读到的数据仍会写出），2 无法读取。"""
    from ...importer import import_report
    from ...spec import edition_ids

    lang_ = lang.value
    if to is None:
        to = To.json if output is not None and output.suffix.lower() == ".json" else To.xlsx
    if to is To.xlsx and output is None:
        fail(say("请用 -o 指定要生成的 .xlsx 工作簿，例如：govxl import 报告.html -o 报告.xlsx",
                 "give the .xlsx workbook to write with -o, e.g. govxl import report.html -o report.xlsx"))
    if to is To.xlsx and output.suffix.lower() != ".xlsx":
        fail(say(f"输出文件须以 .xlsx 或 .json 结尾：{output}", f"the output file must end in .xlsx or .json: {output}"))
    if edition is not None and edition not in edition_ids():
        fail(say(f"未知的格式版本“{edition}”（已知：{'、'.join(edition_ids())}）",
                 f"unknown edition '{edition}' (known: {', '.join(edition_ids())})"))
    last = None
    if previous is not None:
        from ...crossyear import Previous

        opened = Previous.open(previous, checking=[report])
        last = opened.reports[0].values if opened is not None else None
    result = import_report(report, edition=edition, agency=agency, year=year, previous=last)
    from ...export import imported_text, write_imported
    from ...writer_imported import write_imported_workbook

    if to is To.json and output is None:
        typer.echo(imported_text(result, lang_))
        raise typer.Exit(EXIT_OK if result.complete else EXIT_FINDINGS)
    written = write_imported(result, output, force, lang_) if to is To.json else write_imported_workbook(result, output, force)
    show(result, written, lang_, workbook=to is To.xlsx)
    raise typer.Exit(EXIT_OK if result.complete else EXIT_FINDINGS)


def show(result, written: Path, lang: str, workbook: bool) -> None:
    en = lang == "en"
    who = [x for x in (result.agency, (f"{result.year}" if en else f"{result.year} 年") if result.year else None) if x]
    typer.echo(f"{result.file} (edition {result.edition.id}{''.join(', ' + w for w in who)})" if en else
               f"{result.file}（{result.edition.id} 版{'，' + '，'.join(who) if who else ''}）")
    findings = in_workbook_order(result.findings, result.edition)
    reading = [f for f in findings if f.rule.startswith("I-")]
    printed = [f for f in findings if not f.rule.startswith("I-")]
    for f in reading:
        typer.echo(finding_line(f, lang, sheet=True))
    if printed:
        typer.echo("The report's own arithmetic, as printed:" if en else "报告所公布数字本身的勾稽关系：")
        for f in printed:
            typer.echo(finding_line(f, lang, sheet=True))
    n = len(result.values)
    if result.complete:
        then = say(f"；请再运行 govxl check {written}", f"; now run govxl check {written}") if workbook else ""
        typer.echo(say(f"已写入 {written}（读到 {n} 个数）", f"wrote {written} ({n} numbers read)") + then)
    else:
        gaps = [t.title for t in result.edition.tables if t.key in result.missing_tables
                or any(k == t.key for k, _ in result.incomplete_rows)]
        typer.echo(f"incomplete: {'、'.join(gaps)}; the {n} numbers read were written to {written}" if en else
                   f"不完整：{'、'.join(gaps)} 缺少数据；已把读到的 {n} 个数写入 {written}")
