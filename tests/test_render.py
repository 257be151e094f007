"""`govxl render`: the official tables in HTML, Word and Markdown, checked against the merges and
labels typed from the official tables (tests/test_layout.py), with every number in its own cell."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli import run
from helpers import NANGUAN_2023, NANGUAN_AGENCY, fill_openpyxl, sha256, values
from render_helpers import (
    distinct_inputs,
    docx_parts,
    html_doc,
    html_tables,
    make_workbook,
    md_tables,
    merges,
    shown,
)
from said import said
from test_layout import EXPECTED

import govxl
from govxl.catalogue import Join, phrase
from govxl.errors import CheckFailedError, UsageError
from govxl.judge.rules import evaluate
from govxl.narrative import parse_text
from govxl.render import render_report
from govxl.spec import load_edition, parse_range

ROOT = Path(__file__).resolve().parent.parent
SECTIONS_2021 = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                 "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
TEXT = """\
前言：本报告依据《中华人民共和国政府信息公开条例》编制。
## 一、总体情况
全年共收到政府信息公开申请10件，办结10件，其中予以公开4件。
## 五、存在的主要问题及改进情况
公开的及时性有待提高。
## 六、其他需要报告的事项
本年度未收取信息处理费。
"""


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def filled(request, tmp_path_factory):
    """A workbook of the edition with a different number in every input cell, and its values."""
    ed = load_edition(request.param)
    inputs = distinct_inputs(ed)
    path = make_workbook(tmp_path_factory.mktemp(ed.id) / "filled.xlsx", ed, inputs)
    assert govxl.check(path).ok(), "the fixture must pass its own check"
    return ed, path, evaluate(ed, inputs)


@pytest.fixture(scope="module")
def nanguan(tmp_path_factory):
    ed = load_edition("2021")
    return govxl.new(tmp_path_factory.mktemp("ng") / "nanguan.xlsx", values=values(ed, NANGUAN_2023),
                     agency=NANGUAN_AGENCY, year=2023)


def expected_merges(labels: dict, input_merges: list) -> set[tuple[int, int, int, int]]:
    return {parse_range(ref) for ref in list(labels) + input_merges if ":" in ref}


def assert_table(grid, ed, table, labels, input_merges, numbers, merged=True):
    """Labels at their official positions, every number at its field's cell, nothing else."""
    o_r, o_c = table.origin
    if merged:
        assert merges(grid) == expected_merges(labels, input_merges), table.key
    want = {parse_range(ref)[:2]: text for ref, text in labels.items()}
    for f in table.fields:
        want[(f.row - o_r, f.col - o_c)] = shown(numbers[f.key])
    texts = {pos: cell[2] for pos, cell in grid.items() if cell[2] != ""}
    assert texts == want, table.key
    n_rows, n_cols = table.size
    assert max(r + rs for (r, _), (rs, _, _) in grid.items()) == n_rows
    assert max(c + cs for (_, c), (_, cs, _) in grid.items()) == n_cols


# ------------------------------------------------------------------ HTML
def test_html_tables_rowspan_colspan_labels_and_every_number(filled, tmp_path):
    ed, path, numbers = filled
    out = render_report(govxl.check(path), "html", tmp_path / "r.html").path
    text = out.read_text(encoding="utf-8")
    grids = html_tables(text)
    assert len(grids) == len(EXPECTED[ed.id]) == len(ed.tables)
    for grid, (_, labels, input_merges), table in zip(grids, EXPECTED[ed.id], ed.tables, strict=True):
        assert_table(grid, ed, table, labels, input_merges, numbers)
    doc = html_doc(text)
    assert [h for tag, h in doc.headings if tag == "h2"] == [sheet for sheet, _, _ in EXPECTED[ed.id]]
    assert text.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in text
    assert "@page" in text and "A4" in text and "Noto Serif CJK SC" in text


def test_html_full_report_in_official_order_with_title(nanguan, tmp_path):
    ed = load_edition("2021")
    r = render_report(govxl.check(nanguan), "html", tmp_path / "r.html", text=parse_text(TEXT, ed))
    assert r.findings == []
    doc = html_doc(r.path.read_text(encoding="utf-8"))
    title = f"2023年{NANGUAN_AGENCY}政府信息公开工作年度报告"
    assert [h for tag, h in doc.headings if tag in ("title", "h1")] == [title, title]
    assert [h for tag, h in doc.headings if tag == "h2"] == SECTIONS_2021
    assert doc.paragraphs == ["前言：本报告依据《中华人民共和国政府信息公开条例》编制。",
                              "全年共收到政府信息公开申请10件，办结10件，其中予以公开4件。",
                              "公开的及时性有待提高。", "本年度未收取信息处理费。"]


