"""Word documents and spreadsheets as grids (rows of cell texts; None where a merge continues).

.docx with python-docx; .odt with the standard library's XML parser (a zip of content.xml);
.xlsx/.xlsm/.xls/.ods with python-calamine (one maintained reader for all four), every sheet,
the tables at any position.  Numbers are given as text, the way they were shown.
"""

from __future__ import annotations

import io
import math
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from ..errors import ReadError
from .cellgrid import MAX_CELLS, Grid
from .cellgrid import what as kind
from .isolate import MAX_DEPTH, budget

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# ------------------------------------------------------------------ Word
def read_docx(p: Path) -> tuple[Grid, list[str]]:
    """Tables and paragraphs of the document body, in order (text boxes, headers and footers
    are not the report's tables)."""
    import docx
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    try:
        doc = docx.Document(str(p))
    except Exception:  # python-docx raises many kinds on a damaged package
        raise ReadError(code="R-DOC-CORRUPT", name=p.name, **kind("Word 文档")) from None
    grid: Grid = []
    titles: list[str] = []

    def para_text(el) -> str:
        return Paragraph(el, doc).text

    def cell_text(tc) -> str:
        parts = []
        for el in tc.iterchildren():
            if el.tag == qn("w:p"):
                parts.append(para_text(el))
            elif el.tag == qn("w:tbl"):
                table(el)  # a nested table: read as its own rows
            elif el.tag == qn("w:sdt"):
                parts += [para_text(x) for x in el.iter(qn("w:p"))]
        return "\n".join(x for x in parts if x.strip())

    def table(tbl) -> None:
        for tr in tbl.iterchildren(qn("w:tr")):
            row: list[str | None] = []
            tcs = [x for x in tr.iterchildren() if x.tag in (qn("w:tc"), qn("w:sdt"))]
            for tc in tcs:
                if tc.tag == qn("w:sdt"):
                    tc = next(tc.iter(qn("w:tc")), None)
                    if tc is None:
                        continue
                pr = tc.find(qn("w:tcPr"))
                span, cont = 1, False
                if pr is not None:
                    gs = pr.find(qn("w:gridSpan"))
                    if gs is not None:
                        span = max(1, count(gs.get(qn("w:val")), 1, 64))
                    vm = pr.find(qn("w:vMerge"))
                    cont = vm is not None and vm.get(qn("w:val")) in (None, "continue")
                row.append(None if cont else cell_text(tc))
                row += [None] * (span - 1)
            grid.append(row)
            if sum(map(len, grid)) > MAX_CELLS:
                raise ReadError(code="R-DOC-HUGE", name=p.name, part="Word 文档中的表格",
                                part_en="the table in the Word document")

    def walk(el) -> None:
        for ch in el.iterchildren():
            if ch.tag == qn("w:tbl"):
                table(ch)
            elif ch.tag == qn("w:p"):
                text = para_text(ch)
                if text.strip():
                    grid.append([text])
                    if len(titles) < 20:
                        titles.append(text.strip())
            elif ch.tag in (qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"), qn("w:ins")):
                walk(ch)

    if too_deep(doc.element.body):
        raise ReadError(code="R-DOC-BUDGET", name=p.name, **budget("depth"))
    walk(doc.element.body)
    return grid, titles


# ------------------------------------------------------------------ OpenDocument text
_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_TX = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_O = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def read_odt(p: Path) -> tuple[Grid, list[str]]:
    """content.xml's tables (covered cells = merge continuations) and paragraphs, in order."""
    import zipfile
    import zlib
    from xml.etree import ElementTree as ET

    try:
        with zipfile.ZipFile(p) as z:
            data = z.read("content.xml")
        if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:65536]:
            raise ReadError(code="R-DOC-DTD", name=p.name)
        root = ET.fromstring(data)
    except ReadError:
        raise
    except (KeyError, zipfile.BadZipFile, ET.ParseError, OSError, ValueError, LookupError, zlib.error, EOFError):
        # (LookupError: an XML declaration naming an encoding that does not exist)
        raise ReadError(code="R-DOC-CORRUPT", name=p.name, **kind("OpenDocument 文档")) from None
    grid: Grid = []
    titles: list[str] = []

    def text_of(el) -> str:
        out = []

        def walk(e) -> None:
            if e.tag == _TX + "s":
                out.append(" " * max(1, count(e.get(_TX + "c"), 1, 100)))  # spaces: a few say as much as many
            elif e.tag in (_TX + "tab", _TX + "line-break"):
                out.append(" " if e.tag.endswith("tab") else "\n")
            elif e.tag in (_TX + "note",):
                return
            if e.text:
                out.append(e.text)
            for ch in e:
                walk(ch)
                if ch.tail:
                    out.append(ch.tail)

        walk(el)
        return "".join(out)

    def table(tbl) -> None:
        for tr in tbl.iter(_T + "table-row"):
            row: list[str | None] = []
            for tc in tr:
                n = count(tc.get(_T + "number-columns-repeated"), 1, 64)
                if tc.tag == _T + "covered-table-cell":
                    row += [None] * n
                elif tc.tag == _T + "table-cell":
                    text = "\n".join(t for t in (text_of(x) for x in tc if x.tag in (_TX + "p", _TX + "h")) if t.strip())
                    row += [text] * n
            grid.append(row)
            if sum(map(len, grid)) > MAX_CELLS:
                raise ReadError(code="R-DOC-HUGE", name=p.name, part="文档中的表格", part_en="the table in the document")

    def walk(el) -> None:
        for ch in el:
            if ch.tag == _T + "table":
                table(ch)
            elif ch.tag in (_TX + "p", _TX + "h"):
                text = text_of(ch)
                if text.strip():
                    grid.append([text])
                    if len(titles) < 20:
                        titles.append(text.strip())
            else:
                walk(ch)

    body = root.find(f"{_O}body")
    if too_deep(root):
        raise ReadError(code="R-DOC-BUDGET", name=p.name, **budget("depth"))
    walk(body if body is not None else root)
    return grid, titles


