"""`govxl check`: each rule fires at the exact cells with the exact expected and actual values."""

from __future__ import annotations

import json
import re
import zipfile

import openpyxl
import pytest
from cli import run as cli
from helpers import NANGUAN_2023, NANGUAN_AGENCY, fill_openpyxl, find, sha256, values
from said import said

import govxl
from govxl.catalogue import Join, phrase
from govxl.errors import NotGovxlError

T2 = "二、主动公开政府信息情况"
T3 = "三、收到和处理政府信息公开申请情况"
T4 = "四、政府信息公开行政复议、行政诉讼情况"


@pytest.fixture
def nanguan(tmp_path, ed2021):
    """The 南关区 2023 report, typed in with openpyxl (so no cached formula results)."""
    blank = govxl.new(tmp_path / "blank.xlsx", agency=NANGUAN_AGENCY, year=2023)
    return fill_openpyxl(blank, tmp_path / "nanguan.xlsx", ed2021, values(ed2021, NANGUAN_2023))


def edited(src, dst, edit):
    wb = openpyxl.load_workbook(src)
    edit(wb)
    wb.save(dst)
    return dst


def rules(report, severity=None):
    return sorted({f.rule for f in report.findings if severity is None or f.severity == severity})


# ------------------------------------------------------------------ the reference report
def test_nanguan_2023_passes(nanguan):
    report = govxl.check(nanguan)
    assert report.findings == [] and report.ok()
    assert (report.edition, report.agency, report.year) == ("2021", NANGUAN_AGENCY, 2023)
    assert report.values[("requests", "results.total", "total")] == 10
    r = cli("check", nanguan)
    assert r.returncode == 0 and r.stdout.strip().endswith("通过")


def test_nanguan_prefilled_by_govxl_passes_with_its_cached_results(tmp_path, ed2021):
    path = govxl.new(tmp_path / "a.xlsx", values=values(ed2021, NANGUAN_2023), agency="甲", year=2023)
    assert govxl.check(path).findings == []


def test_T3_BAL_new_natural_person_11(tmp_path, nanguan, ed2021):
    bad = fill_openpyxl(nanguan, tmp_path / "bad.xlsx", ed2021, {("requests", "new", "natural_person"): 11})
    report = govxl.check(bad)
    assert rules(report) == ["T3-BAL"], "T3-COL / T3-SUM must not fire falsely"
    by_col = {f.col_label: f for f in report.findings}
    assert set(by_col) == {"自然人", "总计"}
    f = by_col["自然人"]
    assert (f.sheet, f.cell, f.expected, f.actual, f.severity) == (T3, "D5,D6,D28,D29", 11, 10, "error")
    assert "一、本年新收政府信息公开申请数量" in f.row_label and "四、结转下年度继续办理" in f.row_label
    assert by_col["总计"].cell == "J5,J6,J28,J29"
    assert f.message() == said("T3-BAL", col="自然人", expected=11, actual=10)
    assert f.message("en") == said("T3-BAL", "en", col="自然人", expected=11, actual=10)
    r = cli("check", bad)
    assert r.returncode == 1 and "T3-BAL" in r.stdout and "1 个错误" not in r.stdout and "2 个错误" in r.stdout


def test_T3_SUM_constant_typed_over_the_total_row(tmp_path, nanguan, ed2021):
    t3 = ed2021.table("requests")
    cell = t3.field("results.total", "natural_person").cell
    bad = edited(nanguan, tmp_path / "bad.xlsx", lambda wb: wb[T3].__setitem__(cell, 9))
    report = govxl.check(bad)
    found = {(f.rule, f.cell): f for f in report.findings}
    formula = found[("S-FORMULA", "D28")]
    assert (formula.expected, formula.actual) == ("SUM(D7:D27)", phrase("constant", value="9"))
    assert (found[("T3-SUM", "D28")].expected, found[("T3-SUM", "D28")].actual) == (10, 9)
    assert ("T3-BAL", "D5,D6,D28,D29") in found
    assert not any(f.rule == "T3-COL" for f in report.findings), "the 总计 column follows the typed constant"


def test_T3_COL_constant_typed_over_the_total_column(tmp_path, nanguan):
    bad = edited(nanguan, tmp_path / "bad.xlsx", lambda wb: wb[T3].__setitem__("J5", 12))
    report = govxl.check(bad)
    col = [f for f in report.findings if f.rule == "T3-COL"]
    assert [(f.cell, f.expected, f.actual, f.col_label) for f in col] == [("J5", 10, 12, "总计")]
    assert "一、本年新收政府信息公开申请数量" == col[0].row_label
    assert {f.rule for f in report.findings} == {"T3-COL", "S-FORMULA", "T3-BAL"}


