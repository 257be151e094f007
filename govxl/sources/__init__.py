"""The sources of a report: what turns an input file into the judge's plain data (govxl.judge)
plus the source's own findings.

- `workbook.py` a govxl workbook (with `workbook_identity.py`, `workbook_structure.py`,
  `workbook_values.py`: which workbook and edition, its sheets, labels, locks and formulas, its
  input cells and cover);
- `imported.py` any other report in the official layout (Word, PDF, .xls, .ods, another
  program's .xlsx, a web page, a text), imported in memory by govxl.importer;
- :func:`check_path` (here) picks the source of a file and returns its judged report.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import GovxlError, NoIdentityError
from ..report.findings import Report

# What the document guards say (govxl.importer.isolate): more to the point than "not a govxl workbook".
GUARDS = ("R-DOC-HUGE", "R-DOC-BUDGET", "R-DOC-SLOW", "R-DOC-MEMORY", "R-DOC-CRASH")
TEXT_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".txt", ".md")


def kind_of(path: str | os.PathLike) -> str | None:
    """What `check_path` reads `path` as, by its name: a document kind, `text`, or None (a workbook)."""
    from ..importer.formats import document_kind

    suffix = Path(path).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return None
    if suffix in TEXT_SUFFIXES:
        return "html" if suffix.startswith((".htm", ".sht", ".xht")) else "text"
    return document_kind(path)


def check_path(path: str | os.PathLike, reader=None) -> Report:
    """Check a govxl workbook (govxl.sources.workbook) or any document in the official layout.

    An .xlsx without govxl's identity is imported like any other document; if no official
    table is found in it, the workbook's own answer (not a govxl workbook) stands."""
    from .imported import check_document
    from .workbook import check_file

    kind = kind_of(path)
    if kind == "xls" and _head(path).startswith(b"PK\x03\x04"):
        kind = None  # an .xlsx named .xls: a workbook, checked as one
    if kind is None:
        try:
            return check_file(path, reader=reader)
        except NoIdentityError as exc:  # not one that claims an edition or version govxl does not know
            try:
                return check_document(path, "xlsx")
            except GovxlError as doc:
                if getattr(doc, "code", "") in GUARDS:  # too big, too slow, too deep: that is the news
                    raise doc from None
                raise exc from None
    return check_document(path, kind)


def _head(path: str | os.PathLike) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(8)
    except OSError:
        return b""
