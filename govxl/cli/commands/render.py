"""`govxl render`: the published report (HTML, Word, Markdown) from a workbook that passes its check.

Exit codes: 0 written, 1 refused because the workbook fails its check, 2 could not.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..app import EXIT_FINDINGS, EXIT_OK, Arg, ForceOpt, H, Lang, LangOpt, OutputOpt, command, fail, pick_format, say
from ..printer import render_text, verdict


class RenderTo(str, Enum):
    html = "html"
    md = "md"
    docx = "docx"


@command(en="Write the annual report: the official tables of sections 2, 3 and 4 (merged cells as in the official "
              "format); with --text, the whole report.")
def render(
    file: Annotated[Path, Arg("校验通过的工作簿（.xlsx）。", "a workbook (.xlsx) that passes its check.",
                              ("工作簿", "WORKBOOK"))],
    output: OutputOpt(H("输出文件：.html、.docx 或 .md。", "the output file: .html, .docx or .md."), required=True),
    to: Annotated[RenderTo | None, typer.Option("--to", help=H(
        "html、docx 或 md；不指定则按输出文件的扩展名。", "html, docx or md; by default the output file's ending."))] = None,
    text: Annotated[Path | None, typer.Option("--text", metavar=H("正文.md", "TEXT.md"), help=H(
        "正文文件（第一、五、六部分，格式见 README）；给出则生成完整的年度报告。",
        "the text file (sections 1, 5 and 6; see README): with it, the whole annual report is written."))] = None,
    force: ForceOpt = False,
    allow_errors: Annotated[bool, typer.Option("--allow-errors", help=H(
        "工作簿未通过校验也照样生成。", "write the report even if the workbook fails its check."))] = False,
    lang: LangOpt = Lang.zh,
) -> None:
    """生成年度报告：第二、三、四部分的官方表格（合并单元格与官方格式一致）；加 --text 生成完整报告。"""
    from ...narrative import read_text
    from ...render import FORMATS, render_report
    from ...safefile import prepare_output
    from ...sources.workbook import check_file
    from ...spec import load_edition

    lang_ = lang.value
    if to is None and output.suffix.lower() == ".pdf":
        fail(say("render 不生成 PDF：可生成 .html、.docx 或 .md（再用浏览器或 Word 打印为 PDF）",
                 "render does not write PDF: it writes .html, .docx or .md (print one of them to PDF)"))
    fmt = pick_format(to, output, RenderTo, say("生成报告", "render"))
    inputs = (file,) + ((text,) if text is not None else ())
    prepare_output(output, force=force, suffix=FORMATS[fmt], inputs=inputs)
    report = check_file(file)
    if not report.ok() and not allow_errors:
        render_text(report, lang_, False)
        typer.echo(say(f"{report.file} 未通过校验，没有生成报告；请改正后重试（如仍要生成，请加 --allow-errors）",
                       f"{report.file} fails its check: no report written; correct it and retry "
                       "(or add --allow-errors)"), err=True)
        raise typer.Exit(EXIT_FINDINGS)
    narrative = read_text(text, load_edition(report.edition)) if text is not None else None
    done = render_report(report, fmt, output, text=narrative, force=allow_errors, inputs=inputs)
    if not report.ok():
        typer.echo(say(f"警告：{file} {verdict(report.counts, False, 'zh')}；已按 --allow-errors 生成",
                       f"warning: {file} {verdict(report.counts, False, 'en')}; written because of --allow-errors"))
    for f in done.findings:
        typer.echo(say("警告", "warning") + f" {f.rule} [{f.sheet}]" + say("：", ": ") + f.message(lang_))
    typer.echo(say(f"已生成：{done.path}", f"written: {done.path}"))
    raise typer.Exit(EXIT_OK)