def test_T4_SUM(tmp_path, nanguan):
    bad = edited(nanguan, tmp_path / "bad.xlsx", lambda wb: wb[T4].__setitem__("J5", 3))
    f = [f for f in govxl.check(bad).findings if f.rule == "T4-SUM"]
    assert [(x.sheet, x.cell, x.expected, x.actual) for x in f] == [(T4, "J5", 0, 3)]
    assert f[0].col_label == "行政诉讼 / 未经复议直接起诉 / 总计"


# ------------------------------------------------------------------ values
@pytest.mark.parametrize("typed, rule, severity, used", [
    (-1, "V-INT", "error", None),
    (3.5, "V-INT", "error", None),
    (3.0, None, None, 3),
    ("12件", "V-INT", "error", None),
    ("１２", "V-TEXT", "warning", 12),
    (" 12 ", "V-TEXT", "warning", 12),
    ("1,200", "V-TEXT", "warning", 1200),
    ("1e3", "V-INT", "error", None),
    ("/", "V-INT", "error", None),
    (True, "V-INT", "error", None),
    ("=A1+1", "V-INT", "error", None),
    (10**12, "V-INT", "error", None),
    ("x" * 30000, "V-INT", "error", None),
])
def test_values_in_a_count_cell(tmp_path, nanguan, ed2021, typed, rule, severity, used):
    key = ("requests", "results.public", "commercial")
    report = govxl.check(fill_openpyxl(nanguan, tmp_path / "v.xlsx", ed2021, {key: typed}))
    mine = [f for f in report.findings if f.cell == "E7" and f.rule.startswith("V-")]
    if rule is None:
        assert mine == []
    else:
        assert [(f.rule, f.severity) for f in mine] == [(rule, severity)]
        assert len(mine[0].message()) < 300, "a long value is quoted, not dumped"
    if used is not None:
        assert report.values[key] == used
        assert report.values[("requests", "results.public", "total")] == 4 + used


def test_a_date_in_a_count_cell(tmp_path, nanguan, ed2021):
    import datetime

    report = govxl.check(fill_openpyxl(nanguan, tmp_path / "d.xlsx", ed2021,
                                       {("requests", "new", "research"): datetime.date(2024, 1, 2)}))
    assert [(f.rule, f.cell) for f in report.findings if f.rule == "V-INT"] == [("V-INT", "F5")]


def test_an_error_value_is_quoted(tmp_path, nanguan, ed2021):
    src = fill_openpyxl(nanguan, tmp_path / "e.xlsx", ed2021, {("requests", "new", "research"): 0})
    bad = tmp_path / "err.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/worksheets/sheet3.xml":
                data = re.sub(rb'<c r="F5"([^>]*?)(?: t="n")?><v>0</v></c>',
                              rb'<c r="F5"\1 t="e"><v>#DIV/0!</v></c>', data)
            zout.writestr(item, data)
    f = [f for f in govxl.check(bad).findings if f.cell == "F5"]
    assert [(x.rule, x.actual) for x in f] == [("V-INT", "#DIV/0!")]


@pytest.mark.parametrize("fee, ok", [(1.234567, True), (0, True), (1.2345678, False), (-0.5, False), ("2.5", True)])
def test_V_AMT_fee(tmp_path, nanguan, ed2021, fee, ok):
    report = govxl.check(fill_openpyxl(nanguan, tmp_path / "f.xlsx", ed2021, {("active", "fees", "amount"): fee}))
    assert any(f.rule == "V-AMT" for f in report.findings) is not ok
    assert report.ok() is ok


def test_blank_cells_are_one_summary_warning(tmp_path, nanguan, ed2021):
    blanks = {find(ed2021, ["规章", "本年制发件数"]).key: None, find(ed2021, ["重复申请", "科研机构"]).key: None}
    report = govxl.check(fill_openpyxl(nanguan, tmp_path / "b.xlsx", ed2021, blanks))
    assert [(f.rule, f.actual) for f in report.findings] == [("V-BLANK", 2)]
    f = report.findings[0]
    assert (f.reason, dict(f.params)["cells"].items) == ("cells", (f"{T2}!B4", f"{T3}!F21"))
    assert f.message() == said("V-BLANK", actual=2, detail=f"{T2}!B4；{T3}!F21")
    assert report.ok() and not report.ok(strict=True)


