"""`govxl new`: locking, protection, validation, formulas, identity, determinism, safe writing."""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest
from cli import run
from helpers import NANGUAN_2023, sha256, values

import govxl
from govxl import writer
from govxl.judge.rules import evaluate
from govxl.reader import read_xlsx
from govxl.spec import load_edition, parse_cell, parse_range, range_name


def rel(ref: str, origin) -> str:
    r1, c1, r2, c2 = parse_range(ref)
    return range_name(r1 + origin[0], c1 + origin[1], r2 + origin[0], c2 + origin[1])


# Total formulas, table-relative, typed from the official arithmetic (docs/format.md) (not derived from the spec):
# table 三's （七）总计 row and 四、结转下年度 row sit at 27/28 in 2021 and at 25/26 in 2019.
T3_LAST_ROW = {"2021": 28, "2019": 26}


def expected_formulas(edition: str):
    last = T3_LAST_ROW[edition]
    t3 = {f"J{r}": f"SUM(D{r}:I{r})" for r in range(4, last + 1)}
    t3.update({f"{c}{last - 1}": f"SUM({c}6:{c}{last - 2})" for c in "DEFGHI"})
    t4 = {"E4": "SUM(A4:D4)", "J4": "SUM(F4:I4)", "O4": "SUM(K4:N4)"}
    return {"requests": t3, "appeals": t4, "active": {}}


def test_totals_are_formulas_over_exactly_the_right_ranges(tmp_path, ed):
    wb = openpyxl.load_workbook(govxl.new(tmp_path / "a.xlsx", edition=ed.id))
    for t in ed.tables:
        ws = wb[t.sheet]
        want = {rel(c, t.origin): rel_formula(f, t.origin) for c, f in expected_formulas(ed.id)[t.key].items()}
        got = {f.cell: ws[f.cell].value for f in t.totals}
        assert set(got) == set(want)
        for cell, formula in want.items():
            assert got[cell] == "=" + formula, f"{t.sheet}!{cell}"


def rel_formula(formula: str, origin) -> str:
    return re.sub(r"[A-Z]+[0-9]+", lambda m: rel(m.group(0), origin), formula)


def test_inputs_unlocked_everything_else_locked_and_protected(blank, ed):
    wb = openpyxl.load_workbook(blank)
    for ws in wb.worksheets:
        assert ws.protection.sheet, f"{ws.title} must be protected"
        assert ws.protection.password is None, "no password unless asked"
        assert ws.protection.selectLockedCells is False and ws.protection.formatColumns is False  # allowed
    for t in ed.tables:
        ws = wb[t.sheet]
        inputs = {f.cell for f in t.inputs}
        for row in ws.iter_rows():
            for cell in row:
                if cell.coordinate in inputs:
                    assert cell.protection.locked is False, f"{t.sheet}!{cell.coordinate} must accept input"
                    assert cell.number_format in ("0", "0.00####")
                elif cell.value is not None:
                    assert cell.protection.locked is not False, f"{t.sheet}!{cell.coordinate} must be locked"


def test_validation_on_exactly_the_input_cells(blank, ed):
    wb = openpyxl.load_workbook(blank)
    for t in ed.tables:
        ws = wb[t.sheet]
        covered = {}
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                for row in ws[rng.coord] if ":" in rng.coord else [[ws[rng.coord]]]:
                    for cell in row:
                        covered[cell.coordinate] = dv
        assert set(covered) == {f.cell for f in t.inputs}
        for f in t.inputs:
            dv = covered[f.cell]
            assert dv.promptTitle and dv.error and dv.showErrorMessage
            if f.kind == "count":
                assert (dv.type, dv.operator or "between", dv.formula1) == ("whole", "between", "0")
            elif f.kind == "signed":
                assert dv.type == "whole" and int(dv.formula1) < 0
            else:
                assert dv.type == "custom" and "ROUND" in dv.formula1


def test_identity_inside_the_file(blank, ed):
    raw = read_xlsx(blank)
    assert raw.properties["govxl.edition"] == ed.id
    assert raw.properties["govxl.template_version"] == str(ed.template_version)
    assert raw.properties["govxl.fingerprint"] == ed.fingerprint
    assert raw.properties["govxl.version"] == govxl.__version__
    assert raw.names["govxl_edition"] == f'"{ed.id}"'
    wb = openpyxl.load_workbook(blank)
    cover = wb.worksheets[0]
    assert cover.title == ed.cover.sheet
    assert cover["B3"].value == "测试县人民政府办公室" and cover["B4"].value == ed.first_year + 2
    assert ed.document in cover["B5"].value