# ------------------------------------------------------------------ spreadsheets
def read_sheets(p: Path, what: str) -> tuple[Grid, list[str]]:
    """Every sheet's used range, one sheet after another; merged ranges' other cells are None."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - a dependency of govxl
        raise ReadError(code="R-NEEDS", what=" .xls/.ods 表格", what_en=".xls/.ods tables",
                        package="python-calamine") from None
    data = p.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        data = tame_xlsx(data, p)
    try:
        # From the bytes, not the path: calamine then tells the format by the content, not the name.
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except BaseException as exc:  # calamine's own errors (password, damaged file, ...), a Rust panic
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        msg = str(exc).lower()
        if "password" in msg or "encrypt" in msg:
            raise ReadError(code="R-ENCRYPTED") from None
        raise ReadError(code="R-DOC-UNREADABLE", name=p.name, **kind(what)) from None
    grid: Grid = []
    titles: list[str] = []
    cells = 0
    for name in wb.sheet_names:
        try:
            sheet = wb.get_sheet_by_name(name)
            if sheet.total_height * max(sheet.total_width, 1) > MAX_CELLS * 4 and sheet.height * sheet.width > MAX_CELLS:
                raise ReadError(code="R-DOC-HUGE", name=p.name, part=f"工作表“{name}”的内容",
                                part_en=f"the content of sheet “{name}”")
            rows = sheet.to_python(skip_empty_area=True)
            try:
                merges = sheet.merged_cell_ranges or []
            except Exception:  # not every format reports merges
                merges = []
            start = sheet.start or (0, 0)
        except (ReadError, KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # a pyo3 PanicException (a truncated .xls record) is a BaseException
            raise ReadError(code="R-DOC-SHEET", name=p.name, sheet=name, **kind(what)) from None
        covered = set()
        for (r1, c1), (r2, c2) in merges:
            for r in range(r1, min(r2, r1 + 200) + 1):
                for c in range(c1, min(c2, c1 + 64) + 1):
                    if (r, c) != (r1, c1):
                        covered.add((r - start[0], c - start[1]))
        for r, row in enumerate(rows):
            cells += len(row)
            if cells > MAX_CELLS:
                raise ReadError(code="R-DOC-HUGE", name=p.name, part="表格内容", part_en="the table")
            out: list[str | None] = [None if (r, c) in covered else _text(v) for c, v in enumerate(row)]
            grid.append(out)
            texts = [x for x in out if x and x.strip()]
            if len(texts) == 1 and len(titles) < 40:
                titles.append(texts[0].strip())
    titles += _cover_title(grid)
    return grid, titles


def _text(v: object) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        if not math.isfinite(v):
            return str(v)
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return format(Decimal(repr(v)).normalize(), "f")
    if isinstance(v, int):
        return str(v)
    if isinstance(v, datetime | date | time | timedelta):
        return v.isoformat() if not isinstance(v, timedelta) else str(v)
    return str(v)


def _cover_title(grid: Grid) -> list[str]:
    """A govxl-style cover (填报单位 / 报告年度 beside their values) as a title line that the
    importer's title reader understands: the agency and year of a converted govxl workbook."""
    from ..spec import load_cover
    from .text import canon

    try:
        cover = load_cover().raw
        want = {canon(cover["agency"]["label"]): "agency", canon(cover["year"]["label"]): "year"}
    except Exception:  # no cover spec: nothing to add
        return []
    got: dict[str, str] = {}
    for row in grid:
        cells = [c for c in row if c is not None and c.strip()]
        for a, b in zip(cells, cells[1:]):
            key = want.get(canon(a))
            if key and key not in got:
                got[key] = b.strip()
    if "agency" in got and "year" in got and got["year"].isdigit():
        return [f"{got['year']}年{got['agency']}政府信息公开工作年度报告"]
    return []


