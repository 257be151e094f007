"""One worksheet part read into a RawSheet: cells (values, formulas, styles), merges, protection."""

from __future__ import annotations

import re

from ..a1 import col_index, col_letters, parse_cell, parse_range
from .bounded import BoundedZip
from .model import RawCell, RawSheet
from .parts import small_int, xstring
from .safexml import M, first_rows, parse_sheet_xml

_REF_RE = re.compile(r"(\$?)([A-Z]{1,3})(\$?)([0-9]+)(?![0-9A-Za-z_(])")


def _shift_formula(formula: str, dr: int, dc: int) -> str:
    """Translate the relative references of a shared formula to another cell."""

    def sub(m: re.Match) -> str:
        cabs, col, rabs, row = m.groups()
        c = col if cabs else col_letters(col_index(col) + dc)
        r = row if rabs else str(int(row) + dr)
        return f"{cabs}{c}{rabs}{r}"

    parts = re.split(r'("[^"]*")', formula)
    return "".join(p if p.startswith('"') else _REF_RE.sub(sub, p) for p in parts)


_F, _V, _IS, _T, _C, _ROW_TAG = M + "f", M + "v", M + "is", M + "t", M + "c", M + "row"
# Cell references repeat across files (every workbook of an edition has the same cells).
_REFS: dict[str, tuple[int, int]] = {}
_RANGES: dict[str, tuple[int, int, int, int]] = {}


def _ref(ref: str) -> tuple[int, int]:
    rc = _REFS.get(ref)
    if rc is None:
        rc = parse_cell(ref)  # ValueError for a bad reference
        if len(_REFS) < 100_000:
            _REFS[ref] = rc
    return rc


# Empty cells that carry only a style (the covered cells of merged labels) are one shared
# RawCell per style; styles repeat too. Both caches are bounded.
_EMPTY: dict[str, RawCell] = {}
_STYLES: dict[str | None, int] = {None: 0}


def _style(s_attr: str | None) -> int:
    style = _STYLES.get(s_attr)
    if style is None:
        style = max(small_int(s_attr or ""), 0)
        if len(_STYLES) < 10_000:
            _STYLES[s_attr] = style
    return style


def read_sheet(z: BoundedZip, part: str, sheet: RawSheet, strings: list[str], last_row: int | None = None) -> None:
    what = f"工作表“{sheet.name}”", f"sheet “{sheet.name}”"
    data = z.read(part, what)
    z.count(data, what)
    root = None
    if last_row is not None:
        root = first_rows(data, last_row)
    if root is not None:
        sheet.rows = last_row
    else:
        root = parse_sheet_xml(data, what)
    shared: dict[str, tuple[str, int, int]] = {}
    cells = sheet.cells
    refs = _REFS
    n_strings = len(strings)
    data = root.find(M + "sheetData")
    next_row = 0
    for row in data if data is not None else ():
        if row.tag != _ROW_TAG:
            continue
        # `r` is optional on rows and cells: without it, a row follows the previous one and a
        # cell sits right of the previous cell (some writers omit it; Excel accepts that).
        r_attr = row.get("r")
        r = int(r_attr) - 1 if r_attr and r_attr.isdigit() and r_attr.isascii() and len(r_attr) <= 9 else -1
        if r < 0:
            r = next_row
        next_row, next_col = r + 1, 0
        for c in row:
            if c.tag != _C:
                continue
            a = c.attrib
            ref = a.get("r")
            if ref is None:
                rc = (r, next_col)
            else:
                rc = refs.get(ref)
                if rc is None:
                    try:
                        rc = _ref(ref)
                    except ValueError:
                        continue
            next_col = rc[1] + 1
            s_attr = a.get("s")
            if not len(c) and "t" not in a:  # no value, no formula: only the style matters
                if s_attr is not None:
                    empty = _EMPTY.get(s_attr)
                    if empty is None:
                        empty = RawCell(None, "n", None, _style(s_attr))
                        if len(_EMPTY) < 10_000:
                            _EMPTY[s_attr] = empty
                    cells[rc] = empty
                continue
            t = a.get("t", "n")
            formula = raw = None
            value: float | str | bool | None = None
            f_el = v_el = None
            for ch in c:  # the first <f> and the first <v> (one pass instead of two searches)
                tag = ch.tag
                if tag == _V:
                    if v_el is None:
                        v_el = ch
                elif tag == _F and f_el is None:
                    f_el = ch
            if f_el is not None:
                formula = f_el.text or ""
                if f_el.get("t") == "shared":
                    si = f_el.get("si", "")
                    if formula:
                        shared[si] = (formula, *rc)
                    elif si in shared:
                        base, r0, c0 = shared[si]
                        formula = _shift_formula(base, rc[0] - r0, rc[1] - c0)
            if v_el is not None:
                raw = v_el.text
            if t == "n":
                if raw:
                    try:
                        value = float(raw)
                    except ValueError:
                        value = raw
            elif t == "s":
                if raw is not None:
                    i = int(raw) if raw.isdigit() and raw.isascii() and len(raw) <= 9 else small_int(raw.strip())
                    value = strings[i] if 0 <= i < n_strings else None
            elif t == "inlineStr":
                is_el = c.find(_IS)
                value = xstring("".join(x.text or "" for x in is_el.iter(_T))) if is_el is not None else ""
            elif t == "b":
                value = None if raw is None else raw.strip() in ("1", "true")
            elif t in ("e", "str", "d"):
                value = raw
            else:
                try:
                    value = float(raw) if raw not in (None, "") else None
                except ValueError:
                    value = raw
            if value is None and formula is None and s_attr is None:
                continue
            style = _STYLES.get(s_attr)
            cells[rc] = RawCell(value, t, formula, _style(s_attr) if style is None else style)
    if sheet.rows is not None:
        sheet.loaded = True
        return
    mc = root.find(M + "mergeCells")
    for m in mc if mc is not None else ():
        ref = m.get("ref", "")
        rng = _RANGES.get(ref)
        if rng is None:
            try:
                rng = parse_range(ref)
            except ValueError:
                continue
            if len(_RANGES) < 10_000:
                _RANGES[ref] = rng
        sheet.merges.add(rng)
    prot = root.find(M + "sheetProtection")
    sheet.protected = prot is not None and prot.get("sheet", "0") in ("1", "true")
    sheet.loaded = True
