"""Read a published report (an HTML page or copied text) into cells and rows.

What a row is depends on where the text came from: a `<tr>` of an HTML table; a `|` line;
in text with one tab-indented cell per line (copied from a browser), a block of lines
between blank lines; in other text, a line.  Rows only help to place blank cells; the
labels and the order of the values do the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ReadError

MAX_BYTES = 20 * 1024 * 1024
_PICTURE = ("这是图片文件，无法读取其中的表格", "this is a picture: the tables in it cannot be read")
_SIGNATURES = [  # (start of the file, why in Chinese, why in English)
    (b"%PDF", "这是 PDF 文件：请在阅读器中全选复制文字，保存为 .txt 后再导入",
     "this is a PDF: select all its text in a reader, copy it, save it as .txt and import that"),
    (b"PK\x03\x04", "这是 Word/Excel 等 Office 文件（zip 格式）：请另存为网页（.html）或纯文本（.txt）后再导入",
     "this is an Office file (Word, Excel…, a zip): save it as a web page (.html) or plain text (.txt) and import that"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "这是旧版 Word/Excel 文件：请另存为网页（.html）或纯文本（.txt）后再导入",
     "this is an old Word/Excel file: save it as a web page (.html) or plain text (.txt) and import that"),
    (b"\x89PNG", *_PICTURE),
    (b"\xff\xd8\xff", *_PICTURE),
]
_HTML = re.compile(rb"<\s*(html|table|body|tr|td|div|p|head|meta)\b", re.I)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.I)


@dataclass
class Source:
    """A report as cells in rows (`rows`) or as running text (`text`), plus title candidates."""

    path: str
    kind: str  # html | tab | pipe | cells (one cell per line, ending `|`) | plain
    rows: list[list[str]] = field(default_factory=list)
    text: str = ""
    titles: list[str] = field(default_factory=list)
    # The last characters of the text: a text that stops right after a digit may have been cut
    # inside a number (`1` of `12`).
    ends: str = ""
    # A scan (importer/ocr.py): the cells whose reading is not certain, (row, index in the row) ->
    # where they are; their values are unknown, never a guess.
    unsure: dict = field(default_factory=dict)


def read_source(path: str | Path) -> Source:
    p = Path(path)
    if not p.exists():
        raise ReadError(code="R-MISSING", path=str(p))
    if p.is_dir():
        raise ReadError(code="R-ISDIR", path=str(p))
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise ReadError(code="R-TOOBIG", mb=size // (1024 * 1024), name=p.name)
        data = p.read_bytes()
    except PermissionError:
        raise ReadError(code="R-NOACCESS", path=str(p)) from None
    except OSError as exc:
        raise ReadError(code="R-OSERROR", path=str(p), why=str(exc.strerror or exc)) from None
    if not data.strip():
        raise ReadError(code="R-EMPTY", path=str(p))
    for magic, why, why_en in _SIGNATURES:
        if data.startswith(magic):
            raise ReadError(code="R-TEXT-BINARY", name=p.name, what=why, what_en=why_en)
    head = data[:4096]
    if _HTML.search(head) or p.suffix.lower() in (".htm", ".html", ".shtml", ".xhtml"):
        return _html(str(p), _decode(data, p, html=True))
    return _text(str(p), _decode(data, p))


def _decode(data: bytes, p: Path, html: bool = False) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    tried = []
    if html:
        m = _CHARSET.search(data[:8192])
        if m:
            declared = m.group(1).decode("ascii", "replace").lower()
            # gb2312 pages routinely contain GBK characters; gb18030 is their superset.
            tried.append("gb18030" if declared in ("gb2312", "gbk", "gb18030", "x-gbk") else declared)
    for enc in [*tried, "utf-8", "gb18030"]:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if "\x00" in text:
            break
        return text
    raise ReadError(code="R-TEXT-ENCODING", name=p.name)


# ------------------------------------------------------------------ HTML
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article",
           "blockquote", "pre", "center", "dd", "dt", "dl", "header", "footer", "main", "nav", "form",
           "tbody", "thead", "tfoot", "caption"}


def _html(path: str, text: str) -> Source:
    from bs4 import BeautifulSoup, NavigableString
    from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "iframe", "object", "svg"]):
        tag.decompose()
    titles = [t.get_text(" ", strip=True) for t in soup.find_all(["title", "h1", "h2", "h3"])]
    rows: list[list[str]] = []
    buf: list[str] = []
    skip = (Comment, Declaration, Doctype, ProcessingInstruction)

    def flush() -> None:
        for line in "".join(buf).splitlines():
            if line.strip():
                rows.append([line])
        buf.clear()

    def cell_text(cell) -> str:
        parts: list[str] = []

        def walk(node) -> None:
            for ch in node.children:
                if isinstance(ch, NavigableString):
                    if not isinstance(ch, skip):
                        parts.append(str(ch))
                elif ch.name == "table":
                    continue  # a nested table is read as its own rows
                elif ch.name == "br" or ch.name in _BLOCKS:
                    parts.append(" ")
                    walk(ch)
                    parts.append(" ")
                else:
                    walk(ch)

        walk(cell)
        return " ".join("".join(parts).split())

    def table(node) -> None:
        for tr in _own(node, "tr"):
            rows.append([cell_text(td) for td in tr.find_all(["td", "th"], recursive=False)])
            for td in tr.find_all(["td", "th"], recursive=False):
                for inner in td.find_all("table"):
                    if inner.find_parent(["td", "th"]) is td:
                        flush()
                        table(inner)

    def walk(node) -> None:
        for ch in node.children:
            if isinstance(ch, NavigableString):
                if not isinstance(ch, skip):
                    buf.append(str(ch))
            elif ch.name == "table":
                flush()
                table(ch)
            elif ch.name == "br":
                buf.append("\n")
            elif ch.name in _BLOCKS or ch.name in ("tr", "td", "th", "body", "html"):
                buf.append("\n")
                walk(ch)
                buf.append("\n")
            elif ch.name in ("head", "title"):
                continue
            else:
                walk(ch)

    walk(soup)
    flush()
    return Source(path, "html", rows=rows, titles=titles)


def _own(table, name: str):
    """The `name` elements of a table that are not inside a nested table."""
    return [x for x in table.find_all(name) if x.find_parent("table") is table]


# ------------------------------------------------------------------ text
_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


_CELL_LINE = re.compile(r"^\s*[^|\s][^|]*\|\s*$")  # `规章 |`
_MULTI_CELL = re.compile(r"^\s*\|?[^|]*[^|\s][^|]*\|[^|]*[^|\s][^|]*\|")  # `规章 | 0 |`


def _ends(text: str) -> str:
    return text[-8:]


def _text(path: str, text: str) -> Source:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    titles = [ln.strip() for ln in lines if ln.strip()][:20]
    tabbed = sum(1 for ln in lines if ln.startswith("\t"))
    piped = sum(1 for ln in lines if ln.count("|") >= 2)
    single = sum(1 for ln in lines if _CELL_LINE.match(ln))
    if single >= 6 and single > sum(1 for ln in lines if _MULTI_CELL.match(ln)):
        # One cell per line, each ending in `|` (`规章 |` `0 |`); a bare `|` line is an empty cell,
        # a line of pipes only (`|||`) a filler between rows, kept as a marker: where the empty
        # cells of a row were collapsed into it, their positions are lost.
        rows = []
        for ln in lines:
            s = ln.strip()
            if not s:
                continue
            if s == "|":
                rows.append([""])
            elif set(s) == {"|"}:
                rows.append([s])
            elif "|" in s:
                rows += [[c.strip()] for c in s.strip("|").split("|") if c.strip()]
            else:
                rows.append([ln])
        return Source(path, "cells", rows=rows, titles=titles, ends=_ends(text))
    if piped >= 3 and piped >= tabbed:
        rows = []
        for ln in lines:
            if _SEPARATOR.match(ln) or not ln.strip():
                continue
            if "|" in ln:
                s = ln.strip()
                s = s[1:] if s.startswith("|") else s
                s = s[:-1] if s.endswith("|") else s
                rows.append([c.strip() for c in s.split("|")])
            else:
                rows.append([ln])
        return Source(path, "pipe", rows=rows, titles=titles, ends=_ends(text))
    if tabbed >= 3:
        # One cell per line, tab-indented; a line holding only the tab is an empty cell;
        # blank lines end a row; lines without the tab are headings and prose.
        rows, row = [], []
        for ln in lines:
            if ln.startswith("\t"):
                row.append(ln.strip())
                continue
            if row:
                rows.append(row)
                row = []
            if ln.strip():
                rows.append([ln])
        if row:
            rows.append(row)
        return Source(path, "tab", rows=rows, titles=titles, ends=_ends(text))
    return Source(path, "plain", text="\n".join(lines), titles=titles, ends=_ends(text))
