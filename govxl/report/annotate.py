"""`govxl check --annotate DIR`: a marked-up copy of a checked workbook.

The copy is written by the workbook writer (govxl/writer.py) from the edition spec and the
values read, never by re-saving the user's file, so the official layout, formulas, validation
and protection are exactly those of `govxl new`. On top of it:

- every field a finding names gets a fill by the worst severity and a cell comment with the
  rule code and the message (zh, or en with --lang en);
- a first sheet (templates/annotate.toml, `govxl check` never reads it) lists every finding with
  a link to its cell, whole-table and whole-workbook findings included, and the verdict;
- each input cell holds what the original held (a number, a number typed as text, a word, a
  formula...), so that checking the copy gives the same findings as the original, except those
  about the file's structure that the rebuilt copy repairs (REPAIRED) or leaves out (NOT_COPIED);
- a table whose layout was damaged (S-LAYOUT) is rebuilt in the official layout with each value
  put back in its cell by its row and column labels; what could not be placed is listed.
"""

from __future__ import annotations

import math
from functools import cache, partial
from pathlib import Path

from ..cellcrop import png_of, png_size
from ..judge.rules import evaluate
from ..reader import RawWorkbook
from ..spec import Field, Table, parse_cell
from .annotate_plan import (  # noqa: F401  (re-exported: govxl.report.annotate.make_plan etc.)
    NOT_COPIED,
    REPAIRED,
    WHOLE,
    Content,
    Plan,
    Unplaced,
    comment_text,
    content_of,
    make_plan,
    marks_of,
    place_by_label,
    severity_word,
    status,
    texts,
    worst,
)
from .findings import Report


