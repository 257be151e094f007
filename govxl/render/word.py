"""Word (.docx) with python-docx: A4, official fonts, tables with real merged cells.

Opens in Word, WPS and LibreOffice. Text is written as plain runs (never fields), so nothing
from a workbook or a text file can become a formula or a link.
"""

from __future__ import annotations

from docx import Document as new_document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ..version import __version__
from .document import Document, Part
from .grid import column_shares, header_rows

PAGE_W, PAGE_H = Cm(21.0), Cm(29.7)
MARGIN_TB, MARGIN_LR = Cm(2.5), Cm(2.2)
BODY_FONT, HEAD_FONT, TITLE_FONT, TABLE_FONT = "仿宋", "黑体", "方正小标宋简体", "宋体"
BODY_PT, HEAD_PT, TITLE_PT, TABLE_PT = 14, 14, 20, 9


def _fonts(el, name: str) -> None:
    """Set a run's or style's font for Latin and East Asian text alike."""
    rpr = el.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):  # themes would win
        rfonts.attrib.pop(qn(attr), None)


def _style(doc, name: str, font: str, size: float, bold: bool = False):
    st = doc.styles[name]
    st.font.name = font
    st.font.size = Pt(size)
    st.font.bold = bold
    st.font.italic = False
    st.font.color.rgb = RGBColor(0, 0, 0)
    _fonts(st.element, font)
    return st


def write_docx(doc: Document, path: str) -> None:
    d = new_document()
    sec = d.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = PAGE_W, PAGE_H
    sec.top_margin = sec.bottom_margin = MARGIN_TB
    sec.left_margin = sec.right_margin = MARGIN_LR

    normal = _style(d, "Normal", BODY_FONT, BODY_PT)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(BODY_PT * 1.8)
    normal.paragraph_format.space_after = Pt(0)
    title = _style(d, "Title", TITLE_FONT, TITLE_PT)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(TITLE_PT)
    title.paragraph_format.line_spacing = Pt(TITLE_PT * 1.5)
    _no_border(title)
    head = _style(d, "Heading 1", HEAD_FONT, HEAD_PT)
    head.paragraph_format.first_line_indent = Pt(HEAD_PT * 2)
    head.paragraph_format.space_before = Pt(HEAD_PT * 0.6)
    head.paragraph_format.space_after = Pt(HEAD_PT * 0.3)
    head.paragraph_format.keep_with_next = True

    props = d.core_properties
    props.title = doc.page_title
    props.subject = f"{doc.edition.name}（{doc.edition.document}）"
    props.author = doc.agency or ""
    props.comments = f"govxl {__version__}"
    props.last_modified_by = "govxl"

    if doc.title:
        title_para = d.add_paragraph(style="Title")
        lines = doc.title_lines or [doc.title]
        # A title wider than the page breaks after the agency's name rather than anywhere.
        fits = len(doc.title) * Pt(TITLE_PT) < PAGE_W - 2 * MARGIN_LR
        for i, piece in enumerate(lines):
            run = title_para.add_run(piece)
            if i < len(lines) - 1 and not fits:
                run.add_break()
    for p in doc.preamble:
        _para(d, p)
    width = PAGE_W - 2 * MARGIN_LR
    for part in doc.parts:
        d.add_paragraph(part.heading, style="Heading 1")
        if part.table is not None:
            _table(d, part, width)
        for p in part.paragraphs:
            _para(d, p)
    d.save(path)


def _para(d, text: str) -> None:
    para = d.add_paragraph(text)
    para.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


def _no_border(style) -> None:
    """The default Title style draws a rule under the title; official reports have none."""
    ppr = style.element.get_or_add_pPr()
    for el in ppr.findall(qn("w:pBdr")):
        ppr.remove(el)


def _table(d, part: Part, width) -> None:
    t, rows = part.table, part.rows or []
    n_rows, n_cols = t.size
    table = d.add_table(rows=n_rows, cols=n_cols)
    table.style = d.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [int(width * s) for s in column_shares(t)]
    grid_cols = table._tbl.tblGrid.findall(qn("w:gridCol"))
    for gc, w in zip(grid_cols, widths):
        gc.set(qn("w:w"), str(int(w / 635)))  # EMU -> twentieths of a point
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), "40")
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    tbl_pr.append(margins)
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for c, cell in enumerate(row.cells):
            cell.width = widths[c]
    head = header_rows(t, rows)
    for r in range(head):
        table.rows[r]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for row in rows:
        for c in row:
            cell = table.cell(c.row, c.col)
            if c.rowspan > 1 or c.colspan > 1:
                cell = cell.merge(table.cell(c.last_row, c.last_col))
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paras = cell.paragraphs
            for extra in paras[1:]:
                extra._p.getparent().remove(extra._p)
            para = paras[0]
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            fmt = para.paragraph_format
            fmt.first_line_indent = Pt(0)
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
            fmt.space_before = fmt.space_after = Pt(1)
            if c.text:
                run = para.add_run(c.text)
                run.font.size = Pt(TABLE_PT)
                _fonts(run._r, TABLE_FONT)
