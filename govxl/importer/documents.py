"""Documents that hold the official tables but were not made by govxl: Word (.docx), spreadsheets
(.xlsx/.xlsm/.xls/.ods) and PDF with a text layer.

Each reader (office.py, pdf.py) turns its file into a *grid*: rows of cell texts in reading order,
with None where a merged cell continues (so that columns line up).  This module cleans the grid
the same way for every format (header words split over rows, page numbers) and hands it on as a
:class:`Source` of rows, which the one placing engine (place.py, by the edition spec's labels)
reads like an HTML table.  Paragraphs and lines outside tables are rows of one cell.

Nothing is modified; every file is bounded before a library parses it (size, zip members,
pages), and anything unreadable is a ReadError with one plain sentence.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import ReadError
from .isolate import MAX_CHARS, MAX_DIGITS, MAX_LINES, budget
from .source import Source, read_source

Grid = list[list[str | None]]

MAX_BYTES = 50 * 1024 * 1024  # a report with scanned seals may be large; a year's tables are not
MAX_PART = 64 * 1024 * 1024  # one zip member, uncompressed
MAX_TOTAL = 160 * 1024 * 1024  # all members together, uncompressed
MAX_RATIO = 200  # compression ratio beyond which a large member is a bomb
MAX_ENTRIES = 10_000
MAX_CELLS = 400_000  # cells of a grid: far beyond any report (three tables, a few hundred cells)

# Suffix -> (kind, how a clerk calls it).
KINDS = {
    ".docx": ("docx", "Word 文档（.docx）"),
    ".docm": ("docx", "Word 文档（.docm）"),
    ".xlsx": ("xlsx", "Excel 表格（.xlsx）"),
    ".xlsm": ("xlsx", "Excel 表格（.xlsm）"),
    ".xls": ("xls", "旧版 Excel（.xls）表格"),
    ".ods": ("ods", "OpenDocument（.ods）表格"),
    ".odt": ("odt", "OpenDocument（.odt）文档"),
    ".pdf": ("pdf", "PDF 文件"),
    # pictures of report pages: read by text recognition, with govxl[ocr] (ocr.py)
    ".png": ("image", "图片"), ".jpg": ("image", "图片"), ".jpeg": ("image", "图片"),
    ".tif": ("image", "图片"), ".tiff": ("image", "图片"),
}
# The same in English, for the messages of govxl.catalogue.READ_ERRORS ({what_en}).
WHAT_EN = {
    "Word 文档（.docx）": "a Word document (.docx)", "Word 文档（.docm）": "a Word document (.docm)",
    "Excel 表格（.xlsx）": "an Excel table (.xlsx)", "Excel 表格（.xlsm）": "an Excel table (.xlsm)",
    "旧版 Excel（.xls）表格": "an old Excel (.xls) table", "OpenDocument（.ods）表格": "an OpenDocument (.ods) "
    "spreadsheet", "OpenDocument（.odt）文档": "an OpenDocument (.odt) text", "PDF 文件": "the PDF",
    "图片": "a picture", "Excel 表格": "an Excel table", "Word 文档": "the Word document", "OpenDocument 文档": "the OpenDocument text",
}


def what(label: str) -> dict[str, str]:
    """The {what} and {what_en} parameters of a READ_ERRORS message about a document of `label`."""
    return {"what": label, "what_en": WHAT_EN.get(label, label)}


# What `govxl check` takes from a folder besides govxl workbooks (.xlsx).
# (Pictures only when named one by one: a folder's photos are not taken for reports.)
DOCUMENT_SUFFIXES = tuple(s for s, (k, _) in KINDS.items() if s not in (".xlsx",) and k != "image")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def document_kind(path: str | os.PathLike) -> str | None:
    """docx | xlsx | xls | ods | odt | pdf for a document this module reads, by its name; else None."""
    k = KINDS.get(Path(path).suffix.lower())
    return k[0] if k else None


def read_any(path: str | os.PathLike) -> Source:
    """`path` as a Source: a document by its suffix or content, else HTML or text (source.py).
    Read in a limited child process (isolate.py), within the budgets of its content."""
    from .isolate import isolated

    p = Path(path)
    _warm(p)
    return isolated(_read_any, p, scan=document_kind(p) == "image")


def guarded(path: str | os.PathLike, work: Callable[[Path], Any]) -> Any:
    """`work(path)` (an import: an object with an `edition`) in a limited child process
    (isolate.py): reading and placing together within the processor time and memory of one
    document.  The edition travels back by its id (the parent has it loaded already)."""
    from dataclasses import replace

    from ..spec import load_edition
    from .isolate import isolated

    p = Path(path)
    _warm(p)

    def portable(q: Path) -> tuple[Any, str]:
        done = work(q)
        return replace(done, edition=None), done.edition.id

    done, edition = isolated(portable, p, scan=document_kind(p) == "image")
    return replace(done, edition=load_edition(edition))


def _warm(p: Path) -> None:
    """Load here, once, what every child would otherwise load again: the labels' lexicon and the
    library that reads this kind of file (a fork then costs milliseconds, not a second)."""
    import importlib

    from ..spec import load_edition
    from . import edition_ids, import_data, lexicon

    lexicon(tuple(edition_ids()))
    for e in edition_ids():
        load_edition(e)
    import_data()
    kind = document_kind(p)
    module = {"pdf": "pdfplumber", "docx": "docx", "xlsx": "python_calamine", "xls": "python_calamine",
              "ods": "python_calamine"}.get(kind or "", "lxml.html")
    try:
        importlib.import_module(module)
        importlib.import_module(".pdf" if kind == "pdf" else ".office" if kind else ".source", __package__)
        if kind in ("docx", "xlsx", "xls", "ods", "odt"):
            importlib.import_module("..reader", __package__)  # its zip and OLE helpers
    except ImportError:  # the reader says so itself, with R-NEEDS
        pass


def _read_any(p: Path) -> Source:
    return bounded(_read_kind(p), p.name)


def _read_kind(p: Path) -> Source:
    kind = document_kind(p)
    if kind is None and p.is_file():
        with p.open("rb") as fh:
            head = fh.read(8)
        if head.startswith(b"%PDF"):
            kind = "pdf"
        elif head.startswith(b"PK\x03\x04"):
            kind = _zip_kind(p)
    if kind is None:
        return read_source(p)
    return read_document(p, kind)


def _zip_kind(p: Path) -> str | None:
    try:
        with zipfile.ZipFile(p) as z:
            names = {n.lower() for n in z.namelist()[:MAX_ENTRIES]}
            mime = z.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, zlib.error, EOFError):
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if b"opendocument.spreadsheet" in mime:
        return "ods"
    if b"opendocument.text" in mime:
        return "odt"
    return None


def read_document(path: str | os.PathLike, kind: str) -> Source:
    """Read a document of `kind` into a Source (kind = the format: docx, xlsx, xls, ods, odt, pdf)."""
    p = Path(path)
    label = next(lb for k, lb in KINDS.values() if k == kind)
    _check_file(p)
    if kind == "image":
        from .ocr import read_scan

        return read_scan(p, "image")
    with p.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(_OLE):
        from ..reader import _ole_kind

        with p.open("rb") as fh:
            code = _ole_kind(fh)
        if code == "R-ENCRYPTED":
            raise ReadError(code=code)
        if kind != "xls":
            raise ReadError(code="R-DOC-OLDDOC" if code == "R-OLDDOC" else "R-DOC-OLDOFFICE", name=p.name)
    elif head.startswith(b"%PDF") and kind != "pdf":
        kind, label = "pdf", "PDF 文件"
    elif kind == "pdf" and not head.startswith(b"%PDF"):
        raise ReadError(code="R-DOC-NOTPDF", name=p.name)
    elif kind in ("docx", "xlsx", "ods", "odt"):
        if not head.startswith(b"PK\x03\x04"):
            raise ReadError(code="R-DOC-NOTKIND", name=p.name, **what(label))
        guard_zip(p, label, inflate=True)
    if kind == "xls" and head.startswith(b"PK\x03\x04"):  # an .xlsx named .xls
        kind, label = "xlsx", "Excel 表格"
        guard_zip(p, label, inflate=True)
    elif kind == "xls" and not head.startswith(_OLE):
        raise ReadError(code="R-DOC-NOTXLS", name=p.name, **what(label))
    if kind == "pdf":
        from .pdf import read_pdf

        return read_pdf(p)
    from . import office

    if kind == "docx":
        grid, titles = office.read_docx(p)
    elif kind == "odt":
        grid, titles = office.read_odt(p)
    else:
        grid, titles = office.read_sheets(p, label)
    return to_source(str(p), kind, grid, titles)


def _check_file(p: Path) -> None:
    if not p.exists():
        raise ReadError(code="R-MISSING", path=str(p))
    if p.is_dir():
        raise ReadError(code="R-ISDIR", path=str(p))
    if not p.is_file():
        raise ReadError(code="R-NOTFILE", path=str(p))
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise ReadError(code="R-OSERROR", path=str(p), why=str(exc.strerror or exc)) from None
    if size == 0:
        raise ReadError(code="R-EMPTY", path=str(p))
    if size > MAX_BYTES:
        raise ReadError(code="R-TOOBIG", mb=size // (1024 * 1024), name=p.name)
    if not os.access(p, os.R_OK):
        raise ReadError(code="R-NOACCESS", path=str(p))


def guard_zip(p: Path, label: str, inflate: bool) -> None:
    """Refuse a zip bomb before a library opens it: member count, declared sizes and ratios; with
    `inflate`, also inflate every member once, a megabyte at a time (bounded by what it declares,
    checked against its CRC): python-docx reads a member in one call that inflates whatever the
    data holds, and calamine is not Python's zipfile, so a member whose sizes lie is refused here."""
    from ..reader import _zip_entries

    kind = what(label)
    try:
        entries = _zip_entries(p)
        if entries and entries[0] > MAX_ENTRIES:
            raise ReadError(code="R-DOC-PARTS", n=entries[0], **kind)
        with zipfile.ZipFile(p) as z:
            infos = z.infolist()
            if len(infos) > MAX_ENTRIES:
                raise ReadError(code="R-DOC-PARTS", n=len(infos), **kind)
            if any(i.flag_bits & 0x1 for i in infos):
                raise ReadError(code="R-ENCRYPTED")
            if sum(i.file_size for i in infos) > MAX_TOTAL:
                raise ReadError(code="R-DOC-BOMB", **kind)
            for i in infos:
                if i.file_size > MAX_PART or (i.file_size > 1 << 20 and i.file_size > MAX_RATIO * max(i.compress_size, 1)):
                    raise ReadError(code="R-DOC-BOMB", **kind)
            if inflate:
                for i in infos:
                    with z.open(i) as fh:
                        while fh.read(1 << 20):
                            pass
    except ReadError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError, NotImplementedError,
            OverflowError, RuntimeError):
        raise ReadError(code="R-DOC-CORRUPT", name=p.name, **kind) from None
    except OSError as exc:
        raise ReadError(code="R-OSERROR", path=str(p), why=str(exc.strerror or exc)) from None


