"""Test helper: scanned reports made here (issue 28).  A report is rendered by govxl (Word),
printed to PDF by LibreOffice, rasterised by pdftoppm, then degraded the ways real scans and
photographs are: rotated, blurred, noisy, JPEG-compressed, faint, stamped with a red seal,
photographed at an angle.  Everything is made from the test's own data: nothing is fetched.

`require_ocr` skips a test marked `ocr` when govxl[ocr] is missing, and fails it when CI=true;
`require_tesseract` the same for a test marked `tesseract` (the Tesseract program).
"""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

import pytest

import govxl
from govxl.judge.rules import evaluate
from govxl.spec import Edition


def require_ocr() -> None:
    from govxl.importer.ocr import available

    if available():
        return
    why = "govxl[ocr] is not installed (pip install -e '.[ocr]')"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why}: the OCR tests must run in CI")
    pytest.skip(why)


def require_tesseract() -> None:
    """The Tesseract program with its Chinese data (Debian: tesseract-ocr tesseract-ocr-chi-sim)."""
    import shutil

    exe = shutil.which("tesseract")
    langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=60).stdout.split() if exe else []
    if exe and "chi_sim" in langs:
        return
    why = "Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why}: the Tesseract tests must run in CI")
    pytest.skip(why)


def random_inputs(ed: Edition, seed: int) -> dict:
    """A consistent report of 1- to 4-digit numbers: table 三's balance holds (一+二 = 三 + 四)."""
    rng = random.Random(seed)
    out = {}
    for f in ed.fields:
        if f.is_total:
            continue
        if f.kind == "amount":
            out[f.key] = rng.choice([0, 1.5, 12.25, 305.8, 4.0])
        else:
            out[f.key] = rng.choice([0, rng.randint(1, 9), rng.randint(10, 99), rng.randint(100, 999),
                                     rng.randint(1000, 9999)])
    book = evaluate(ed, out)
    for f in ed.fields:  # 四、结转下年度 = 一 + 二 - 三（七）, raising 一 where that would be negative
        if f.table == "requests" and f.row_key == "carry_forward" and not f.is_total:
            col = f.col_key
            total = next(k for k in book if k[0] == "requests" and k[2] == col and k[1] == "results.total")
            need = book[total] - out[("requests", "new", col)] - out[("requests", "carried_over", col)]
            if need > 0:
                out[("requests", "new", col)] += need
                out[f.key] = rng.randint(0, 99)
                out[("requests", "new", col)] += out[f.key]
            else:
                out[f.key] = -need
    return out


def report_pdf(folder: Path, name: str, inputs: dict, agency: str, year: int) -> tuple[Path, object]:
    """The report (govxl render --to docx, printed by LibreOffice) and the workbook's check report."""
    from test_documents_lo import convert

    from govxl.render import render_report

    book = govxl.new(folder / f"{name}.xlsx", values=inputs, agency=agency, year=year)
    report = govxl.check(book)
    docx = render_report(report, "docx", folder / f"{name}.docx", force=True).path
    return convert(folder, "pdf", [docx], folder / "pdf")[0], report


def rasterise(pdf: Path, dpi: int) -> list:
    """The pages as RGB numpy arrays (pdftoppm)."""
    import numpy as np
    from PIL import Image

    out = pdf.parent / f"{pdf.stem}-{dpi}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(out)], check=True, timeout=300)
    pages = sorted(pdf.parent.glob(f"{out.name}-*.png"))
    return [np.asarray(Image.open(p).convert("RGB")) for p in pages]


# ------------------------------------------------------------------ degradations (RGB arrays)
def rotate(img, degrees: float):
    import cv2

    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))


def blur(img, k: int = 3):
    import cv2

    return cv2.GaussianBlur(img, (k, k), 0)


def noise(img, sigma: float, seed: int = 0):
    import numpy as np

    rng = np.random.default_rng(seed)
    return np.clip(img.astype(np.float32) + rng.normal(0, sigma, img.shape), 0, 255).astype(np.uint8)


