"""Issue 5: what govxl writes is safe: text never becomes a formula, outputs go through a temporary
file, no command writes over its input, and hostile text prints as plain text."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import oddfiles as odd
import openpyxl
import pytest
from cli import run
from helpers import FORMULA_PAYLOADS, NANGUAN_AGENCY, assert_no_formula_injection, sha256
from said import said

import govxl
from govxl.errors import UsageError
from govxl.safefile import refuse_same_file
from govxl.writer import Extra, write_workbook

# The `good` fixture: a fresh copy of a correct, filled workbook for each test.
good_source, good = odd.good_source, odd.good_copy


# ================================================================== formula injection
@pytest.mark.parametrize("payload", FORMULA_PAYLOADS)
def test_agency_name_is_written_as_text_never_a_formula(tmp_path, payload):
    path = govxl.new(tmp_path / "a.xlsx", agency=payload, year=2025)
    assert_no_formula_injection(path, [payload])
    assert govxl.check(path).agency == payload


def test_extra_sheet_text_is_never_a_formula(tmp_path, ed2021):
    path = write_workbook(tmp_path / "a.xlsx", ed2021, extra=[Extra("名单", ["机关"], [[p] for p in FORMULA_PAYLOADS])])
    assert_no_formula_injection(path)


def test_the_injection_helper_on_the_export_and_render_writers(tmp_path, ed2021):
    """The helper on the real CSV export and Word render (owned by their modules' own tests)."""
    from helpers import NANGUAN_2023, values

    from govxl.export import load, write_export
    from govxl.render import render_report

    books = [govxl.new(tmp_path / f"{i}.xlsx", agency=p, year=2023, values=values(ed2021, NANGUAN_2023))
             for i, p in enumerate(FORMULA_PAYLOADS)]
    assert_no_formula_injection(write_export(load(books), "csv", tmp_path / "all.csv"))
    doc = render_report(govxl.check(books[0]), "docx", tmp_path / "0.docx").path  # one: rendering takes seconds
    assert_no_formula_injection(doc, FORMULA_PAYLOADS[:1])


def test_the_injection_helper_can_fail(tmp_path):
    """The helper is only worth something if it catches the real thing."""
    wb = openpyxl.Workbook()
    wb.active["A1"] = '=HYPERLINK("http://x","y")'  # openpyxl makes this a formula
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(AssertionError, match="became a formula"):
        assert_no_formula_injection(tmp_path / "bad.xlsx", ['=HYPERLINK("http://x","y")'])
    with pytest.raises(AssertionError, match="not found"):
        assert_no_formula_injection(tmp_path / "bad.xlsx", ["@SUM(1)"])
    (tmp_path / "bad.csv").write_text('机关,件数\n"=HYPERLINK(""http://x"",""y"")",-1\n', encoding="utf-8")
    with pytest.raises(AssertionError, match="would be evaluated"):
        assert_no_formula_injection(tmp_path / "bad.csv", ['=HYPERLINK("http://x","y")'])
    (tmp_path / "ok.csv").write_text('机关,件数\n"\'=HYPERLINK(""http://x"",""y"")",-1\n', encoding="utf-8")
    assert_no_formula_injection(tmp_path / "ok.csv", ['=HYPERLINK("http://x","y")'])
    with pytest.raises(ValueError):
        assert_no_formula_injection(tmp_path / "a.pdf")


def test_hostile_text_in_a_workbook_prints_as_plain_text(tmp_path, good, monkeypatch, capsys):
    """Labels and agency names are never rich markup, terminal escapes or extra lines."""
    from govxl.cli.printer import render_text
    from govxl.sources.workbook import check_file

    def edit(data: bytes) -> bytes:  # cell text may hold any character, escaped as _xHHHH_
        data = data.replace(NANGUAN_AGENCY.encode(), "[/bold]机关_x001B_[2J\n第二行".encode())
        return data.replace("2.其他法律行政法规禁止公开".encode(), "[link=http://x]点我[/link] [/x]".encode())
    report = check_file(odd.edit_part(good, tmp_path / "h.xlsx", odd.SST, edit))
    assert report.agency == "[/bold]机关\x1b[2J\n第二行"
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False, raising=False)
    render_text(report, "zh", False)
    out = capsys.readouterr().out
    assert "实为“[link=http://x]点我[/link] [/x]”" in out and "\\x1b[2J\\x0a第二行" in out
    assert "\x1b" not in out and len(out.splitlines()) == 4  # head, [sheet], one finding, verdict
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    render_text(report, "zh", False)  # rich: must not take the text as markup (MarkupError) or escapes
    out = capsys.readouterr().out
    assert "[/bold]机关" in out and "\x1b[2J" not in out


# ================================================================== output safety
def test_refuse_same_file(tmp_path, good):
    (tmp_path / "sub").mkdir()
    os.symlink(good, tmp_path / "link.xlsx")
    os.link(good, tmp_path / "hard.xlsx")
    for same in (good, tmp_path / "sub" / ".." / "good.xlsx", tmp_path / "link.xlsx", tmp_path / "hard.xlsx"):
        with pytest.raises(UsageError) as refused:
            refuse_same_file(same, tmp_path / "other.xlsx", good)
        assert refused.value.code == "U-SAMEFILE" and str(refused.value) == said("U-SAMEFILE", path=str(same))
    refuse_same_file(tmp_path / "new.xlsx", good)  # a new name is fine
    shutil.copy(good, tmp_path / "copy.xlsx")
    refuse_same_file(tmp_path / "copy.xlsx", good)  # an equal copy is another file
    with pytest.raises(UsageError):
        refuse_same_file(tmp_path / "not-yet.xlsx", tmp_path / "not-yet.xlsx")


def test_every_output_goes_through_a_temporary_file(tmp_path, good, monkeypatch):
    """new, export and render all write a temporary file beside the output and rename it."""
    from govxl.export import load, write_export
    from govxl.render import render_report

    renames = []
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: (renames.append((Path(src), Path(dst))), real(src, dst)))
    outs = [govxl.new(tmp_path / "new.xlsx"), write_export(load([good]), "csv", tmp_path / "e.csv"),
            render_report(govxl.check(good), "html", tmp_path / "r.html").path]
    assert [dst for _, dst in renames] == outs
    assert all(src.parent == dst.parent and src.name.startswith(".govxl-") for src, dst in renames)


def test_no_command_writes_over_its_input(tmp_path, good):
    before = sha256(good)
    for args in (["new", good, "--from", good, "--force"], ["export", good, "--to", "csv", "-o", good],
                 ["render", good, "--to", "html", "-o", good]):
        r = run(*args)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, (args, r.stderr)
    assert sha256(good) == before


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, ed2021, monkeypatch):
    out = govxl.new(tmp_path / "a.xlsx", agency="甲")
    before = sha256(out)
    import govxl.writer as writer

    def broken(self, path):
        assert Path(path) != out and Path(path).parent == out.parent, "written beside the output, never to it"
        Path(path).write_bytes(b"half a workbook")
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(writer.BookWriter, "write", broken)
    with pytest.raises(OSError):
        govxl.new(out, agency="乙", force=True)
    assert sha256(out) == before and sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]


def test_written_files_get_normal_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        out = govxl.new(tmp_path / "a.xlsx")
        assert out.stat().st_mode & 0o777 == 0o644, "not mkstemp's 0600: colleagues must be able to read it"
        out.chmod(0o640)
        govxl.new(out, force=True)
        assert out.stat().st_mode & 0o777 == 0o640, "overwriting keeps the file's permissions"
    finally:
        os.umask(old)