# ------------------------------------------------------------------ the writer, marking
@cache
def _marked_writer():
    from ..writer import BookWriter, quote_sheet, validation

    class Marked(BookWriter):
        """The official workbook, plus marks, the original's input contents and a first sheet."""

        def __init__(self, *args, plan: Plan) -> None:
            super().__init__(*args)
            self.plan = plan
            self.t = texts(plan.lang)
            self._fmts: dict = {}

        def formats(self, wb) -> None:
            super().formats(wb)
            self.wb = wb

        def fmt(self, key: tuple, props: dict):
            if key not in self._fmts:
                self._fmts[key] = self.wb.add_format(props)
            return self._fmts[key]

        def cell_format(self, f: Field, sev: str | None, date: bool):
            from ..writer import NUM_FORMATS

            props = {**self.box, "num_format": "yyyy-mm-dd" if date else NUM_FORMATS[f.kind]}
            if f.is_total:
                props["bg_color"] = "#E7E6E6"
            else:
                props.update(locked=False, bg_color="#FFF2CC")
            if sev is not None:
                props.update(bg_color=self.t["fills"][sev], bold=True)
            return self.fmt(("cell", f.kind, f.is_total, sev, date), props)

        # the first sheet, before the cover
        def cover(self, wb) -> None:
            ws = self.results(wb)
            super().cover(wb)
            ws.activate()

        def field(self, ws, t: Table, f: Field) -> None:
            marks = self.plan.marks.get((t.sheet, f.row, f.col))
            content = self.plan.contents.get(f.key)
            if not marks and (f.is_total or content is None or content.plain):
                return super().field(ws, t, f)
            fmt = self.cell_format(f, worst(marks) if marks else None, content is not None and content.kind == "date")
            if f.span:
                ws.merge_range(*f.span, "", fmt)
            if marks:
                ws.write_comment(f.row, f.col, comment_text(marks, self.plan.lang),
                                 {"x_scale": 3, "y_scale": 1.2 + 0.8 * len(marks), "author": "govxl"})
                self.picture(ws, t, f, marks)
            if f.is_total:
                shown = self.cached.get(f.key, self.computed[f.key])
                ws.write_formula(f.row, f.col, t.sum_formula(f), fmt, int(shown) if float(shown).is_integer() else shown)
                return
            if content is None:
                ws.write_blank(f.row, f.col, None, fmt)
            elif content.kind in ("number", "date"):
                ws.write_number(f.row, f.col, content.value, fmt)
            elif content.kind == "bool":
                ws.write_boolean(f.row, f.col, content.value, fmt)
            elif content.kind == "formula":
                v = content.value
                ws.write_formula(f.row, f.col, "=" + content.formula, fmt, "" if v is None else v)
            else:
                ws.write_string(f.row, f.col, str(content.value), fmt)
            ws.data_validation(f.row, f.col, f.row, f.col, validation(f))

        def picture(self, ws, t: Table, f: Field, marks) -> None:
            """The scanned cell's picture an I-OCR finding carries (govxl.cellcrop), anchored at
            the cell and fitted inside it (it moves and sizes with the cell)."""
            from io import BytesIO

            png = next((p for p in map(png_of, marks) if p is not None), None)
            if png is None:
                return
            c0, (w, h) = t.origin[1], png_size(png)
            last = f.span[3] if f.span else f.col
            width = sum(int(t.widths[c - c0] * 7 + 5) if 0 <= c - c0 < len(t.widths) else 64 for c in range(f.col, last + 1))
            height = self.row_heights(t).get(f.row, 20.0) * 4 / 3
            scale = min(1.0, (width - 2) / w, (height - 2) / h)
            ws.insert_image(f.row, f.col, f"{f.cell}.png", {"image_data": BytesIO(png), "x_scale": scale, "y_scale": scale,
                                                            "x_offset": 1, "y_offset": 1, "object_position": 1,
                                                            "description": self.t["crop"]})

        def results(self, wb):
            p, t, lang = self.plan, self.t, self.plan.lang
            rep = p.report
            ws = wb.add_worksheet(t["sheet"])
            for i, w in enumerate(t["widths"]):
                ws.set_column(i, i, w)
            last = len(t["headers"]) - 1
            text = self.fmt(("text",), {**self.box, "align": "left", "border": 0})
            head = self.fmt(("head",), {**self.box, "bold": True})
            cell = self.fmt(("cellL",), {**self.box, "align": "left"})
            link = self.fmt(("link",), {**self.box, "align": "left", "font_color": "#0563C1", "underline": 1})
            sev_f = {s: self.fmt(("sev", s), {**self.box, "bold": True, "bg_color": c}) for s, c in t["fills"].items()}
            ws.merge_range(0, 0, 0, last, t["title"], self.f_title)
            ws.set_row(0, 30)
            about = " / ".join(str(x) for x in (rep.agency or "", rep.year or "", f"{rep.edition}") if x != "")
            ok = rep.ok()
            lines = [(t["file"], str(rep.file)), (t["about"], about),
                     (t["verdict"], rep.verdict_line(lang)), ("", t["help"])]
            for i, (k, v) in enumerate(lines, start=1):
                ws.merge_range(i, 0, i, 1, k, self.f_bold)
                ws.merge_range(i, 2, i, last, "", text)
                ws.write_string(i, 2, v, self.fmt(("verdict", ok), {**self.box, "align": "left", "border": 0, "bold": True,
                                                                   "font_color": "#2E7D32" if ok else "#C00000"})
                                if k == t["verdict"] else text)
                ws.set_row(i, 20)
            r = len(lines) + 2
            for j, h in enumerate(t["headers"]):
                ws.write_string(r, j, h, head)
            header_row = r
            sheets = {tb.sheet for tb in p.edition.tables} | {p.edition.cover.sheet}
            if not rep.findings:
                r += 1
                ws.merge_range(r, 0, r, last, t["none"], cell)
            for f in rep.findings:
                r += 1
                ws.write_string(r, 0, severity_word(f.severity, lang), sev_f[f.severity])
                ws.write_string(r, 1, f.rule, cell)
                where = f.location or t["workbook"]
                if f.sheet in sheets and f.rule not in NOT_COPIED:
                    first = f.cell.split(",")[0].split(":")[0].strip() if f.cell else "A1"
                    try:
                        parse_cell(first)
                    except Exception:
                        first = "A1"
                    ws.write_url(r, 2, f"internal:{quote_sheet(f.sheet)}!{first}", link, string=where[:250])
                else:
                    ws.write_string(r, 2, where, cell)
                for j, v in enumerate((f.row_label, f.col_label, f.shown("expected", lang), f.shown("actual", lang)), start=3):
                    if isinstance(v, int | float) and not isinstance(v, bool):
                        ws.write_number(r, j, v, cell)
                    else:
                        ws.write_string(r, j, "" if v is None else str(v), cell)
                ws.write_string(r, 7, f.message(lang), cell)
                ws.write_string(r, 8, status(f, p, t), cell)
                ws.set_row(r, _height([where, f.row_label, f.col_label, f.message(lang)], [t["widths"][j] for j in (2, 3, 4, 7)]))
            if p.unplaced:
                r += 2
                ws.merge_range(r, 0, r, last, t["unplaced_title"], self.f_bold)
                spans = ((0, 1), (2, 2), (3, 3), (4, 6), (7, last))  # the columns of the list above, reused

                def put(row: int, values: list[str], fmt) -> None:
                    for (c1, c2), v in zip(spans, values):
                        if c1 == c2:
                            ws.write_string(row, c1, v, fmt)
                        else:
                            ws.merge_range(row, c1, row, c2, v, fmt)

                r += 1
                put(r, t["unplaced_headers"], head)
                for u in p.unplaced:
                    r += 1
                    why = t["unplaced_missing"] if u.missing else t["unplaced_extra"]
                    put(r, [u.cell, u.sheet, u.content, u.row_text, why], cell)
                    ws.set_row(r, _height([u.sheet, u.content, u.row_text, why], [t["widths"][2], t["widths"][3],
                                                                                  sum(t["widths"][4:7]), t["widths"][7]]))
            self.protect(ws)
            self.print_setup(ws, True, (header_row, header_row))
            ws.freeze_panes(header_row + 1, 0)
            return ws

    return Marked


