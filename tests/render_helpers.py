"""Readers for rendered output that know nothing of govxl: they turn HTML, Word and Markdown
tables back into {(row, col): (rowspan, colspan, text)} grids, the way a browser or Word lays
out rowspan/colspan and gridSpan/vMerge."""

from __future__ import annotations

import re
import zipfile
from html.parser import HTMLParser
from xml.etree import ElementTree as ET

import govxl
from govxl.judge.rules import evaluate
from govxl.spec import Edition

Grid = dict[tuple[int, int], tuple[int, int, str]]


def place(rows: list[list[tuple[int, int, str]]]) -> Grid:
    """Lay out rows of (rowspan, colspan, text) cells as HTML does."""
    taken: set[tuple[int, int]] = set()
    out: Grid = {}
    for r, row in enumerate(rows):
        c = 0
        for rs, cs, text in row:
            while (r, c) in taken:
                c += 1
            out[(r, c)] = (rs, cs, text)
            taken |= {(r + i, c + j) for i in range(rs) for j in range(cs)}
            c += cs
    return out


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[tuple[int, int, str]]]] = []
        self.headings: list[tuple[str, str]] = []
        self.paragraphs: list[str] = []
        self._cell: list | None = None
        self._text: list[str] | None = None
        self._tag: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = [int(a.get("rowspan", 1)), int(a.get("colspan", 1))]
            self._text = []
        elif tag in ("h1", "h2", "p", "title"):
            self._tag, self._text = tag, []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append((*self._cell, "".join(self._text)))
            self._cell = self._text = None
        elif tag == self._tag:
            text = "".join(self._text)
            (self.paragraphs.append(text) if tag == "p" else self.headings.append((tag, text)))
            self._tag = self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def html_doc(text: str) -> _Html:
    p = _Html()
    p.feed(text)
    return p


def html_tables(text: str) -> list[Grid]:
    return [place(rows) for rows in html_doc(text).tables]


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_parts(path) -> tuple[list[Grid], list[tuple[str, str]]]:
    """Tables (gridSpan / vMerge resolved) and (style, text) of every body paragraph of a .docx."""
    with zipfile.ZipFile(path) as z:
        root = ET.fromstring(z.read("word/document.xml"))
    body = root.find(f"{W}body")
    tables: list[Grid] = []
    paras: list[tuple[str, str]] = []
    for el in body:
        if el.tag == f"{W}p":
            style = el.find(f"{W}pPr/{W}pStyle")
            paras.append((style.get(f"{W}val") if style is not None else "", "".join(t.text or "" for t in el.iter(f"{W}t"))))
        elif el.tag == f"{W}tbl":
            grid: dict[tuple[int, int], list] = {}
            open_: dict[int, tuple[int, int]] = {}
            for r, tr in enumerate(el.findall(f"{W}tr")):
                c = 0
                for tc in tr.findall(f"{W}tc"):
                    span_el = tc.find(f"{W}tcPr/{W}gridSpan")
                    span = int(span_el.get(f"{W}val")) if span_el is not None else 1
                    vm = tc.find(f"{W}tcPr/{W}vMerge")
                    text = "".join(t.text or "" for t in tc.iter(f"{W}t"))
                    if vm is not None and vm.get(f"{W}val") != "restart":
                        anchor = open_[c]
                        grid[anchor][0] += 1
                        assert text == "", "a continued vertical merge holds no text"
                    else:
                        grid[(r, c)] = [1, span, text]
                        if vm is not None:
                            open_[c] = (r, c)
                        else:
                            open_.pop(c, None)
                    c += span
            tables.append({k: (v[0], v[1], v[2]) for k, v in grid.items()})
    return tables, paras


def md_tables(text: str) -> list[Grid]:
    """Pipe tables as grids: every position is a 1×1 cell (Markdown cannot merge)."""
    tables: list[Grid] = []
    current: list[list[str]] | None = None
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            if all(re.fullmatch(r"-+", c) for c in cells):
                continue
            current = (current or []) + [cells]
        elif current is not None:
            tables.append({(r, c): (1, 1, t) for r, row in enumerate(current) for c, t in enumerate(row)})
            current = None
    return tables


def merges(grid: Grid) -> set[tuple[int, int, int, int]]:
    return {(r, c, r + rs - 1, c + cs - 1) for (r, c), (rs, cs, _) in grid.items() if rs > 1 or cs > 1}


def shown(v: float) -> str:
    """How a published report writes a number: whole numbers plainly, the fee with its decimals."""
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def distinct_inputs(ed: Edition) -> dict[tuple[str, str, str], float]:
    """A different number in every input cell (so a misplaced cell shows), balanced so that
    the workbook passes its check: each balance's first left row is solved for."""
    vals: dict[tuple[str, str, str], float] = {}
    n = 1
    for f in ed.fields:
        if not f.is_total:
            vals[f.key] = 1.234567 if f.kind == "amount" else n
            n += 1
    for t in ed.tables:
        for b in t.balances:
            for col in b.cols:
                first = t.field(b.left[0], col)
                if first.is_total:
                    continue
                totals = evaluate(ed, vals)
                right = sum(totals[(t.key, r, col)] for r in b.right)
                others = sum(totals[(t.key, r, col)] for r in b.left[1:])
                vals[first.key] = right - others
    return vals


def make_workbook(path, ed: Edition, inputs, agency="测试县人民政府办公室", year=2024):
    return govxl.new(path, edition=ed.id, values=inputs, agency=agency, year=year)