_LONG_DIGITS = re.compile(r"\d{%d}" % (MAX_DIGITS + 1))


def bounded(src: Source, name: str) -> Source:
    """`src` if its content is within the budgets of one report (characters, lines, digits of a
    figure), else a ReadError naming what was too big."""
    chars = len(src.text) + sum(len(c) for row in src.rows for c in row if c)
    if chars > MAX_CHARS:
        raise ReadError(code="R-DOC-BUDGET", name=name, **budget("chars"))
    if len(src.rows) + src.text.count("\n") > MAX_LINES:
        raise ReadError(code="R-DOC-BUDGET", name=name, **budget("lines"))
    if _LONG_DIGITS.search(src.text) or any(c and _LONG_DIGITS.search(c) for row in src.rows for c in row):
        raise ReadError(code="R-DOC-BUDGET", name=name, **budget("digits"))
    src.titles = [t[:1000] for t in src.titles[:200]]
    return src


# ------------------------------------------------------------------ grid -> Source
_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–－·•]\s*\d{1,4}\s*[-—–－·•]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
                          r"|\d{1,4}\s*/\s*\d{1,4}|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?)\s*$")


def is_page_number(text: str) -> bool:
    """`-3-`, `— 3 —`, `第3页`, `第 3 页 共 9 页`, `3/9`: a page's number, never a table's cell."""
    import unicodedata

    return bool(_PAGE_NUMBER.match(unicodedata.normalize("NFKC", text)))