def _height(values: list[str], widths: list[float]) -> float:
    """A row tall enough for its wrapped texts (xlsxwriter cannot autofit)."""
    from ..writer import LINE_HEIGHT, text_width

    lines = max(math.ceil(text_width(str(v)) / max(w - 1.5, 1)) for v, w in zip(values, widths))
    return max(1, lines) * LINE_HEIGHT + 6


# ------------------------------------------------------------------ entry point
def read_source(path: str | Path) -> RawWorkbook:
    """The original, read the way `govxl check` reads it."""
    from ..reader import read_xlsx
    from ..sources.workbook_identity import cover_rows, known_sheets, never_read

    return read_xlsx(path, sheets=known_sheets(), rows=cover_rows(), skip=never_read())


def annotate(report: Report, out: str | Path, lang: str = "zh", raw: RawWorkbook | None = None) -> Path:
    """Write the marked-up copy of the checked workbook `report.file` to `out` (replacing it)."""
    from ..writer import write_workbook

    if report.edition is None:
        raise ValueError("report without an edition")
    plan = make_plan(report, raw if raw is not None else read_source(report.file), lang)
    ed = plan.edition
    values = {k: c.value for k, c in plan.contents.items() if c.plain}
    computed = evaluate(ed, plan.numbers)  # as `govxl check` will recompute them (a number typed as text counts)
    cached = {f.key: computed[f.key] for f in ed.fields if f.is_total}
    year = report.year if report.year is not None and 1990 <= report.year <= 2200 else None
    return write_workbook(out, ed, agency=report.agency or "", year=year, values=values, cached=cached,
                          force=True, writer=partial(_marked_writer(), plan=plan))
