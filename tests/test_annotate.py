"""`govxl check --annotate DIR` (a marked-up copy per workbook) and `--report FILE.html`.

The copy is read back with openpyxl (an independent reader) and checked again with govxl; the
LibreOffice and Chromium tests (tests/test_annotate_apps.py) open the same outputs in real programs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from cli import run
from helpers import fill_openpyxl, sha256, values

import govxl
from govxl.report.annotate import NOT_COPIED, REPAIRED
from govxl.spec import load_edition, load_outputs

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "nanguan-2023-inconsistent.xlsx"
SHEET = load_outputs()["annotate"]["sheet"]
FILLS = load_outputs()["annotate"]["fills"]
T3 = "三、收到和处理政府信息公开申请情况"
BAL_CELLS = ["D5", "D6", "D28", "D29", "J5", "J6", "J28", "J29"]


def findings(path) -> list[dict]:
    return [f.to_dict() for f in govxl.check(path).findings]


def comments(path: Path) -> dict[tuple[str, str], str]:
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): c.comment.text for ws in wb.worksheets for row in ws.iter_rows()
            for c in row if c.comment is not None}


def fill_of(ws, ref: str) -> str:
    return "#" + ws[ref].fill.fgColor.rgb[-6:].upper()


def listed(path: Path) -> list[list]:
    """The findings rows of the first sheet: every row below the header row."""
    ws = openpyxl.load_workbook(path)[SHEET]
    header = load_outputs()["annotate"]["zh"]["headers"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    start = next(i for i, r in enumerate(rows) if r[: len(header)] == header)
    out = []
    for r in rows[start + 1:]:
        if not any(r):
            break
        out.append(r)
    return out


# ------------------------------------------------------------------ the acceptance example
def test_the_inconsistent_example_is_marked_and_listed(tmp_path):
    before = sha256(EXAMPLE)
    res = run("check", EXAMPLE, "--annotate", tmp_path / "out", "--report", tmp_path / "r.html")
    assert res.returncode == 1, res.stderr
    copy = tmp_path / "out" / EXAMPLE.name
    assert copy.is_file() and (tmp_path / "r.html").is_file()
    assert f"标注副本：{copy}" in res.stderr and "校验报告：" in res.stderr
    assert sha256(EXAMPLE) == before
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == SHEET and wb.active.title == SHEET
    notes = comments(copy)
    assert sorted(notes) == sorted((T3, c) for c in BAL_CELLS)
    for (_sheet, cell), text in notes.items():
        assert "T3-BAL" in text and "错误" in text
        assert ("自然人" if cell[0] == "D" else "总计") in text
        assert fill_of(wb[T3], cell) == FILLS["error"]
    assert fill_of(wb[T3], "E5") != FILLS["error"]  # only the named cells
    rows = listed(copy)
    assert [r[1] for r in rows] == ["T3-BAL", "T3-BAL"]
    links = [wb[SHEET].cell(row=i + 1, column=3).hyperlink for i, r in enumerate(wb[SHEET].iter_rows(values_only=True))
             if r[1] == "T3-BAL"]
    assert [ln.location for ln in links] == [f"'{T3}'!D5", f"'{T3}'!J5"]
    # the copy is a govxl workbook that checks exactly like the original
    assert findings(copy) == findings(EXAMPLE)
    orig = govxl.check(EXAMPLE)
    assert govxl.check(copy).values == orig.values
    assert all(ws.protection.sheet for ws in wb.worksheets)


def test_a_fixed_copy_passes_and_annotating_it_again_leaves_no_marks(tmp_path):
    run("check", EXAMPLE, "--annotate", tmp_path / "a")
    copy = tmp_path / "a" / EXAMPLE.name
    ed = load_edition("2021")
    fixed = fill_openpyxl(copy, tmp_path / "fixed.xlsx", ed, {("requests", "new", "natural_person"): 10})
    assert findings(fixed) == []
    res = run("check", fixed, "--annotate", tmp_path / "b")
    assert res.returncode == 0, res.stdout + res.stderr
    again = tmp_path / "b" / "fixed.xlsx"
    assert comments(again) == {}
    wb = openpyxl.load_workbook(again)
    assert all(fill_of(wb[T3], c) != FILLS["error"] for c in BAL_CELLS)
    assert listed(again) == [[load_outputs()["annotate"]["zh"]["none"]] + [None] * 8]
    assert findings(again) == []


def test_annotating_a_copy_again_gives_the_same_marks(tmp_path):
    run("check", EXAMPLE, "--annotate", tmp_path / "a")
    first = tmp_path / "a" / EXAMPLE.name
    run("check", first, "--annotate", tmp_path / "b")
    second = tmp_path / "b" / EXAMPLE.name
    assert comments(second) == comments(first)
    assert listed(second) == listed(first)
    assert findings(second) == findings(EXAMPLE)


# ------------------------------------------------------------------ what the original holds, kept
def test_odd_inputs_are_kept_so_the_copy_checks_the_same(tmp_path, ed):
    """A number typed as text, words, a negative count, a fraction, a formula, blanks: each is
    written into the copy as it was, so the copy's findings equal the original's."""
    src = govxl.new(tmp_path / "blank.xlsx", edition=ed.id, agency="测试县人民政府办公室", year=ed.first_year + 1)
    inputs = [f for f in ed.fields if not f.is_total and f.kind == "count"]
    vals = values(ed, "")
    odd = {inputs[0].key: "１２", inputs[1].key: "很多", inputs[2].key: -3, inputs[3].key: 2.5,
           inputs[4].key: "=1+1", inputs[5].key: None, inputs[6].key: True}
    orig = fill_openpyxl(src, tmp_path / "odd.xlsx", ed, {**vals, **odd})
    expected = findings(orig)
    assert {"V-TEXT", "V-INT", "V-BLANK"} <= {f["rule"] for f in expected}
    from govxl.report.annotate import annotate

    copy = annotate(govxl.check(orig), tmp_path / "copy.xlsx")
    kept = [f for f in expected if f["rule"] not in REPAIRED | NOT_COPIED]
    assert findings(copy) == kept
    marked = comments(copy)
    for f in (ed.field(k) for k in odd):
        assert (f.sheet, f.cell) in marked, f.cell
    assert "V-BLANK" in marked[(inputs[5].sheet, inputs[5].cell)]
    assert "V-TEXT" in marked[(inputs[0].sheet, inputs[0].cell)]


def test_english_comments_and_sheet(tmp_path):
    res = run("check", EXAMPLE, "--annotate", tmp_path, "--lang", "en", "--report", tmp_path / "r.html")
    assert res.returncode == 1
    notes = comments(tmp_path / EXAMPLE.name)
    assert all("T3-BAL (error)" in t and "carried forward" in t for t in notes.values())
    ws = openpyxl.load_workbook(tmp_path / EXAMPLE.name)[SHEET]
    assert load_outputs()["annotate"]["en"]["headers"][0] in [c.value for row in ws.iter_rows() for c in row]
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "carried forward" in page


def test_the_checker_ignores_the_results_sheet(tmp_path):
    run("check", EXAMPLE, "--annotate", tmp_path)
    rules = {f["rule"] for f in findings(tmp_path / EXAMPLE.name)}
    assert rules == {"T3-BAL"}  # no S-EXTRA, S-ORDER for the first sheet


# ------------------------------------------------------------------ a damaged layout
def _damaged(tmp_path, ed, how: str):
    src = govxl.new(tmp_path / "blank.xlsx", edition=ed.id, agency="测试县人民政府办公室", year=2023)
    vals = values(ed, "")
    t3 = ed.table("requests")
    for i, f in enumerate(t3.inputs):
        vals[f.key] = (i * 7) % 5
    good = fill_openpyxl(src, tmp_path / "good.xlsx", ed, vals)
    wb = openpyxl.load_workbook(good)
    ws = wb[t3.sheet]
    for rng in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(rng))
    if how == "row":
        at = t3.field("results.public", "natural_person").row + 1  # 1-based row of （一）予以公开
        ws.insert_rows(at)
        ws.cell(row=at, column=3, value="其中：自行加的一行")
        ws.cell(row=at, column=4, value=99)
    else:
        ws.delete_cols(t3.field("new", "research").col + 1)
    bad = tmp_path / f"bad-{how}.xlsx"
    wb.save(bad)
    return good, bad, vals


@pytest.mark.parametrize("how", ["row", "col"])
def test_a_damaged_layout_is_rebuilt_with_values_placed_by_label(tmp_path, ed2021, how):
    ed = ed2021
    good, bad, vals = _damaged(tmp_path, ed, how)
    report = govxl.check(bad)
    assert "S-LAYOUT" in {f.rule for f in report.findings}
    res = run("check", bad, "--annotate", tmp_path / "out", "--report", tmp_path / "r.html")
    assert res.returncode == 1, res.stderr
    copy = tmp_path / "out" / bad.name
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert load_outputs()["report"]["zh"]["layout"] in page  # the report does not draw unchecked values
    again = govxl.check(copy)
    assert "S-LAYOUT" not in {f.rule for f in again.findings}
    t3 = ed.table("requests")
    lost = {f.key for f in t3.inputs if f.col_key == "research"} if how == "col" else set()
    ws = openpyxl.load_workbook(copy)[t3.sheet]
    for f in t3.inputs:
        if f.key in lost:
            assert ws[f.cell].value is None  # its column was deleted: left blank, and listed
        else:
            assert again.values[f.key] == vals[f.key], f.cell
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(copy)[SHEET].iter_rows()]
    flat = [str(v) for r in rows for v in r if v is not None]
    assert any("S-LAYOUT" == v for v in flat)
    if how == "row":  # the extra row's number is listed, not placed
        assert any(r[3] == "99" and "自行加的一行" in (r[4] or "") and r[2] == t3.sheet for r in rows)
    else:
        missing = [r for r in rows if r[7] == load_outputs()["annotate"]["zh"]["unplaced_missing"]]
        assert sorted(r[0] for r in missing) == sorted(ed.field(k).cell for k in lost)


# ------------------------------------------------------------------ batches and where outputs go
def test_a_batch_writes_a_copy_per_file_under_its_relative_name(tmp_path):
    src = tmp_path / "in"
    (src / "县").mkdir(parents=True)
    shutil.copy(EXAMPLE, src / "a.xlsx")
    shutil.copy(ROOT / "examples" / "nanguan-2023.xlsx", src / "县" / "b.xlsx")
    (src / "c.xlsx").write_text("not a workbook", encoding="utf-8")
    res = run("check", src, "--jobs", "2", "--annotate", tmp_path / "out", "--report", tmp_path / "r.html")
    assert res.returncode == 2, res.stderr
    assert (tmp_path / "out" / "a.xlsx").is_file() and (tmp_path / "out" / "县" / "b.xlsx").is_file()
    assert not (tmp_path / "out" / "c.xlsx").exists()
    assert findings(tmp_path / "out" / "县" / "b.xlsx") == []
    assert comments(tmp_path / "out" / "县" / "b.xlsx") == {}
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.count('<section class="file"') == 3
    assert 'href="out/%E5%8E%BF/b.xlsx"' in page or 'href="out/县/b.xlsx"' in page
    assert "无法校验" in page and "not a workbook" not in page.split("<tbody>")[0]
    # every input untouched, and checking the folder again sees the same three files
    assert run("check", src).returncode == 2


def test_outputs_that_would_be_checked_again_or_overwrite_an_input_are_refused(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(EXAMPLE, src / "a.xlsx")
    before = sha256(src / "a.xlsx")
    res = run("check", src, "--annotate", src / "marked")
    assert res.returncode == 2 and "再校验" in res.stderr
    res = run("check", src / "a.xlsx", "--annotate", src)
    assert res.returncode == 2 and "覆盖输入文件" in res.stderr
    assert sha256(src / "a.xlsx") == before and not (src / "marked").exists()
    res = run("check", EXAMPLE, "--children", src, "--annotate", src / "marked")  # read by --children too
    assert res.returncode == 2 and "再校验" in res.stderr
    # a hidden folder inside the checked one is never checked again: allowed
    res = run("check", src, "--annotate", src / ".marked")
    assert res.returncode == 1 and (src / ".marked" / "a.xlsx").is_file()
    # a file given by name may have its copy in a folder below it
    res = run("check", src / "a.xlsx", "--annotate", src / "marked")
    assert res.returncode == 1 and (src / "marked" / "a.xlsx").is_file()
    # two inputs of the same name: the second copy gets a number
    (tmp_path / "other").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "other" / "a.xlsx")
    res = run("check", src / "a.xlsx", tmp_path / "other" / "a.xlsx", "--annotate", tmp_path / "two")
    assert res.returncode == 1 and sorted(p.name for p in (tmp_path / "two").iterdir()) == ["a (2).xlsx", "a.xlsx"]
    res = run("check", src / "a.xlsx", "--report", tmp_path / "r.txt")
    assert res.returncode == 2 and ".html" in res.stderr
    assert sha256(src / "a.xlsx") == before


def test_the_report_marks_each_finding_cell_with_its_code(tmp_path):
    from bs4 import BeautifulSoup

    run("check", EXAMPLE, "--report", tmp_path / "r.html")
    soup = BeautifulSoup((tmp_path / "r.html").read_text(encoding="utf-8"), "html.parser")
    marked = {td["data-cell"]: td["data-codes"] for td in soup.select("table.official td[data-codes]")}
    assert marked == dict.fromkeys(BAL_CELLS, "T3-BAL")
    assert not soup.select("script") and not soup.select("link") and "http" not in soup.find("style").text
    links = [a["href"] for a in soup.select("table.findings a")]
    assert all(soup.find(id=h[1:]) is not None for h in links) and len(links) == 2


def test_structure_findings_are_repaired_in_the_copy_and_said_so(tmp_path):
    """Protection removed and a label edited: the copy is the official workbook again (those
    findings gone, and marked as rebuilt on the first sheet); the value findings stay."""
    wb = openpyxl.load_workbook(EXAMPLE)
    ws = wb[T3]
    ws.protection.sheet = False
    ws["D3"] = "自然人（个人）"
    wb.save(tmp_path / "edited.xlsx")
    orig = findings(tmp_path / "edited.xlsx")
    assert {"S-PROTECT", "S-LABEL", "T3-BAL"} <= {f["rule"] for f in orig}
    res = run("check", tmp_path / "edited.xlsx", "--annotate", tmp_path / "out")
    assert res.returncode == 1
    copy = tmp_path / "out" / "edited.xlsx"
    assert findings(copy) == [f for f in orig if f["rule"] == "T3-BAL"]
    status = {r[1]: r[8] for r in listed(copy)}
    words = load_outputs()["annotate"]["zh"]
    assert status == {"S-PROTECT": words["repaired"], "S-LABEL": words["repaired"], "T3-BAL": words["marked"]}
    assert openpyxl.load_workbook(copy)[T3]["D3"].value == "自然人"
