"""`govxl export` (data out: CSV, JSON) and `govxl render` (the published report: HTML, Word, Markdown).

Exit codes as everywhere: 0 done, 1 done but a workbook failed its check (export) or refused
because it failed (render), 2 could not do what was asked.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from .cli import EXIT_FAIL, EXIT_FINDINGS, EXIT_OK, app, fail, render_text, verdict
from .errors import GovxlError


class ExportTo(str, Enum):
    csv = "csv"
    json = "json"


class RenderTo(str, Enum):
    html = "html"
    md = "md"
    docx = "docx"


def _pick(to: Enum | None, out: Path | None, choices: type[Enum]) -> str:
    """The format: --to, or else the output file's extension."""
    names = [c.value for c in choices]
    if to is not None:
        return to.value
    suffix = out.suffix.lower().lstrip(".") if out is not None else ""
    if suffix in names:
        return suffix
    fail(f"请用 --to 指定格式（{'、'.join(names)}）")


def _write_stdout(text: str) -> None:
    stream = getattr(sys.stdout, "buffer", None)
    if stream is not None:
        stream.write(text.encode("utf-8"))
        stream.flush()
    else:  # pragma: no cover - a replaced stdout (tests, IDEs)
        sys.stdout.write(text)


@app.command()
def export(
    paths: Annotated[list[Path], typer.Argument(help="工作簿（.xlsx），或存放工作簿的文件夹（含子文件夹）。")],
    to: Annotated[ExportTo | None, typer.Option("--to", help="csv（长表：一行一个数）或 json；"
                                                "不指定则按输出文件的扩展名。")] = None,
    out: Annotated[Path | None, typer.Option("-o", "--output", help="输出文件（.csv 或 .json）；"
                                             "不指定则输出到屏幕（标准输出）。")] = None,
) -> None:
    """导出校验后的数据（CSV 长表或 JSON），供汇总分析。未通过校验的工作簿照样导出，标为 ok=false。"""
    from .export import export_text, load, write_export
    from .files import find_workbooks
    from .writer import prepare_output

    fmt = _pick(to, out, ExportTo)
    try:
        files = find_workbooks(paths)
        if out is not None:  # a bad output path should not wait for hundreds of checks
            prepare_output(out, force=True, suffix="." + fmt, inputs=tuple(files))
        items = load(files)
    except GovxlError as exc:
        fail(str(exc))
    worst = EXIT_OK
    for item in items:
        if item.report is None:
            typer.echo(f"警告：{item.path} 无法读取，没有导出：{item.error}", err=True)
            worst = EXIT_FAIL
        elif not item.report.ok():
            typer.echo(f"警告：{item.path} {verdict(item.report.counts, False, 'zh')}；数据已导出，标为 ok=false",
                       err=True)
            worst = max(worst, EXIT_FINDINGS)
    try:
        if out is None:
            _write_stdout(export_text(items, fmt))
        else:
            path = write_export(items, fmt, out)
            done = sum(1 for i in items if i.report is not None)
            typer.echo(f"已导出 {done} 份报告：{path}")
    except GovxlError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"无法写入 {out}：{exc.strerror or exc}")
    raise typer.Exit(worst)


@app.command()
def render(
    file: Annotated[Path, typer.Argument(help="校验通过的工作簿（.xlsx）。")],
    out: Annotated[Path, typer.Option("-o", "--output", help="输出文件：.html、.docx 或 .md。")],
    to: Annotated[RenderTo | None, typer.Option("--to", help="html、docx 或 md；不指定则按输出文件的扩展名。")] = None,
    text: Annotated[Path | None, typer.Option("--text", help="正文文件（第一、五、六部分，格式见 README）；"
                                              "给出则生成完整的年度报告。")] = None,
    force: Annotated[bool, typer.Option("--force", help="工作簿未通过校验也照样生成。")] = False,
) -> None:
    """生成年度报告：第二、三、四部分的官方表格（合并单元格与官方格式一致）；加 --text 生成完整报告。"""
    from .checker import check_file
    from .narrative import read_text
    from .render import FORMATS, render_report
    from .spec import load_edition
    from .writer import prepare_output

    fmt = _pick(to, out, RenderTo)
    inputs = (file,) + ((text,) if text is not None else ())
    try:
        prepare_output(out, force=True, suffix=FORMATS[fmt], inputs=inputs)
        report = check_file(file)
    except GovxlError as exc:
        fail(str(exc))
    if not report.ok() and not force:
        _refuse(report)
    try:
        narrative = read_text(text, load_edition(report.edition)) if text is not None else None
        done = render_report(report, fmt, out, text=narrative, force=force, inputs=inputs)
    except GovxlError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"无法写入 {out}：{exc.strerror or exc}")
    if not report.ok():
        typer.echo(f"警告：{file} {verdict(report.counts, False, 'zh')}；已按 --force 生成")
    for f in done.findings:
        typer.echo(f"警告 {f.rule} [{f.sheet}]：{f.message()}")
    typer.echo(f"已生成：{done.path}")
    raise typer.Exit(EXIT_OK)


def _refuse(report) -> None:
    render_text(report, "zh", False)
    typer.echo(f"{report.file} 未通过校验，没有生成报告；请改正后重试（如仍要生成，请加 --force）", err=True)
    raise typer.Exit(EXIT_FINDINGS)
