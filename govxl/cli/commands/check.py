"""`govxl check`: check filled workbooks (and reports not made by govxl), one or many."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..app import (
    EXIT_FAIL,
    EXIT_FINDINGS,
    EXIT_OK,
    Arg,
    Fmt,
    ForceOpt,
    FormatOpt,
    H,
    JobsOpt,
    Lang,
    LangOpt,
    OutputOpt,
    command,
    fail,
    say,
)
from ..printer import render_text, unreadable_line


@command(en="Check filled-in workbooks: structure, values and the tables' arithmetic. Several files or a whole "
              "folder at once.\n\nAlso reports not made by govxl (Word, Excel, .xls, .ods, PDF): their numbers are "
              "read by the official labels and only the values and the arithmetic are checked.\n\n"
              "Exit codes: 0 passed, 1 errors found, 2 could not check.")
def check(
    files: Annotated[list[Path], Arg(
        "要校验的工作簿（.xlsx）或报告（.docx、.xls、.ods、.pdf 等），或文件夹（校验其中及子文件夹中的所有这些文件）。",
        "workbooks (.xlsx) or reports (.docx, .xls, .ods, .pdf …) to check, or folders (every such file in them "
        "and their subfolders).", ("文件...", "FILES..."))],
    format: FormatOpt = Fmt.text,
    strict: Annotated[bool, typer.Option("--strict", help=H("有警告也算不通过。", "fail on warnings too."))] = False,
    lang: LangOpt = Lang.zh,
    jobs: JobsOpt = None,
    output: OutputOpt(H("把结果写入文件：.html（同 --report）或 .csv（同 --summary）。",
                        "write the result to a file: .html (as --report) or .csv (as --summary).")) = None,
    summary: Annotated[Path | None, typer.Option("--summary", metavar=H("汇总.csv", "SUMMARY.csv"), help=H(
        "把每个文件的结论写入 CSV（Excel 可直接打开）。",
        "write each file's verdict to a CSV file (Excel opens it as it is)."))] = None,
    previous: Annotated[Path | None, typer.Option("--previous", metavar=H("上年.xlsx", "LAST.xlsx"), help=H(
        "上一年度的工作簿：核对上年结转等跨年度关系。",
        "last year's workbook: check the carried-over figures and other links across years."))] = None,
    previous_dir: Annotated[Path | None, typer.Option("--previous-dir", metavar=H("文件夹", "FOLDER"), help=H(
        "存放上一年度工作簿的文件夹：按填报单位和年度自动配对。",
        "folder of last year's workbooks: paired with each report by agency and year."))] = None,
    children: Annotated[list[Path] | None, typer.Option("--children", metavar=H("文件夹", "FOLDER"), help=H(
        "下级报告所在的文件夹（或文件）：逐格核对本报告是否等于下级报告之和。",
        "folder (or file) of the child reports: check cell by cell that this report is their sum."))] = None,
    annotate: Annotated[Path | None, typer.Option("--annotate", metavar=H("文件夹", "FOLDER"), help=H(
        "把每个工作簿的标注副本（问题单元格着色并加批注，首页列出全部问题）写入此文件夹。",
        "write a marked-up copy of each workbook (cells with findings coloured and commented, every finding "
        "listed on a first sheet) into this folder."))] = None,
    report: Annotated[Path | None, typer.Option("--report", metavar=H("报告.html", "REPORT.html"), help=H(
        "把校验结果写成一个 HTML 网页（可打印，按官方表格标出问题单元格）。",
        "write the results as one HTML page (printable; the official tables with the cells of findings "
        "marked)."))] = None,
    force: ForceOpt = False,
) -> None:
    """校验填好的工作簿：结构、数值和勾稽关系。可一次校验多个文件或整个文件夹。

    也可校验不是 govxl 生成的报告（Word、Excel、.xls、.ods、PDF）：按官方标签读出数字，只校验数值和勾稽关系。

    退出码 0 通过，1 有错误，2 无法校验。"""
    from contextlib import closing

    from ... import check_many
    from ...files import find_documents
    from ...report.batch import prepare_csv

    if output is not None:
        suffix = output.suffix.lower()
        if suffix in (".html", ".htm") and report is None:
            report = output
        elif suffix == ".csv" and summary is None:
            summary = output
        else:
            fail(say(f"-o 的文件须以 .html（校验报告网页）或 .csv（每个文件一行的结论）结尾：{output}",
                     f"the file of -o must end in .html (a report page) or .csv (one line per file): {output}"))
    lang_ = lang.value
    if summary is not None:
        prepare_csv(summary, force=force)
    paths = find_documents(files, keep_unfound=True)
    if all(p.is_dir() for p in paths):
        fail(say("没有找到要校验的 .xlsx 文件（或 Word、PDF 等格式的报告）：", "no .xlsx workbook (or Word, PDF... "
                 "report) found to check: ") + "、".join(map(str, files)))
    if children and len(paths) != 1:
        fail(say("使用 --children 时只能校验一份汇总报告", "--children checks one summary report at a time"))
    several = len(files) > 1 or any(f.is_dir() for f in files)
    outputs = None
    if annotate is not None or report is not None:
        from ...report.outputs import prepare

        outputs = prepare(files, paths, annotate=annotate, report=report, lang=lang_, strict=strict, force=force,
                          read_too=[p for p in (previous_dir, *(children or [])) if p is not None])
    batch = several or summary is not None or format is Fmt.jsonl or outputs is not None
    # The public API (govxl.check_many): last year's reports are read here, before any file is checked.
    results = check_many(paths, jobs, previous_dir, children, previous=previous, keep_values=not batch,
                         after=outputs)
    if batch:
        from ..batch_view import run_batch

        raise typer.Exit(run_batch(results, len(paths), several=several, format=format.value, strict=strict,
                                   lang=lang_, summary=summary, outputs=outputs))
    with closing(results):
        raise typer.Exit(check_one(next(results), format, strict, lang_))


def check_one(checked, format: Fmt, strict: bool, lang: str) -> int:
    """One file, as text (findings grouped by sheet, then the verdict) or as one JSON report.
    `checked`: a govxl.session.Checked (the per-file boundary: an odd file gets one line, never a traceback)."""
    import json

    path = checked.path
    if format is Fmt.json:
        typer.echo(json.dumps(checked.to_dict(lang, strict), ensure_ascii=False, indent=2))
    elif checked.report is None:
        typer.echo(unreadable_line(path, checked.error, lang), err=True)
    else:
        render_text(checked.report, lang, strict)
    if checked.report is None:
        return EXIT_FAIL
    return EXIT_OK if checked.ok(strict) else EXIT_FINDINGS
