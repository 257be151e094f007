"""Rebuild docs/example/: the figures of the 南关区 2023 report rendered by govxl.

The workbook is made from tests/helpers.py NANGUAN_2023 (the figures of the published report,
whose tables are examples/nanguan-2023-tables.txt) with govxl.new(values=...); the free text is
docs/example/nanguan-2023-text.md, an example written for govxl (not the report's own prose).
Writes nanguan-2023.html, .md and .docx, and docs/nanguan-2023.png, the HTML's first four printed
pages (headless Chromium, else LibreOffice; pdftoppm).

    python3 docs/make_example.py
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from helpers import NANGUAN_2023, NANGUAN_AGENCY, values  # noqa: E402

import govxl  # noqa: E402
from govxl.narrative import read_text  # noqa: E402
from govxl.render import render_report  # noqa: E402
from govxl.spec import load_edition  # noqa: E402

OUT = ROOT / "docs" / "example"


def main() -> None:
    ed = load_edition("2021")
    with tempfile.TemporaryDirectory() as tmp:
        wb = govxl.new(Path(tmp) / "nanguan-2023.xlsx", values=values(ed, NANGUAN_2023),
                       agency=NANGUAN_AGENCY, year=2023)
        report = govxl.check(wb)
        assert report.ok(), report.findings
        text = read_text(OUT / "nanguan-2023-text.md", ed)
        for fmt in ("html", "md", "docx"):
            r = render_report(report, fmt, OUT / f"nanguan-2023.{fmt}", text=text)
            assert not r.findings, r.findings
            print("wrote", r.path.relative_to(ROOT))
        screenshot(OUT / "nanguan-2023.html", ROOT / "docs" / "nanguan-2023.png", Path(tmp))


def screenshot(html: Path, png: Path, tmp: Path) -> None:
    """The first four printed pages of the HTML (A4), two by two, as one PNG."""
    pdf = tmp / "page.pdf"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if chromium:
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                        f"--print-to-pdf={pdf}", html.as_uri()], check=True, capture_output=True)
    else:
        subprocess.run(["soffice", f"-env:UserInstallation={(tmp / 'lo').as_uri()}", "--headless",
                        "--convert-to", "pdf:writer_web_pdf_Export", "--outdir", str(tmp), str(html)],
                       check=True, capture_output=True)
        (tmp / f"{html.stem}.pdf").rename(pdf)
    subprocess.run(["pdftoppm", "-r", "96", "-f", "1", "-l", "4", str(pdf), str(tmp / "p")], check=True)
    side_by_side(sorted(tmp.glob("p-*.ppm")), png)
    print("wrote", png.relative_to(ROOT))


def side_by_side(ppms: list[Path], png: Path, per_row: int = 2, gap: int = 16) -> None:
    """Binary PPM pages (pdftoppm's default) -> one PNG grid on a grey background; no imaging library."""
    pages = []
    for p in ppms:
        magic, w, h, maxval, pixels = p.read_bytes().split(maxsplit=4)
        assert magic == b"P6" and maxval == b"255"
        pages.append((int(w), int(h), pixels))
    w, h = max(p[0] for p in pages), max(p[1] for p in pages)
    grid = [pages[i:i + per_row] for i in range(0, len(pages), per_row)]
    width = per_row * (w + gap) + gap
    grey = bytes((0xE8, 0xE8, 0xE8))
    rows = []
    for band in grid:
        for y in range(-gap, h):
            row = bytearray(grey * gap)
            for i in range(per_row):
                pw, ph, pixels = band[i] if i < len(band) else (w, 0, b"")
                row += pixels[y * pw * 3:(y + 1) * pw * 3] if 0 <= y < ph else grey * pw
                row += grey * (w - pw + gap)
            rows.append(b"\x00" + bytes(row))
    rows += [b"\x00" + grey * width] * gap

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, len(rows), 8, 2, 0, 0, 0)
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                    + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))

if __name__ == "__main__":
    main()
