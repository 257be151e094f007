"""The lean reader (zipfile + C ElementTree) and the reference reader (openpyxl) agree.

The lean reader is the fast path of every check; openpyxl is the reference. Both build the
same RawWorkbook, and a check must give the same report whichever reads the file.
"""

from __future__ import annotations

import zipfile

import pytest

import govxl
from govxl.errors import ReadError
from govxl.reader import M, parse_xml, read_xlsx

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
         b"<sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row></sheetData>%s"
         b'<dataValidations count="1"><dataValidation sqref="A1"/></dataValidations>%s</worksheet>')
STOP, KEEP = (b"<dataValidations",), (b"sheetData", b"mergeCells")


@pytest.mark.parametrize("before, after", [
    (b"", b""),
    (b'<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>', b""),
    (b"", b'<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>'),  # out of schema order: still read
    (b"<!-- <dataValidations -->", b""),  # a cut inside a comment falls back to the whole part
])
def test_skipping_the_tail_of_a_part_returns_what_a_full_parse_returns(before, after):
    data = SHEET % (before, after)
    fast = parse_xml(data, "s.xml", STOP, KEEP)
    full = parse_xml(data, "s.xml")
    read = [el.tag for el in full if not el.tag.endswith("dataValidations")]
    assert [el.tag for el in fast if not el.tag.endswith("dataValidations")] == read
    assert [m.get("ref") for m in fast.iter(M + "mergeCell")] == [m.get("ref") for m in full.iter(M + "mergeCell")]


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