def to_source(path: str, kind: str, grid: Grid, titles: list[str]) -> Source:
    """The cleaned grid as a Source of rows: merged continuations dropped, empty rows dropped,
    page numbers dropped, header words that were split over rows joined again."""
    from .source import _SEPARATOR

    grid = join_split_words(grid)
    rows: list[list[str]] = []
    for row in grid:
        cells = [c for c in row if c is not None]
        if len(cells) == 1 and cells[0].count("|") >= 2:  # a Markdown table as paragraphs of text
            if _SEPARATOR.match(cells[0]):
                continue
            line = cells[0].strip()
            cells = [c.strip() for c in line.removeprefix("|").removesuffix("|").split("|")]
        if not any(c.strip() for c in cells):
            continue
        if len([c for c in cells if c.strip()]) == 1 and is_page_number(next(c for c in cells if c.strip())):
            continue
        rows.append(cells)
    return Source(path, kind, rows=rows, titles=titles)


def join_split_words(grid: Grid) -> Grid:
    """A label split over rows of its own: a narrow header column's words (`商业` / `企业`,
    `结果` / `维持`), or a row cut in two by a page break (`2.其他法` / `律行政法规禁止公开`).
    Where cells stacked in one column spell an official label that the top one is not, they
    become that label (in the top cell).  Only cells that are not numbers take part."""
    from . import edition_ids, lexicon
    from .text import canon, parse_values

    forms = lexicon(tuple(edition_ids())).forms

    def words(c: str | None) -> bool:
        return bool(c and c.strip()) and parse_values(canon(c)) is None

    out = [list(r) for r in grid]
    for r in range(len(out) - 1):
        for c, top in enumerate(out[r]):
            if not words(top):
                continue
            text = canon(top)  # type: ignore[arg-type]
            for depth in range(1, 6):
                if r + depth >= len(out) or c >= len(out[r + depth]) or not words(out[r + depth][c]):
                    break
                text += canon(out[r + depth][c])  # type: ignore[arg-type]
                if text in forms:
                    out[r][c] = top.strip() + "".join(out[r + d][c].strip() for d in range(1, depth + 1))  # type: ignore[union-attr]
                    for d in range(1, depth + 1):
                        out[r + d][c] = ""
                    break
    return out