def test_cover_has_a_live_status_line_per_rule(blank, ed):
    ws = openpyxl.load_workbook(blank).worksheets[0]
    status = {}
    for row in ws.iter_rows():
        if row[0].value in ed.rules:
            status[row[0].value] = row[3].value
    assert set(status) == set(ed.rules)
    assert all(str(f).startswith("=") and "通过" in f and "不通过" in f for f in status.values())


def test_cached_results_are_right_for_prefilled_values(tmp_path, ed):
    inputs = values(ed, NANGUAN_2023)
    inputs[("requests", "new", "natural_person")] = 11  # unbalanced on purpose
    path = govxl.new(tmp_path / "a.xlsx", edition=ed.id, values=inputs)
    raw = read_xlsx(path)
    want = evaluate(ed, inputs)
    for f in ed.fields:
        if f.is_total:
            assert raw.sheet(f.sheet).cells[(f.row, f.col)].value == want[f.key], f.cell
    t3 = ed.table("requests")
    bal = t3.balances[0]
    shown = {col: raw.sheet(t3.sheet).cells[(bal.show_row, t3.field("new", col).col)].value for col in bal.cols}
    assert shown["natural_person"] == "✗" and shown["total"] == "✗" and shown["commercial"] == "✓"
    cover = raw.sheet(ed.cover.sheet)
    status = {c.value: cover.cells[(r, 3)].value for (r, col), c in cover.cells.items()
              if col == 0 and c.value in ed.rules}
    assert status["T3-BAL"] == "不通过" and status["T3-SUM"] == "通过" and status["V-INT"] == "通过"


def test_same_command_twice_gives_identical_bytes(tmp_path):
    a = govxl.new(tmp_path / "a.xlsx", agency="甲", year=2025)
    b = govxl.new(tmp_path / "b.xlsx", agency="甲", year=2025)
    assert sha256(a) == sha256(b)


def test_agency_is_text_never_a_formula(tmp_path):
    evil = '=HYPERLINK("http://x","y")'
    path = govxl.new(tmp_path / "a.xlsx", agency=evil)
    with zipfile.ZipFile(path) as z:
        sheet1 = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet1.split("B3")[1].split("</c>")[0]
    assert openpyxl.load_workbook(path).worksheets[0]["B3"].value == evil


def test_cli_new_refuses_to_overwrite(tmp_path):
    out = tmp_path / "报告 2025.xlsx"
    assert run("new", out, "--agency", "甲", "--year", 2025).returncode == 0
    before = sha256(out)
    r = run("new", out)
    assert r.returncode == 2 and "已存在" in r.stderr and "Traceback" not in r.stderr
    assert sha256(out) == before
    assert run("new", out, "--force").returncode == 0


@pytest.mark.parametrize("target, reason", [
    ("missing-dir/a.xlsx", "目录不存在"),
    ("a.txt", ".xlsx"),
    ("folder.xlsx", "文件夹"),
])
def test_cli_new_bad_paths_are_one_line_errors(tmp_path, target, reason):
    (tmp_path / "folder.xlsx").mkdir()
    r = run("new", tmp_path / target)
    assert r.returncode == 2
    assert reason in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_cli_new_unknown_edition(tmp_path):
    r = run("new", tmp_path / "a.xlsx", "--edition", "1999")
    assert r.returncode == 2 and "未知的格式版本" in r.stderr


def test_no_temporary_files_left_behind(tmp_path):
    govxl.new(tmp_path / "a.xlsx")
    assert [p.name for p in tmp_path.iterdir()] == ["a.xlsx"]


def test_print_setup(blank, ed):
    wb = openpyxl.load_workbook(blank)
    for t in ed.tables:
        ws = wb[t.sheet]
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.page_setup.orientation == ("landscape" if t.landscape else "portrait")
        # one page (a missing fitToWidth/fitToHeight means 1); how it prints: test_libreoffice.py
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight in (None, 1)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        first, last = t.origin[0] + 1, t.origin[0] + t.header_rows
        assert ws.print_title_rows == f"${first}:${last}"


