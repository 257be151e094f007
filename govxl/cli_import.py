"""`govxl import`: a published report (HTML page, copied text, Word, Excel, PDF) -> a govxl workbook or JSON.

Exit codes: 0 every table read completely; 1 a table is missing or incomplete (what was found
is still written); 2 the report could not be read or the output not written.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from .cli import EXIT_FINDINGS, EXIT_OK, Lang, app, fail
from .errors import GovxlError


class To(str, Enum):
    xlsx = "xlsx"
    json = "json"


@app.command("import")
def import_(
    report: Annotated[Path, typer.Argument(
        help="年度报告：网页（.html）、Word（.docx/.odt）、Excel（.xlsx/.xls/.ods）、带文字的 PDF，或复制出的文字（.txt）。")],
    out: Annotated[Path | None, typer.Option("-o", "--out", help="输出文件：.xlsx 工作簿（或配合 --to json 的 .json）。")] = None,
    to: Annotated[To, typer.Option("--to", help="输出格式：xlsx（govxl 工作簿）或 json（不给 -o 时输出到屏幕）。")] = To.xlsx,
    agency: Annotated[str | None, typer.Option(help="机关名称（默认从报告标题读取）。")] = None,
    year: Annotated[int | None, typer.Option(help="报告年度（默认从报告标题读取）。")] = None,
    edition: Annotated[str | None, typer.Option(help="报告格式版本，如 2021 或 2019（默认按表格标签判断）。")] = None,
    force: Annotated[bool, typer.Option("--force", help="输出文件已存在时覆盖。")] = False,
    lang: Annotated[Lang, typer.Option("--lang", help="提示语言：zh 或 en。")] = Lang.zh,
) -> None:
    """把网页、文本、Word、Excel 或 PDF 形式的年度报告中的统计表读成 govxl 工作簿（或 JSON），再用 govxl check 校验。
    退出码 0 完整读取，1 有表格缺失或不完整（已读到的数据仍会写出），2 无法读取。"""
    from .importer import import_report
    from .spec import edition_ids

    if to is To.xlsx and out is None:
        fail("请用 -o 指定要生成的 .xlsx 工作簿，例如：govxl import 报告.html -o 报告.xlsx")
    if edition is not None and edition not in edition_ids():
        fail(f"未知的格式版本“{edition}”（已知：{'、'.join(edition_ids())}）")
    try:
        result = import_report(report, edition=edition, agency=agency, year=year)
        if to is To.json and out is None:
            typer.echo(result.to_json(lang.value))
            raise typer.Exit(EXIT_OK if result.complete else EXIT_FINDINGS)
        written = result.write_json(out, force, lang.value) if to is To.json else result.write_xlsx(out, force)
    except GovxlError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"无法写入 {out}：{exc.strerror or exc}")
    render(result, written, lang.value)
    raise typer.Exit(EXIT_OK if result.complete else EXIT_FINDINGS)


def render(result, written: Path, lang: str) -> None:
    from .catalogue import SEVERITY_ZH

    en = lang == "en"
    sev = (lambda s: s) if en else SEVERITY_ZH.get
    who = "，".join(x for x in (result.agency, f"{result.year} 年" if result.year else None) if x)
    typer.echo(f"{result.file}（{result.edition.id} 版{'，' + who if who else ''}）")
    reading = [f for f in result.findings if f.rule.startswith("I-")]
    printed = [f for f in result.findings if not f.rule.startswith("I-")]

    def line(f) -> None:
        where = f"{f.sheet} " if f.sheet else ""
        typer.echo(f"  {sev(f.severity)} {f.rule} {where}{f.cell or '-'}：{f.message(lang)}")

    for f in reading:
        line(f)
    if printed:
        typer.echo("The report's own arithmetic, as printed:" if en else "报告所公布数字本身的勾稽关系：")
        for f in printed:
            line(f)
    n = len(result.values)
    if result.complete:
        typer.echo(f"wrote {written} ({n} numbers read); now run govxl check {written}" if en else
                   f"已写入 {written}（读到 {n} 个数）；请再运行 govxl check {written}")
    else:
        gaps = [t.title for t in result.edition.tables if t.key in result.missing_tables
                or any(k == t.key for k, _ in result.incomplete_rows)]
        typer.echo(f"incomplete: {'、'.join(gaps)}; the {n} numbers read were written to {written}" if en else
                   f"不完整：{'、'.join(gaps)} 缺少数据；已把读到的 {n} 个数写入 {written}")