# ------------------------------------------------------------------ guards
def count(text: str | None, default: int, most: int) -> int:
    """An attribute that counts (a span, a repeat): ASCII digits only (`²` is a digit to Python but
    not to int()), at most `most`; else `default`."""
    if not text or not text.isascii() or not text.isdigit():
        return default
    return min(int(text[:12]), most)


def too_deep(root, most: int = MAX_DEPTH) -> bool:
    """Does the tree nest more than `most` levels (a loop, not a recursion)?"""
    stack = [(root, 1)]
    while stack:
        el, depth = stack.pop()
        if depth > most:
            return True
        stack.extend((ch, depth + 1) for ch in el)
    return False


_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"([^\"]*)\"")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*/>")
_A1 = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")


def tame_xlsx(data: bytes, p: Path) -> bytes:
    """The bytes of an .xlsx as calamine may read them.  calamine sizes a sheet by its declared
    dimension and its cells' references and allocates it whole before reading a cell: `XFD1048576`
    or a reference of thirteen letters asks for hundreds of gigabytes and aborts the process.  So
    every sheet's references are read here first (a bad one: the sheet is damaged; cells spread
    over far more than a report: refused) and a declared dimension is left out of the copy calamine
    reads (it then measures the cells themselves).  The file itself is never changed."""
    import zipfile

    out = io.BytesIO()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                part = zin.read(info)
                if info.filename.lower().startswith("xl/worksheets/") and info.filename.lower().endswith(".xml"):
                    _extent(part, p)
                    part = _DIMENSION.sub(b"", part, count=1)
                zout.writestr(info, part)
    except ReadError:
        raise
    except Exception:  # noqa: BLE001 - a damaged zip: calamine says so in its own words
        return data
    return out.getvalue()


def _extent(part: bytes, p: Path) -> None:
    rows, cols = [], []
    for m in _REF.finditer(part):
        a1 = _A1.fullmatch(m.group(1).decode("ascii", "replace"))
        col = 0
        for ch in a1.group(1) if a1 else "":
            col = col * 26 + ord(ch) - 64
        if not a1 or col > 16384 or int(a1.group(2)) > 1048576:
            raise ReadError(code="R-DOC-CORRUPT", name=p.name, **kind("Excel 表格"))
        rows.append(int(a1.group(2)))
        cols.append(col)
    if rows and (max(rows) - min(rows) + 1) * (max(cols) - min(cols) + 1) > MAX_CELLS * 4:
        raise ReadError(code="R-DOC-HUGE", name=p.name, part="工作表中单元格的范围",
                        part_en="the range of cells of a sheet")
