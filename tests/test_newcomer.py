"""What a newcomer meets in the first hour (issue 27): one meaning of --force, one order of findings,
a text that is not a report, years an edition was not made for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli import run
from helpers import NANGUAN_2023, values

import govxl
from govxl.cli.printer import in_workbook_order, report_lines
from govxl.report.findings import Finding
from govxl.spec import load_edition

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return govxl.new(tmp_path / "good.xlsx", agency="甲", year=2023, values=values(load_edition("2021"), NANGUAN_2023))


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    return govxl.new(tmp_path / "bad.xlsx", agency="甲", year=2023)  # blank: V-EMPTY, fails


def writers(tmp: Path, good: Path, bad: Path):
    """(command line writing OUT, OUT): every command that writes a file."""
    (tmp / "text.txt").write_text((ROOT / "examples" / "nanguan-2023-tables.txt").read_text("utf-8"), "utf-8")
    yield ["new", "{out}", "--agency", "甲", "--year", "2025"], tmp / "n.xlsx"
    yield ["import", tmp / "text.txt", "-o", "{out}"], tmp / "i.xlsx"
    yield ["import", tmp / "text.txt", "-o", "{out}"], tmp / "i.json"
    yield ["aggregate", good, "-o", "{out}", "--agency", "汇总"], tmp / "a.xlsx"
    yield ["render", good, "-o", "{out}"], tmp / "r.html"
    yield ["export", good, "-o", "{out}"], tmp / "e.csv"
    yield ["check", good, "--summary", "{out}"], tmp / "s.csv"
    yield ["check", good, "--report", "{out}"], tmp / "c.html"
    yield ["check", good, "-o", "{out}"], tmp / "o.csv"
    yield ["check", good, "--annotate", tmp / "ann"], tmp / "ann" / "good.xlsx"


def test_force_means_overwrite_in_every_command_that_writes(tmp_path, good, bad):
    (tmp_path / "ann").mkdir()
    for args, out in writers(tmp_path, good, bad):
        args = [out if a == "{out}" else a for a in args]
        out.write_bytes(b"keep")
        r = run(*args)
        assert r.exit_code == 2, (args, r.output)
        assert "已存在" in r.stderr and "--force" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert out.read_bytes() == b"keep", args
        r = run(*args, "--force")
        assert r.exit_code == 0, (args, r.output)
        assert out.read_bytes() != b"keep", args


def test_render_writes_a_failing_workbook_only_with_allow_errors(tmp_path, bad):
    out = tmp_path / "r.html"
    r = run("render", bad, "-o", out, "--force")
    assert r.exit_code == 1 and not out.exists() and "--allow-errors" in r.stderr
    r = run("render", bad, "-o", out, "--allow-errors")
    assert r.exit_code == 0 and out.exists()


def test_export_without_o_or_to_prints_json():
    r = run("export", "examples/nanguan-2023.xlsx", cwd=ROOT)
    assert r.exit_code == 0
    assert json.loads(r.stdout)["reports"][0]["agency"] == "长春市南关区人民政府办公室"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_text_with_no_table_is_not_a_report_in_one_line(lang):
    r = run("check", "README.md", lang=lang, cwd=ROOT)
    assert r.exit_code == 2 and r.stdout == ""
    assert len(r.stderr.splitlines()) == 1
    assert r.stderr.startswith({"zh": "README.md：无法校验：不是年度报告", "en": "README.md: cannot check: not an annual"
                                " report"}[lang]), r.stderr
    doc = json.loads(run("check", "README.md", "--format", "json", cwd=ROOT).stdout)
    assert doc["error"]["code"] == "R-NOREPORT"


def test_findings_come_in_the_workbooks_order(bad):
    report = govxl.check(bad)
    whole = Finding.of("S-BOOK")
    report.findings = [*reversed(report.findings), whole]  # 四, 三, 二, then the whole workbook
    heads = [ln for ln in report_lines(report, "zh", False) if ln.startswith("[")]
    assert heads == ["[（整个工作簿）]", *(f"[{t.title}]" for t in load_edition("2021").tables)]
    ed = load_edition("2021")
    found = [Finding.of("T4-SUM", sheet=ed.tables[2].sheet), Finding.of("T3-SUM", sheet=ed.tables[1].sheet),
             Finding.of("V-COVER", sheet="封面"), Finding.of("I-EDITION")]
    assert [f.rule for f in in_workbook_order(found, ed)] == ["I-EDITION", "V-COVER", "T3-SUM", "T4-SUM"]


def test_a_year_before_the_edition_is_refused_and_a_later_one_warned(tmp_path):
    r = run("new", tmp_path / "a.xlsx", "--year", "1999")
    assert r.exit_code == 2 and not (tmp_path / "a.xlsx").exists()
    assert "2021 版用于 2021 年度起的报告" in r.stderr and "–的" not in r.stderr
    r = run("new", tmp_path / "b.xlsx", "--year", "2023", "--edition", "2019", lang="en")
    assert r.exit_code == 0 and "2019–2020;" in r.stderr


@pytest.fixture
def typed_badly(tmp_path: Path) -> Path:
    """A workbook with -1, "abc" and 2.5 typed in three count cells of table 二 and B8 left blank."""
    import openpyxl

    ed = load_edition("2021")
    path = govxl.new(tmp_path / "typed.xlsx", agency="甲", year=2023,
                     values={f.key: 0 for t in ed.tables for f in t.inputs if f.sheet != ed.tables[0].sheet
                             or f.cell not in ("B4", "C4", "D4", "B8")})
    wb = openpyxl.load_workbook(path)
    ws = wb[ed.tables[0].sheet]
    ws["B4"], ws["C4"], ws["D4"] = -1, "abc", 2.5
    wb.save(path)
    return path


def test_json_actual_is_the_value_typed_without_quote_marks(typed_badly):
    r = run("check", typed_badly, "--format", "json")
    got = {f["cell"]: f["actual"] for f in json.loads(r.stdout)["findings"] if f["rule"] == "V-INT"}
    assert got == {"B4": -1, "C4": "abc", "D4": 2.5}
    assert isinstance(got["B4"], int)
    text = run("check", typed_badly).stdout
    assert "实际填的是 “abc”" in text and "实际填的是 -1（" in text  # the message still quotes the text


def test_the_report_page_shows_what_was_typed_and_marks_blanks(typed_badly, tmp_path):
    import re

    page = tmp_path / "r.html"
    assert run("check", typed_badly, "--report", page).exit_code == 1
    html = page.read_text(encoding="utf-8")
    cells = dict(re.findall(r'<td class="value[^"]*" id="f1-active-(\w+)"[^>]*>(.*?)</td>', html))
    assert cells["B4"].startswith("-1<sup") and cells["C4"].startswith("“abc”<sup") and cells["D4"].startswith("2.5<")
    assert cells["B8"] == '（空）<sup class="code">V-BLANK</sup>'
    assert cells["B5"] == "0"


def test_the_batch_table_on_a_100_column_terminal_keeps_file_names_whole():
    from rich.console import Console

    from govxl.cli.batch_view import rich_table
    from govxl.report.batch import HEADERS, Row

    names = [f"各单位年报/第{i}批/县教育局2025年政府信息公开年报-修订稿.xlsx" for i in range(3)]
    rows = [Row(n, "长春市南关区人民政府办公室（政务公开办公室）", 2025, "2021", "passed") for n in names]
    console = Console(width=100, record=True, force_terminal=False)
    console.print(rich_table(rows, HEADERS["zh"][:8], [[str(v) for v in r.cells("zh")[:8]] for r in rows], 100))
    out = console.export_text()
    assert all(n in out for n in names), out
    assert all(len(line) <= 100 for line in out.splitlines())


def test_the_aggregate_list_prints_readably_with_its_headers_whole(tmp_path, good, bad):
    """汇总清单: about 160 character units wide (landscape A4 one page wide at a readable scale), the
    header row and every row as tall as their wrapped text needs."""
    import math

    import openpyxl

    from govxl.writer import text_width

    out = tmp_path / "sum.xlsx"
    assert run("aggregate", good, bad, "-o", out, "--agency", "汇总").exit_code == 1  # bad is left out
    ws = openpyxl.load_workbook(out)["汇总清单"]
    n = sum(1 for c in ws[1] if c.value)
    width_of = {i: d.width for d in ws.column_dimensions.values() for i in range(d.min, d.max + 1)}  # runs of columns
    widths = [width_of[i] for i in range(1, n + 1)]
    assert sum(widths) <= 170, widths
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1)  # 1 is the default, left out of the file
    for row in ws.iter_rows(min_row=1, max_row=3, max_col=n):
        need = max(math.ceil(text_width(str(c.value or "")) / max(w - 1, 1)) for c, w in zip(row, widths))
        assert ws.row_dimensions[row[0].row].height >= 15 * need, (row[0].row, need)
    assert ws.row_dimensions[1].height >= 30  # 内容摘要（SHA-256 前 12 位） wraps onto two lines at least


def test_make_check_pictures_says_wrote_only_when_both_pictures_are_made(monkeypatch, capsys):
    import importlib

    monkeypatch.syspath_prepend(str(ROOT / "docs"))
    pictures = importlib.import_module("make_check_pictures")
    before = {p: p.read_bytes() for p in (ROOT / "docs" / "check-report.png", ROOT / "docs" / "check-annotated.png")}

    def screenshot(page, png, **kw):
        Path(png).write_bytes(b"png")
        return Path(png)

    def to_pdf(*a, **kw):
        raise RuntimeError("LibreOffice is not there")

    monkeypatch.setattr(pictures, "screenshot", screenshot)
    monkeypatch.setattr(pictures, "to_pdf", to_pdf)
    with pytest.raises(RuntimeError):
        pictures.main()
    assert "wrote" not in capsys.readouterr().out
    assert {p: p.read_bytes() for p in before} == before


def test_readme_names_the_2019_rows_as_findings_do(tmp_path):
    ed = load_edition("2019")
    inputs = {f.key: 0 for t in ed.tables for f in t.inputs}
    inputs[("requests", "new", "natural_person")] = 1
    path = govxl.new(tmp_path / "a.xlsx", edition="2019", agency="甲", year=2020, values=inputs)
    cells = [f.cell for f in govxl.check(path).findings if f.rule == "T3-BAL"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert cells[0] in readme and f"T3-BAL `{cells[0]}`" in readme
    total = ed.table("requests").field("results.total", "natural_person").cell
    assert f"sheet row {total[1:]}" in readme
