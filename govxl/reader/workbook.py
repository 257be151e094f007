"""A workbook read: the file sniffed, the zip opened with bounds, the parts around the sheets, then
the sheets asked for, assembled into a RawWorkbook."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

from ..errors import ReadError
from .bounded import MAX_SHEETS, BoundedZip
from .model import RawSheet, RawWorkbook
from .parts import custom_props, memo, shared_strings, workbook_entries
from .parts import rels as part_rels
from .parts import styles as part_styles
from .sheet import read_sheet
from .sniff import sniff


def read_xlsx(path: str | Path, sheets: set[str] | None = None, extra: int = 0,
              rows: Mapping[str, int] | None = None, skip: Collection[str] = ()) -> RawWorkbook:
    """Read a workbook. Cells are loaded only for the sheets named in `sheets` (all if None),
    and for the other sheets too (but those in `skip`) when there are at most `extra` of them.
    `rows` limits named sheets to their first rows (a cover sheet whose long status formulas
    a check never reads): only row elements numbered up to the limit, without merges or protection."""
    p = Path(path)
    sniff(p)
    z = BoundedZip(p)
    try:
        return _read(z, p, sheets, extra, rows or {}, skip)
    finally:
        z.close()


def _read(z: BoundedZip, p: Path, sheets: set[str] | None, extra: int, rows: Mapping[str, int],
          skip: Collection[str]) -> RawWorkbook:
    root_rels = part_rels(z, "")
    wb_part = next((t for t in root_rels.values() if t.endswith(".xml") and "workbook" in t), "xl/workbook.xml")
    if not z.has(wb_part):
        if z.has("xl/workbook.bin"):
            raise ReadError(code="R-XLSB")
        if z.has("content.xml") and z.has("mimetype"):
            raise ReadError(code="R-ODS")
        if z.has("word/document.xml"):
            raise ReadError(code="R-DOCX")
        raise ReadError(code="R-ZIP")
    defined, sheet_els, structure_locked = memo(z, wb_part, "workbook", workbook_entries)
    types: list[tuple[str, str]] = []
    rels = part_rels(z, wb_part, types)
    wb_rels_types = {t: rels.get(i) for i, t in types}
    names = dict(defined)
    strings = shared_strings(z, wb_rels_types.get("sharedStrings"))
    styles = part_styles(z, wb_rels_types.get("styles"))
    out: list[RawSheet] = []
    if len(sheet_els) > MAX_SHEETS:
        raise ReadError(code="R-SHEETS", n=len(sheet_els))
    seen: set[str] = set()
    for name, _state, _rid in sheet_els:
        if name.casefold() in seen:
            raise ReadError(code="R-DUPSHEET", name=name)
        seen.add(name.casefold())
    others: set[str] = set()
    if sheets is not None and extra:
        others = {name for name, _state, _rid in sheet_els} - sheets - set(skip)
        if len(others) > extra:
            others = set()
    for name, state, rid in sheet_els:
        sheet = RawSheet(name, state=state)
        out.append(sheet)
        part = rels.get(rid)
        if sheets is None or name in sheets:
            if not part or not z.has(part):
                raise ReadError(code="R-NOSHEET", name=name, part=part or "?")
            read_sheet(z, part, sheet, strings, rows.get(name))
        elif name in others and part and z.has(part):
            read_sheet(z, part, sheet, strings, rows.get(name))
    return RawWorkbook(str(p), out, custom_props(z), names, styles, structure_locked)
