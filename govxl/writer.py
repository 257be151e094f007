"""Write the locked official workbook of an edition with xlsxwriter.

Everything placed here comes from the edition spec (templates/*.toml); this module
only decides how it looks: formats, heights, protection, validation, printing.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from .a1 import cell_name, compress, parse_cell, parse_range, range_name, ranges
from .errors import UsageError
from .judge.rules import Key, evaluate, rule_status
from .numbers import plain
from .safefile import atomic_write, prepare_output
from .spec import CHECK_BAD, CHECK_OK, Edition, Field, Table
from .version import __version__

FONT = "宋体"
LINE_HEIGHT = 15.0
NUM_FORMATS = {"count": "0", "signed": "0", "amount": "0.00####"}

# Identity: custom document properties, and the same as defined names (both survive
# a LibreOffice round trip).
PROP_PREFIX = "govxl."
NAME_PREFIX = "govxl_"
IDENTITY_KEYS = ("edition", "template_version", "fingerprint", "version")
AGENCY_MAX = 200  # characters; the cover's own validation allows the same


@dataclass
class Extra:
    """An extra, locked sheet appended after the tables (e.g. the list of an aggregate's inputs)."""

    name: str
    header: list[str]
    rows: list[list[Any]]
    widths: list[float] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)  # lines below the rows, each across all columns


def identity(edition: Edition) -> dict[str, str]:
    return {
        "edition": edition.id,
        "template_version": str(edition.template_version),
        "fingerprint": edition.fingerprint,
        "version": __version__,
    }


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def text_width(text: str) -> float:
    """Width in Excel character units: CJK and full-width characters count double."""
    return sum(2.0 if ord(ch) > 0x2E7F else 1.1 for ch in text)


def write_workbook(
    path: str | os.PathLike,
    edition: Edition,
    *,
    agency: str = "",
    year: int | None = None,
    values: Mapping[Key, float] | None = None,
    comments: Mapping[Key, str] | None = None,
    password: str | None = None,
    force: bool = False,
    extra: list[Extra] | None = None,
    cached: Mapping[Key, float] | None = None,
    writer: Callable[..., BookWriter] | None = None,
    marks: Mapping[str, str] | None = None,
) -> Path:
    """Write a govxl workbook of `edition` to `path`; `values` pre-fills input cells.

    `cached` overrides the stored result of total formulas (normally computed from `values`):
    an imported report keeps its printed totals there, so that `govxl check` reports each one
    that disagrees with its parts (S-CACHE) instead of the formula silently correcting it.
    `comments` may annotate input and total cells; `marks` are further custom properties
    (govxl.<key>), such as those of an imported report (govxl/importer). `writer`: a subclass of
    BookWriter that draws more (govxl/annotate.py marks cells and adds a first sheet)."""
    out = prepare_output(path, force)
    if year is not None and not (1990 <= year <= 2200):
        raise UsageError(code="U-YEAR", year=year)
    if len(agency) > AGENCY_MAX:
        raise UsageError(code="U-AGENCY-LONG", n=len(agency), most=AGENCY_MAX)
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") and ch != "\n" for ch in agency):
        raise UsageError(code="U-AGENCY-CHARS")
    atomic_write(out, lambda tmp: (writer or BookWriter)(edition, agency, year, dict(values or {}), dict(comments or {}),
                                                      password, extra or [], dict(cached or {}), dict(marks or {})).write(tmp))
    return out


WORKBOOK_PART = "xl/workbook.xml"
# CT_Workbook is a sequence: fileVersion?, fileSharing?, workbookPr?, workbookProtection?, bookViews?,
# sheets, ...: the protection goes right before the first element that must follow it.
_AFTER_PROTECTION = re.compile(rb"<(?:bookViews|sheets)[\s>/]")


def legacy_password_hash(password: str) -> str:
    """The legacy 16-bit password hash of sheetProtection/@password and
    workbookProtection/@workbookPassword (ECMA-376 Part 4, §14.7.1 / §14.8.1), as hex: the
    same hash XlsxWriter writes for a worksheet's protection password."""
    digest = 0
    for ch in reversed(password):
        digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
        digest ^= ord(ch)
    digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
    digest ^= len(password) ^ 0xCE4B
    return f"{digest:X}"


