"""A PDF with a text layer as a grid, with pdfplumber (pdfminer.six underneath).

Tables drawn with ruling lines (what Word, WPS and LibreOffice print) are read cell by cell:
a merged cell is one cell, a header word wrapped inside its cell stays one word.  A table
broken by a page break continues on the next page; the header rows a word processor repeats
there are dropped, and so are page numbers (`-3-`) and running heads and feet outside the tables.
A PDF without any ruled table is read as text lines (the text importer's way), and a PDF
without text at all (a scan) is refused: its numbers would be a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ReadError
from .cellgrid import MAX_CELLS, Grid, is_page_number, to_source
from .cellgrid import what as kind
from .isolate import budget
from .source import Source

MAX_PAGES = 100  # a year's report is a few pages; a statistics yearbook is not one report
MAX_CHARS = 400_000  # characters over all pages
MAX_SIDE = 14_400  # points: the largest page PDF knows (200 inches)


def read_pdf(p: Path) -> Source:
    """The PDF's tables; a PDF without text (a scan) is read by text recognition where govxl[ocr]
    is installed (ocr.py), else refused with the command that installs it."""
    try:
        return _read_pdf(p)
    except ReadError as exc:
        if exc.code != "R-PDF-SCAN":
            raise
    from .isolate import ScanNeeded, scan_allowed
    from .ocr import available, read_scan

    if available() and not scan_allowed():
        raise ScanNeeded  # read again under the scan budget (isolate.py)
    return read_scan(p, "pdf")


def _read_pdf(p: Path) -> Source:
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    except ImportError:  # pragma: no cover - a dependency of govxl
        raise ReadError(code="R-NEEDS", what=" PDF ", what_en="a PDF", package="pdfplumber") from None
    _bound_streams(p.name)
    try:
        pdf = pdfplumber.open(str(p))
    except (ReadError, MemoryError):
        raise
    except PDFPasswordIncorrect:
        raise ReadError(code="R-PDF-PASSWORD") from None
    except PDFEncryptionError:
        raise ReadError(code="R-PDF-CRYPT") from None
    except Exception as exc:
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc  # pdfplumber wraps pdfminer's
        if isinstance(cause, (ReadError, MemoryError)):
            raise cause from None
        if isinstance(cause, PDFPasswordIncorrect) or "password" in repr(cause).lower():
            raise ReadError(code="R-PDF-PASSWORD") from None
        if isinstance(cause, PDFEncryptionError):
            raise ReadError(code="R-PDF-CRYPT") from None
        raise ReadError(code="R-DOC-CORRUPT", name=p.name, **kind("PDF 文件")) from None
    try:
        with pdf:
            return _read(p, pdf)
    except (ReadError, MemoryError):
        raise
    except RecursionError:
        raise ReadError(code="R-PDF-DEEP", name=p.name) from None
    except Exception as exc:
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc  # pdfplumber wraps
        if isinstance(cause, (ReadError, MemoryError)):
            raise cause from None
        if "password" in str(exc).lower():
            raise ReadError(code="R-PDF-PASSWORD") from None
        raise ReadError(code="R-PDF-BROKEN", name=p.name) from None


def _read(p: Path, pdf) -> Source:
    try:
        n = len(pdf.pages)
    except Exception as exc:
        if "bounding box" in str(exc).lower() or "mediabox" in str(exc).lower():
            raise ReadError(code="R-PDF-PAGESIZE", name=p.name, size="?") from None
        raise ReadError(code="R-PDF-BROKEN", name=p.name) from None
    if n > MAX_PAGES:
        raise ReadError(code="R-PDF-LONG", n=n, most=MAX_PAGES, name=p.name)
    if n == 0:
        raise ReadError(code="R-PDF-NOPAGES", name=p.name)
    from ..spec import edition_ids
    from .text import lexicon

    forms = lexicon(tuple(edition_ids())).forms
    blocks: list[Block] = []  # the document in reading order: table rows and printed lines
    chars = 0
    head_sigs: set[str] = set()  # what the pages so far began with (a header repeated on a new page)
    for number, page in enumerate(pdf.pages):
        if not (0 < page.width <= MAX_SIDE and 0 < page.height <= MAX_SIDE):
            raise ReadError(code="R-PDF-PAGESIZE", name=p.name, size=f"{page.width:g} × {page.height:g}")
        page_chars = page.chars
        chars += len(page_chars)
        if chars > MAX_CHARS:
            raise ReadError(code="R-DOC-HUGE", name=p.name, part="PDF 中的文字", part_en="the text of the PDF")
        tables = page.find_tables() if page_chars else []
        items: list[Block] = []
        for t in tables:
            items += [Block(number, t.bbox[1] + i * 1e-3, row=[None if c is None else c for c in r])
                      for i, r in enumerate(t.extract())]
        boxes = [t.bbox for t in tables]

        def outside(obj, boxes=boxes) -> bool:
            x = (obj["x0"] + obj["x1"]) / 2
            y = (obj["top"] + obj["bottom"]) / 2
            return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

        rest = page.filter(outside) if boxes else page
        items += [Block(number, ln[0]["top"], words=ln) for ln in lines_of(rest, number)]
        items.sort(key=lambda b: b.top)
        items = [b for b in items if not (b.words is not None and len(b.words) == 1 and is_page_number(b.words[0]["text"]))]
        lead = []  # what a page begins with: lines, and table rows holding an official label; no number
        for b in items:
            if b.has_number() or (b.row is not None and not b.has_label(forms)):
                break
            lead.append(b.sig())
        skip = 0
        while number and skip < len(lead) and lead[skip] in head_sigs:
            skip += 1
        if not skip:  # a page that goes on with a table repeats its head; remember only new heads
            head_sigs |= set(lead)
        blocks += items[skip:]
        if sum(len(b.row or b.words or ()) for b in blocks) > MAX_CELLS:
            raise ReadError(code="R-DOC-HUGE", name=p.name, part="PDF 中的表格", part_en="the table in the PDF")
        page.close()
    if chars == 0:
        raise ReadError(code="R-PDF-SCAN", name=p.name)
    join_wrapped(blocks)
    grid: Grid = [b.row if b.row is not None else b.cells() for b in blocks]
    titles = [" ".join(b.cells()).strip() for b in blocks if b.words is not None][:20]
    meta = pdf.metadata.get("Title") if isinstance(pdf.metadata, dict) else None
    if isinstance(meta, str) and meta.strip():
        titles.insert(0, meta.strip())
    # A title wrapped over two lines is read as one.
    titles += [x + y for x, y in zip(titles, titles[1:])]
    return to_source(str(p), "pdf", grid, titles)


MAX_INFLATED = 64 * 1024 * 1024  # bytes one stream may inflate to (a page's text: some kilobytes)


def _bound_streams(name: str) -> None:
    """pdfminer inflates a Flate stream in one call, whatever it grows to (a few MB of zeros make a
    gigabyte), and a damaged one byte by byte into a bytes object that it copies at every byte.
    Its module's zlib is replaced here by one that stops at MAX_INFLATED, in linear time."""
    import zlib

    from pdfminer import pdftypes

    def too_big() -> ReadError:
        return ReadError(code="R-DOC-BUDGET", name=name, **budget("inflated", f"{MAX_INFLATED >> 20} MB"))

    class Bounded:
        error = zlib.error

        @staticmethod
        def decompress(data: bytes) -> bytes:
            d = zlib.decompressobj()
            out = d.decompress(data, MAX_INFLATED + 1)
            if len(out) > MAX_INFLATED:
                raise too_big()
            if not d.eof:
                raise zlib.error("incomplete or truncated stream")
            return out

    def corrupted(data: bytes) -> bytes:
        d, out, size = zlib.decompressobj(), [], 0
        try:
            for i in range(len(data)):
                got = d.decompress(data[i:i + 1])
                size += len(got)
                if size > MAX_INFLATED:
                    raise too_big()
                out.append(got)
        except zlib.error:
            if i < len(data) - 3:  # as pdfminer: only an error in the last bytes (the checksum) is passed over
                raise
        return b"".join(out)

    pdftypes.zlib = Bounded  # type: ignore[assignment]
    pdftypes.decompress_corrupted = corrupted
    _bound_cmaps(name)


