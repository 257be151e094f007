"""The geometry of a scanned page (govxl[ocr]): red removed, deskewed, each ruled table found,
straightened (a photographed page's perspective) and cut into its cells; the lines of text
outside the tables.  Only numpy and OpenCV here; ocr.py reads the pieces.

A cell is a region enclosed by ruling lines, so rows and columns follow from the lines alone,
whatever the cells hold; a red seal is removed before the lines are looked for (black lines
under the seal stay dark), and short gaps in a line (noise, a faint scan) are bridged.

A cell is blank only when its inside is paper: a solid dark patch (a blot, a marker) or, where
no ink was found, an area clearly darker than paper (a smear, a blurred figure) marks it `blot`,
which ocr.py reads as unsure, never as blank nor as a number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np


@dataclass
class Cell:
    x: int
    y: int
    w: int
    h: int
    crops: list[np.ndarray] = field(default_factory=list)  # its lines of text (grey), top to bottom
    marks: list[tuple[int, int, int, int]] = field(default_factory=list)  # the ink boxes of those lines
    ink: bool = False
    blot: bool = False  # a dark patch no print makes (a blot, a smear): never read as blank, nor as a number
    split: bool = False  # the cells above and below it are split where it is not: a line was missed


@dataclass
class Table:
    box: tuple[int, int, int, int]  # x, y, w, h on the deskewed page
    rows: list[list[Cell]]
    image: np.ndarray  # the straightened table (grey), for crops of unsure cells


@dataclass
class Page:
    tables: list[Table]
    lines: list[tuple[int, list[np.ndarray]]]  # (top, crops of the pieces of one printed line)
    image: np.ndarray  # deskewed grey page


def remove_red(bgr: np.ndarray) -> np.ndarray:
    """The page in grey with red ink (a seal, a red heading) turned white."""
    hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    red = ((h <= 12) | (h >= 160)) & (s >= 60) & (v >= 90)
    b, g, r = (bgr[..., i].astype(np.int16) for i in range(3))
    red |= (r - np.maximum(g, b) > 40) & (r > 110)
    grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    # red ink over print darkens all three channels; the red one keeps what was under it
    under = np.clip(bgr[..., 2].astype(np.float32) * 1.15, 0, 255).astype(np.uint8)
    grey[red] = under[red]
    return grey


def normalise(grey: np.ndarray) -> np.ndarray:
    """Contrast stretched between the darkest ink and the paper (a faint or grey scan)."""
    lo, hi = np.percentile(grey, (0.5, 90))
    if hi - lo < 10:
        return grey
    out = (grey.astype(np.float32) - lo) * (255.0 / (hi - lo))
    return np.clip(out, 0, 255).astype(np.uint8)


def binary(grey: np.ndarray, faint: bool = False) -> np.ndarray:
    """Ink = 255; `faint`: also the lighter marks a thin ruling line leaves (for the grid only:
    the long openings that find lines ignore speckles)."""
    block = max(15, (min(grey.shape) // 40) | 1)
    ink = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 8 if faint else 18)
    dark = (grey < (200 if faint else 150)).astype(np.uint8) * 255
    return cv2.bitwise_and(ink, dark)


def _hlines(ink: np.ndarray, length: int) -> np.ndarray:
    m = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    return cv2.morphologyEx(m, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (length // 2, 1)))


def _vlines(ink: np.ndarray, length: int) -> np.ndarray:
    m = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length)))
    return cv2.morphologyEx(m, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length // 2)))


def skew(grey: np.ndarray) -> float:
    """The page's rotation in degrees, from its long straight lines (0 when there are none)."""
    ink = binary(grey)
    w = grey.shape[1]
    m = _hlines(ink, max(20, w // 60))
    segs = cv2.HoughLinesP(m, 1, np.pi / 1800, threshold=max(50, w // 10), minLineLength=w // 8, maxLineGap=10)
    if segs is None:
        return 0.0
    angles = []
    for x1, y1, x2, y2 in np.asarray(segs).reshape(-1, 4):
        a = np.degrees(np.arctan2(y2 - y1, x2 - x1))
        if abs(a) < 8:
            angles += [a] * int(np.hypot(x2 - x1, y2 - y1) // 10)
    return float(np.median(angles)) if angles else 0.0


def rotate(grey: np.ndarray, angle: float) -> np.ndarray:
    if abs(angle) < 0.05:
        return grey
    h, w = grey.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(grey, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)


def text_height(ink: np.ndarray) -> int:
    """The median height of the marks that look like characters (for the sizes below)."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    hs = [s[3] for s in stats[1:] if 6 <= s[3] <= ink.shape[0] // 20 and s[2] <= 4 * s[3] and s[4] >= 12]
    return int(np.median(hs)) if hs else 20


def find_page(bgr: np.ndarray) -> Page:
    grey = normalise(remove_red(bgr))
    grey = rotate(grey, skew(grey))
    ink = binary(grey)
    th = text_height(ink)
    grid = cv2.bitwise_or(_hlines(ink, max(30, 3 * th)), _vlines(ink, max(30, 3 * th)))
    grid = cv2.dilate(grid, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(grid, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    tables: list[Table] = []
    area = grey.shape[0] * grey.shape[1]
    for c in sorted(contours, key=lambda c: cv2.boundingRect(c)[1]):
        x, y, w, h = cv2.boundingRect(c)
        if w * h < area * 0.01 or w < grey.shape[1] * 0.25 or h < 3 * th:
            continue
        t = _table(grey, c, (x, y, w, h), th)
        if t is not None:
            tables.append(t)
    covered = np.zeros(grey.shape, bool)
    for t in tables:
        x, y, w, h = t.box
        covered[max(0, y - 4): y + h + 4, max(0, x - 4): x + w + 4] = True
    rest = ink.copy()
    rest[covered] = 0
    return Page(tables, text_lines(grey, rest, th), grey)


def _table(grey: np.ndarray, contour, box, th: int) -> Table | None:
    """The table inside `contour`, straightened, cut into cells."""
    x, y, w, h = box
    quad = cv2.approxPolyDP(contour, 0.02 * cv2.arcLength(contour, True), True)
    if len(quad) == 4:
        pts = quad[:, 0, :].astype(np.float32)
        s, d = pts.sum(1), np.diff(pts, axis=1)[:, 0]
        src = np.array([pts[s.argmin()], pts[d.argmin()], pts[s.argmax()], pts[d.argmax()]], np.float32)
        tw = int(max(np.linalg.norm(src[1] - src[0]), np.linalg.norm(src[2] - src[3])))
        tl = int(max(np.linalg.norm(src[3] - src[0]), np.linalg.norm(src[2] - src[1])))
        pad = 6
        dst = np.array([[pad, pad], [pad + tw, pad], [pad + tw, pad + tl], [pad, pad + tl]], np.float32)
        img = cv2.warpPerspective(grey, cv2.getPerspectiveTransform(src, dst), (tw + 2 * pad, tl + 2 * pad),
                                  flags=cv2.INTER_CUBIC, borderValue=255)
    else:
        img = grey[max(0, y - 6): y + h + 6, max(0, x - 6): x + w + 6].copy()
    ink = binary(img)
    lines = _grid(binary(img, faint=True), th)
    free = cv2.bitwise_not(lines)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(free, connectivity=4)
    H, W = img.shape
    cells: list[Cell] = []
    for i in range(1, n):
        cx, cy, cw, ch, a = stats[i]
        if cx == 0 or cy == 0 or cx + cw >= W or cy + ch >= H:
            continue  # outside the table
        if cw < max(8, th // 2) or ch < max(8, th // 2) or a < 0.5 * cw * ch:
            continue
        cell = Cell(int(cx), int(cy), int(cw), int(ch))
        _read_ink(img, ink, lines, labels == i, cell, th)
        cells.append(cell)
    if len(cells) < 4:
        return None
    mark_split(cells, th)
    return Table(box, rows_of(cells, th), img)


def mark_split(cells: list[Cell], th: int) -> None:
    """Flag each cell that the rows above and below it divide by a line it does not have (a
    ruling line lost under a seal or in noise: two cells read as one)."""
    tol = max(4, th // 3)

    def inner(c: Cell, others: list[Cell]) -> set[int]:
        return {o.x // tol for o in others if c.x + tol < o.x < c.x + c.w - tol}

    for c in cells:
        above = [o for o in cells if abs(o.y + o.h - c.y) <= tol and o.x < c.x + c.w and o.x + o.w > c.x]
        below = [o for o in cells if abs(o.y - (c.y + c.h)) <= tol and o.x < c.x + c.w and o.x + o.w > c.x]
        sides = [inner(c, side) for side in (above, below) if side]
        if sides and all(sides):
            near = set.intersection(*({k - 1, k, k + 1} for k in sides[0])) if len(sides) == 1 else \
                {k for k in sides[0] if {k - 1, k, k + 1} & sides[1]}
            c.split = bool(near)


def _grid(ink: np.ndarray, th: int) -> np.ndarray:
    """The ruling lines: long horizontal runs, and vertical runs that reach from line to line."""
    H, W = ink.shape
    h = _hlines(ink, max(30, 2 * th))
    hd = cv2.dilate(h, np.ones((7, 3), np.uint8))
    v = _vlines(ink, max(10, th // 2))
    n, lab, stats, _ = cv2.connectedComponentsWithStats(v, connectivity=8)
    keep = np.zeros(n, bool)
    for i in range(1, n):
        x, y, w, hh, _ = stats[i]
        if w > max(8, th // 2):
            continue
        top = hd[max(0, y - 3): y + 4, max(0, x - 2): x + w + 2].any()
        bottom = hd[max(0, y + hh - 4): y + hh + 3, max(0, x - 2): x + w + 2].any()
        keep[i] = (top and bottom) or hh > 3 * th
    v = np.where(keep[lab], 255, 0).astype(np.uint8)
    grid = cv2.bitwise_or(h, v)
    return cv2.dilate(grid, np.ones((3, 3), np.uint8))


def _read_ink(img, ink, lines, region, cell: Cell, th: int) -> None:
    """The text lines of a cell, as crops of the grey image with the ruling lines blanked."""
    m = 3
    y0, y1, x0, x1 = cell.y + m, cell.y + cell.h - m, cell.x + m, cell.x + cell.w - m
    if y1 <= y0 or x1 <= x0:
        return
    own = ink[y0:y1, x0:x1].copy()
    own[lines[y0:y1, x0:x1] > 0] = 0
    own[~region[y0:y1, x0:x1]] = 0
    own = _despeckle(own, th)
    rows = np.flatnonzero(own.any(1))
    # a blot as wide as a cell is taken for a piece of ruling line: looked for with the lines kept
    # (a ruling line is thinner than what `solid` looks for), then through the lines blanked
    near = lines[y0:y1, x0:x1] > 0
    inside = img[y0:y1, x0:x1].copy()
    inside[~region[y0:y1, x0:x1] & ~near] = 255
    blot = solid(inside, th)
    inside[near] = 255
    cell.blot = blot or (rows.size == 0 and shaded(inside, th))
    if rows.size == 0:
        return
    cell.ink = True
    bands, start = [], rows[0]
    for a, b in zip(rows, rows[1:]):
        if b - a > max(2, th // 6):
            bands.append((start, a))
            start = b
    bands.append((start, rows[-1]))
    grey = img[y0:y1, x0:x1].copy()
    grey[lines[y0:y1, x0:x1] > 0] = 255
    for a, b in bands:
        if b - a + 1 < max(3, th // 4):
            # too low for a line of text: a stroke of one (`一`, a dash), kept only if it is all there is
            if len(bands) > 1:
                continue
        cols = np.flatnonzero(own[a: b + 1].any(0))
        pad = max(4, th // 3)
        ya, yb = max(0, a - pad), min(grey.shape[0], b + pad + 1)
        xa, xb = max(0, cols[0] - pad), min(grey.shape[1], cols[-1] + pad + 1)
        cell.crops.append(grey[ya:yb, xa:xb])
        cell.marks.append((int(x0 + cols[0]), int(y0 + a), int(cols[-1] - cols[0] + 1), int(b - a + 1)))


def solid(grey: np.ndarray, th: int) -> bool:
    """Whether a cell's inside (grey, its ruling lines white) holds a solid dark patch: ink wider
    than any stroke of print in every direction (spilt ink, a marker, a dark patch of a bad scan)."""
    k = max(3, th // 2)  # wider than a stroke, and than the knot of strokes of a dense character at 150 dpi
    dark = (grey < 110).astype(np.uint8)
    core = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    return int(core.sum()) >= th * th  # the size of a whole character, solid


def shaded(grey: np.ndarray, th: int) -> bool:
    """Whether a cell where no ink was found is still not empty paper: seen through a blur of
    about a stroke's width (which fades noise, JPEG blocks and the speckles a seal leaves), an
    area the size of half a character is clearly darker than paper (a smear, a shadow, a blurred
    figure)."""
    if min(grey.shape) < 3:
        return False
    soft = cv2.GaussianBlur(grey, (0, 0), max(1.0, th / 6))
    return int((soft < PAPER - SHADE).sum()) >= th * th // 2


PAPER = 255  # the paper's grey after `normalise`
SHADE = 28  # how much darker than paper an area must be to be a mark


def _despeckle(ink: np.ndarray, th: int) -> np.ndarray:
    """Without specks of noise: marks smaller than a dot of a character."""
    n, lab, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return ink
    small = max(3, (th * th) // 120)
    keep = stats[:, 4] >= small
    keep[0] = False
    return np.where(keep[lab], 255, 0).astype(np.uint8)


def rows_of(cells: list[Cell], th: int) -> list[list[Cell]]:
    """Cells grouped by the line they start below, each row left to right; a cell that spans
    rows belongs to its first.  Neighbours are chained (a cell and the one that begins where it
    ends, starting below the same line), so a row stays one where a photograph's perspective
    makes its line slope across the table."""
    tol = max(4, th // 3)
    parent = list(range(len(cells)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(cells):
        for j, b in enumerate(cells):
            if i != j and abs(b.x - (a.x + a.w)) <= 2 * tol and abs(b.y - a.y) <= tol:
                parent[root(j)] = root(i)
    groups: dict[int, list[Cell]] = {}
    for i, c in enumerate(cells):
        groups.setdefault(root(i), []).append(c)
    rows = [sorted(g, key=lambda c: c.x) for g in groups.values()]
    return sorted(rows, key=lambda r: r[0].y)


def text_lines(grey: np.ndarray, ink: np.ndarray, th: int) -> list[tuple[int, list[np.ndarray]]]:
    """Printed lines outside the tables, each cut where a wide gap separates its pieces."""
    ink = _despeckle(ink, th)
    rows = np.flatnonzero(ink.any(1))
    out: list[tuple[int, list[np.ndarray]]] = []
    if rows.size == 0:
        return out
    bands, start = [], rows[0]
    for a, b in zip(rows, rows[1:]):
        if b - a > max(2, th // 4):
            bands.append((start, a))
            start = b
    bands.append((start, rows[-1]))
    pad = max(4, th // 3)
    for a, b in bands:
        if b - a + 1 < th // 2 or b - a + 1 > 3 * th:
            continue
        cols = np.flatnonzero(ink[a: b + 1].any(0))
        pieces, s = [], cols[0]
        for p, q in zip(cols, cols[1:]):
            if q - p > 3 * th:
                pieces.append((s, p))
                s = q
        pieces.append((s, cols[-1]))
        ya, yb = max(0, a - pad), min(grey.shape[0], b + pad + 1)
        crops = [grey[ya:yb, max(0, p - pad): min(grey.shape[1], q + pad + 1)] for p, q in pieces]
        out.append((int(a), crops))
    return out