def test_html_escapes_everything(tmp_path, ed2021):
    path = govxl.new(tmp_path / "x.xlsx", values=values(ed2021, NANGUAN_2023),
                     agency="<script>alert(1)</script>", year=2023)
    text = "## 一、总体情况\n<img src=x onerror=alert(1)> & =1+1\n## 六、其他需要报告的事项\n未收取信息处理费。\n"
    out = render_report(govxl.check(path), "html", tmp_path / "r.html", text=parse_text(text, ed2021)).path
    html = out.read_text(encoding="utf-8")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; =1+1" in html
    assert "<span>2023年&lt;script&gt;alert(1)&lt;/script&gt;</span>" in html
    assert ("h1", "2023年<script>alert(1)</script>政府信息公开工作年度报告") in html_doc(html).headings


# ------------------------------------------------------------------ Word
def test_docx_tables_merged_cells_labels_and_every_number(filled, tmp_path):
    ed, path, numbers = filled
    out = render_report(govxl.check(path), "docx", tmp_path / "r.docx").path
    grids, paras = docx_parts(out)
    assert len(grids) == len(ed.tables)
    for grid, (_, labels, input_merges), table in zip(grids, EXPECTED[ed.id], ed.tables, strict=True):
        assert_table(grid, ed, table, labels, input_merges, numbers)
    assert [t for style, t in paras if style.startswith("Heading")] == [s for s, _, _ in EXPECTED[ed.id]]


def test_docx_full_report(nanguan, tmp_path):
    ed = load_edition("2021")
    out = render_report(govxl.check(nanguan), "docx", tmp_path / "r.docx", text=parse_text(TEXT, ed)).path
    _, paras = docx_parts(out)
    assert paras[0] == ("Title", f"2023年{NANGUAN_AGENCY}政府信息公开工作年度报告")
    assert [t for style, t in paras if style.startswith("Heading")] == SECTIONS_2021
    body = [t for style, t in paras if not style and t]
    assert body == ["前言：本报告依据《中华人民共和国政府信息公开条例》编制。",
                    "全年共收到政府信息公开申请10件，办结10件，其中予以公开4件。",
                    "公开的及时性有待提高。", "本年度未收取信息处理费。"]


def soffice() -> str:
    """LibreOffice with Writer, or skip (fail under CI, where it must be installed)."""
    exe = shutil.which("soffice")
    program = Path(exe).resolve().parent if exe else None
    writer = program is not None and (not sys.platform.startswith("linux") or any(program.glob("libswlo*")))
    if not writer:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice Writer is required in CI (apt-get install libreoffice-writer-nogui)")
        pytest.skip("LibreOffice Writer (soffice) is not installed")
    return exe


@pytest.mark.libreoffice
def test_docx_opens_in_libreoffice_and_converts_to_pdf(nanguan, tmp_path):
    exe = soffice()
    ed = load_edition("2021")
    docx = render_report(govxl.check(nanguan), "docx", tmp_path / "report.docx", text=parse_text(TEXT, ed)).path
    r = subprocess.run([exe, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                        "--outdir", str(tmp_path / "pdf"), str(docx)], capture_output=True, text=True, timeout=240)
    pdf = tmp_path / "pdf" / "report.pdf"
    assert pdf.is_file(), r.stdout + r.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        squashed = "".join(text.split())
        for s in ["申请人情况", "第二十条第（一）项", "未经复议直接起诉", *SECTIONS_2021, "本年度未收取信息处理费。"]:
            assert s in squashed, s


# ------------------------------------------------------------------ Markdown
def test_markdown_keeps_the_grid(filled, tmp_path):
    """Markdown cannot merge: the grid keeps every row and column, a merged cell's text sits in its
    top-left position, and the positions it covers are empty."""
    ed, path, numbers = filled
    out = render_report(govxl.check(path), "md", tmp_path / "r.md").path
    text = out.read_text(encoding="utf-8")
    grids = md_tables(text)
    assert len(grids) == len(ed.tables)
    for grid, (_, labels, input_merges), table in zip(grids, EXPECTED[ed.id], ed.tables, strict=True):
        assert len(grid) == table.size[0] * table.size[1]
        assert_table(grid, ed, table, labels, input_merges, numbers, merged=False)
    assert [line[3:] for line in text.splitlines() if line.startswith("## ")] == [s for s, _, _ in EXPECTED[ed.id]]


def test_markdown_escapes_markup(nanguan, tmp_path):
    ed = load_edition("2021")
    text = "## 一、总体情况\n# 不是标题\n<b>粗</b> | *斜*\n## 六、其他需要报告的事项\n- 未收取信息处理费\n"
    with pytest.raises(UsageError):  # a second '# ' line is a mistake, said so
        parse_text(text, ed)
    text = text.replace("# 不是标题\n", "")
    md = render_report(govxl.check(nanguan), "md", tmp_path / "r.md", text=parse_text(text, ed)).path
    lines = md.read_text(encoding="utf-8").splitlines()
    assert "\\<b\\>粗\\</b\\> \\| \\*斜\\*" in lines
    assert "\\- 未收取信息处理费" in lines


