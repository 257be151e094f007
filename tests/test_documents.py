"""Issue 17: `govxl check` and `govxl import` on reports that govxl did not make: Word, someone's
own Excel table, .xls/.ods, PDF. Hand-made layouts are built here from the spec (docfixtures.py);
documents made by a real program (LibreOffice) are in test_documents_lo.py."""

from __future__ import annotations

import json

import pytest
from cli import run
from docfixtures import find_row, set_text, write_docx, write_sheet
from helpers import NANGUAN_2023, NANGUAN_AGENCY, values

import govxl
from govxl.importer import import_report
from govxl.judge.rules import evaluate
from govxl.sources import check_path
from govxl.sources.imported import NOT_APPLIED
from govxl.spec import load_edition

ED = load_edition("2021")
T3 = "三、收到和处理政府信息公开申请情况"
TITLE = f"2023年{NANGUAN_AGENCY}政府信息公开工作年度报告"
GOOD = values(ED, NANGUAN_2023)
BAD = {**GOOD, ("requests", "new", "natural_person"): 11}  # the inconsistent variant: 一、本年新收 自然人 10 -> 11


def arithmetic(report) -> list[tuple[str, str, str]]:
    """The findings about the numbers (not how they were read: I-*), as (rule, sheet, cells)."""
    return sorted((f.rule, f.sheet, f.cell) for f in report.findings if not f.rule.startswith("I-"))


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory):
    """The govxl workbooks holding the same numbers, and what `check` says of them."""
    d = tmp_path_factory.mktemp("wb")
    out = {}
    for name, inputs in (("good", GOOD), ("bad", BAD)):
        book = govxl.new(d / f"{name}.xlsx", values=inputs, agency=NANGUAN_AGENCY, year=2023)
        out[name] = govxl.check(book)
    assert arithmetic(out["good"]) == []
    assert [f[:2] for f in arithmetic(out["bad"])] == [("T3-BAL", T3)] * 2
    return out


def same_numbers(doc, report) -> None:
    imp = import_report(doc)
    assert imp.edition.id == "2021" and imp.complete, [f.message() for f in imp.findings]
    full = evaluate(ED, imp.inputs, imp.stated)
    for f in ED.fields:
        assert full[f.key] == pytest.approx(report.values[f.key]), (f.sheet, f.cell)


# ------------------------------------------------------------------ hand-made Word tables
def split_header(t, grid):
    """Table 三's header over three rows of its own (the words of narrow columns split), and notes
    after two labels."""
    if t.key != "requests":
        return grid
    set_text(grid, "1.本机关不掌握相关政府信息", "1.本机关不掌握相关政府信息（注1）")
    set_text(grid, "2.重复申请", "2.重复申请（注2）")
    head = find_row(grid, "商业企业")
    width = len(grid[head])
    pieces = {"商业企业": ["商业", "企业", ""], "科研机构": ["科研", "机构", ""], "社会公益组织": ["社会", "公益", "组织"],
              "法律服务机构": ["法律", "服务", "机构"], "其他": ["其他", "", ""]}
    extra: list[list] = [[("", 1, 1) for _ in range(width)] for _ in range(2)]
    for c, cell in enumerate(grid[head]):
        if cell is not None and cell[0] in pieces:
            a, b, cc = pieces[cell[0]]
            grid[head][c] = (a, 1, 1)
            extra[0][c], extra[1][c] = (b, 1, 1), (cc, 1, 1)
        else:
            extra[0][c] = extra[1][c] = None
    for r in range(head):  # cells spanning down into the header row now span the new rows too
        for c, cell in enumerate(grid[r]):
            if cell is not None and r + cell[1] - 1 >= head:
                grid[r][c] = (cell[0], cell[1] + 2, cell[2])
    return grid[:head + 1] + extra + grid[head + 1:]