def faint(img, lo: int = 110, hi: int = 235):
    """Low contrast: black becomes grey `lo`, white becomes `hi`."""
    import numpy as np

    return (lo + img.astype(np.float32) * (hi - lo) / 255).astype(np.uint8)


def jpeg(img, quality: int = 35):
    import cv2

    ok, buf = cv2.imencode(".jpg", img[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1].copy()


def seal(img, at: tuple[float, float], radius: float = 0.09):
    """A red seal (ring, star and characters' worth of strokes) multiplied over the page at
    `at` (fractions of width and height), as ink over print."""
    import cv2
    import numpy as np

    h, w = img.shape[:2]
    r = int(radius * w)
    cx, cy = int(at[0] * w), int(at[1] * h)
    mask = np.zeros((h, w), np.uint8)
    cv2.circle(mask, (cx, cy), r, 255, max(3, r // 14))
    pts = [(cx + int(0.35 * r * np.cos(a)), cy + int(0.35 * r * np.sin(a))) for a in np.linspace(-np.pi / 2, 3.5 * np.pi, 6)]
    cv2.fillPoly(mask, [np.array(pts[:5], np.int32)], 255)
    for i in range(8):
        a = np.pi + i * np.pi / 8
        x, y = cx + int(0.72 * r * np.cos(a)), cy + int(0.72 * r * np.sin(a))
        cv2.putText(mask, "#", (x - r // 12, y + r // 12), cv2.FONT_HERSHEY_SIMPLEX, r / 120, 255, max(2, r // 40))
    red = np.array([215, 30, 35], np.float32) / 255
    out = img.astype(np.float32)
    m = (mask > 0)[..., None]
    return np.where(m, out * red, out).astype(np.uint8)


def perspective(img, amount: float = 0.03):
    """A page photographed a little from the side: its corners pulled in unevenly."""
    import cv2
    import numpy as np

    h, w = img.shape[:2]
    d = amount
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[w * d, h * d * 0.5], [w * (1 - d * 0.3), 0], [w, h * (1 - d * 0.2)], [0, h * (1 - d * 0.6)]])
    return cv2.warpPerspective(img, cv2.getPerspectiveTransform(src, dst), (w, h), borderValue=(200, 200, 200))


def save_pdf(pages: list, path: Path, dpi: int) -> Path:
    """Pictures of pages as a PDF without a text layer (a scan)."""
    from PIL import Image

    imgs = [Image.fromarray(p) for p in pages]
    imgs[0].save(path, save_all=True, append_images=imgs[1:], resolution=dpi)
    return path


def save_tiff(pages: list, path: Path) -> Path:
    from PIL import Image

    imgs = [Image.fromarray(p) for p in pages]
    imgs[0].save(path, save_all=True, append_images=imgs[1:], compression="tiff_lzw")
    return path


def score(values: dict, truth: dict) -> tuple[int, list, int]:
    """(numbers right, [(key, read, true)] wrong, numbers unknown) of an import against the truth."""
    right, wrong = 0, []
    for k, v in values.items():
        if v is None:
            continue
        if abs(v - truth[k]) < 1e-9:
            right += 1
        else:
            wrong.append((k, v, truth[k]))
    return right, wrong, sum(1 for k in truth if k not in values)


def cell_boxes(img, table: int, cells: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Where cells of a page's `table`-th ruled table (0-based; (row, cell) 0-based as
    ocr_grid cuts them) are on the page picture: (x, y, w, h).  For a page that is not rotated."""
    from govxl.importer.ocr_grid import find_page

    t = find_page(img[..., ::-1].copy()).tables[table]
    pad = 6  # ocr_grid cuts a table with this margin
    return [(t.box[0] - pad + t.rows[r][c].x, t.box[1] - pad + t.rows[r][c].y, t.rows[r][c].w, t.rows[r][c].h)
            for r, c in cells]


def cross_out(img, boxes: list[tuple[int, int, int, int]]):
    """A pen's X drawn over each box (a clerk crossing out figures): the digits stay under it."""
    import cv2

    out = img.copy()
    for x, y, w, h in boxes:
        cv2.line(out, (x + 8, y + 6), (x + w - 8, y + h - 6), (30, 30, 30), 4)
        cv2.line(out, (x + 8, y + h - 6), (x + w - 8, y + 6), (30, 30, 30), 4)
    return out


def blot(img, boxes: list[tuple[int, int, int, int]], grey: int = 25, seed: int = 0):
    """A solid dark blot over each box (spilt ink, a black marker, a dark patch of a bad scan): an
    irregular filled shape covering most of the cell, its edge a little soft, the ruling lines showing
    where it does not reach."""
    import cv2
    import numpy as np

    rng = np.random.default_rng(seed)
    out = img.copy()
    mask = np.zeros(img.shape[:2], np.uint8)
    for x, y, w, h in boxes:
        cx, cy = x + w // 2, y + h // 2
        angles = np.linspace(0, 2 * np.pi, 14, endpoint=False)
        radii = rng.uniform(0.75, 1.0, angles.size)
        pts = np.stack([cx + radii * 0.42 * w * np.cos(angles), cy + radii * 0.42 * h * np.sin(angles)], 1)
        cv2.fillPoly(mask, [pts.astype(np.int32)], 255)
    soft = cv2.GaussianBlur(mask, (5, 5), 0).astype(np.float32)[..., None] / 255
    return (out * (1 - soft) + grey * soft).astype(np.uint8)


def smear(img, boxes: list[tuple[int, int, int, int]], sigma: float = 0.0):
    """A heavy local blur over each box (a finger on wet ink, a cell out of focus): the cell's
    inside blurred with a Gaussian of `sigma` (a third of the cell's height by default)."""
    import cv2

    out = img.copy()
    for x, y, w, h in boxes:
        s = sigma or h / 3
        part = out[y + 3: y + h - 3, x + 3: x + w - 3]
        out[y + 3: y + h - 3, x + 3: x + w - 3] = cv2.GaussianBlur(part, (0, 0), s)
    return out


def smudge(img, boxes: list[tuple[int, int, int, int]], grey: int = 200):
    """A light grey smudge over each box (a dirty thumb, a coffee ring's shadow): a soft patch a
    little darker than the paper."""
    import cv2
    import numpy as np

    mask = np.zeros(img.shape[:2], np.uint8)
    for x, y, w, h in boxes:
        cv2.ellipse(mask, (x + w // 2, y + h // 2), (int(0.4 * w), int(0.35 * h)), 0, 0, 360, 255, -1)
    soft = cv2.GaussianBlur(mask, (0, 0), 4).astype(np.float32)[..., None] / 255
    return (img * (1 - soft) + np.minimum(img, grey) * soft).astype(np.uint8)


def erase(img, boxes: list[tuple[int, int, int, int]]):
    """Each box's inside made paper (a cell printed blank), its ruling lines kept."""
    out = img.copy()
    for x, y, w, h in boxes:
        out[y + 4: y + h - 3, x + 4: x + w - 3] = 255
    return out


def printed_text(pdf: Path, page: int, box: tuple[int, int, int, int], dpi: int) -> str:
    """The text the printed PDF (with its text layer) holds inside a box of its page rasterised at
    `dpi` (page 0-based)."""
    import pdfplumber

    x, y, w, h = (v * 72 / dpi for v in box)
    with pdfplumber.open(pdf) as doc:
        words = doc.pages[page].extract_words()
    return "".join(wd["text"] for wd in words
                   if x <= (wd["x0"] + wd["x1"]) / 2 <= x + w and y <= (wd["top"] + wd["bottom"]) / 2 <= y + h)
