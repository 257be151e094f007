"""Markdown (GitHub-flavoured pipe tables): the closest Markdown comes to the official layout.

Pipe tables cannot merge cells and have exactly one header row. So each official table keeps
its grid of rows and columns; a merged cell's text stands in its top-left position and the
positions it covers are left empty; the first row of the table is the Markdown header row and
the other head rows follow as ordinary rows. Widths, borders and fonts are not expressed.
"""

from __future__ import annotations

import re

from .document import Document, Part

# Characters that would start Markdown syntax at the beginning of a paragraph.
_LEADING = re.compile(r"^(#|>|[-+*] |\d+[.)] |=|\||`{3}|~{3})")


def _inline(text: str) -> str:
    """Escape what Markdown would read as markup inside text (HTML, emphasis, links, code)."""
    text = text.replace("\\", "\\\\")
    return re.sub(r"([<>*_`\[\]|])", r"\\\1", text)


def _para(text: str) -> str:
    text = _inline(text)
    return "\\" + text if _LEADING.match(text) else text


def to_markdown(doc: Document) -> str:
    out: list[str] = []
    if doc.title:
        out += [f"# {_inline(doc.title)}", ""]
    for p in doc.preamble:
        out += [_para(p), ""]
    for part in doc.parts:
        out += [f"## {_inline(part.heading)}", ""]
        if part.table is not None:
            out += [_table(part), ""]
        for p in part.paragraphs:
            out += [_para(p), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _table(part: Part) -> str:
    n_rows, n_cols = part.table.size
    text = [[""] * n_cols for _ in range(n_rows)]
    for row in part.rows or []:
        for c in row:
            text[c.row][c.col] = _inline(c.text).replace("\n", " ")
    lines = []
    for i, row in enumerate(text):
        lines.append("| " + " | ".join(row) + " |")
        if i == 0:
            lines.append("|" + "|".join(["---"] * n_cols) + "|")
    return "\n".join(lines)