def test_word_table_with_the_header_split_over_three_rows_and_notes_in_labels(tmp_path, workbooks):
    for name, inputs in (("good", GOOD), ("bad", BAD)):
        doc = write_docx(tmp_path / f"{name}.docx", ED, evaluate(ED, inputs), title=TITLE, edit=split_header)
        same_numbers(doc, workbooks[name])
        report = check_path(doc)
        assert arithmetic(report) == arithmetic(workbooks[name])
        assert (report.source, report.agency, report.year) == ("docx", NANGUAN_AGENCY, 2023)
        noted = sorted(f.cell for f in report.findings if f.rule == "I-LABEL")
        # a note in brackets right after a label is part of the label (the text pipeline reads it so,
        # silently); nothing else is a variant
        assert set(noted) <= {"C17", "C21"}, noted
        assert not [f for f in report.findings if f.rule in ("I-NOLABEL", "I-CELL", "I-ROW")]


def test_word_labels_spaced_out_or_with_a_word_dropped(tmp_path, workbooks):
    def untidy(t, grid):
        if t.key == "requests":
            set_text(grid, "三、本年度办理结果", "三 、本 年 度办 理 结果")
            set_text(grid, "2.其他法律行政法规禁止公开", "2.其他法律行政止公开")
        return grid

    doc = write_docx(tmp_path / "untidy.docx", ED, evaluate(ED, BAD), title=TITLE, edit=untidy)
    same_numbers(doc, workbooks["bad"])
    report = check_path(doc)
    assert arithmetic(report) == arithmetic(workbooks["bad"])
    assert [(f.rule, f.cell) for f in report.findings if f.rule.startswith("I-")] == [("I-LABEL", "C10")]


def one_row_other(t, grid):
    """（六）其他处理 printed as one row (the 2019 layout) in a 2021 report: its three sub-rows go."""
    if t.key != "requests":
        return grid
    first = find_row(grid, "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")
    row = list(grid[first])
    row[1] = ("（六）其他处理", 1, 2)
    row[2] = None
    # the row's numbers: the sum of the three sub-rows
    for c in range(3, len(row)):
        row[c] = (str(sum(int(grid[first + i][c][0]) for i in range(3))), 1, 1)
    for r in range(first):
        for c, cell in enumerate(grid[r]):
            if cell is not None and r + cell[1] - 1 >= first:
                grid[r][c] = (cell[0], cell[1] - 2, cell[2])
    return grid[:first] + [row] + grid[first + 3:]


def test_other_processing_as_one_row_is_a_known_sum_and_rows_below_stay(tmp_path):
    """issue 23 (was: three I-ROW errors): each column's figure is the sum of the three sub-rows;
    a sum of 0 makes them 0, a non-zero sum leaves them unknown and their own rules not verified."""
    inputs = {**GOOD, ("requests", "results.other.no_correction", "natural_person"): 3,
              ("requests", "carried_over", "natural_person"): 5, ("requests", "carry_forward", "natural_person"): 2}
    full = evaluate(ED, inputs)
    doc = write_docx(tmp_path / "six.docx", ED, full, title=TITLE, edit=one_row_other)
    imp = import_report(doc)
    assert not [f for f in imp.findings if f.rule == "I-ROW"], "the sub-rows are a known sum, not a missing row"
    sums = {s.cells[0][2]: s.figure for s in imp.sums}
    assert sums == {"natural_person": 3, "commercial": 0, "research": 0, "public_interest": 0, "legal_services": 0,
                    "other_org": 0, "total": 3}
    assert all(imp.values.get(("requests", r, c)) is None for r in ("results.other.no_correction",
               "results.other.unpaid_fee", "results.other.other") for c in ("natural_person", "total"))
    below = [f for f in ED.fields if f.table == "requests" and f.row_key in ("results.total", "carry_forward")]
    assert len(below) == 14 and full[("requests", "carry_forward", "natural_person")] == 2
    for f in below:  # the rows below are where they belong
        assert imp.values[f.key] == full[f.key], f.cell
    rep = check_path(doc)
    assert rep.verdict == "not_verified" and rep.counts["error"] == 0
    assert sorted((u.rule, u.cells) for u in rep.unverified) == [("T3-COL", "J25"), ("T3-COL", "J26"), ("T3-COL", "J27")]
    assert all(set(u.blocked_by) == {"D" + u.cells[1:], u.cells} and u.message().endswith("只公布了合计")
               for u in rep.unverified)
    r = run("check", doc)
    assert r.returncode == 0 and "未能核对" in r.stdout and "Traceback" not in r.stderr
    assert run("check", doc, "--strict").returncode == 1