def test_a_whole_blank_table_is_an_error(tmp_path, nanguan, ed2021):
    t4 = ed2021.table("appeals")
    report = govxl.check(fill_openpyxl(nanguan, tmp_path / "b.xlsx", ed2021, {f.key: None for f in t4.inputs}))
    assert [(f.rule, f.sheet) for f in report.findings] == [("V-EMPTY", T4)]


def test_blank_workbook_fails(blank):
    report = govxl.check(blank)
    assert not report.ok() and {f.rule for f in report.findings} == {"V-EMPTY"}


# ------------------------------------------------------------------ structure
def test_S_CACHE_stale_cached_result(tmp_path, ed2021):
    good = govxl.new(tmp_path / "a.xlsx", values=values(ed2021, NANGUAN_2023))
    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(stale, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/worksheets/sheet3.xml":  # 新收 自然人 10 -> 11, caches untouched
                data, n = re.subn(rb'(<c r="D5"[^>]*><v>)10(</v>)', rb"\g<1>11\2", data)
                assert n == 1
            zout.writestr(item, data)
    report = govxl.check(stale)
    cache = [(f.cell, f.expected, f.actual) for f in report.findings if f.rule == "S-CACHE"]
    assert cache == [("J5", 11, 10)]
    assert "T3-BAL" in rules(report)


def test_S_LABEL_changed_label_but_not_whitespace(tmp_path, nanguan):
    def edit(wb):
        wb[T3]["C13"] = "5.属于三类内容事务信息"
        wb[T3]["E4"] = "商业\n企业"  # a line break from wrapping is not a change
    report = govxl.check(edited(nanguan, tmp_path / "l.xlsx", edit))
    assert [(f.rule, f.cell, f.expected, f.actual) for f in report.findings] == [
        ("S-LABEL", "C13", "5.属于三类内部事务信息", "5.属于三类内容事务信息")]


def test_S_MERGE_S_PROTECT_S_LOCK(tmp_path, nanguan):
    from openpyxl.styles import Protection

    def edit(wb):
        wb[T3].unmerge_cells("B9:B16")
        wb[T4].protection.sheet = False
        wb[T4]["A5"].protection = Protection(locked=True)
    report = govxl.check(edited(nanguan, tmp_path / "s.xlsx", edit))
    got = {(f.rule, f.sheet, f.cell, f.severity) for f in report.findings}
    assert got == {("S-MERGE", T3, "B9:B16", "warning"), ("S-PROTECT", T4, "", "warning"),
                   ("S-LOCK", T4, "A5", "warning")}
    assert report.ok() and not report.ok(strict=True)


def _workbook_xml_edited(src, dst, old: bytes, new: bytes):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/workbook.xml":
                data, n = re.subn(old, new, data)
                assert n == 1
            zout.writestr(item, data)
    return dst


@pytest.mark.parametrize("how", ["element removed", "unlocked in openpyxl", "lockStructure=true kept"])
def test_S_BOOK_structure_protection_removed(tmp_path, nanguan, how):
    if how == "element removed":
        path = _workbook_xml_edited(nanguan, tmp_path / "b.xlsx", rb"<workbookProtection[^>]*/>", b"")
    elif how == "unlocked in openpyxl":
        path = edited(nanguan, tmp_path / "b.xlsx", lambda wb: setattr(wb.security, "lockStructure", False))
    else:  # the schema's other spelling of a true boolean is still a lock
        path = _workbook_xml_edited(nanguan, tmp_path / "b.xlsx", rb'lockStructure="1"', b'lockStructure="true"')
    report = govxl.check(path)
    got = [(f.rule, f.sheet, f.cell, f.severity) for f in report.findings]
    if how == "lockStructure=true kept":
        assert got == []
        return
    assert got == [("S-BOOK", "", "", "warning")]
    assert report.ok() and not report.ok(strict=True)
    r = cli("check", path)
    assert r.returncode == 0 and "S-BOOK" in r.stdout and said("S-BOOK") in r.stdout
    assert cli("check", "--strict", path).returncode == 1


def test_S_SHEET_renamed_and_S_ORDER_S_EXTRA(tmp_path, nanguan):
    def edit(wb):
        wb[T4].title = "表四"
        wb.create_sheet("备注")
        wb.move_sheet(T3, offset=-2)
    report = govxl.check(edited(nanguan, tmp_path / "s.xlsx", edit))
    got = {f.rule: f for f in report.findings}
    assert got["S-SHEET"].expected == T4 and (got["S-SHEET"].reason, got["S-SHEET"].params) == (
        "sheet-renamed", (("name", "表四"),))
    assert got["S-SHEET"].message() == said("S-SHEET", expected=T4, detail=said("sheet-renamed", name="表四"))
    assert got["S-SHEET"].message("en") == said("S-SHEET", "en", expected=T4, detail=said("sheet-renamed", "en", name="表四"))
    assert got["S-SHEET"].severity == "error"
    assert got["S-ORDER"].severity == "info" and {f.actual for f in report.findings if f.rule == "S-EXTRA"} == {"表四", "备注"}


def test_S_IDENT_identity_removed_but_layout_recognised(tmp_path, nanguan):
    def edit(wb):
        for k in list(wb.custom_doc_props.names):
            del wb.custom_doc_props[k]
        for k in list(wb.defined_names):
            del wb.defined_names[k]
    report = govxl.check(edited(nanguan, tmp_path / "i.xlsx", edit))
    assert [(f.rule, f.expected) for f in report.findings] == [("S-IDENT", "2021")]


def test_not_a_govxl_workbook(tmp_path):
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    with pytest.raises(NotGovxlError) as exc:
        govxl.check(plain)
    assert (exc.value.code, str(exc.value)) == ("R-NOTGOVXL", said("R-NOTGOVXL"))
    r = cli("check", plain)
    assert r.returncode == 2 and said("R-NOTGOVXL") in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("prop, value, message", [
    ("govxl.edition", "2030", said("R-EDITION", edition="2030", known=Join(("2021", "2019")))),
    ("govxl.template_version", "99", said("R-NEWER", version=99, edition="2021", known=1)),
])
def test_unknown_edition_or_newer_template(tmp_path, nanguan, prop, value, message):
    from openpyxl.packaging.custom import StringProperty

    def edit(wb):
        del wb.custom_doc_props[prop]
        wb.custom_doc_props.append(StringProperty(name=prop, value=value))
    r = cli("check", edited(nanguan, tmp_path / "u.xlsx", edit))
    assert r.returncode == 2 and message in r.stderr


# ------------------------------------------------------------------ CLI and JSON
def test_json_schema(tmp_path, nanguan, ed2021):
    bad = fill_openpyxl(nanguan, tmp_path / "bad.xlsx", ed2021, {("requests", "new", "natural_person"): 11})
    r = cli("check", bad, "--format", "json")
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert set(doc) == {"file", "edition", "template_version", "agency", "year", "ok", "verdict", "counts", "findings",
                        "not_verified"}
    assert doc["ok"] is False and doc["counts"] == {"error": 2, "warning": 0, "info": 0}
    assert doc["verdict"] == "failed" and doc["not_verified"] == []
    assert doc["template_version"] == 1 and doc["year"] == 2023
    f = doc["findings"][0]
    assert set(f) == {"rule", "severity", "sheet", "cell", "row_label", "col_label", "expected", "actual", "message",
                      "reason", "params"}
    assert f["rule"] == "T3-BAL" and isinstance(f["expected"], int) and (f["reason"], f["params"]) == (None, {})


def test_lang_en(tmp_path, nanguan, ed2021):
    bad = fill_openpyxl(nanguan, tmp_path / "bad.xlsx", ed2021, {("requests", "new", "natural_person"): 11})
    r = cli("check", bad, "--lang", "en")
    assert r.returncode == 1 and said("T3-BAL", "en", col="自然人", expected=11, actual=10) in r.stdout and "failed" in r.stdout


def test_strict_turns_warnings_into_failure(tmp_path, nanguan, ed2021):
    warn = fill_openpyxl(nanguan, tmp_path / "w.xlsx", ed2021, {("requests", "new", "research"): "０"})
    assert cli("check", warn).returncode == 0
    assert cli("check", warn, "--strict").returncode == 1


def test_check_never_modifies_its_input(tmp_path, nanguan, ed2021):
    bad = fill_openpyxl(nanguan, tmp_path / "bad.xlsx", ed2021, {("requests", "new", "natural_person"): 11})
    before = {p: sha256(p) for p in (nanguan, bad)}
    for p in before:
        cli("check", p)
        cli("check", p, "--format", "json")
        govxl.check(p)
    assert before == {p: sha256(p) for p in before}


def test_usage_errors_exit_2(tmp_path):
    assert cli("check").returncode == 2
    assert cli("check", tmp_path / "missing.xlsx").returncode == 2
    assert cli("check", "--format", "xml", "a.xlsx").returncode == 2
