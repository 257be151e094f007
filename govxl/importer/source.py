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
from .isolate import MAX_CHARS, MAX_LINES, budget

MAX_BYTES = 20 * 1024 * 1024
MAX_CELLS = 50_000  # cells of a page's tables (a report: some 300; a page laid out in tables: thousands)
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
    text = _decode(data, p)
    # Budgets before the lines are looked at (an HTML page's are checked on the text it shows).
    if len(text) > MAX_CHARS:
        raise ReadError(code="R-DOC-BUDGET", name=p.name, **budget("chars"))
    if text.count("\n") > MAX_LINES:
        raise ReadError(code="R-DOC-BUDGET", name=p.name, **budget("lines"))
    return _text(str(p), text)


def _decode(data: bytes, p: Path, html: bool = False) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:  # a stray byte-order mark, or a text cut in the middle of a character
            raise ReadError(code="R-TEXT-ENCODING", name=p.name) from None
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


_GONE = {"script", "style", "noscript", "template", "iframe", "object", "svg"}


def _html(path: str, text: str) -> Source:
    """The page's tables as rows (a nested table: its own rows, after its row), the other text
    as lines.  lxml (libxml2) parses in time linear in the page and keeps at most 256 levels of
    nesting; every walk over the tree here is a loop, not a recursion."""
    import lxml.html
    from lxml import etree

    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None  # nothing but blanks or comments
    if any("depth" in e.message.lower() for e in parser.error_log):
        raise ReadError(code="R-DOC-BUDGET", name=Path(path).name, **budget("depth", 256))
    if root is None:
        return Source(path, "html")
    titles = [" ".join(x.strip() for x in _strings(t) if x.strip()) for t in root.iter("title", "h1", "h2", "h3")
              if not any(a.tag in _GONE for a in t.iterancestors())]
    rows: list[list[str]] = []
    buf: list[str] = []
    cells = [0]

    def flush() -> None:
        for line in "".join(buf).splitlines():
            if line.strip():
                rows.append([line])
        buf.clear()

    def in_page(el):
        if el.tag == "table":
            flush()
            table(el)
            return None
        if el.tag == "br":
            return "\n", False, ""
        if el.tag in _BLOCKS or el.tag in ("tr", "td", "th", "body", "html"):
            return "\n", True, "\n"
        if el.tag in ("head", "title") or el.tag in _GONE:
            return None
        return "", True, ""

    def in_cell(el):
        if el.tag == "table" or el.tag in _GONE:
            return None  # a nested table is read as its own rows
        if el.tag == "br" or el.tag in _BLOCKS:
            return " ", True, " "
        return "", True, ""

    def cell_text(cell) -> str:
        return " ".join("".join(_strings(cell, in_cell)).split())

    def table(top) -> None:
        # The rows of a table, each followed by the tables nested in its cells (depth first):
        # a stack of row iterators instead of a recursion.
        stack = [iter(_own_rows(top))]
        while stack:
            tr = next(stack[-1], None)
            if tr is None:
                stack.pop()
                continue
            tds = [td for td in tr if td.tag in ("td", "th")]
            cells[0] += len(tds)
            if cells[0] > MAX_CELLS:
                raise ReadError(code="R-DOC-BUDGET", name=Path(path).name, **budget("cells", MAX_CELLS))
            rows.append([cell_text(td) for td in tds])
            inner = [t for td in tds for t in td.iter("table") if t is not td and _cell_of(t) is td]
            if inner:
                flush()
                stack.append(iter([r for t in inner for r in _own_rows(t)]))

    _strings(root, in_page, "\n", "\n", out=buf)
    flush()
    return Source(path, "html", rows=rows, titles=titles)


def _strings(node, rule=None, before: str = "", after: str = "", out: list[str] | None = None) -> list[str]:
    """The text under `node` in document order.  `rule(element)` says how to go on at an element:
    None (leave it out; the text after it is still read), or (text before it, read inside it?,
    text after it); without a rule, everything is read except the parts a page does not show.
    Appends to `out` (a rule may read it) and returns it."""
    out = [] if out is None else out
    out += [before, node.text or ""]
    stack = [(iter(node), after)]
    while stack:
        it, close = stack[-1]
        el = next(it, None)
        if el is None:
            stack.pop()
            out.append(close)
            continue
        how = (None if el.tag in _GONE else ("", True, "")) if rule is None else rule(el)
        if how is None:
            out.append(el.tail or "")
            continue
        pre, inside, post = how
        out.append(pre)
        if inside:
            out.append(el.text or "")
            stack.append((iter(el), post + (el.tail or "")))
        else:
            out.append(post + (el.tail or ""))
    return out


def _own_rows(table) -> list:
    """The rows of a table that are not rows of a table nested in it."""
    return [tr for tr in table.iter("tr") if next(tr.iterancestors("table"), None) is table]


def _cell_of(table):
    """The cell a nested table stands in."""
    return next(table.iterancestors("td", "th"), None)


# ------------------------------------------------------------------ text
SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


_CELL_LINE = re.compile(r"^\s*[^|\s][^|]*\|\s*$")  # `规章 |`


def _multi_cell(line: str) -> bool:
    """`规章 | 0 |`: two cells, each with something in it, each closed by `|` (an opening `|` aside).
    Split, not a regular expression: one with `[^|]*[^|\\s][^|]*` backtracks on a long line."""
    s = line.lstrip()
    parts = (s[1:] if s.startswith("|") else s).split("|", 2)
    return len(parts) == 3 and bool(parts[0].strip()) and bool(parts[1].strip())


def _ends(text: str) -> str:
    return text[-8:]


def _text(path: str, text: str) -> Source:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    titles = [ln.strip() for ln in lines if ln.strip()][:20]
    tabbed = sum(1 for ln in lines if ln.startswith("\t"))
    piped = sum(1 for ln in lines if ln.count("|") >= 2)
    single = sum(1 for ln in lines if _CELL_LINE.match(ln))
    if single >= 6 and single > sum(1 for ln in lines if _multi_cell(ln)):
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
            if SEPARATOR.match(ln) or not ln.strip():
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
