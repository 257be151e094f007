"""`govxl aggregate`: sum the reports of many agencies into one summary workbook.

Exit codes: 0 every input summed; 1 summary written but some inputs were left out (or summed
despite errors with --include-failing); 2 nothing written (mixed editions or years, bad paths, ...).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..app import EXIT_FINDINGS, EXIT_OK, Arg, ForceOpt, H, JobsOpt, Lang, LangOpt, OutputOpt, command, fail, say
from ..printer import finding_line


@command(en="Sum several reports of one edition and one year into one (the input cells hold the sums, the "
              "totals stay formulas), with a list of the reports summed.")
def aggregate(
    inputs: Annotated[list[Path], Arg("下级单位的年报工作簿，或存放它们的文件夹（含子文件夹）。",
                                      "the workbooks of the reporting units, or folders of them (subfolders too).",
                                      ("文件...", "FILES..."))],
    output: OutputOpt(H("要生成的汇总工作簿，例如 汇总.xlsx。", "the summary workbook to write, e.g. summary.xlsx."),
                      required=True),
    agency: Annotated[str, typer.Option(help=H("汇总报告的填报单位，例如“XX县人民政府（汇总）”。",
                                               "the agency of the summary, e.g. “XX县人民政府（汇总）”."))],
    year: Annotated[int | None, typer.Option(help=H(
        "报告年度；给出时每份报告都须是这一年（默认以多数为准）。",
        "the year; when given, every report must be of that year (by default the year most reports give)."))] = None,
    include_failing: Annotated[bool, typer.Option("--include-failing", help=H(
        "校验有错误的报告也计入（在汇总清单中标明）。",
        "sum reports that fail their check too (marked in the list of reports)."))] = False,
    jobs: JobsOpt = None,
    force: ForceOpt = False,
    lang: LangOpt = Lang.zh,
) -> None:
    """把多份同一版本、同一年度的年报汇总为一份（输入单元格为各份之和，合计仍为公式），并附汇总清单。"""
    from ...aggregate import check_all, combine, iter_files, write_summary
    from ...safefile import prepare_output

    if not agency.strip():
        fail(say("请用 --agency 写明汇总报告的填报单位，例如“XX县人民政府（汇总）”",
                 "give the agency of the summary with --agency, e.g. --agency 'XX县人民政府（汇总）'"))
    files = iter_files(inputs, skip=output)  # a summary written into the input folder is not an input
    if not files:
        fail(say("没有找到 .xlsx 工作簿", "no .xlsx workbook found"))
    prepare_output(output, force, inputs=tuple(files))  # a bad output path fails now, not after the checks
    agg = combine(check_all(files, jobs), year=year, include_failing=include_failing)
    for f in agg.findings:
        typer.echo(finding_line(f, lang.value, indent=""))
    path = write_summary(agg, output, agency=agency, force=force)
    n_in, n_out = len(agg.included), len(agg.left_out)
    typer.echo(say(f"已生成汇总：{path}（{agg.edition.id} 版{f'，{agg.year} 年' if agg.year is not None else ''}；"
                   f"计入 {n_in} 份，未计入 {n_out} 份）",
                   f"summary written: {path} (edition {agg.edition.id}"
                   f"{f', {agg.year}' if agg.year is not None else ''}; {n_in} summed, {n_out} left out)"))
    raise typer.Exit(EXIT_FINDINGS if agg.findings else EXIT_OK)