def test_input_cells_accept_the_kinds_declared(ed):
    for f in ed.fields:
        assert f.kind in ("count", "amount", "signed")
        parse_cell(f.cell)
    assert load_edition(ed.id) is ed


# ------------------------------------------------------------------ structure protection
def workbook_xml(path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/workbook.xml").decode()


def test_structure_is_locked_in_schema_order(blank, ed):
    xml = workbook_xml(blank)
    (prot,) = re.findall(r"<workbookProtection[^>]*/>", xml)
    assert 'lockStructure="1"' in prot and "workbookPassword" not in prot  # no password unless asked
    # CT_Workbook: fileVersion?, fileSharing?, workbookPr?, workbookProtection?, bookViews?, sheets
    order = [m.group(1) for m in re.finditer(r"<(\w+)[\s>/]", xml.split("<workbook ", 1)[1]) ]
    top = [t for t in order if t in ("fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets")]
    assert top == ["fileVersion", "workbookPr", "workbookProtection", "bookViews", "sheets"]
    wb = openpyxl.load_workbook(blank)
    assert wb.security.lockStructure and not wb.security.lockWindows
    assert read_xlsx(blank).structure_locked


def test_structure_password_is_the_sheet_password(tmp_path):
    path = govxl.new(tmp_path / "a.xlsx", password="秘密 pw1")
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet2.xml").decode()
    sheet_hash = re.search(r'<sheetProtection password="([0-9A-F]+)"', sheet).group(1)
    (book_hash,) = re.findall(r'<workbookProtection workbookPassword="([0-9A-F]+)" lockStructure="1"/>',
                              workbook_xml(path))
    assert book_hash == sheet_hash == writer.legacy_password_hash("秘密 pw1")
    # The hash of ECMA-376 Part 4 §14.7.1 (Excel's "password" → 83AF, the example of many references).
    assert writer.legacy_password_hash("password") == "83AF"


WORKBOOK_XML = ('<?xml version="1.0"?><workbook xmlns="{ns}"><fileVersion appName="xl"/>{middle}'
                '<sheets><sheet name="a" sheetId="1"/></sheets></workbook>')


@pytest.mark.parametrize("middle, expected", [
    ("<workbookPr/><bookViews/>", "<workbookPr/>{p}<bookViews/>"),
    ('<fileSharing readOnlyRecommended="1"/><workbookPr/><bookViews/>',
     '<fileSharing readOnlyRecommended="1"/><workbookPr/>{p}<bookViews/>'),
    ("<workbookPr/>", "<workbookPr/>{p}"),  # no bookViews: right before sheets
    ('<workbookPr/><workbookProtection lockWindows="1"/><bookViews/>', "<workbookPr/>{p}<bookViews/>"),
    ('<workbookPr/><workbookProtection lockWindows="1"></workbookProtection><bookViews/>', "<workbookPr/>{p}<bookViews/>"),
])
def test_protect_structure_puts_the_element_in_its_place(middle, expected):
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    before = WORKBOOK_XML.format(ns=ns, middle=middle).encode()
    p = '<workbookProtection lockStructure="1"/>'
    assert writer.protect_structure(before) == WORKBOOK_XML.format(ns=ns, middle=expected.format(p=p)).encode()
    with pytest.raises(ValueError):
        writer.protect_structure(b"<workbook/>")


def test_structure_lock_keeps_every_other_member_as_xlsxwriter_wrote_it(tmp_path, monkeypatch):
    locked = govxl.new(tmp_path / "locked.xlsx", agency="甲", year=2025)
    monkeypatch.setattr(writer, "lock_structure", lambda path, password="": None)
    plain = govxl.new(tmp_path / "plain.xlsx", agency="甲", year=2025)
    with zipfile.ZipFile(locked) as a, zipfile.ZipFile(plain) as b:
        assert [(i.filename, i.date_time, i.compress_type, i.external_attr) for i in a.infolist()] == \
               [(i.filename, i.date_time, i.compress_type, i.external_attr) for i in b.infolist()]
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
    assert changed == ["xl/workbook.xml"]
    assert workbook_xml(locked).replace('<workbookProtection lockStructure="1"/>', "") == workbook_xml(plain)