def protect_structure(workbook_xml: bytes, password: str = "") -> bytes:
    """xl/workbook.xml with <workbookProtection lockStructure="1"/> (and the password, if any) in
    its place: sheets cannot be added, deleted, renamed, moved, hidden or shown. XlsxWriter cannot
    write this element; the one it wrote is replaced."""
    if b"<workbookProtection" in workbook_xml:
        workbook_xml = re.sub(rb"<workbookProtection\b[^>]*?(?:/>|>.*?</workbookProtection>)", b"", workbook_xml,
                              flags=re.S)
    m = _AFTER_PROTECTION.search(workbook_xml)
    if m is None:
        raise ValueError("xl/workbook.xml has no <sheets> element")
    attrs = f' workbookPassword="{legacy_password_hash(password)}"' if password else ""
    element = f'<workbookProtection{attrs} lockStructure="1"/>'.encode()
    return workbook_xml[:m.start()] + element + workbook_xml[m.start():]


def lock_structure(path: str | os.PathLike, password: str = "") -> None:
    """Protect the structure of the workbook at `path` (written by XlsxWriter) in place.

    Every member is copied as it was (name, order, timestamp, compression), only xl/workbook.xml
    changes: the output stays byte-for-byte deterministic."""
    with zipfile.ZipFile(path) as zin:
        members = [(info, zin.read(info)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w") as zout:
        for info, data in members:
            if info.filename == WORKBOOK_PART:
                data = protect_structure(data, password)
            zout.writestr(info, data, compress_type=info.compress_type)


class BookWriter:
    def __init__(self, edition, agency, year, values, comments, password, extra, cached=None, marks=None) -> None:
        self.marks = marks or {}
        self.ed: Edition = edition
        self.agency, self.year = agency, year
        self.values, self.comments = values, comments
        self.password = password or ""
        self.extra: list[Extra] = extra
        self.computed = evaluate(edition, values)
        self.cached = cached or {}

    # -------------------------------------------------------------- formats
    def formats(self, wb) -> None:
        base = {"font_name": FONT, "font_size": 11, "valign": "vcenter", "text_wrap": True}
        box = {**base, "border": 1, "align": "center"}
        self.box = box  # for subclasses that add formats of their own
        self.f_title = wb.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
        self.f_text = wb.add_format({**base})
        self.f_bold = wb.add_format({**base, "bold": True})
        self.f_label = wb.add_format(box)
        self.f_input_text = wb.add_format({**box, "locked": False, "bg_color": "#FFF2CC", "align": "left"})
        self.f_input = {k: wb.add_format({**box, "locked": False, "bg_color": "#FFF2CC", "num_format": v})
                        for k, v in NUM_FORMATS.items()}
        self.f_total = {k: wb.add_format({**box, "bg_color": "#E7E6E6", "num_format": v})
                        for k, v in NUM_FORMATS.items()}
        self.f_check = wb.add_format({**box, "bold": True, "font_color": "#2E7D32"})
        self.f_bad = wb.add_format({"font_color": "#C00000", "bg_color": "#FFC7CE"})
        wb.formats[0].set_font_name(FONT)

    def protect(self, ws) -> None:
        ws.protect(self.password, {"select_locked_cells": True, "select_unlocked_cells": True,
                                   "format_columns": True, "format_rows": True})

    def print_setup(self, ws, landscape: bool, repeat: tuple[int, int] | None, one_page: bool = True) -> None:
        """A4, one page wide; the cover and each table on one page (the orientation that lets a
        table print largest is in its spec), a list sheet as many pages tall as it needs."""
        ws.set_paper(9)  # A4
        if landscape:
            ws.set_landscape()
        ws.fit_to_pages(1, 1 if one_page else 0)
        ws.center_horizontally()
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        if repeat:
            ws.repeat_rows(*repeat)

    # -------------------------------------------------------------- workbook
    def write(self, path: str) -> None:
        wb = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False})
        self.formats(wb)
        ident = identity(self.ed)
        wb.set_properties({
            "title": f"{self.year or ''}年{self.agency}政府信息公开工作年度报告统计表",
            "subject": self.ed.name, "author": "govxl", "comments": self.ed.document,
            "created": datetime.fromisoformat(self.ed.issued),
        })
        for k in IDENTITY_KEYS:
            wb.set_custom_property(PROP_PREFIX + k, ident[k])
            wb.define_name(NAME_PREFIX + k, f'="{ident[k]}"')
        for k, v in self.marks.items():
            wb.set_custom_property(PROP_PREFIX + k, v)
        self.cover(wb)
        for t in self.ed.tables:
            self.table(wb, t)
        for x in self.extra:
            self.extra_sheet(wb, x)
        wb.close()
        lock_structure(path, self.password)

    # -------------------------------------------------------------- cover
    def cover(self, wb) -> None:
        c = self.ed.cover.raw
        ws = wb.add_worksheet(c["sheet"])
        for i, w in enumerate(c["widths"]):
            ws.set_column(i, i, w)
        subst = {"name": self.ed.name, "document": self.ed.document, "edition": self.ed.id,
                 "template_version": self.ed.template_version, "govxl_version": __version__}

        def put(at: str, text: str, fmt) -> None:
            r1, c1, r2, c2 = parse_range(at)
            if (r1, c1) != (r2, c2):
                ws.merge_range(r1, c1, r2, c2, "", fmt)
            ws.write_string(r1, c1, text, fmt)

        put(c["title"]["at"], c["title"]["text"], self.f_title)
        ws.set_row(0, 30)
        for key in ("agency", "year", "format", "version"):
            item = c[key]
            put(item["label_at"], item["label"], self.f_label)
            if key == "agency":
                put(item["at"], self.agency, self.f_input_text)
                ws.data_validation(item["at"].split(":")[0], {
                    "validate": "length", "criteria": "<=", "value": AGENCY_MAX,
                    "input_title": item["label"], "input_message": item["prompt"]})
            elif key == "year":
                r, col = parse_cell(item["at"])
                if self.year is None:
                    ws.write_blank(r, col, None, self.f_input["count"])
                else:
                    ws.write_number(r, col, self.year, self.f_input["count"])
                ws.data_validation(r, col, r, col, {
                    "validate": "integer", "criteria": "between", "minimum": 2000, "maximum": 2100,
                    "input_title": item["label"], "input_message": item["prompt"],
                    "error_title": "年度无效", "error_message": "请填写四位数的年度，例如 2025。"})
            else:
                put(item["at"], item["text"].format(**subst), self.f_label)
        r0, c0 = parse_cell(c["instructions_at"])
        for i, line in enumerate(c["instructions"]):
            ws.merge_range(r0 + i, c0, r0 + i, c0 + 3, "", self.f_text)
            ws.write_string(r0 + i, c0, line, self.f_bold if i == 0 else self.f_text)
        r0, c0 = parse_cell(c["status_at"])
        ws.merge_range(r0, c0, r0, c0 + 3, "", self.f_bold)
        ws.write_string(r0, c0, c["status_title"], self.f_bold)
        hdr = c["status_headers"]
        ws.write_string(r0 + 1, c0, hdr[0], self.f_label)
        ws.merge_range(r0 + 1, c0 + 1, r0 + 1, c0 + 2, hdr[1], self.f_label)
        ws.write_string(r0 + 1, c0 + 3, hdr[3], self.f_label)
        from .catalogue import CATALOGUE

        status = rule_status(self.ed, self.values)
        ok, bad = c["pass_text"], c["fail_text"]
        inputs = [f for t in self.ed.tables for f in t.inputs]
        blanks = sum(1 for f in inputs if self.values.get(f.key) is None)
        filled = ok if not blanks else c["blank_text"] if blanks == len(inputs) else c["partly_text"].format(n=blanks)
        for i, rule in enumerate(self.ed.rules):
            r = r0 + 2 + i
            ws.write_string(r, c0, rule, self.f_label)
            ws.merge_range(r, c0 + 1, r, c0 + 2, CATALOGUE[rule].title_zh, self.f_label)
            ws.write_formula(r, c0 + 3, self.status_formula(rule, ok, bad, c), self.f_check,
                             filled if status[rule] else bad)
        ws.conditional_format(r0 + 2, c0 + 3, r0 + 1 + len(self.ed.rules), c0 + 3, {
            "type": "cell", "criteria": "==", "value": f'"{bad}"', "format": self.f_bad})
        self.protect(ws)
        self.print_setup(ws, False, None)
        ws.activate()

    def status_formula(self, rule: str, ok: str, bad: str, cover) -> str:
        """A rule's live status: `bad` if broken; else, while inputs are blank, blank_text or partly_text."""
        n = "(" + "+".join(f"COUNTBLANK({quote_sheet(t.sheet)}!{range_name(*rect)})"
                           for t in self.ed.tables for rect in compress([(f.row, f.col) for f in t.inputs])) + ")"
        head, tail = cover["partly_text"].split("{n}")
        total, empty = sum(len(t.inputs) for t in self.ed.tables), cover["blank_text"]
        return self.rule_formula(rule, f'IF({n}=0,"{ok}",IF({n}={total},"{empty}","{head}"&{n}&"{tail}"))', bad)

    def rule_formula(self, rule: str, ok: str, bad: str) -> str:
        """`ok` (a formula or a quoted text) when `rule` holds, "bad" when not."""
        conds: list[str] = []
        for t in self.ed.tables:
            q = quote_sheet(t.sheet) + "!"
            for b in t.balances:
                if b.rule == rule:
                    r = b.show_row
                    c1 = t.field(b.left[0], b.cols[0]).col
                    c2 = t.field(b.left[0], b.cols[-1]).col
                    conds.append(f'COUNTIF({q}{range_name(r, c1, r, c2)},"{CHECK_BAD}")=0')
            for s in t.sums:
                if s.rule != rule:
                    continue
                for other in s.across:
                    total, parts = s.cells(other)
                    cells = [parse_cell(t.field(*p).cell) for p in parts]
                    rng = ranges(cells, prefix=q)
                    conds.append(f"{q}{t.field(*total).cell}=SUM({rng})")
        if rule in ("V-INT", "V-AMT"):
            terms: list[str] = []
            for t in self.ed.tables:
                q = quote_sheet(t.sheet) + "!"
                for kind in ("amount",) if rule == "V-AMT" else ("count", "signed"):
                    for rect in compress([(f.row, f.col) for f in t.inputs if f.kind == kind]):
                        rng = q + range_name(*rect)
                        if kind == "count":
                            terms.append(f"SUMPRODUCT(({rng}<0)+({rng}<>INT({rng})))")
                        elif kind == "signed":
                            terms.append(f"SUMPRODUCT(({rng}<>INT({rng}))*1)")
                        else:
                            terms.append(f"SUMPRODUCT(({rng}<0)+(ROUND({rng},6)<>{rng}))")
            cond = "+".join(terms) + "=0" if terms else "TRUE"
            return f'IFERROR(IF({cond},{ok},"{bad}"),"{bad}")'
        cond = "AND(" + ",".join(conds) + ")" if conds else "TRUE"
        return f'IF({cond},{ok},"{bad}")'

    # -------------------------------------------------------------- tables
    def table(self, wb, t: Table) -> None:
        ws = wb.add_worksheet(t.sheet)
        r0, c0, r_end, c_end = t.bounds
        for i, w in enumerate(t.widths):
            ws.set_column(c0 + i, c0 + i, w)
        ws.merge_range(0, c0, 0, c_end, "", self.f_title)
        ws.write_string(0, c0, t.title, self.f_title)
        heights = {0: 30.0}
        for lb in t.labels:
            if lb.merged:
                ws.merge_range(lb.row, lb.col, lb.last_row, lb.last_col, "", self.f_label)
            ws.write_string(lb.row, lb.col, lb.text, self.f_label)
        for f in t.fields:
            self.field(ws, t, f)
        empty = self.ed.cover.raw["column_blank_text"]
        for b in t.balances:
            ws.merge_range(b.show_row, c0, b.show_row, t.field(b.left[0], b.cols[0]).col - 1, "", self.f_label)
            ws.write_string(b.show_row, c0, b.show_label, self.f_label)
            bcols = {t.field(b.left[0], c).col for c in b.cols}
            for col in b.cols:
                f = t.field(b.left[0], col)
                left = sum(self.computed[(t.key, r, col)] for r in b.left)
                right = sum(self.computed[(t.key, r, col)] for r in b.right)
                mine = [x for x in t.inputs if x.col == f.col] or [x for x in t.inputs if x.col in bcols]  # all blank: 未填
                blank = "+".join(f"COUNTBLANK({range_name(*rect)})" for rect in compress([(x.row, x.col) for x in mine]))
                unfilled = all(self.values.get(x.key) is None for x in mine)
                ws.write_formula(b.show_row, f.col, f'IF(({blank})={len(mine)},"{empty}",{t.balance_formula(b, col)})',
                                 self.f_check, empty if unfilled else CHECK_OK if abs(left - right) < 1e-7 else CHECK_BAD)
            c1, c2 = t.field(b.left[0], b.cols[0]).col, t.field(b.left[0], b.cols[-1]).col
            ws.conditional_format(b.show_row, c1, b.show_row, c2, {
                "type": "cell", "criteria": "==", "value": f'"{CHECK_BAD}"', "format": self.f_bad})
        heights.update(self.row_heights(t))
        for r, h in heights.items():
            ws.set_row(r, h)
        self.protect(ws)
        self.print_setup(ws, t.landscape, (r0, r0 + t.header_rows - 1))

    def field(self, ws, t: Table, f: Field) -> None:
        if f.span:
            ws.merge_range(*f.span, "", self.f_total[f.kind] if f.is_total else self.f_input[f.kind])
        if f.key in self.comments:
            ws.write_comment(f.row, f.col, self.comments[f.key], {"x_scale": 2, "y_scale": 1.2})
        if f.is_total:
            shown = self.cached.get(f.key, self.computed[f.key])
            ws.write_formula(f.row, f.col, t.sum_formula(f), self.f_total[f.kind], plain(shown))
            return
        v = self.values.get(f.key)
        if v is None:
            ws.write_blank(f.row, f.col, None, self.f_input[f.kind])
        else:
            ws.write_number(f.row, f.col, v, self.f_input[f.kind])
        ws.data_validation(f.row, f.col, f.row, f.col, validation(f))

    def row_heights(self, t: Table) -> dict[int, float]:
        """Tall enough that no label is cut off (xlsxwriter cannot autofit wrapped text)."""
        c0 = t.origin[1]
        widths = {c0 + i: w for i, w in enumerate(t.widths)}
        need: dict[int, float] = {}
        spans: list[tuple[int, int, float]] = []
        for lb in t.labels:
            width = sum(widths.get(c, 8.43) for c in range(lb.col, lb.last_col + 1)) - 1.5
            lines = max(1, math.ceil(text_width(lb.text) / max(width, 1)))
            h = lines * LINE_HEIGHT + 6
            if lb.row == lb.last_row:
                need[lb.row] = max(need.get(lb.row, 20.0), h)
            else:
                spans.append((lb.row, lb.last_row, h))
        for r1, r2, h in spans:
            have = sum(need.get(r, 20.0) for r in range(r1, r2 + 1))
            if have < h:
                extra = (h - have) / (r2 - r1 + 1)
                for r in range(r1, r2 + 1):
                    need[r] = need.get(r, 20.0) + extra
        return need

    # -------------------------------------------------------------- extra
    def extra_sheet(self, wb, x: Extra) -> None:
        ws = wb.add_worksheet(x.name)
        for i, w in enumerate(x.widths):
            ws.set_column(i, i, w)
        for i, row in enumerate([x.header, *x.rows]):  # each row as tall as its wrapped text (no autofit)
            ws.set_row(i, 15 * max([1, *(math.ceil(text_width(str(v)) / max(w - 1, 1)) for v, w in zip(row, x.widths))]))
            for j, v in enumerate(row):
                if isinstance(v, bool) or v is None:
                    ws.write_string(i, j, "" if v is None else ("是" if v else "否"), self.f_label)
                elif isinstance(v, int | float):
                    ws.write_number(i, j, v, self.f_label)
                else:
                    ws.write_string(i, j, str(v), self.f_label)
        last = max(len(x.header), 1) - 1
        for i, line in enumerate(x.footer, start=len(x.rows) + 1):
            if last:
                ws.merge_range(i, 0, i, last, "", self.f_text)
            ws.write_string(i, 0, line, self.f_text)
        self.protect(ws)
        self.print_setup(ws, True, (0, 0), one_page=False)


