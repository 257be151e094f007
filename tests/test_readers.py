"""The lean reader (zipfile + C ElementTree) and the reference reader (openpyxl) agree.

The lean reader is the fast path of every check; openpyxl is the reference. Both build the
same RawWorkbook, and a check must give the same report whichever reads the file.
"""

from __future__ import annotations

import datetime
import json
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from helpers import NANGUAN_2023, NANGUAN_AGENCY, fill_openpyxl, find, values
from reference_reader import read_xlsx_openpyxl

import govxl
from govxl.errors import ReadError
from govxl.reader import M, parse_sheet_xml, parse_xml, read_xlsx
from govxl.sources.workbook import check_file
from govxl.spec import load_edition

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
T3 = "三、收到和处理政府信息公开申请情况"

# ------------------------------------------------------------------ XML safety of the fast path
BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&lol2;</worksheet>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&xxe;</worksheet>"""


@pytest.mark.parametrize("data", [BOMB, EXTERNAL, b'<!DOCTYPE worksheet SYSTEM "http://example.invalid/x.dtd"><worksheet/>',
                                  BOMB.decode().encode("utf-16")])
def test_a_dtd_is_refused_before_anything_is_parsed(data):
    with pytest.raises(ReadError, match="DTD"):
        parse_xml(data, "x.xml")


@pytest.mark.parametrize("data", [b"", b"<a>", b"<a></b>", b"not xml", b"<a>&undefined;</a>", b"\xff\xfe\x00"])
def test_malformed_xml_is_a_read_error(data):
    with pytest.raises(ReadError, match="不是有效的 XML"):
        parse_xml(data, "x.xml")


SHEET = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>%s'
         b'<dataValidations count="1"><dataValidation sqref="A1"/></dataValidations>%s</worksheet>')
MERGES = b'<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>'


@pytest.mark.parametrize("before, after", [
    (b"", b""),
    (MERGES, b""),
    (b"", MERGES),  # out of the schema's order: still read
    (MERGES, MERGES.replace(b"A1:B1", b"C1:D1")),  # the first one counts, as in a full parse
    (b"<!-- <dataValidations -->", MERGES),  # a cut inside a comment falls back to the whole part
    (b'<sheetProtection sheet="1"/><conditionalFormatting sqref="A1"/>' + MERGES, b""),
])
def test_skipping_the_tail_of_a_sheet_returns_what_a_full_parse_returns(before, after):
    data = SHEET % (before, after)
    fast, full = parse_sheet_xml(data, "s.xml"), parse_xml(data, "s.xml")
    for tag in ("sheetData", "sheetProtection", "mergeCells"):
        a, b = fast.find(M + tag), full.find(M + tag)
        assert (a is None) == (b is None)
        if a is not None:
            assert ET.tostring(a) == ET.tostring(b)


def test_the_sheet_parser_refuses_a_dtd_too():
    with pytest.raises(ReadError, match="DTD"):
        parse_sheet_xml(BOMB, "x.xml")


def test_a_workbook_with_a_dtd_in_a_sheet_is_refused(tmp_path):
    good = govxl.new(tmp_path / "a.xlsx")
    bad = tmp_path / "dtd.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/worksheets/sheet3.xml":
                data = data.replace(b"<worksheet ", b'<!DOCTYPE worksheet [<!ENTITY a "b">]><worksheet ', 1)
            zout.writestr(item, data)
    read_xlsx(good)
    with pytest.raises(ReadError, match="DTD"):
        read_xlsx(bad)


# ------------------------------------------------------------------ the two readers agree
T3 = "三、收到和处理政府信息公开申请情况"
T4 = "四、政府信息公开行政复议、行政诉讼情况"
COUNT_CELL = ("requests", "results.public", "commercial")  # E7 of table 三


def _edited(src, dst, edit):
    wb = openpyxl.load_workbook(src)
    edit(wb)
    wb.save(dst)
    return dst


def _zip_edited(src, dst, part, old, new):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == part:
                data, n = re.subn(old, new, data)
                assert n == 1
            zout.writestr(item, data)
    return dst


def _unmerge_unprotect_lock(wb):
    from openpyxl.styles import Protection

    wb[T3].unmerge_cells("B9:B16")
    wb[T4].protection.sheet = False
    wb[T4]["A5"].protection = Protection(locked=True)


def _rename_reorder_add(wb):
    wb[T4].title = "表四"
    wb.create_sheet("备注")
    wb.move_sheet(T3, offset=-2)


def _strip_identity(wb):
    for k in list(wb.custom_doc_props.names):
        del wb.custom_doc_props[k]
    for k in list(wb.defined_names):
        del wb.defined_names[k]


def _newer_template(wb):
    from openpyxl.packaging.custom import StringProperty

    del wb.custom_doc_props["govxl.template_version"]
    wb.custom_doc_props.append(StringProperty(name="govxl.template_version", value="99"))


def _label_changed(wb):
    wb[T3]["C13"] = "5.属于三类内容事务信息"
    wb[T3]["E4"] = "商业\n企业"


def _typed_in(key, v):
    return lambda tmp, ed, blank, nanguan: fill_openpyxl(nanguan, tmp / "v.xlsx", ed, {key: v})


# Every workbook tests/test_check.py builds: name -> how to make it from (tmp, ed, blank, nanguan).
VARIANTS = {
    "blank": lambda tmp, ed, blank, nanguan: blank,
    "filled by openpyxl (nanguan)": lambda tmp, ed, blank, nanguan: nanguan,
    "prefilled by govxl": lambda tmp, ed, blank, nanguan: govxl.new(
        tmp / "pre.xlsx", values=values(ed, NANGUAN_2023), agency="甲", year=2023),
    "T3-BAL": lambda tmp, ed, blank, nanguan: fill_openpyxl(
        nanguan, tmp / "bal.xlsx", ed, {("requests", "new", "natural_person"): 11}),
    "T3-SUM constant over a total": lambda tmp, ed, blank, nanguan: _edited(
        nanguan, tmp / "sum.xlsx", lambda wb: wb[T3].__setitem__("D28", 9)),
    "T3-COL": lambda tmp, ed, blank, nanguan: _edited(nanguan, tmp / "col.xlsx", lambda wb: wb[T3].__setitem__("J5", 12)),
    "T4-SUM": lambda tmp, ed, blank, nanguan: _edited(nanguan, tmp / "t4.xlsx", lambda wb: wb[T4].__setitem__("J5", 3)),
    **{f"count cell {v!r:.20}": _typed_in(COUNT_CELL, v)
       for v in (-1, 3.5, 3.0, "12件", "１２", " 12 ", "1,200", "1e3", "/", True, "=A1+1", 10**12, "x" * 30000)},
    "date in a count cell": lambda tmp, ed, blank, nanguan: fill_openpyxl(
        nanguan, tmp / "d.xlsx", ed, {("requests", "new", "research"): datetime.date(2024, 1, 2)}),
    "error value": lambda tmp, ed, blank, nanguan: _zip_edited(
        fill_openpyxl(nanguan, tmp / "e.xlsx", ed, {("requests", "new", "research"): 0}), tmp / "err.xlsx",
        "xl/worksheets/sheet3.xml", rb'<c r="F5"([^>]*?)(?: t="n")?><v>0</v></c>', rb'<c r="F5"\1 t="e"><v>#DIV/0!</v></c>'),
    **{f"fee {v!r}": _typed_in(("active", "fees", "amount"), v) for v in (1.234567, 0, 1.2345678, -0.5, "2.5")},
    "two blank cells": lambda tmp, ed, blank, nanguan: fill_openpyxl(nanguan, tmp / "b.xlsx", ed, {
        find(ed, ["规章", "本年制发件数"]).key: None, find(ed, ["重复申请", "科研机构"]).key: None}),
    "blank table 四": lambda tmp, ed, blank, nanguan: fill_openpyxl(
        nanguan, tmp / "b4.xlsx", ed, {f.key: None for f in ed.table("appeals").inputs}),
    "S-CACHE stale result": lambda tmp, ed, blank, nanguan: _zip_edited(
        govxl.new(tmp / "good.xlsx", values=values(ed, NANGUAN_2023)), tmp / "stale.xlsx",
        "xl/worksheets/sheet3.xml", rb'(<c r="D5"[^>]*><v>)10(</v>)', rb"\g<1>11\2"),
    "S-LABEL": lambda tmp, ed, blank, nanguan: _edited(nanguan, tmp / "l.xlsx", _label_changed),
    "S-MERGE S-PROTECT S-LOCK": lambda tmp, ed, blank, nanguan: _edited(nanguan, tmp / "s.xlsx", _unmerge_unprotect_lock),
    "S-SHEET S-ORDER S-EXTRA": lambda tmp, ed, blank, nanguan: _edited(nanguan, tmp / "r.xlsx", _rename_reorder_add),
    "S-BOOK element removed": lambda tmp, ed, blank, nanguan: _zip_edited(
        nanguan, tmp / "book.xlsx", "xl/workbook.xml", rb"<workbookProtection[^>]*/>", b""),
    "S-BOOK unlocked": lambda tmp, ed, blank, nanguan: _edited(
        nanguan, tmp / "book2.xlsx", lambda wb: setattr(wb.security, "lockStructure", False)),
    "structure locked as true": lambda tmp, ed, blank, nanguan: _zip_edited(
        nanguan, tmp / "book3.xlsx", "xl/workbook.xml", rb'lockStructure="1"', b'lockStructure="true"'),
    "S-IDENT": lambda tmp, ed, blank, nanguan: _edited(nanguan, tmp / "i.xlsx", _strip_identity),
    "not a govxl workbook": lambda tmp, ed, blank, nanguan: _plain(tmp / "plain.xlsx"),
    "newer template": lambda tmp, ed, blank, nanguan: _edited(nanguan, tmp / "n.xlsx", _newer_template),
}


def _plain(path):
    openpyxl.Workbook().save(path)
    return path


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    ed = load_edition("2021")
    tmp = tmp_path_factory.mktemp("base")
    blank = govxl.new(tmp / "blank.xlsx", agency=NANGUAN_AGENCY, year=2023)
    return ed, blank, fill_openpyxl(blank, tmp / "nanguan.xlsx", ed, values(ed, NANGUAN_2023))


def _outcome(path, reader):
    try:
        report = check_file(path, reader=reader)
    except ReadError as exc:
        return type(exc).__name__, str(exc)
    return json.dumps(report.to_dict(), ensure_ascii=False, sort_keys=True), sorted(report.values.items())


@pytest.mark.parametrize("name", list(VARIANTS))
def test_lean_and_openpyxl_readers_give_the_same_report(name, base, tmp_path):
    ed, blank, nanguan = base
    path = VARIANTS[name](tmp_path, ed, blank, nanguan)
    lean, reference = _outcome(path, read_xlsx), _outcome(path, read_xlsx_openpyxl)
    assert lean == reference


def test_the_variants_cover_every_finding_of_test_check(base, tmp_path):
    """The list above is meant to hold every workbook test_check builds: it sees each rule they see."""
    ed, blank, nanguan = base
    seen = set()
    for i, make in enumerate(VARIANTS.values()):
        sub = tmp_path / str(i)
        sub.mkdir()
        try:
            seen |= {f.rule for f in check_file(make(sub, ed, blank, nanguan)).findings}
        except ReadError:
            seen.add("unreadable")
    assert seen >= {"T3-BAL", "T3-SUM", "T3-COL", "T4-SUM", "V-INT", "V-AMT", "V-TEXT", "V-BLANK", "V-EMPTY",
                    "S-CACHE", "S-LABEL", "S-MERGE", "S-PROTECT", "S-BOOK", "S-LOCK", "S-SHEET", "S-ORDER", "S-EXTRA",
                    "S-IDENT", "S-FORMULA", "unreadable"}


# ------------------------------------------------------------------ zip members read from memory
def _rezip(src, dst, change=None, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            zout.writestr(item.filename, change(item.filename, data) if change else data)
    return dst


def test_members_read_from_memory_are_what_zipfile_reads(tmp_path):
    from govxl.reader import BoundedZip

    stored = _rezip(govxl.new(tmp_path / "a.xlsx", agency="甲", year=2023), tmp_path / "s.xlsx",
                    compression=zipfile.ZIP_STORED)
    for path in (tmp_path / "a.xlsx", stored):
        z = BoundedZip(path)
        assert z.raw is not None
        for name, info in z.names.items():
            assert z._inflate(info, info.file_size + 1) == z.zf.read(info), name
    assert check_file(stored).to_dict() == check_file(tmp_path / "a.xlsx").to_dict() | {"file": str(stored)}


def test_a_corrupted_member_is_refused(tmp_path):
    good = govxl.new(tmp_path / "a.xlsx")
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as z:
        info = z.getinfo("xl/worksheets/sheet3.xml")
    at = info.header_offset + 30 + len(info.filename) + 200  # inside the deflated data
    data[at] ^= 0xFF
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(bytes(data))
    with pytest.raises(ReadError, match="损坏"):
        read_xlsx(bad)


# ------------------------------------------------------------------ only the first rows of a sheet
def test_reading_the_first_rows_of_a_sheet(tmp_path):
    path = govxl.new(tmp_path / "a.xlsx", agency="甲", year=2023)
    full, part = read_xlsx(path), read_xlsx(path, rows={"封面": 4})
    cover, first = full.sheet("封面"), part.sheet("封面")
    assert first.rows == 4 and cover.rows is None
    assert first.cells == {rc: c for rc, c in cover.cells.items() if rc[0] < 4}
    assert first.merges == set() and cover.merges
    assert [s.cells for s in part.sheets[1:]] == [s.cells for s in full.sheets[1:]]


def test_rows_out_of_order_are_read_whole(tmp_path):
    def swap(name, data):
        if name == "xl/worksheets/sheet1.xml":  # row 22 is numbered 3: an out-of-order row after the cut
            data = data.replace(b'<row r="22"', b'<row r="3"')
        return data

    path = _rezip(govxl.new(tmp_path / "a.xlsx", agency="甲", year=2023), tmp_path / "b.xlsx", swap)
    assert read_xlsx(path, rows={"封面": 4}).sheet("封面").rows is None


# ------------------------------------------------------------------ the examples and edited copies
def variants(tmp: Path) -> list[Path]:
    ed = load_edition("2021")
    out = [EXAMPLES / "nanguan-2023.xlsx", EXAMPLES / "nanguan-2023-inconsistent.xlsx"]
    for e in ("2021", "2019"):
        out.append(govxl.new(tmp / f"blank{e}.xlsx", edition=e, agency="甲", year=2021))
    good = fill_openpyxl(out[-2], tmp / "filled.xlsx", ed, values(ed, NANGUAN_2023))
    out.append(good)
    edits = {
        "text": lambda wb: wb[T3].__setitem__("E7", "１２"),
        "constant": lambda wb: wb[T3].__setitem__("J5", 12),
        "label": lambda wb: wb[T3].__setitem__("C13", "5.属于三类内容事务信息"),
        "unmerged": lambda wb: wb[T3].unmerge_cells("B9:B16"),
        "unprotected": lambda wb: setattr(wb[T3].protection, "sheet", False),
        "renamed": lambda wb: setattr(wb[T3], "title", "表三"),
        "negative": lambda wb: wb[T3].__setitem__("E7", -1),
        "blank": lambda wb: wb[T3].__setitem__("E7", None),
    }
    for name, edit in edits.items():
        wb = openpyxl.load_workbook(good)
        edit(wb)
        wb.save(tmp / f"{name}.xlsx")
        out.append(tmp / f"{name}.xlsx")
    return out


def test_both_readers_give_the_same_report_on_the_examples_and_edited_copies(tmp_path):
    for path in variants(tmp_path):
        lean = check_file(path)
        ref = check_file(path, reader=read_xlsx_openpyxl)
        assert lean.findings == ref.findings, path.name
        assert lean.values == pytest.approx(ref.values), path.name
        assert (lean.edition, lean.agency, lean.year) == (ref.edition, ref.agency, ref.year)
