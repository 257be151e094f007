"""Safe XML parsing: the C ElementTree parser, after expat has refused any DTD in the prolog.

Without a DTD there are no entity declarations, so neither entity expansion ("billion laughs")
nor external entities are possible. A part is named in messages by a `What`: (Chinese, English).
"""

from __future__ import annotations

import pyexpat
import re
from xml.etree.ElementTree import ParseError
from xml.etree.ElementTree import fromstring as _et_fromstring

from ..errors import ReadError

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
M = "{%s}" % NS_MAIN

What = tuple[str, str]  # how a part is named in a message: (Chinese, English)


def part(name: str) -> What:
    return f"部件 {name} ", f"part {name}"


def named(what: What | str) -> dict[str, str]:
    """The message parameters naming a part: `what` (Chinese) and `what_en`."""
    zh, en = (what, what) if isinstance(what, str) else what
    return {"what": zh, "what_en": en}


class _DTD(Exception):
    pass


class _Root(Exception):
    pass


def _refuse_dtd(*_args) -> None:
    raise _DTD


def _at_root(name: str, _attrs) -> None:
    raise _Root(name)


def _root_name(data: bytes) -> str:
    """The root element's name as written (prefix included), refusing any DTD on the way.

    A DOCTYPE, and with it every entity declaration, can only stand before the root element,
    so scanning the prolog with expat is enough to know the document has none; expat stops at
    the root's start tag, so this costs microseconds whatever the size of the part.
    """
    p = pyexpat.ParserCreate()
    p.StartDoctypeDeclHandler = _refuse_dtd
    p.EntityDeclHandler = _refuse_dtd
    p.StartElementHandler = _at_root
    try:
        p.Parse(data, True)
    except _Root as root:
        return root.args[0]
    raise pyexpat.ExpatError("no root element")  # pragma: no cover - Parse raises first


def parse_xml(data: bytes, name: What | str = ""):
    """Parse an XML part with the C ElementTree parser, after :func:`_root_name` refused any DTD.

    Without a DTD there are no entity declarations, so neither entity expansion ("billion
    laughs") nor external entities are possible; that is all defusedxml guarded against, and
    it forced the pure-Python parser, five times slower.
    """
    return _parse(data, name, sheet=False)


def parse_sheet_xml(data: bytes, name: What | str = ""):
    """Parse a worksheet part like :func:`parse_xml`, but not the tail that a check never reads.

    Only the part before the first tail element is parsed (closed with the root's end tag).
    That gives the same elements as a full parse whenever it parses at all (a cut inside a
    comment or below the top level does not) and every element read is either in it or absent
    from the bytes after the cut (a file out of the schema's order); otherwise the whole part
    is parsed. The one difference: malformed XML after the cut goes unnoticed.
    """
    return _parse(data, name, sheet=True)


def _parse(data: bytes, name: What | str, sheet: bool):
    try:
        root = _root_name(data)
        head = _sheet_head(data, root) if sheet else None
        return head if head is not None else _et_fromstring(data)
    except _DTD:
        raise ReadError(code="R-DTD") from None
    except (ParseError, pyexpat.ExpatError, ValueError, LookupError, RecursionError):
        raise ReadError(code="R-BADXML", **named(name)) from None


# The top-level elements of a worksheet that come, in the schema's order, after everything a
# check reads (sheetData, sheetProtection, mergeCells); data validations are four fifths of a
# govxl table sheet.
_SHEET_TAIL = re.compile(rb"<(?:conditionalFormatting|dataValidations|hyperlinks|printOptions|pageMargins)[\s/>]")
_SHEET_READ = ("sheetData", "sheetProtection", "mergeCells")


def _sheet_head(data: bytes, root: str):
    """The worksheet without its tail (see parse_sheet_xml), or None when that cannot stand for it."""
    if ":" in root:
        return None
    end = data.find(b"</sheetData>")
    m = _SHEET_TAIL.search(data, max(end, 0))
    if m is None:
        return None
    try:
        head = _et_fromstring(data[:m.start()] + b"</" + root.encode() + b">")
    except ParseError:
        return None
    if all(head.find(M + k) is not None or data.find(k.encode(), m.start()) < 0 for k in _SHEET_READ):
        return head
    return None


_ROW = re.compile(rb'<row r="([0-9]{1,7})"')


def first_rows(data: bytes, last: int):
    """The part parsed up to the first row element numbered beyond `last`, or None when the
    rows are not plainly numbered in order or the cut does not parse (then the caller parses the
    whole part). A DTD is refused."""
    try:
        root = _root_name(data)
    except _DTD:
        raise ReadError(code="R-DTD") from None
    except (pyexpat.ExpatError, ValueError, LookupError):
        return None
    start = data.find(b"<sheetData>")
    if ":" in root or start < 0:
        return None
    cut = None
    for m in _ROW.finditer(data, start):
        n = int(m.group(1))
        if cut is None:
            if n > last:
                cut = m.start()
        elif n <= last:  # a row out of order after the cut
            return None
    if cut is None:
        return None
    try:
        return _et_fromstring(data[:cut] + b"</sheetData></" + root.encode() + b">")
    except (ParseError, ValueError, LookupError):
        return None