def validation(f: Field) -> dict[str, Any]:
    """In-sheet data validation with Chinese prompts, by the cell's kind."""
    where = f"{f.row_label.split(' / ')[-1]} × {f.col_label.split(' / ')[-1]}" if f.col_label else f.row_label
    if f.kind == "amount":
        cell = cell_name(f.row, f.col)
        unit = (f"（{f.unit}）", f"单位：{f.unit}，", f"，单位为{f.unit}") if f.unit else ("", "", "")
        return {"validate": "custom", "value": f"=AND(ISNUMBER({cell}),{cell}>=0,ROUND({cell},6)={cell})",
                "input_title": f"填写金额{unit[0]}", "input_message": f"{where}\n{unit[1]}可带小数（最多 6 位）。",
                "error_title": "金额无效", "error_message": f"请填写不小于 0 的数字{unit[2]}，最多 6 位小数。"}
    if f.kind == "signed":
        return {"validate": "integer", "criteria": "between", "minimum": -999999999, "maximum": 999999999,
                "input_title": "填写增减数", "input_message": f"{where}\n整数，减少时填负数。",
                "error_title": "数字无效", "error_message": "请填写整数（减少时可为负数）。"}
    return {"validate": "integer", "criteria": "between", "minimum": 0, "maximum": 999999999,
            "input_title": "填写件数", "input_message": f"{where}\n不小于 0 的整数；没有请填 0。",
            "error_title": "件数无效", "error_message": "请填写不小于 0 的整数，不能是小数、负数或文字。"}
