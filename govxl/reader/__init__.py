"""A lean, hardened reader of .xlsx files: zipfile + the C ElementTree parser, nothing else.

openpyxl is the reference reader (tests/reference_reader.py); this one reads only what a check
needs (cells of the named sheets, merges, protection, locking, identity) and is about fifty times
faster. Sizes and element counts are bounded before anything is parsed, and no XML with a DTD is
parsed at all. Its modules, bottom up: :mod:`.model` (RawWorkbook), :mod:`.sniff` (what a file is
before it is opened), :mod:`.safexml` (parsing without DTDs), :mod:`.bounded` (the zip with its
limits), :mod:`.parts` (relationships, styles, strings), :mod:`.sheet` (one worksheet),
:mod:`.workbook` (:func:`read_xlsx`). It knows nothing of the edition specs: only A1 addresses.
"""

from .bounded import (
    MAX_ELEMENTS,
    MAX_ENTRIES,
    MAX_IN_MEMORY,
    MAX_PART,
    MAX_RATIO,
    MAX_SHEETS,
    MAX_TOTAL,
    BoundedZip,
    zip_entries,
)
from .model import RawCell, RawSheet, RawWorkbook
from .safexml import NS_MAIN, NS_PKG_REL, NS_REL, M, parse_sheet_xml, parse_xml
from .sniff import OLE_MAGIC, ole_kind, sniff
from .workbook import read_xlsx

# The names govxl.importer.formats has imported since before the split.
_ole_kind, _zip_entries = ole_kind, zip_entries

__all__ = [
    "MAX_ELEMENTS", "MAX_ENTRIES", "MAX_IN_MEMORY", "MAX_PART", "MAX_RATIO", "MAX_SHEETS", "MAX_TOTAL", "M",
    "NS_MAIN", "NS_PKG_REL", "NS_REL", "OLE_MAGIC", "BoundedZip", "RawCell", "RawSheet", "RawWorkbook", "ole_kind",
    "parse_sheet_xml", "parse_xml", "read_xlsx", "sniff", "zip_entries",
]
