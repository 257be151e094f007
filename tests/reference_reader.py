"""The reference reader: openpyxl builds the same RawWorkbook as :func:`govxl.reader.read_xlsx`.

openpyxl reads every part of the package the way Excel's own schema says, so where the lean
reader and this one disagree, the lean reader is wrong. It is some thirty times slower and
loads each file twice (once for the formulas, once for their cached results), so checks use
it only when asked: ``check_file(path, reader=read_xlsx_openpyxl)``.

Style indices are this reader's own (openpyxl renumbers styles); what they stand for,
(locked, date format), is the same.
"""

from __future__ import annotations

import datetime
import warnings
from collections.abc import Collection, Mapping
from pathlib import Path

from govxl.errors import ReadError
from govxl.reader import RawCell, RawSheet, RawWorkbook, sniff


def read_xlsx_openpyxl(path: str | Path, sheets: set[str] | None = None, extra: int = 0,
                       rows: Mapping[str, int] | None = None, skip: Collection[str] = ()) -> RawWorkbook:
    """Read a workbook with openpyxl; cells only for the sheets in `sheets` (all if None), and
    for the other sheets too when there are at most `extra` of them; `rows` limits sheets to
    their first rows (without merges or protection): all as the lean reader does."""
    import openpyxl

    p = Path(path)
    sniff(p)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it does not read
            wb = openpyxl.load_workbook(p, data_only=False)
            cached = openpyxl.load_workbook(p, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds; all mean the same to a clerk
        raise ReadError(code="R-OPENPYXL", name=p.name, kind=type(exc).__name__) from None
    names = wb.sheetnames
    if sheets is not None and extra:
        others = set(names) - sheets - set(skip)
        if len(others) <= extra:
            sheets = sheets | others
    styles: list[tuple[bool, bool]] = []
    index: dict[tuple[bool, bool], int] = {}
    out = []
    for name in names:
        ws = wb[name]
        sheet = RawSheet(name, state=ws.sheet_state)
        out.append(sheet)
        if sheets is not None and name not in sheets:
            continue
        if not hasattr(ws, "merged_cells"):  # a chart sheet has no cells
            sheet.loaded = True
            continue
        values = cached[name]
        last = (rows or {}).get(name)
        for (row, col), cell in ws._cells.items():
            if last is not None and row > last:
                continue
            flags = (cell.protection.locked is not False, _is_date(cell))
            style = index.setdefault(flags, len(index))
            if style == len(styles):
                styles.append(flags)
            sheet.cells[(row - 1, col - 1)] = _cell(cell, values._cells.get((row, col)), style)
        sheet.loaded = True
        if last is not None:
            sheet.rows = last
            continue
        sheet.merges = {(r.min_row - 1, r.min_col - 1, r.max_row - 1, r.max_col - 1) for r in ws.merged_cells.ranges}
        sheet.protected = bool(ws.protection.sheet)
    props = {prop.name: str(prop.value).strip() for prop in wb.custom_doc_props}
    defined = {name: (dn.attr_text or "").strip() for name, dn in wb.defined_names.items()}
    locked = bool(wb.security is not None and wb.security.lockStructure)
    return RawWorkbook(str(p), out, props, defined, styles, locked)


def _is_date(cell) -> bool:
    from openpyxl.styles.numbers import is_date_format

    return bool(is_date_format(cell.number_format))


def _cell(cell, cached, style: int) -> RawCell:
    """The xlsx view of a cell: its stored type, value (a formula's cached result) and formula."""
    v = cell.value
    if cell.data_type == "f":
        formula = v.text if hasattr(v, "text") else str(v)
        result = cached.value if cached is not None else None
        kind, value = _typed(result, cached.data_type if cached is not None else "n")
        return RawCell(value, "str" if kind == "s" else kind, formula.lstrip("=") if formula else "", style)
    kind, value = _typed(v, cell.data_type)
    return RawCell(value, kind, None, style)


def _typed(v, data_type: str) -> tuple[str, float | str | bool | None]:
    if v is None:
        return "n", None
    if isinstance(v, bool):
        return "b", v
    if isinstance(v, int | float):
        return "n", float(v)
    if isinstance(v, datetime.datetime | datetime.date | datetime.time | datetime.timedelta):
        from openpyxl.utils.datetime import to_excel

        return "n", float(to_excel(v))
    if data_type == "e":
        return "e", str(v)
    return "s", str(v)