def test_a_printed_total_that_disagrees_is_reported_not_recomputed(tmp_path, workbooks):
    import openpyxl

    full = evaluate(ED, GOOD)
    total = ("requests", "results.total", "natural_person")
    row_total = ("requests", "results.total", "total")
    doc = write_docx(tmp_path / "total.docx", ED, {**full, total: 12, row_total: 12}, title=TITLE)
    report = check_path(doc)
    # The same numbers in a govxl workbook with 12 typed over the total's formula.
    book = tmp_path / "total.xlsx"
    wb = openpyxl.load_workbook(govxl.new(book, values=GOOD, agency=NANGUAN_AGENCY, year=2023))
    f = ED.field(total)
    wb[f.sheet].cell(row=f.row + 1, column=f.col + 1).value = 12
    wb.save(book)
    expected = [x for x in arithmetic(govxl.check(book)) if x[0].startswith("T")]
    assert expected and arithmetic(report) == expected
    assert any(f.cell == "D28" or "D28" in f.cell.split(",") for f in report.findings if f.rule.startswith("T3"))


# ------------------------------------------------------------------ hand-made Excel tables
def test_an_excel_table_at_C4_one_sheet_no_merges_numbers_as_text(tmp_path, workbooks):
    for name, inputs in (("good", GOOD), ("bad", BAD)):
        book = write_sheet(tmp_path / f"{name}.xlsx", ED, evaluate(ED, inputs), title=TITLE)
        same_numbers(book, workbooks[name])
        report = check_path(book)
        assert report.source == "xlsx" and arithmetic(report) == arithmetic(workbooks[name])
        assert (report.agency, report.year) == (NANGUAN_AGENCY, 2023)
    r = run("check", tmp_path / "bad.xlsx", "--format", "json")
    doc = json.loads(r.stdout)
    assert r.returncode == 1 and doc["source"] == "xlsx" and doc["not_applied"] == list(NOT_APPLIED)
    assert sorted(f["cell"] for f in doc["findings"] if f["rule"] == "T3-BAL") == sorted(
        f.cell for f in workbooks["bad"].findings if f.rule == "T3-BAL")


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_a_blank_total_column(tmp_path, workbooks, fmt):
    for name, inputs in (("good", GOOD), ("bad", BAD)):
        path = tmp_path / f"{name}.{fmt}"
        if fmt == "docx":
            write_docx(path, ED, evaluate(ED, inputs), title=TITLE, blank_totals=True)
        else:
            write_sheet(path, ED, evaluate(ED, inputs), title=TITLE, blank_totals=True)
        same_numbers(path, workbooks[name])
        assert arithmetic(check_path(path)) == arithmetic(workbooks[name])


def test_traditional_characters(tmp_path, workbooks):
    """A Word report from a mirror site in Traditional characters: read through OpenCC (t2s), like text."""
    to_traditional = str.maketrans("开请数处结转续办与护权属务执询项无关没现补后确访举报诉类实体业构会组织"
                                   "总计维纠审经议讼规范废发许罚强费额单万区当负责书后条动况",
                                   "開請數處結轉續辦與護權屬務執詢項無關沒現補後確訪舉報訴類實體業構會組織"
                                   "總計維糾審經議訟規範廢發許罰強費額單萬區當負責書後條動況")

    def traditional(t, grid):
        return [[None if c is None else (c[0].translate(to_traditional), c[1], c[2]) for c in row] for row in grid]

    doc = write_docx(tmp_path / "繁體.docx", ED, evaluate(ED, BAD), title=TITLE.translate(to_traditional), edit=traditional)
    same_numbers(doc, workbooks["bad"])
    assert arithmetic(check_path(doc)) == arithmetic(workbooks["bad"])


