"""`govxl new`: write a locked blank workbook of an edition (or next year's, from last year's)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..app import EXIT_FINDINGS, Arg, ForceOpt, H, Lang, LangOpt, OutputOpt, command, fail, say
from ..printer import render_text


@command(en="Write a locked blank workbook in the official format (only the input cells can be filled in).")
def new(
    out: Annotated[Path | None, Arg("要生成的工作簿，例如 2025年报.xlsx（也可用 -o 给出）。",
                                    "the workbook to write, e.g. report-2025.xlsx (or give it with -o).",
                                    ("工作簿", "WORKBOOK"))] = None,
    output: OutputOpt(H("要生成的工作簿（同第一个参数）。", "the workbook to write (as the first argument).")) = None,
    agency: Annotated[str, typer.Option(help=H("填报单位（机关全称）。", "the reporting agency (its full name)."))] = "",
    year: Annotated[int | None, typer.Option(help=H("报告年度，例如 2025。", "the report's year, e.g. 2025."))] = None,
    edition: Annotated[str | None, typer.Option(help=H(
        "报告格式版本：2021（现行，默认）或 2019（试行）。",
        "the format edition: 2021 (current, the default) or 2019 (trial)."))] = None,
    password: Annotated[str | None, typer.Option(help=H(
        "工作表和工作簿结构的保护密码（默认不设密码）。",
        "password protecting the sheets and the workbook's structure (none by default)."))] = None,
    force: ForceOpt = False,
    from_: Annotated[Path | None, typer.Option("--from", help=H(
        "上一年度的工作簿：沿用填报单位，年度加一，预填上年结转数。",
        "last year's workbook: same agency, the next year, carried-over figures filled in."))] = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """生成一个锁定的官方格式空白工作簿（只能在应填单元格中填写）。"""
    from ...spec import load_edition
    from ...writer import write_workbook

    if out is not None and output is not None and out != output:
        fail(say("要生成的工作簿只能给一个（参数或 -o）", "give the workbook to write once (argument or -o)"))
    out = out if out is not None else output
    if out is None:
        fail(say("缺少参数 OUT：要生成的工作簿，例如 govxl new 2025年报.xlsx",
                 "missing argument OUT: the workbook to write, e.g. govxl new report-2025.xlsx"))
    if from_ is not None:
        from ...crossyear import new_from

        last, path = new_from(from_, out, agency=agency, year=year, edition=edition, password=password, force=force)
        if path is None:
            typer.echo(say(f"上年报告 {from_} 未通过校验，请先改正：",
                           f"last year's report {from_} fails its check; correct it first:"), err=True)
            render_text(last, lang.value, False)
            raise typer.Exit(EXIT_FINDINGS)
    else:
        ed = load_edition(edition) if edition else load_edition()
        _warn_years(ed, year)
        path = write_workbook(out, ed, agency=agency, year=year, password=password, force=force)
    typer.echo(say(f"已生成：{path}", f"written: {path}"))


def _warn_years(ed, year: int | None) -> None:
    """An edition serves from its first year to the year before the next edition's first year. A year
    before it is refused (the edition did not exist); a later year is written with a warning."""
    from ...spec import edition_ids, load_edition

    if year is None:
        return
    later = [e.first_year for e in map(load_edition, edition_ids()) if e.first_year > ed.first_year]
    last = min(later) - 1 if later else None
    zh = f"{ed.first_year}–{last} 年度" if last is not None else f"{ed.first_year} 年度起"
    en = f"{ed.first_year}–{last}" if last is not None else f"{ed.first_year} onwards"
    if year < ed.first_year:
        fail(say(f"{ed.id} 版用于 {zh}的报告，没有生成 {year} 年度的工作簿（请检查 --year 或 --edition）",
                 f"the {ed.id} edition is for the reports of {en}: no workbook written for {year} "
                 "(check --year or --edition)"))
    if last is not None and year > last:
        typer.echo(say(f"警告：{ed.id} 版用于 {zh}的报告，{year} 年度的报告请用适用于该年的版本",
                       f"warning: the {ed.id} edition is for the reports of {en}; "
                       f"use the edition for {year}"), err=True)
