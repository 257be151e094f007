"""Scanned reports (govxl[ocr]): a PDF without a text layer, or pictures of its pages (.png,
.jpg, .tif), read offline into the same rows of cell texts as every other document, for the
one placing engine.

Pages are rasterised (pypdfium2, which comes with pdfplumber), each page's ruled tables are
found, straightened and cut into cells (ocr_grid.py), and each cell's lines of text are read by
RapidOCR's recogniser (its models ship inside the wheel: nothing is downloaded).  Only pages
with a table, and the first page (its title), are read.

Never a wrong number: a cell is a number only when the reading is certain: every reading of
it (two differently prepared crops, and Tesseract's too where it is installed) gives the same
digits with high confidence.  Otherwise the cell is left unread (its value is unknown) and an
I-OCR finding names the page and the cell and carries its picture (govxl.cellcrop); what the
readings were is kept, for the arithmetic to choose between them (govxl/importer/readings.py).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..cellcrop import data_uri
from ..errors import ReadError
from .source import Source

DPI = 200  # a PDF page is rendered at this resolution
MIN_SCORE = 0.95  # the recogniser's confidence below which a number is not taken
MAX_PAGES = 40
MAX_PIXELS = 60_000_000  # one picture (a 300 dpi A3 scan is ~17 Mpx)
UNSURE = "―"  # the text of an unread cell: a blank mark to the placing engine; never a number


def available() -> bool:
    """Whether govxl[ocr] is installed (without importing it)."""
    return all(importlib.util.find_spec(m) is not None for m in ("rapidocr", "onnxruntime", "cv2"))


@dataclass(frozen=True)
class Unsure:
    """A cell whose reading is not certain: where it is and what was read, if anything."""

    page: int  # 1-based
    row: int  # the table's row and column (1-based, as printed: merged cells count once)
    col: int
    table: int  # the n-th table on the page (1-based)
    read: str  # what the recogniser read ("" when nothing)
    box: tuple[int, int, int, int] = (0, 0, 0, 0)  # x, y, w, h on the straightened table's image
    readings: tuple[str, ...] = ()  # the numbers the readings gave (each engine's, each pass's), distinct
    crop: str = ""  # the cell's picture, a PNG as a data: URI (govxl.cellcrop)


def read_scan(path: Path, kind: str) -> Source:
    """A scanned PDF (kind `pdf`) or a picture (`image`) as a Source of rows."""
    if not available():
        code = "R-PDF-SCAN" if kind == "pdf" else "R-OCR-IMAGE"
        raise ReadError(code=code, name=path.name)
    from .ocr_grid import find_page

    rows: list[list[str]] = []
    unsure: dict[tuple[int, int], Unsure] = {}
    titles: list[str] = []
    seen_heads: set[str] = set()
    for number, bgr in enumerate(pages_of(path, kind), start=1):
        page = find_page(bgr)
        if not page.tables and number > 1:
            continue  # prose: the tables are what is read
        items: list[tuple[int, list[str], dict[int, Unsure]]] = []
        texts = _read_all([c for _, crops in page.lines for c in crops])
        k = 0
        for top, crops in page.lines:
            line = "".join(t for t, _ in texts[k: k + len(crops)]).strip()
            k += len(crops)
            if line:
                items.append((top, [line], {}))
                if number == 1:
                    titles.append(line)
        for ti, table in enumerate(page.tables, start=1):
            lead = True
            for ri, (cells, marks) in enumerate(table_rows(table, number, ti)):
                sig = "\x1f".join("".join(c.split()) for c in cells)
                if lead and not marks and not any(ch.isdigit() for c in cells for ch in c):
                    if sig in seen_heads and number > 1:
                        continue  # a header repeated where the table goes on on a new page
                    seen_heads.add(sig)
                else:
                    lead = False
                items.append((table.box[1] + ri, cells, marks))
        items.sort(key=lambda it: it[0])
        for _, cells, marks in items:
            r = len(rows)
            rows.append(cells)
            for c, u in marks.items():
                unsure[(r, c)] = u
    if kind == "pdf" and not _labelled(rows):
        raise ReadError(code="R-OCR-NOTABLES", name=path.name)
    titles += [x + y for x, y in zip(titles, titles[1:])]
    return Source(str(path), "scan", rows=rows, titles=titles, unsure=unsure)


def _labelled(rows: list[list[str]]) -> bool:
    """Whether any cell is an official label (else the scan holds no table of a report)."""
    from ..spec import edition_ids
    from .text import canon, lexicon

    forms = lexicon(tuple(edition_ids())).forms
    return any(canon(c) in forms for row in rows for c in row)


# ------------------------------------------------------------------ pages
def pages_of(path: Path, kind: str):
    import numpy as np

    if kind == "pdf":
        import pypdfium2 as pdfium

        try:
            pdf = pdfium.PdfDocument(str(path))
        except Exception:
            raise ReadError(code="R-PDF-BROKEN", name=path.name) from None
        try:
            if len(pdf) > MAX_PAGES:
                raise ReadError(code="R-PDF-LONG", n=len(pdf), most=MAX_PAGES, name=path.name)
            for i in range(len(pdf)):
                img = pdf[i].render(scale=DPI / 72).to_pil().convert("RGB")
                yield np.asarray(img)[..., ::-1].copy()
        finally:
            pdf.close()
        return
    from PIL import Image, ImageSequence, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(path) as im:
            frames = [f.convert("RGB") for _, f in zip(range(MAX_PAGES), ImageSequence.Iterator(im))]
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError):
        raise ReadError(code="R-OCR-PICTURE", name=path.name) from None
    for f in frames:
        if f.width < 600:  # too small to hold a table's digits (a 200 dpi A4 page is 1654 wide)
            f = f.resize((f.width * 2, f.height * 2))
        yield np.asarray(f)[..., ::-1].copy()


# ------------------------------------------------------------------ cells
_DIGITS = re.compile(r"^-?\d+(?:\.\d+)?$")
_DASHES = set("-—–―─一_~～")


def table_rows(table, page: int, ti: int):
    """Each row's cell texts and its unsure cells (index -> Unsure)."""
    crops = [c for r in table.rows for cell in r for c in cell.crops]
    first = _read_all(crops)
    k = 0
    reads: dict[int, list[tuple[str, float]]] = {}
    for r in table.rows:
        for cell in r:
            reads[id(cell)] = first[k: k + len(cell.crops)]
            k += len(cell.crops)
    # the cells that may hold a number (on one line, or wrapped in a narrow cell) are read a second
    # time, differently prepared
    numeric = [cell for r in table.rows for cell in r
               if cell.crops and all(_numberish(t) for t, _ in reads[id(cell)])]
    second = _read_all([_variant(c) for cell in numeric for c in cell.crops])
    again, k = {}, 0
    for cell in numeric:
        again[id(cell)] = second[k: k + len(cell.crops)]
        k += len(cell.crops)
    for ri, r in enumerate(table.rows, start=1):
        cells: list[str] = []
        marks: dict[int, Unsure] = {}
        for ci, cell in enumerate(r, start=1):
            got = reads[id(cell)]
            text = "".join(t for t, _ in got).strip()
            if cell.blot and not _has_words(text):
                # a blot or a smear: whatever shows around it, or nothing, is not what was printed
                marks[len(cells)] = _unsure(table, cell, (page, ri, ci, ti), text, ())
                cells.append(UNSURE)
                continue
            if not cell.ink:
                cells.append("")  # printed blank: nothing inside but paper
                continue
            if id(cell) in again:
                parts = [_sure(a, b, c) for a, b, c in zip(got, again[id(cell)], cell.crops)]
                value = None if None in parts or cell.split else "".join(parts)  # type: ignore[arg-type]
                if value is not None and (not _DIGITS.match(value) or re.match(r"^-?0\d", value)):
                    value = None  # a leading zero, or a sign or point inside a wrapped number
                if value is None:
                    seen = () if cell.split else readings(got, again[id(cell)], cell.crops)
                    marks[len(cells)] = _unsure(table, cell, (page, ri, ci, ti), text, seen)
                    cells.append(UNSURE)
                else:
                    cells.append(value)
                continue
            if len(cell.crops) == 1 and _is_dash(cell):
                cells.append("-")
                continue
            if not text or (not _has_words(text) and (_has_digit(text) or re.search(r"[A-Za-z]", text))):
                # ink, but no certain reading (a number, or a mark that is neither words nor a dash: `X`;
                # `（一）` stays the text it is)
                marks[len(cells)] = _unsure(table, cell, (page, ri, ci, ti), text, ())
                cells.append(UNSURE)
                continue
            cells.append(text)
        yield cells, marks


