"""`govxl export`: the checked data out, as CSV (one row per number) or JSON.

Exit codes: 0 done, 1 done but a workbook failed its check (exported with ok=false), 2 could not.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..app import (
    EXIT_FAIL,
    EXIT_FINDINGS,
    EXIT_OK,
    Arg,
    ForceOpt,
    H,
    JobsOpt,
    Lang,
    LangOpt,
    OutputOpt,
    command,
    pick_format,
    say,
    write_stdout,
)
from ..printer import error_text, verdict


class ExportTo(str, Enum):
    csv = "csv"
    json = "json"


@command(en="Export the checked data (CSV in long form, or JSON) for analysis. A workbook that fails its check "
              "is exported all the same, marked ok=false.")
def export(
    paths: Annotated[list[Path], Arg("工作簿（.xlsx）或报告（.docx、.xls、.ods、.pdf 等，同 govxl check），"
                                     "或存放它们的文件夹（含子文件夹）。",
                                     "workbooks (.xlsx) or reports (.docx, .xls, .ods, .pdf…, as govxl check takes), "
                                     "or folders of them (subfolders too).", ("文件...", "FILES..."))],
    to: Annotated[ExportTo | None, typer.Option("--to", help=H(
        "csv（长表：一行一个数）或 json；不指定则按输出文件的扩展名，没有输出文件时为 json。",
        "csv (long form: one number a line) or json; by default the output file's ending, json without one."))] = None,
    output: OutputOpt(H("输出文件（.csv 或 .json）；不指定则输出到屏幕（标准输出）。",
                        "the output file (.csv or .json); without it, the data go to standard output.")) = None,
    force: ForceOpt = False,
    lang: LangOpt = Lang.zh,
    jobs: JobsOpt = None,
) -> None:
    """导出校验后的数据（CSV 长表或 JSON），供汇总分析。未通过校验的工作簿照样导出，标为 ok=false。"""
    from ...export import export_text, load, write_export
    from ...files import find_documents
    from ...safefile import prepare_output

    lang_ = lang.value
    fmt = "json" if to is None and output is None else pick_format(to, output, ExportTo, say("导出", "export"))
    files = find_documents(paths)  # the documents `govxl check` takes: one dataset of many published reports
    if output is not None:  # a bad output path should not wait for hundreds of checks
        prepare_output(output, force=force, suffix="." + fmt, inputs=tuple(files))
    items = load(files, jobs)
    worst = EXIT_OK
    for item in items:
        if item.report is None:
            typer.echo(say(f"警告：{item.path} 无法读取，没有导出：", f"warning: {item.path} cannot be read, "
                           "not exported: ") + error_text(item.error, lang_), err=True)
            worst = EXIT_FAIL
        elif not item.report.ok():
            typer.echo(say(f"警告：{item.path} {verdict(item.report.counts, False, 'zh')}；数据已导出，标为 ok=false",
                           f"warning: {item.path} {verdict(item.report.counts, False, 'en')}; "
                           "exported with ok=false"), err=True)
            worst = max(worst, EXIT_FINDINGS)
    if output is None:
        write_stdout(export_text(items, fmt, lang_))
    else:
        path = write_export(items, fmt, output, lang_)
        done = sum(1 for i in items if i.report is not None)
        typer.echo(say(f"已导出 {done} 份报告：{path}", f"exported {done} reports: {path}"))
    raise typer.Exit(worst)
