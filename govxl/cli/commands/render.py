"""`govxl render`: the published report (HTML, Word, Markdown) from a workbook that passes its check.

Exit codes: 0 written, 1 refused because the workbook fails its check, 2 could not.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..app import EXIT_FINDINGS, EXIT_OK, Lang, LangOpt, OutputOpt, command, fail, pick_format, say
from ..printer import render_text, verdict


class RenderTo(str, Enum):
    html = "html"
    md = "md"
    docx = "docx"


@command()
def render(
    file: Annotated[Path, typer.Argument(help="校验通过的工作簿（.xlsx）。")],
    output: OutputOpt("输出文件：.html、.docx 或 .md。", required=True),
    to: Annotated[RenderTo | None, typer.Option("--to", help="html、docx 或 md；不指定则按输出文件的扩展名。")] = None,
    text: Annotated[Path | None, typer.Option("--text", help="正文文件（第一、五、六部分，格式见 README）；"
                                              "给出则生成完整的年度报告。")] = None,
    force: Annotated[bool, typer.Option("--force", help="工作簿未通过校验也照样生成。")] = False,
    lang: LangOpt = Lang.zh,
) -> None:
    """生成年度报告：第二、三、四部分的官方表格（合并单元格与官方格式一致）；加 --text 生成完整报告。"""
    from ...checker import check_file
    from ...narrative import read_text
    from ...render import FORMATS, render_report
    from ...safefile import prepare_output
    from ...spec import load_edition

    lang_ = lang.value
    if to is None and output.suffix.lower() == ".pdf":
        fail(say("render 不生成 PDF：可生成 .html、.docx 或 .md（再用浏览器或 Word 打印为 PDF）",
                 "render does not write PDF: it writes .html, .docx or .md (print one of them to PDF)"))
    fmt = pick_format(to, output, RenderTo, say("生成报告", "render"))
    inputs = (file,) + ((text,) if text is not None else ())
    prepare_output(output, force=True, suffix=FORMATS[fmt], inputs=inputs)
    report = check_file(file)
    if not report.ok() and not force:
        render_text(report, lang_, False)
        typer.echo(say(f"{report.file} 未通过校验，没有生成报告；请改正后重试（如仍要生成，请加 --force）",
                       f"{report.file} fails its check: no report written; correct it and retry "
                       "(or add --force)"), err=True)
        raise typer.Exit(EXIT_FINDINGS)
    narrative = read_text(text, load_edition(report.edition)) if text is not None else None
    done = render_report(report, fmt, output, text=narrative, force=force, inputs=inputs)
    if not report.ok():
        typer.echo(say(f"警告：{file} {verdict(report.counts, False, 'zh')}；已按 --force 生成",
                       f"warning: {file} {verdict(report.counts, False, 'en')}; written because of --force"))
    for f in done.findings:
        typer.echo(say("警告", "warning") + f" {f.rule} [{f.sheet}]" + say("：", ": ") + f.message(lang_))
    typer.echo(say(f"已生成：{done.path}", f"written: {done.path}"))
    raise typer.Exit(EXIT_OK)