MAX_CMAP = 1 << 20  # codes one character map of a font may map (a CJK font: some 30,000)


def _bound_cmaps(name: str) -> None:
    """pdfminer walks every code of a character map's range, one by one: `<00000000> <FFFFFFFF>`
    is four billion steps.  A map whose ranges add up to more than MAX_CMAP codes is refused."""
    from pdfminer.cmapdb import CMapParser
    from pdfminer.utils import nunpack

    plain = getattr(CMapParser.do_keyword, "__wrapped__", CMapParser.do_keyword)

    def do_keyword(self, pos, token):
        if token is self.KEYWORD_ENDBFRANGE or token is self.KEYWORD_ENDCIDRANGE:
            objs = [obj for _, obj in self.curstack]
            codes = sum(nunpack(b[-4:]) - nunpack(a[-4:]) for a, b in zip(objs[0::3], objs[1::3])
                        if isinstance(a, bytes) and isinstance(b, bytes) and 0 < len(a) == len(b))
            if codes > MAX_CMAP:
                raise ReadError(code="R-DOC-BUDGET", name=name, **budget("cmap", MAX_CMAP))
        return plain(self, pos, token)

    do_keyword.__wrapped__ = plain  # type: ignore[attr-defined]
    CMapParser.do_keyword = do_keyword


