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
from .cellgrid import KINDS, MAX_CELLS, WHAT_EN, Grid, is_page_number, join_split_words, to_source, what  # noqa: F401
from .isolate import MAX_CHARS, MAX_DIGITS, MAX_LINES, budget
from .source import Source, read_source

MAX_BYTES = 50 * 1024 * 1024  # a report with scanned seals may be large; a year's tables are not
MAX_PART = 64 * 1024 * 1024  # one zip member, uncompressed
MAX_TOTAL = 160 * 1024 * 1024  # all members together, uncompressed
MAX_RATIO = 200  # compression ratio beyond which a large member is a bomb
MAX_ENTRIES = 10_000

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

    from ..spec import edition_ids, load_edition
    from .text import import_data, lexicon

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
        from .isolate import ScanNeeded, scan_allowed
        from .ocr import available, read_scan

        if available() and not scan_allowed():
            raise ScanNeeded  # (a picture is read under the scan budget; within scans_elsewhere(), not here)
        return read_scan(p, "image")
    with p.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(_OLE):
        from ..reader import ole_kind

        with p.open("rb") as fh:
            code = ole_kind(fh)
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
    from .office import read_docx, read_odt, read_sheets

    if kind == "docx":
        grid, titles = read_docx(p)
    elif kind == "odt":
        grid, titles = read_odt(p)
    else:
        grid, titles = read_sheets(p, label)
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
    from ..reader import zip_entries

    kind = what(label)
    try:
        entries = zip_entries(p)
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
                        chunk = fh.read(1 << 20)
                        # A DTD (entities: "billion laughs", external files) is refused as in a
                        # workbook (R-DTD): an Office part never needs one.
                        if i.filename.endswith((".xml", ".rels")) and _DTD.search(chunk[:65536]):
                            raise ReadError(code="R-DTD")
                        while chunk:
                            chunk = fh.read(1 << 20)
    except ReadError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError, NotImplementedError,
            OverflowError, RuntimeError):
        raise ReadError(code="R-DOC-CORRUPT", name=p.name, **kind) from None
    except OSError as exc:
        raise ReadError(code="R-OSERROR", path=str(p), why=str(exc.strerror or exc)) from None


_LONG_DIGITS = re.compile(r"\d{%d}" % (MAX_DIGITS + 1))
_DTD = re.compile(rb"<!DOCTYPE|<!ENTITY")


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