# ------------------------------------------------------------------ refusing and forcing
def test_render_refuses_a_workbook_that_fails_check(tmp_path, nanguan, ed2021):
    bad = fill_openpyxl(nanguan, tmp_path / "bad.xlsx", ed2021, {("requests", "new", "natural_person"): 11})
    with pytest.raises(CheckFailedError):
        render_report(govxl.check(bad), "html", tmp_path / "x.html")
    r = run("render", bad, "--to", "html", "-o", tmp_path / "r.html")
    assert r.returncode == 1
    assert "T3-BAL" in r.stdout and "不通过" in r.stdout, "the check's findings are shown"
    assert "--allow-errors" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "r.html").exists()
    r = run("render", bad, "--to", "html", "-o", tmp_path / "r.html", "--force")  # --force only overwrites
    assert r.returncode == 1 and not (tmp_path / "r.html").exists()
    r = run("render", bad, "--to", "html", "-o", tmp_path / "r.html", "--allow-errors")
    assert r.returncode == 0 and "--allow-errors" in r.stdout and (tmp_path / "r.html").is_file()


def test_render_output_paths(tmp_path, nanguan):
    before = sha256(nanguan)
    text = tmp_path / "正文.md"
    text.write_text(TEXT, encoding="utf-8")
    cases = [
        (["-o", nanguan.with_suffix(".html"), "--to", "docx"],
         said("U-SUFFIX", suffix=".docx", path=str(nanguan.with_suffix(".html")))),
        (["-o", tmp_path / "r.txt"], "--to"),
        (["-o", tmp_path / "none" / "r.html"], said("U-OUTDIR", path=str(tmp_path / "none"))),
    ]
    for args, reason in cases:
        r = run("render", nanguan, *args)
        assert r.returncode == 2 and reason in r.stderr, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    r = run("render", nanguan, "--to", "md", "-o", tmp_path / "正文.md", "--text", text)
    assert r.returncode == 2 and said("U-SAMEFILE", path=str(tmp_path / "正文.md")) in r.stderr
    assert text.read_text(encoding="utf-8") == TEXT and sha256(nanguan) == before
    r = run("render", nanguan, "-o", tmp_path / "r.docx", "--text", text)
    assert r.returncode == 0 and (tmp_path / "r.docx").is_file(), r.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".govxl-")], "no temporary files left"


def test_render_prints_text_findings(tmp_path, nanguan):
    text = tmp_path / "t.md"
    text.write_text("## 一、总体情况\n全年共收到政府信息公开申请12件。\n## 六、其他需要报告的事项\n无。\n", encoding="utf-8")
    r = run("render", nanguan, "-o", tmp_path / "r.html", "--text", text)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert any("R-TEXT" in line and "全年共收到政府信息公开申请12件" in line and "10" in line for line in lines)
    assert any("R-FEE" in line for line in lines)
    assert any("R-SECTION" in line and "五、存在的主要问题及改进情况" in line for line in lines)


@pytest.mark.parametrize("content, code, line, heading", [
    ("## 二、主动公开政府信息情况\n文字\n", "U-TEXT-TABLE", 1, "二、主动公开政府信息情况"),
    ("## 七、附则\n文字\n", "U-TEXT-HEADING", 1, "七、附则"),
    ("## 一、总体情况\n甲\n## 一、总体情况\n乙\n", "U-TEXT-TWICE", 3, "一、总体情况"),
])
def test_bad_text_file_is_one_line(tmp_path, nanguan, content, code, line, heading):
    text = tmp_path / "t.md"
    text.write_text(content, encoding="utf-8")
    r = run("render", nanguan, "-o", tmp_path / "r.html", "--text", text)
    sections = load_edition("2021").report.sections
    params = {"wanted": Join(tuple(f"“{s.heading}”" for s in sections if s.table is None))} \
        if code == "U-TEXT-HEADING" else {}
    why = said(code, where=phrase("text-line", source="t.md", line=line), heading=heading, **params)
    assert r.returncode == 2 and r.stderr == f"错误：{why}\n"


def test_the_committed_example_is_current(tmp_path):
    """docs/example/ is what `python docs/make_example.py` makes from helpers.NANGUAN_2023."""
    ed = load_edition("2021")
    wb = govxl.new(tmp_path / "nanguan.xlsx", values=values(ed, NANGUAN_2023), agency=NANGUAN_AGENCY, year=2023)
    example = ROOT / "docs" / "example"
    for fmt in ("html", "md"):
        r = run("render", wb, "-o", tmp_path / f"r.{fmt}", "--text", example / "nanguan-2023-text.md")
        assert r.returncode == 0 and r.stdout.strip().splitlines() == [f"已生成：{tmp_path / f'r.{fmt}'}"]
        got = (tmp_path / f"r.{fmt}").read_text(encoding="utf-8")
        assert got == (example / f"nanguan-2023.{fmt}").read_text(encoding="utf-8"), fmt