# ------------------------------------------------------------------ text without ruling lines
@dataclass
class Block:
    """A row of a ruled table (`row`, cell texts) or a printed line outside tables (`words`)."""

    page: int
    top: float
    row: list[str | None] | None = None
    words: list[dict] | None = None

    def cells(self) -> list[str]:
        """A line's cells: each number is a cell, the words between numbers one cell."""
        out: list[str] = []
        glue = False
        for w in self.words or []:
            if w.get("gone"):
                continue
            value = _is_value(w["text"])
            if not value and glue:
                out[-1] += " " + w["text"]
            else:
                out.append(w["text"])
            glue = not value
        return out

    def has_number(self) -> bool:
        texts = self.row if self.row is not None else [w["text"] for w in self.words or []]
        return any(c and any(ch.isdigit() for ch in c) for c in texts)

    def has_label(self, forms) -> bool:
        from .text import canon

        texts = self.row if self.row is not None else [w["text"] for w in self.words or []]
        return any(c and canon(c) in forms for c in texts)

    def sig(self) -> str:
        texts = self.row if self.row is not None else [w["text"] for w in self.words or []]
        return "\x1f".join("\x1e" if c is None else "".join(c.split()) for c in texts)


def _is_value(text: str) -> bool:
    from .text import canon, parse_values

    return parse_values(canon(text)) is not None


def lines_of(page, number: int = 0) -> list[list[dict]]:
    """The words of a page, grouped into printed lines (tops within 40% of the letter height),
    each line left to right."""
    words = page.extract_words(x_tolerance=1.5, y_tolerance=2, keep_blank_chars=False)
    lines: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (w["top"], w["x0"])):
        h = max(w["bottom"] - w["top"], 1)
        if lines and abs(lines[-1][0]["top"] - w["top"]) <= 0.4 * h:
            lines[-1].append(w)
        else:
            lines.append([w])
    for ln in lines:
        ln.sort(key=lambda w: w["x0"])
        for w in ln:
            w["page"] = number
    return lines


def join_wrapped(blocks: list[Block]) -> None:
    """Pieces of one label stacked in one column (a cell's text wrapped over lines:
    `2.其他法律行政法` / `规禁止公开`, `结果` / `维持`, `（三` / `）不` / `予公` / `开`, a row cut by
    a page break) are joined where together they spell an official label, so that the label is
    read whole on its first line.  Lines of numbers between the pieces are passed over."""
    from ..spec import edition_ids
    from .text import canon, lexicon

    forms = lexicon(tuple(edition_ids())).forms
    for i, b in enumerate(blocks):
        for w in b.words or []:
            if w.get("gone") or _is_value(w["text"]):
                continue  # a piece that is a label already may still begin a longer one (其他 / 结果)
            chain, text, best = [w], canon(w["text"]), 0
            for nb in blocks[i + 1: i + 40]:
                if nb.words is None:
                    break  # a ruled table
                prev = chain[-1]
                if nb.page == prev["page"]:
                    if nb.top - prev["bottom"] > 2 * (prev["bottom"] - prev["top"]) + 2:
                        break
                elif nb.page != prev["page"] + 1:
                    break  # a row cut by a page break goes on on the next page
                below = [x for x in nb.words if not x.get("gone") and not _is_value(x["text"])
                         and min(x["x1"], prev["x1"]) - max(x["x0"], prev["x0"]) > 0]
                if not below:
                    continue  # a line of numbers between two lines of a wrapped label
                if len(below) != 1 or canon(below[0]["text"]) in forms:
                    break
                chain.append(below[0])
                text += canon(below[0]["text"])
                if text in forms:
                    best = len(chain)
            if best:
                w["text"] = "".join(x["text"] for x in chain[:best])
                for x in chain[1:best]:
                    x["gone"] = True