# ------------------------------------------------------------------ the check command
def test_check_says_what_did_not_apply(tmp_path, workbooks):
    doc = write_docx(tmp_path / "报告.docx", ED, evaluate(ED, BAD), title=TITLE)
    r = run("check", doc)
    assert r.returncode == 1, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert lines[1].startswith("这是 Word 文档，不是 govxl 工作簿") and "不适用" in lines[1]
    assert sum("T3-BAL" in ln for ln in lines) == 2
    r = run("check", doc, "--lang", "en")
    assert "do not apply" in r.stdout.splitlines()[1]
    good = write_docx(tmp_path / "好.docx", ED, evaluate(ED, GOOD), title=TITLE)
    r = run("check", good, "--format", "json")
    doc_json = json.loads(r.stdout)
    assert r.returncode == 0 and doc_json["ok"] and doc_json["source"] == "docx"
    assert set(doc_json["not_applied"]) >= {"S-IDENT", "S-LOCK", "S-FORMULA", "S-PROTECT"}


def test_a_govxl_workbook_still_goes_through_the_workbook_checker(workbooks):
    assert workbooks["good"].source is None and "source" not in workbooks["good"].to_dict()


def test_an_xlsx_without_tables_keeps_the_workbook_answer(tmp_path):
    import openpyxl

    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    r = run("check", plain)
    assert r.returncode == 2 and "不是 govxl 生成的年报工作簿：缺少模板标识" in r.stderr


def test_a_folder_takes_every_document_with_the_same_skip_rules(tmp_path, workbooks):
    folder = tmp_path / "收到的报告"
    (folder / "子目录").mkdir(parents=True)
    write_docx(folder / "甲.docx", ED, evaluate(ED, GOOD), title=TITLE)
    write_sheet(folder / "子目录" / "乙.xlsx", ED, evaluate(ED, BAD), title=TITLE)
    govxl.new(folder / "丙.xlsx", values=GOOD, agency=NANGUAN_AGENCY, year=2023)
    write_docx(folder / "~$甲.docx", ED, evaluate(ED, GOOD), title=TITLE)  # a Word lock file name
    write_docx(folder / ".隐藏.docx", ED, evaluate(ED, GOOD), title=TITLE)
    (folder / "说明.txt").write_text("不是报告", encoding="utf-8")
    r = run("check", folder, "--format", "jsonl")
    docs = {json.loads(ln)["file"].rsplit("/", 1)[-1]: json.loads(ln) for ln in r.stdout.splitlines()}
    assert sorted(docs) == ["丙.xlsx", "乙.xlsx", "甲.docx"]
    assert r.returncode == 1
    assert (docs["甲.docx"]["ok"], docs["乙.xlsx"]["ok"], docs["丙.xlsx"]["ok"]) == (True, False, True)
    assert "source" not in docs["丙.xlsx"] and docs["乙.xlsx"]["source"] == "xlsx"


def test_previous_year_against_a_document(tmp_path):
    """Cross-year relations apply to a document: last year's carried-forward row is this year's carried-over."""
    last = {**values(ED, NANGUAN_2023), ("requests", "carry_forward", "natural_person"): 2,
            ("requests", "new", "natural_person"): 12}
    prev = govxl.new(tmp_path / "2022.xlsx", values=last, agency=NANGUAN_AGENCY, year=2022)
    doc = write_docx(tmp_path / "2023.docx", ED, evaluate(ED, GOOD), title=TITLE)  # carried over 0, not 2
    r = run("check", doc, "--previous", prev, "--format", "json")
    rules = [f["rule"] for f in json.loads(r.stdout)["findings"]]
    assert r.returncode == 0 and "X-CARRY" in rules, r.stdout  # a warning


def test_import_writes_a_workbook_from_a_word_document(tmp_path):
    doc = write_docx(tmp_path / "报告.docx", ED, evaluate(ED, GOOD), title=TITLE)
    out = tmp_path / "报告.xlsx"
    r = run("import", doc, "-o", out)
    assert r.returncode == 0, r.stdout + r.stderr
    assert govxl.check(out).ok() and govxl.check(out).values == govxl.check(
        govxl.new(tmp_path / "w.xlsx", values=GOOD, agency=NANGUAN_AGENCY, year=2023)).values


