"""One standalone HTML page: merged cells as rowspan/colspan, print-friendly CSS for A4.

All text is escaped; nothing from a workbook or a text file can become markup or script.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from ..spec import Table
from ..version import __version__
from .document import Document, Part
from .grid import Cell, column_shares, header_rows

# Official documents are set in 仿宋 (body), 黑体 (headings), 小标宋 (title) and 宋体 (tables);
# each stack falls back to fonts found on Windows, macOS and Linux.
CSS = """
@page { size: A4; margin: 25mm 22mm 25mm 22mm; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body {
  font-family: "仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "STFangsong", "Noto Serif CJK SC",
    "Source Han Serif SC", "Songti SC", "SimSun", serif;
  font-size: 12pt; line-height: 1.75; color: #000; background: #fff; margin: 0;
}
main { max-width: 166mm; margin: 0 auto; padding: 12mm 0; }
h1 {
  font-family: "方正小标宋简体", "FZXiaoBiaoSong-B05S", "华文中宋", "STZhongsong", "Noto Serif CJK SC",
    "Source Han Serif SC", "SimSun", serif;
  font-size: 18pt; font-weight: bold; text-align: center; line-height: 1.5; margin: 0 0 1em;
  text-wrap: balance;
}
h1 span { display: inline-block; max-width: 100%; }
h2 {
  font-family: "黑体", "SimHei", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC",
    "Microsoft YaHei", sans-serif;
  font-size: 13pt; font-weight: normal; margin: 1.2em 0 0.5em; text-indent: 2em;
  break-after: avoid; page-break-after: avoid;
}
p { margin: 0; text-indent: 2em; text-align: justify; }
table.official {
  width: 100%; table-layout: fixed; border-collapse: collapse; margin: 0.6em 0 1em;
  font-family: "宋体", "SimSun", "Songti SC", "Noto Serif CJK SC", "Source Han Serif SC", serif;
  font-size: 9pt; line-height: 1.35;
  break-inside: avoid; page-break-inside: avoid; /* a table that fits on a page is not split */
}
table.official th, table.official td {
  border: 0.75pt solid #000; padding: 2pt 2pt; text-align: center; vertical-align: middle;
  font-weight: normal; word-break: break-all; overflow-wrap: anywhere;
}
table.official td.value { font-variant-numeric: tabular-nums; }
table.official thead { display: table-header-group; }
table.official tr { break-inside: avoid; page-break-inside: avoid; }
@media print { main { max-width: none; padding: 0; } }
"""


def to_html(doc: Document) -> str:
    title = doc.page_title
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="govxl {escape(__version__)}">',
        f'<meta name="description" content="{escape(doc.edition.name)}（{escape(doc.edition.document)}）">',
        f"<title>{escape(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
    ]
    if doc.title:
        # Each piece stays on one line if it can, so a long title breaks after the agency's name.
        out.append("<h1>" + "".join(f"<span>{escape(x)}</span>" for x in doc.title_lines or [doc.title]) + "</h1>")
    out += [f"<p>{escape(p)}</p>" for p in doc.preamble]
    for part in doc.parts:
        out.append("<section>")
        out.append(f"<h2>{escape(part.heading)}</h2>")
        if part.table is not None:
            out.append(_table(part))
        out += [f"<p>{escape(p)}</p>" for p in part.paragraphs]
        out.append("</section>")
    out += ["</main>", "</body>", "</html>", ""]
    return "\n".join(out)


def _table(part: Part) -> str:
    return table_html(part.table, part.rows or [])


def plain_value(c: Cell, span: str) -> str:
    return f'<td class="value"{span}>{escape(c.text)}</td>'


def table_html(table: Table, rows: list[list[Cell]], attrs: str = "",
               value_cell: Callable[[Cell, str], str] = plain_value) -> str:
    """An official table drawn from its grid (render/grid.py): merged cells as rowspan/colspan,
    the head rows in <thead>. Every page with official tables draws them here; `attrs` adds
    attributes to <table> (already escaped) and `value_cell(cell, span)` draws a value cell (the
    check report marks its findings there)."""
    head = header_rows(table, rows)
    lines = [f'<table class="official" data-table="{escape(table.key)}"{attrs}>', "<colgroup>"]
    lines += [f'<col style="width:{share * 100:.2f}%">' for share in column_shares(table)]
    lines.append("</colgroup>")
    for i, row in enumerate(rows):
        if i == 0 and head:
            lines.append("<thead>")
        if i == head:
            lines.append("<tbody>")
        cells = []
        for c in row:
            span = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (
                f' colspan="{c.colspan}"' if c.colspan > 1 else "")
            if c.kind == "label":
                cells.append(f"<th{span}>{escape(c.text)}</th>")
            elif c.kind == "value":
                cells.append(value_cell(c, span))
            else:
                cells.append(f"<td{span}></td>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
        if head and i == head - 1:
            lines.append("</thead>")
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)
