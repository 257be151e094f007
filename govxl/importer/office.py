"""Word documents and spreadsheets as grids (rows of cell texts; None where a merge continues).

.docx with python-docx; .odt with the standard library's XML parser (a zip of content.xml);
.xlsx/.xlsm/.xls/.ods with python-calamine (one maintained reader for all four), every sheet,
the tables at any position.  Numbers are given as text, the way they were shown.
"""

from __future__ import annotations

import io
import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from ..errors import ReadError
from .documents import MAX_CELLS, Grid
from .documents import what as kind

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
                    if gs is not None and (gs.get(qn("w:val")) or "").isdigit():
                        span = max(1, min(int(gs.get(qn("w:val"))), 64))
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

    walk(doc.element.body)
    return grid, titles


# ------------------------------------------------------------------ OpenDocument text
_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_TX = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_O = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def read_odt(p: Path) -> tuple[Grid, list[str]]:
    """content.xml's tables (covered cells = merge continuations) and paragraphs, in order."""
    import zipfile
    from xml.etree import ElementTree as ET

    try:
        with zipfile.ZipFile(p) as z:
            data = z.read("content.xml")
        if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:65536]:
            raise ReadError(code="R-DOC-DTD", name=p.name)
        root = ET.fromstring(data)
    except ReadError:
        raise
    except (KeyError, zipfile.BadZipFile, ET.ParseError, OSError, ValueError):
        raise ReadError(code="R-DOC-CORRUPT", name=p.name, **kind("OpenDocument 文档")) from None
    grid: Grid = []
    titles: list[str] = []

    def text_of(el) -> str:
        out = []

        def walk(e) -> None:
            if e.tag == _TX + "s":
                out.append(" " * int(e.get(_TX + "c", "1") or 1) if (e.get(_TX + "c", "1") or "1").isdigit() else " ")
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
                rep = tc.get(_T + "number-columns-repeated", "1")
                n = min(int(rep), 64) if rep.isdigit() else 1
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
    try:
        # From the bytes, not the path: calamine then tells the format by the content, not the name.
        wb = CalamineWorkbook.from_filelike(io.BytesIO(p.read_bytes()))
    except Exception as exc:  # calamine's own error types (password, damaged file, ...)
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
        except ReadError:
            raise
        except Exception:
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
