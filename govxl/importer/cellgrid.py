"""A document as a grid of cell texts, and the grid as a Source of rows for the placing engine:
what every document reader (Word, spreadsheets, PDF) shares, and what kinds of document there are."""

from __future__ import annotations

import re

from .source import SEPARATOR, Source

Grid = list[list[str | None]]
MAX_CELLS = 400_000  # cells of a grid: far beyond any report (three tables, a few hundred cells)

# Suffix -> (kind, how a clerk calls it).
KINDS = {
    ".docx": ("docx", "Word 文档（.docx）"),
    ".docm": ("docx", "Word 文档（.docm）"),
    ".xlsx": ("xlsx", "Excel 表格（.xlsx）"),
    ".xlsm": ("xlsx", "Excel 表格（.xlsm）"),
    ".xls": ("xls", "旧版 Excel（.xls）表格"),
    ".ods": ("ods", "OpenDocument（.ods）表格"),
    ".odt": ("odt", "OpenDocument（.odt）文档"),
    ".pdf": ("pdf", "PDF 文件"),
    # pictures of report pages: read by text recognition, with govxl[ocr] (ocr.py)
    ".png": ("image", "图片"), ".jpg": ("image", "图片"), ".jpeg": ("image", "图片"),
    ".tif": ("image", "图片"), ".tiff": ("image", "图片"),
}
# The same in English, for the messages of govxl.catalogue.READ_ERRORS ({what_en}).
WHAT_EN = {
    "Word 文档（.docx）": "a Word document (.docx)", "Word 文档（.docm）": "a Word document (.docm)",
    "Excel 表格（.xlsx）": "an Excel table (.xlsx)", "Excel 表格（.xlsm）": "an Excel table (.xlsm)",
    "旧版 Excel（.xls）表格": "an old Excel (.xls) table", "OpenDocument（.ods）表格": "an OpenDocument (.ods) "
    "spreadsheet", "OpenDocument（.odt）文档": "an OpenDocument (.odt) text", "PDF 文件": "the PDF",
    "图片": "a picture", "Excel 表格": "an Excel table", "Word 文档": "the Word document",
    "OpenDocument 文档": "the OpenDocument text",
}


def what(label: str) -> dict[str, str]:
    """The {what} and {what_en} parameters of a READ_ERRORS message about a document of `label`."""
    return {"what": label, "what_en": WHAT_EN.get(label, label)}


# ------------------------------------------------------------------ grid -> Source
_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–－·•]\s*\d{1,4}\s*[-—–－·•]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
                          r"|\d{1,4}\s*/\s*\d{1,4}|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?)\s*$")


def is_page_number(text: str) -> bool:
    """`-3-`, `— 3 —`, `第3页`, `第 3 页 共 9 页`, `3/9`: a page's number, never a table's cell."""
    import unicodedata

    return bool(_PAGE_NUMBER.match(unicodedata.normalize("NFKC", text)))


def to_source(path: str, kind: str, grid: Grid, titles: list[str]) -> Source:
    """The cleaned grid as a Source of rows: merged continuations dropped, empty rows dropped,
    page numbers dropped, header words that were split over rows joined again."""
    grid = join_split_words(grid)
    rows: list[list[str]] = []
    for row in grid:
        cells = [c for c in row if c is not None]
        if len(cells) == 1 and cells[0].count("|") >= 2:  # a Markdown table as paragraphs of text
            if SEPARATOR.match(cells[0]):
                continue
            line = cells[0].strip()
            cells = [c.strip() for c in line.removeprefix("|").removesuffix("|").split("|")]
        if not any(c.strip() for c in cells):
            continue
        if len([c for c in cells if c.strip()]) == 1 and is_page_number(next(c for c in cells if c.strip())):
            continue
        rows.append(cells)
    return Source(path, kind, rows=rows, titles=titles)


def join_split_words(grid: Grid) -> Grid:
    """A label split over rows of its own: a narrow header column's words (`商业` / `企业`,
    `结果` / `维持`), or a row cut in two by a page break (`2.其他法` / `律行政法规禁止公开`).
    Where cells stacked in one column spell an official label that the top one is not, they
    become that label (in the top cell).  Only cells that are not numbers take part."""
    from ..spec import edition_ids
    from .text import canon, lexicon, parse_values

    forms = lexicon(tuple(edition_ids())).forms

    def words(c: str | None) -> bool:
        return bool(c and c.strip()) and parse_values(canon(c)) is None

    out = [list(r) for r in grid]
    for r in range(len(out) - 1):
        for c, top in enumerate(out[r]):
            if not words(top):
                continue
            text = canon(top)  # type: ignore[arg-type]
            for depth in range(1, 6):
                if r + depth >= len(out) or c >= len(out[r + depth]) or not words(out[r + depth][c]):
                    break
                text += canon(out[r + depth][c])  # type: ignore[arg-type]
                if text in forms:
                    out[r][c] = top.strip() + "".join(out[r + d][c].strip() for d in range(1, depth + 1))  # type: ignore[union-attr]
                    for d in range(1, depth + 1):
                        out[r + d][c] = ""
                    break
    return out
