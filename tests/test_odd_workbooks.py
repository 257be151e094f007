"""Issue 5: almost-right govxl workbooks (sheets, rows and columns moved, labels edited, identity
gone) and odd values, each with its one clear outcome (docs/odd-input.md)."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import oddfiles as odd
import pytest
from helpers import fill_openpyxl
from oddfiles import T2, T3, T4, edited, refused
from openpyxl.cell.cell import MergedCell
from said import said

import govxl
from govxl.catalogue import Join, phrase
from govxl.errors import GovxlError, NotGovxlError
from govxl.sources.workbook import check_file

# The `good` fixture: a fresh copy of a correct, filled workbook for each test.
good_source, good = odd.good_source, odd.good_copy


# ================================================================== almost right
@pytest.mark.parametrize("edit, sheet, cell, move, cause", [
    (lambda wb: wb[T3].insert_rows(12), T3, "C12", phrase("rows-down", n=1), "rows-inserted"),
    (lambda wb: wb[T3].delete_rows(12), T3, "C12", phrase("rows-up", n=1), "rows-deleted"),
    (lambda wb: wb[T3].insert_cols(5), T3, "E3", phrase("cols-right", n=1), "cols-inserted"),
    (lambda wb: wb[T3].delete_cols(5), T3, "E3", phrase("cols-left", n=1), "cols-deleted"),
    (lambda wb: wb[T2].insert_rows(1, 2), T2, "A2", phrase("rows-down", n=2), "rows-inserted"),
    (lambda wb: wb[T4].insert_rows(3), T4, "A3", phrase("rows-down", n=1), "rows-inserted"),
])
def test_S_LAYOUT_rows_or_columns_inserted_or_deleted_is_one_finding(tmp_path, good, edit, sheet, cell, move, cause):
    report = govxl.check(edited(good, tmp_path / "shift.xlsx", edit))
    mine = [f for f in report.findings if f.sheet == sheet]
    assert [(f.rule, f.cell, f.severity) for f in mine] == [("S-LAYOUT", cell, "error")], report.findings
    p = dict(mine[0].params)
    assert (mine[0].reason, p["cell"], p["moves"], p["causes"]) == ("layout-moved", cell, Join((move,)), Join((phrase(cause),)))
    for lang in ("zh", "en"):
        assert mine[0].message(lang) == said("S-LAYOUT", lang, detail=said("layout-moved", lang, **p))
    assert report.findings == mine, "no flood: the other tables are untouched and clean"


def test_S_LAYOUT_table_wiped(tmp_path, good):

    def wipe(wb):
        for row in wb[T3].iter_rows():
            for c in row:
                if not isinstance(c, MergedCell):
                    c.value = None
    report = govxl.check(edited(good, tmp_path / "wiped.xlsx", wipe))
    assert [(f.rule, f.cell) for f in report.findings] == [("S-LAYOUT", "A2")]
    f = report.findings[0]
    assert (f.reason, dict(f.params)["n"]) == ("layout-labels", 40)
    assert f.message() == said("S-LAYOUT", detail=said("layout-labels", **dict(f.params)))


def test_a_few_edited_labels_stay_one_finding_each(tmp_path, good):
    def edit(wb):
        wb[T3]["C9"], wb[T3]["C10"] = "2.其他法律行政法规禁止公开", "1.属于国家秘密"  # swapped
        wb[T3]["C14"] = "6.属于四类过程信息"
    report = govxl.check(edited(good, tmp_path / "labels.xlsx", edit))
    assert [(f.rule, f.cell) for f in report.findings] == [("S-LABEL", "C9"), ("S-LABEL", "C10"), ("S-LABEL", "C14")]


def _strip_identity(wb):
    for k in list(wb.custom_doc_props.names):
        del wb.custom_doc_props[k]
    for k in list(wb.defined_names):
        del wb.defined_names[k]


def test_no_identity_and_a_broken_layout_cannot_be_checked(tmp_path, good):
    path = edited(good, tmp_path / "bare.xlsx", lambda wb: (_strip_identity(wb), wb[T3].insert_rows(12)))
    with pytest.raises(NotGovxlError) as exc:
        check_file(path)
    assert str(exc.value) == said("R-LAYOUT", edition="2021")
    report = govxl.check(path)  # as `govxl check` does: read by its labels, as someone's own table
    assert report.source == "xlsx" and "S-IDENT" in report.not_applied


@pytest.mark.parametrize("edit, expected", [
    (lambda wb: wb.remove(wb[T4]), {("S-SHEET", "error")}),
    (lambda wb: wb.remove(wb["封面"]), {("S-SHEET", "error")}),
    (lambda wb: wb.create_sheet("填表人备注"), {("S-EXTRA", "info")}),
    (lambda wb: wb.move_sheet(T4, offset=-3), {("S-ORDER", "info")}),
    (lambda wb: setattr(wb[T2], "title", "表二"), {("S-SHEET", "error"), ("S-EXTRA", "info")}),
])
def test_sheets_deleted_added_reordered_renamed(tmp_path, good, edit, expected):
    report = govxl.check(edited(good, tmp_path / "s.xlsx", edit))
    assert {(f.rule, f.severity) for f in report.findings} == expected


def test_cover_deleted_still_checks_the_tables(tmp_path, good, ed2021):
    path = edited(good, tmp_path / "nocover.xlsx", lambda wb: wb.remove(wb["封面"]))
    path = fill_openpyxl(path, tmp_path / "nocover-bad.xlsx", ed2021, {("requests", "new", "natural_person"): 11})
    report = govxl.check(path)
    assert {f.rule for f in report.findings} == {"S-SHEET", "T3-BAL"} and report.agency is None


def test_cell_text_escapes_are_decoded(tmp_path, good):
    """Excel writes a carriage return inside cell text as _x000D_: a wrapped label is still the label."""
    def edit(data: bytes) -> bytes:
        out, n = re.subn("<t>商业企业</t>".encode(), "<t>商业_x000D_\n企业</t>".encode(), data)
        assert n == 1
        return out
    path = odd.edit_part(good, tmp_path / "esc.xlsx", odd.SST, edit)
    assert govxl.check(path).findings == []


def test_rows_and_cells_without_r_attributes(tmp_path, good):
    """Some writers omit r=; Excel places such rows and cells one after another."""
    def edit(data: bytes) -> bytes:
        data = re.sub(rb'(<row[^>]*?) r="\d+"', rb"\1", data)
        return re.sub(rb'(<c[^>]*?) r="[A-Z]+\d+"', rb"\1", data)
    src = odd.edit_part(good, tmp_path / "nor.xlsx", odd.SHEET_T3, edit)
    assert b' r="' not in odd.members(src)[odd.SHEET_T3].split(b"<sheetData>")[1].split(b"</sheetData>")[0]
    assert govxl.check(src).findings == []  # every row and cell is written here, so the places are exact


# ================================================================== values (outcomes not already in test_check.py)
def _with_cell(src: Path, dst: Path, cell: str, xml: str) -> Path:
    """Replace one cell of table 三 by raw XML."""
    def edit(data: bytes) -> bytes:
        out, n = re.subn(rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)'.encode(), xml.encode(), data, count=1)
        assert n == 1
        return out
    return odd.edit_part(src, dst, odd.SHEET_T3, edit)


@pytest.mark.parametrize("xml, rule, used", [
    ('<c r="E7" s="{s}"><v>nan</v></c>', "V-INT", None),
    ('<c r="E7" s="{s}"><v>inf</v></c>', "V-INT", None),
    ('<c r="E7" s="{s}"><v>1E3</v></c>', None, 1000),  # a number stored in scientific notation is a number
    ('<c r="E7" s="{s}" t="inlineStr"><is><t>\u200b12</t></is></c>', "V-TEXT", 12),  # zero-width space from a web page
    ('<c r="E7" s="{s}" t="inlineStr"><is><t>１２．０</t></is></c>', "V-TEXT", 12),
    ('<c r="E7" s="{s}" t="inlineStr"><is><t>\u221212</t></is></c>', "V-INT", None),  # U+2212 minus sign: not a count anyway
    ('<c r="E7" s="{s}" t="inlineStr"><is><t>=A1+1</t></is></c>', "V-INT", None),  # formula text, not a formula
    ('<c r="E7" s="{s}" t="inlineStr"><is><t>١٢</t></is></c>', "V-INT", None),  # Arabic-Indic digits
    ('<c r="E7" s="{s}" t="b"/>', None, None),  # a boolean cell with no value is blank
    ('<c r="E7" s="{s}" t="s"><v>-1</v></c>', None, None),  # a negative shared-string index is blank, not the last string
    ('<c r="E7" s="{s}" t="e"><v>#DIV/0!</v></c>', "V-INT", None),
    ('<c r="E7" s="{s}" t="d"><v>2024-01-02T00:00:00</v></c>', "V-INT", None),
    ('<c r="E7" s="{s}" t="zz"><v>5</v></c>', None, 5),  # an unknown type with a number: the number
])
def test_odd_stored_values(tmp_path, good, xml, rule, used):
    s = re.search(rb'<c r="E7" s="(\d+)"', odd.members(good)[odd.SHEET_T3]).group(1).decode()
    report = govxl.check(_with_cell(good, tmp_path / "v.xlsx", "E7", xml.format(s=s)))
    mine = [f.rule for f in report.findings if f.cell == "E7"]
    assert mine == ([rule] if rule else [])
    key = ("requests", "results.public", "commercial")
    assert report.values[key] == (used or 0)
    json.dumps(report.to_dict(), allow_nan=False)  # never NaN/Infinity in the JSON document


def test_absurd_numbers_in_total_cells(tmp_path, good):
    """Found by the fuzzer: constants of 1e308 over two totals overflowed the balance to inf (OverflowError);
    a cached inf under a formula was put in the JSON as Infinity."""

    def edit(data: bytes) -> bytes:
        for cell, xml in (("J5", '<c r="J5"><v>1e308</v></c>'), ("J6", '<c r="J6"><v>1e308</v></c>'),
                          ("J7", '<c r="J7"><f>SUM(D7:I7)</f><v>inf</v></c>')):
            data, n = re.subn(rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)'.encode(), xml.encode(), data, count=1)
            assert n == 1
        return data
    report = govxl.check(odd.edit_part(good, tmp_path / "big.xlsx", odd.SHEET_T3, edit))
    assert [(f.rule, f.cell, f.actual) for f in report.findings] == [
        ("S-FORMULA", "J5", phrase("constant", value="1e+308")), ("S-FORMULA", "J6", phrase("constant", value="1e+308")),
        ("S-CACHE", "J7", "inf")]
    json.dumps(report.to_dict(), allow_nan=False)


def test_an_unknown_xml_encoding_is_damage(tmp_path, good):
    """Found by the fuzzer: an unknown encoding name in an XML declaration raised LookupError."""
    for enc in (b"U_x001B_TF-8", b"gbk", b"utf-32"):
        path = odd.edit_part(good, tmp_path / "enc.xlsx", "xl/worksheets/sheet1.xml",
                             lambda d, enc=enc: d.replace(b'encoding="UTF-8"', b'encoding="' + enc + b'"', 1))
        refused(path, "不是有效的 XML")


def test_odd_numbers_in_attributes(tmp_path, good):
    """Digits that int() refuses (superscripts, 5,000 digits) in row numbers and number-format ids."""
    path = odd.edit_part(good, tmp_path / "a.xlsx", "xl/styles.xml",
                         lambda d: d.replace(b'numFmtId="1"', 'numFmtId="²"'.encode()))
    assert govxl.check(path).ok()
    path = odd.edit_part(good, tmp_path / "b.xlsx", odd.SHEET_T3,
                         lambda d: d.replace(b'<row r="30"', b'<row r="' + b"9" * 5000 + b'"', 1))
    govxl.check(path)  # row 30 (the balance check line) loses its number: no crash


def test_a_cell_at_an_absurd_address_is_ignored(tmp_path, good):
    path = _with_cell(good, tmp_path / "far.xlsx", "E7", '<c r="E7" s="1"><v>0</v></c><c r="XFD1048576"><v>1</v></c>'
                      '<c r="A99999999999"><v>1</v></c><c r="1A"><v>1</v></c>')
    report = govxl.check(path)
    assert report.ok()


@pytest.mark.parametrize("prop, value, outcome", [
    ("govxl.template_version", "inf", "checked"),
    ("govxl.template_version", "1e999", "checked"),
    ("govxl.template_version", "第一版", "checked"),
    ("govxl.template_version", "9" * 5000, "checked"),
    ("govxl.template_version", "2.0", "newer"),
    ("govxl.template_version", "２", "newer"),
    ("govxl.edition", "2021\u0000", "unknown"),
])
def test_odd_identity_values(tmp_path, good, prop, value, outcome):
    def edit(data: bytes) -> bytes:
        pat = rf'(name="{re.escape(prop)}"><vt:lpwstr>)[^<]*(<)'.encode()
        out, n = re.subn(pat, lambda m: m.group(1) + value.replace("\0", "&#x0;").encode() + m.group(2), data)
        assert n == 1
        return out
    path = odd.edit_part(good, tmp_path / "id.xlsx", "docProps/custom.xml", edit)
    if outcome == "checked":
        report = govxl.check(path)
        assert report.ok() and report.template_version == 1
    elif outcome == "newer":
        with pytest.raises(NotGovxlError, match="请升级 govxl"):
            govxl.check(path)
    else:
        with pytest.raises(GovxlError):
            govxl.check(path)


def test_odd_year_on_the_cover(tmp_path, good):
    for year, expected in (("9" * 400, None), ("２０２３", 2023), ("二〇二三", None)):
        path = edited(good, tmp_path / "y.xlsx", lambda wb, y=year: wb["封面"].__setitem__("B4", y))
        assert govxl.check(path).year == expected


def test_dates_and_times_typed_into_counts(tmp_path, good, ed2021):
    cells = {("requests", "new", "research"): datetime.datetime(2024, 1, 2, 3, 4),
             ("requests", "new", "commercial"): datetime.time(12, 0)}
    report = govxl.check(fill_openpyxl(good, tmp_path / "dt.xlsx", ed2021, cells))
    assert sorted((f.rule, f.cell) for f in report.findings if f.rule.startswith("V-")) == [("V-INT", "E5"), ("V-INT", "F5")]
