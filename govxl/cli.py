"""The `govxl` command: parses arguments, calls the library, renders results, sets exit codes.

Exit codes: 0 passed, 1 checked and found errors, 2 could not do what was asked.
Heavy modules are imported inside the commands so that `govxl --help` stays fast.
"""

from __future__ import annotations

import json
import re
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from . import __version__
from .errors import GovxlError

app = typer.Typer(
    name="govxl",
    help="政府信息公开工作年度报告统计表：生成锁定的官方格式工作簿，并校验填好的工作簿。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

EXIT_OK, EXIT_FINDINGS, EXIT_FAIL = 0, 1, 2


class Fmt(str, Enum):
    text = "text"
    json = "json"


class Lang(str, Enum):
    zh = "zh"
    en = "en"


def fail(message: str) -> NoReturn:
    typer.echo(f"错误：{clean(message)}", err=True)
    raise typer.Exit(EXIT_FAIL)


# Control characters (line breaks, terminal escapes), C1 controls and bidi overrides in a file name,
# a label or an agency name must not break the one-line-per-file output or fool the terminal.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def clean(text: object) -> str:
    """Text safe to print on one line: unsafe characters shown as \\xNN, undecodable bytes escaped."""
    s = str(text).encode("utf-8", "backslashreplace").decode("utf-8")
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}", s)


def unexpected(exc: BaseException) -> str:
    """The one-line reason for an exception the library did not foresee (a bug to report, not a traceback)."""
    if isinstance(exc, MemoryError):
        return "无法读取：文件内容过多，内存不足"
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return f"无法读取：文件结构异常（{detail[:200]}）；如确认文件无误，请把此信息报告给 govxl 开发者"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"govxl {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="显示版本号后退出。")] = False,
) -> None:
    """政府信息公开工作年度报告统计表工具。"""


@app.command()
def new(
    out: Annotated[Path, typer.Argument(help="要生成的工作簿，例如 2025年报.xlsx。")],
    agency: Annotated[str, typer.Option(help="填报单位（机关全称）。")] = "",
    year: Annotated[int | None, typer.Option(help="报告年度，例如 2025。")] = None,
    edition: Annotated[str | None, typer.Option(help="报告格式版本：2021（现行，默认）或 2019（试行）。")] = None,
    password: Annotated[str | None, typer.Option(help="工作表保护密码（默认不设密码）。")] = None,
    force: Annotated[bool, typer.Option("--force", help="文件已存在时覆盖。")] = False,
    from_: Annotated[Path | None, typer.Option(
        "--from", help="上一年度的工作簿：沿用填报单位，年度加一，预填上年结转数。")] = None,
) -> None:
    """生成一个锁定的官方格式空白工作簿（只能在应填单元格中填写）。"""
    from .spec import load_edition
    from .writer import write_workbook

    try:
        if from_ is not None:
            from .crossyear import new_from

            last, path = new_from(from_, out, agency=agency, year=year, edition=edition, password=password, force=force)
            if path is None:
                typer.echo(f"上年报告 {from_} 未通过校验，请先改正：", err=True)
                render_text(last, "zh", False)
                raise typer.Exit(EXIT_FINDINGS)
        else:
            path = write_workbook(out, load_edition(edition) if edition else load_edition(), agency=agency, year=year,
                                  password=password, force=force)
    except GovxlError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"无法写入 {out}：{exc.strerror or exc}")
    typer.echo(f"已生成：{path}")


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="要校验的工作簿（.xlsx），或文件夹（校验其中所有 .xlsx）。")],
    format: Annotated[Fmt, typer.Option("--format", help="输出格式：text（表格）或 json。")] = Fmt.text,
    strict: Annotated[bool, typer.Option("--strict", help="有警告也算不通过。")] = False,
    lang: Annotated[Lang, typer.Option("--lang", help="提示语言：zh 或 en。")] = Lang.zh,
    previous: Annotated[Path | None, typer.Option("--previous", help="上一年度的工作簿：核对上年结转等跨年度关系。")] = None,
    previous_dir: Annotated[Path | None, typer.Option(
        "--previous-dir", help="存放上一年度工作簿的文件夹：按填报单位和年度自动配对。")] = None,
    children: Annotated[list[Path] | None, typer.Option(
        "--children", help="下级报告所在的文件夹（或文件）：逐格核对本报告是否等于下级报告之和。")] = None,
) -> None:
    """校验填好的工作簿：结构、数值和勾稽关系。退出码 0 通过，1 有错误，2 无法校验。"""
    from .checker import check_file
    from .crossyear import Previous
    from .export import find_workbooks

    try:
        files = [f for p in files for f in _expand(p, find_workbooks)]
        prev = Previous.open(previous, previous_dir, checking=files)
    except GovxlError as exc:
        fail(str(exc))
    if children and len(files) != 1:
        fail("使用 --children 时只能校验一份汇总报告")
    worst = EXIT_OK
    docs = []
    for path in files:
        try:
            report = check_file(path)
            report.findings += prev.findings(report) if prev else []
            if children:
                from .aggregate import check_children

                report.findings += check_children(report, children)
        except Exception as exc:  # the per-file boundary: one odd file never stops the rest, no traceback
            worst = EXIT_FAIL
            reason = str(exc) if isinstance(exc, GovxlError) else unexpected(exc)
            if format is Fmt.json:
                docs.append({"file": str(path), "ok": False, "error": reason})
            else:
                typer.echo(f"{clean(path)}：无法校验：{clean(reason)}", err=True)
            continue
        code = EXIT_OK if report.ok(strict) else EXIT_FINDINGS
        worst = max(worst, code)
        if format is Fmt.json:
            docs.append(report.to_dict(lang.value, strict))
        else:
            render_text(report, lang.value, strict)
    if format is Fmt.json:
        doc = docs[0] if len(docs) == 1 else {"files": docs}
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    raise typer.Exit(worst)


