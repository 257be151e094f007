"""`govxl aggregate`: sum the reports of many agencies into one summary workbook.

Exit codes: 0 every input summed; 1 summary written but some inputs were left out (or summed
despite errors with --include-failing); 2 nothing written (mixed editions or years, bad paths, ...).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .cli import EXIT_FAIL, EXIT_FINDINGS, EXIT_OK, app, fail
from .errors import GovxlError, InputsError


@app.command()
def aggregate(
    inputs: Annotated[list[Path], typer.Argument(help="下级单位的年报工作簿，或存放它们的文件夹（含子文件夹）。")],
    out: Annotated[Path, typer.Option("--out", "-o", help="要生成的汇总工作簿，例如 汇总.xlsx。")],
    agency: Annotated[str, typer.Option(help="汇总报告的填报单位，例如“XX县人民政府（汇总）”。")],
    year: Annotated[int | None, typer.Option(help="报告年度；给出时每份报告都须是这一年（默认以多数为准）。")] = None,
    include_failing: Annotated[bool, typer.Option("--include-failing",
                                                  help="校验有错误的报告也计入（在汇总清单中标明）。")] = False,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, show_default="CPU 核数",
                                             help="同时校验的进程数。")] = None,
    force: Annotated[bool, typer.Option("--force", help="汇总文件已存在时覆盖。")] = False,
) -> None:
    """把多份同一版本、同一年度的年报汇总为一份（输入单元格为各份之和，合计仍为公式），并附汇总清单。"""
    from .aggregate import check_all, combine, iter_files, write_summary
    from .catalogue import SEVERITY_ZH
    from .writer import prepare_output

    if not agency.strip():
        fail("请用 --agency 写明汇总报告的填报单位，例如“XX县人民政府（汇总）”")
    try:
        files = iter_files(inputs, skip=out)  # a summary written into the input folder is not an input
        if not files:
            fail("没有找到 .xlsx 工作簿")
        prepare_output(out, force, inputs=tuple(files))  # a bad output path fails now, not after the checks
        agg = combine(check_all(files, jobs), year=year, include_failing=include_failing)
    except InputsError as exc:
        typer.echo(f"错误：{exc.headline}", err=True)
        for name, why in exc.offenders:
            typer.echo(f"  {name}：{why}", err=True)
        raise typer.Exit(EXIT_FAIL) from None
    except GovxlError as exc:
        fail(str(exc))

    for f in agg.findings:
        typer.echo(f"{SEVERITY_ZH[f.severity]} {f.rule}：{f.message()}")
    try:
        path = write_summary(agg, out, agency=agency, force=force)
    except GovxlError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"无法写入 {out}：{exc.strerror or exc}")
    year_text = f"，{agg.year} 年" if agg.year is not None else ""
    typer.echo(f"已生成汇总：{path}（{agg.edition.id} 版{year_text}；计入 {len(agg.included)} 份，"
               f"未计入 {len(agg.left_out)} 份）")
    raise typer.Exit(EXIT_FINDINGS if agg.findings else EXIT_OK)