def test_children_against_a_document(tmp_path):
    """--children applies to a document: the parent, a Word report, is compared cell by cell with
    the sum of its children's workbooks (ROLL)."""
    kids = tmp_path / "下级"
    kids.mkdir()
    a = values(ED, NANGUAN_2023)
    b = values(ED, NANGUAN_2023.rstrip() + "\n    规章 本年制发件数 2")
    govxl.new(kids / "甲.xlsx", values=a, agency="甲县人民政府办公室", year=2023)
    govxl.new(kids / "乙.xlsx", values=b, agency="乙县人民政府办公室", year=2023)
    total = {k: a[k] + b[k] for k in a}
    right = write_docx(tmp_path / "汇总.docx", ED, evaluate(ED, total), title=TITLE)
    r = run("check", right, "--children", kids, "--format", "json")
    assert r.returncode == 0 and json.loads(r.stdout)["findings"] == [], r.stdout + r.stderr
    wrong = {**total, ("requests", "new", "natural_person"): 21, ("requests", "carry_forward", "natural_person"): 1}
    doc = write_docx(tmp_path / "汇总错.docx", ED, evaluate(ED, wrong), title=TITLE)
    r = run("check", doc, "--children", kids, "--format", "json")
    found = json.loads(r.stdout)["findings"]
    assert sorted((f["rule"], f["cell"]) for f in found if f["rule"] == "ROLL") == [
        ("ROLL", "D29"), ("ROLL", "D5")], r.stdout


def test_the_document_readers_are_loaded_only_for_documents(tmp_path):
    """pdfplumber (~0.35 s to import) and python-calamine stay out of `--help` and workbook checks."""
    import subprocess
    import sys

    book = govxl.new(tmp_path / "w.xlsx", values=GOOD, agency=NANGUAN_AGENCY, year=2023)
    own_table = write_sheet(tmp_path / "表.xlsx", ED, evaluate(ED, GOOD), title=TITLE)
    probe = ("import sys\nfrom govxl.cli import run\nsys.argv = ['govxl', *sys.argv[1:]]\ntry:\n    run()\n"
             "except SystemExit:\n    pass\nprint(sorted(m for m in ('pdfplumber', 'pdfminer', 'python_calamine') "
             "if m in sys.modules), file=sys.stderr)")

    def loaded(*args) -> str:
        r = subprocess.run([sys.executable, "-c", probe, *map(str, args)], capture_output=True, text=True, timeout=120)
        return r.stderr.strip().splitlines()[-1]

    assert loaded("--help") == "[]"
    assert loaded("check", book) == "[]"
    assert loaded("check", own_table) == "['python_calamine']"


def test_annotate_a_document_gives_a_marked_govxl_workbook(tmp_path, workbooks):
    """`check --annotate` on a Word report and a hand-made sheet in a folder: each copy is a govxl
    workbook in the official layout (named .xlsx beside the others), holding the document's numbers,
    with the T3-BAL cells marked; it re-checks to the same arithmetic findings."""
    import openpyxl

    folder = tmp_path / "收到的报告"
    folder.mkdir()
    write_docx(folder / "甲.docx", ED, evaluate(ED, BAD), title=TITLE)
    write_sheet(folder / "乙.xls.xlsx", ED, evaluate(ED, BAD), title=TITLE)
    out = tmp_path / "标注"
    r = run("check", folder, "--annotate", out)
    assert r.returncode == 1, r.stdout + r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["乙.xls.xlsx", "甲.xlsx"]
    for copy in out.iterdir():
        again = govxl.check(copy)
        assert again.source is None  # a govxl workbook now
        assert arithmetic(again) == arithmetic(workbooks["bad"])
        ws = openpyxl.load_workbook(copy)[T3]
        marked = sorted(c.coordinate for row in ws.iter_rows() for c in row
                        if c.comment is not None and "T3-BAL" in c.comment.text)
        assert marked == sorted(["D5", "D6", "D28", "D29", "J5", "J6", "J28", "J29"])