def _expand(path: Path, find) -> list[Path]:
    """A folder stands for every .xlsx under it (lock and hidden files skipped), in sorted order;
    a folder without any is kept as given, so that it gets its own one-line answer."""
    if not path.is_dir():
        return [path]
    try:
        return find([path])
    except GovxlError:
        return [path]


def verdict(counts: dict[str, int], ok: bool, lang: str) -> str:
    if lang == "en":
        parts = [f"{counts[k]} {k}{'s' if counts[k] != 1 else ''}" for k in ("error", "warning", "info") if counts[k]]
        return ("passed" if ok else "failed") + (f" ({', '.join(parts)})" if parts else "")
    parts = [f"{counts[k]} 个{n}" for k, n in (("error", "错误"), ("warning", "警告"), ("info", "提示")) if counts[k]]
    if ok:
        return "通过" + (f"（{'，'.join(parts)}）" if parts else "")
    return "不通过：" + "，".join(parts)


def render_text(report, lang: str, strict: bool) -> None:
    """Findings grouped by sheet: a rich table on a terminal, plain lines when piped."""
    from .catalogue import SEVERITY_ZH

    sev = (lambda s: s) if lang == "en" else SEVERITY_ZH.get
    head = f"{report.file}（{report.edition} 版"
    head += f"，{report.agency}" if report.agency else ""
    head += f"，{report.year} 年）" if report.year else "）"
    head = clean(head)
    groups: dict[str, list] = {}
    for f in report.findings:
        groups.setdefault(clean(f.sheet) or ("(workbook)" if lang == "en" else "（整个工作簿）"), []).append(f)
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        console = Console(markup=False, highlight=False)  # text from the file is never markup
        console.print(head, style="bold")
        for sheet, items in groups.items():
            table = Table(title=sheet, show_lines=True, title_justify="left")
            for col in (("Rule", "Level", "Cell", "Message") if lang == "en" else ("规则", "级别", "单元格", "说明")):
                table.add_column(col, overflow="fold")
            for f in items:
                style = {"error": "red", "warning": "yellow"}.get(f.severity, "")
                table.add_row(f.rule, sev(f.severity), clean(f.cell), clean(f.message(lang)), style=style)
            console.print(table)
        ok = report.ok(strict)
        console.print(verdict(report.counts, ok, lang), style="bold green" if ok else "bold red")
        return
    typer.echo(head)
    for sheet, items in groups.items():
        typer.echo(f"[{sheet}]")
        for f in items:
            typer.echo(f"  {sev(f.severity)} {f.rule} {clean(f.cell) or '-'}：{clean(f.message(lang))}")
    typer.echo(verdict(report.counts, report.ok(strict), lang))


def run() -> None:
    """Console-script entry point: no traceback ever reaches a clerk."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("已中断。", err=True)
        sys.exit(EXIT_FAIL)
    except SystemExit:
        raise
    except GovxlError as exc:
        typer.echo(f"错误：{clean(exc)}", err=True)
        sys.exit(EXIT_FAIL)
    except Exception as exc:  # pragma: no cover - the last line of defence
        typer.echo(clean(f"内部错误（请把此信息报告给 govxl 开发者）：{type(exc).__name__}: {exc}"), err=True)
        sys.exit(EXIT_FAIL)


# Further commands live in their own modules (cli_<name>.py) and register themselves on `app`.
# One import line each, below (import order = order in `govxl --help`).

from . import cli_export  # noqa: E402,F401

# isort: split
from . import cli_aggregate  # noqa: E402,F401

# isort: split
from . import cli_import  # noqa: E402,F401

if __name__ == "__main__":  # `python -m govxl.cli` behaves like `python -m govxl`
    from govxl.cli import run as _run

    _run()
