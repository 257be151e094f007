"""Rebuild the two pictures of `govxl check --annotate/--report` shown in README.md.

Runs ``govxl check examples/nanguan-2023-inconsistent.xlsx --annotate DIR --report r.html`` and
draws what a clerk sees:

- docs/check-report.png: the HTML report in headless Chromium (its summary, the findings and
  the official tables with the two T3-BAL findings' cells marked);
- docs/check-annotated.png: the marked-up copy printed by LibreOffice (its first sheet 校验结果
  and table 三 with the marked cells), via PDF and pdftoppm.

    python3 docs/make_check_pictures.py      (needs chromium, LibreOffice with python3-uno, poppler-utils)
"""

from __future__ import annotations

import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "docs")]

from chromium import screenshot  # noqa: E402
from libreoffice import pdf_page_texts, to_pdf  # noqa: E402

from govxl.spec import load_edition  # noqa: E402

EXAMPLE = ROOT / "examples" / "nanguan-2023-inconsistent.xlsx"


def main() -> None:
    """Both pictures are made in a temporary folder and put in docs/ only when both are done: a step
    that fails leaves the old pictures and says nothing was written."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        r = subprocess.run([sys.executable, "-m", "govxl", "check", str(EXAMPLE.relative_to(ROOT)), "--annotate",
                            str(tmp / "out"), "--report", str(tmp / "r.html")], cwd=ROOT, capture_output=True, text=True)
        if r.returncode != 1:  # the example fails its check (T3-BAL): 1, and both outputs written
            sys.exit(f"govxl check exited {r.returncode} (expected 1): {r.stderr.strip()}")
        report = screenshot(tmp / "r.html", tmp / "check-report.png", width=1000, height=1720)
        pdf = to_pdf(tmp / "out" / EXAMPLE.name, tmp)
        texts = pdf_page_texts(pdf)
        title = load_edition("2021").table("requests").title
        t3 = [i + 1 for i, t in enumerate(texts) if title in t and i > 0]  # page 1 names it in its links
        # page 1 is the list of findings (its top third holds them), then table 三's pages
        subprocess.run(["pdftoppm", "-r", "110", "-f", "1", "-l", "1", "-y", "40", "-H", "260", "-W", "1290",
                        str(pdf), str(tmp / "a")], check=True)
        # table 三 fills two landscape pages (its title only on the first), shown side by side below
        subprocess.run(["pdftoppm", "-r", "55", "-f", str(t3[0]), "-l", str(t3[0] + 1), str(pdf), str(tmp / "b")],
                       check=True)
        annotated = tmp / "check-annotated.png"
        bands([sorted(tmp.glob("a-*.ppm")), sorted(tmp.glob("b-*.ppm"))], annotated)
        for png in (report, annotated):
            (ROOT / "docs" / png.name).write_bytes(png.read_bytes())
            print("wrote", (ROOT / "docs" / png.name).relative_to(ROOT))


def bands(rows: list[list[Path]], png: Path, gap: int = 16) -> None:
    """Binary PPM pages (pdftoppm's default) in bands, each band's pages side by side, bands one
    below the other, on a grey background, as one PNG (no imaging library needed)."""
    grey = bytes((0xE8, 0xE8, 0xE8))
    pages = [[_ppm(p) for p in row] for row in rows]
    width = max(sum(w + gap for w, _h, _px in row) + gap for row in pages)
    lines = [grey * width] * gap
    for row in pages:
        for y in range(max(h for _w, h, _px in row)):
            line = bytearray(grey * gap)
            for w, h, px in row:
                line += px[y * w * 3:(y + 1) * w * 3] if y < h else grey * w
                line += grey * gap
            lines.append(bytes(line) + grey * (width - len(line) // 3))
        lines += [grey * width] * gap

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, len(lines), 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + line for line in lines)
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
                    + chunk(b"IEND", b""))


def _ppm(path: Path) -> tuple[int, int, bytes]:
    magic, w, h, maxval, pixels = path.read_bytes().split(maxsplit=4)
    assert magic == b"P6" and maxval == b"255"
    return int(w), int(h), pixels


if __name__ == "__main__":
    main()