def _unsure(table, cell, where: tuple[int, int, int, int], text: str, seen: tuple[str, ...]) -> Unsure:
    page, ri, ci, ti = where
    return Unsure(page, ri, ci, ti, text, (cell.x, cell.y, cell.w, cell.h), seen, crop_of(table.image, cell))


CROP_MAX = (280, 64)  # the largest picture of a cell kept (width, height in pixels)


def crop_of(image, cell) -> str:
    """The cell with a margin (its ruling lines, a little of its neighbours), downscaled, as a
    PNG data: URI; "" when it cannot be made."""
    import cv2

    m = max(6, cell.h // 4)
    y0, x0 = max(0, cell.y - m), max(0, cell.x - m)
    part = image[y0: cell.y + cell.h + m, x0: cell.x + cell.w + m]
    if part.size == 0:
        return ""
    scale = min(1.0, CROP_MAX[0] / part.shape[1], CROP_MAX[1] / part.shape[0])
    if scale < 1:
        size = (max(1, round(part.shape[1] * scale)), max(1, round(part.shape[0] * scale)))
        part = cv2.resize(part, size, interpolation=cv2.INTER_AREA)
    ok, png = cv2.imencode(".png", part, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    return data_uri(png.tobytes()) if ok else ""


def readings(first, second, crops) -> tuple[str, ...]:
    """The numbers the readings of an unsure cell gave: the recogniser's two passes and
    Tesseract's (where installed), each joined over the cell's lines; distinct, in that order."""
    out = ["".join(_norm(t) for t, _ in first), "".join(_norm(t) for t, _ in second)]
    tess = [_tesseract(c) for c in crops]
    if tess and None not in tess:
        out.append("".join(tess))  # type: ignore[arg-type]
    return tuple(dict.fromkeys(t for t in out if _DIGITS.match(t) and not re.match(r"^-?0\d", t)))


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _numberish(text: str) -> bool:
    t = _norm(text)
    return bool(t) and _has_digit(t) and not _has_words(t)


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _has_words(text: str) -> bool:
    """Whether a text holds a character of words (`一` is a dash beside digits: a stroke across a number)."""
    return any(unicodedata.category(ch) == "Lo" and ch not in _DASHES for ch in text)


def _is_dash(cell) -> bool:
    _, _, w, h = cell.marks[0]
    return w >= 2.5 * h and h <= 8


def _sure(first: tuple[str, float], second: tuple[str, float], crop) -> str | None:
    """The number of a cell when every reading agrees with confidence; else None."""
    a, b = _norm(first[0]), _norm(second[0])
    if not (_DIGITS.match(a) and a == b and min(first[1], second[1]) >= MIN_SCORE):
        return None
    third = _tesseract(crop)
    if third is not None and third != a:
        return None
    return a


def _variant(crop):
    """The same crop binarised and enlarged with a wider margin: a second, independent look."""
    import cv2
    import numpy as np

    _, bw = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    big = cv2.resize(bw, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC)
    pad = max(8, big.shape[0] // 3)
    return np.pad(big, pad, constant_values=255)


# ------------------------------------------------------------------ engines
@cache
def _engine():
    from rapidocr import RapidOCR

    threads = int(os.environ.get("GOVXL_OCR_THREADS", "0")) or min(os.cpu_count() or 1, 4)
    return RapidOCR(params={"Global.use_cls": False, "Global.use_det": False, "Global.log_level": "critical",
                            "Rec.rec_batch_num": 16,
                            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                            "EngineConfig.onnxruntime.inter_op_num_threads": 1})


def _read_all(crops) -> list[tuple[str, float]]:
    """The recogniser's (text, confidence) for each crop (a grey image)."""
    if not crops:
        return []
    import cv2

    imgs = [cv2.cvtColor(c, cv2.COLOR_GRAY2BGR) for c in crops]
    out = _engine().recognize_txt(imgs)
    return [(t or "", float(s)) for t, s in zip(out.txts, out.scores)]


@cache
def tesseract_path() -> str | None:
    return shutil.which("tesseract") if os.environ.get("GOVXL_OCR_TESSERACT", "1") != "0" else None


def _tesseract(crop) -> str | None:
    """Tesseract's digits for a crop, where Tesseract is installed (None: not installed): of the
    crop binarised and enlarged, or, where that gives nothing (a lone `0` often does), as scanned."""
    exe = tesseract_path()
    if exe is None:
        return None
    import cv2

    got = ""
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "c.png"
        for img in (_variant(crop), crop):
            cv2.imwrite(str(f), img)
            try:
                r = subprocess.run([exe, str(f), "stdout", "--psm", "7", "-c", "tessedit_char_whitelist=0123456789.-"],
                                   capture_output=True, text=True, timeout=30,
                                   env={**os.environ, "OMP_THREAD_LIMIT": "1"})  # 5-10x slower on more threads
            except (OSError, subprocess.SubprocessError):
                return ""
            got = _norm(r.stdout)
            if got:
                break
    return got
