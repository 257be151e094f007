"""How long `govxl import` takes per report, after start-up (issue 16: at most 0.2 s of work each).

    python3 benchmarks/bench_import.py            # 40 reports of each shape
    python3 benchmarks/bench_import.py -n 10

Reports are consistent random ones (tests/helpers.random_values, seeded), printed in each shape the
importer reads (tests/report_gen.py): tab, pipe, one cell per line, bare `|` cells, space-separated,
run-together digits, a whole page as one line, flip-book text, Traditional characters, HTML; then
a real-sized one-line page (a long narrative, every table row's digits run together, as portals save
them) and a 6-page PDF (the HTML report with prose around it, printed by Chromium when it is
installed; skipped otherwise). The first import (specs, lexicon, OpenCC) is start-up and is timed apart; then each report is imported
in-process and timed on its own (CPU time of the process: the work, whatever else the machine runs).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from helpers import random_values  # noqa: E402
from report_gen import balanced, html_report, published, row_texts, text_report  # noqa: E402

from govxl.importer import import_report  # noqa: E402
from govxl.spec import load_edition  # noqa: E402

SHAPES = ("tab", "pipe", "cells", "bars", "spaces", "glued", "oneline", "flipbook", "traditional", "html",
          "oneline-page", "pdf-6pages")
PROSE = ("本机关坚持以公开为常态、不公开为例外，围绕重点领域信息公开，主动公开政府信息，"
         "及时回应社会关切，不断提升政务公开工作质量和实效。")


def oneline_page(ed, values: dict) -> str:
    """A whole portal page saved as one line: the narrative of a real report (a few thousand
    characters) and every table row with its digits run together (`行政规范性文件8855698`)."""
    out = [f"2023年测试县人民政府办公室政府信息公开工作年度报告一、总体情况{PROSE * 20}"]
    for t in ed.tables:
        out.append(t.title)
        for pairs in row_texts(t, values, None, False):
            out.append("".join(c for c, is_value in pairs if c and not is_value) +
                       "".join(c for c, is_value in pairs if is_value))
    out.append(f"五、存在的主要问题及改进情况{PROSE * 10}六、其他需要报告的事项本年度未收取信息处理费。")
    return "".join(out) + "\n"


def pdf_report(ed, values: dict, d: Path, i: int) -> Path | None:
    """The HTML report with two pages of prose before and after its tables, printed to PDF (6 pages)."""
    import shutil
    import subprocess

    exe = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
    if exe is None:
        return None
    prose = "".join(f"<p>{PROSE * 3}</p>" for _ in range(11))
    page = html_report(ed, values).replace("<p>一、总体情况</p>", "<p>一、总体情况</p>" + prose)
    page = page.replace("<p>五、存在的主要问题及改进情况</p>", prose + "<p>五、存在的主要问题及改进情况</p>")
    src, out = d / f"pdf{i}.html", d / f"pdf{i}.pdf"
    src.write_text(page, encoding="utf-8")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--user-data-dir={profile}",
                        "--no-pdf-header-footer", f"--print-to-pdf={out}", src.resolve().as_uri()],
                       capture_output=True, timeout=120, check=True)
    return out


def make(ed, shape: str, values: dict) -> tuple[str, str]:
    if shape == "html":
        return html_report(ed, values), "r.html"
    if shape == "traditional":
        import opencc

        return opencc.OpenCC("s2t").convert(text_report(ed, values, "pipe")), "r.txt"
    return text_report(ed, values, shape), "r.txt"


def main() -> None:
    import logging

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # font descriptor notes of printed PDFs
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=40, help="reports per shape")
    args = ap.parse_args()
    ed = load_edition("2021")
    rnd = random.Random(16)
    with tempfile.TemporaryDirectory() as d:
        first = Path(d) / "first.txt"
        first.write_text(make(ed, "pipe", published(ed, balanced(ed, random_values(ed, rnd))))[0], encoding="utf-8")
        t = time.process_time()
        import_report(first)
        print(f"start-up (first import): {time.process_time() - t:.3f} s")
        worst = 0.0
        for shape in SHAPES:
            times = []
            for i in range(args.n if shape != "pdf-6pages" else min(args.n, 8)):
                vals = published(ed, balanced(ed, random_values(ed, rnd)))
                if shape in ("glued", "oneline", "oneline-page"):
                    vals = {k: (0 if v is None else v) for k, v in vals.items()}
                if shape == "pdf-6pages":
                    p = pdf_report(ed, vals, Path(d), i)
                    if p is None:
                        break
                else:
                    text, name = make(ed, shape, vals) if shape != "oneline-page" else (oneline_page(ed, vals), "r.txt")
                    p = Path(d) / f"{shape}{i}{Path(name).suffix}"
                    p.write_text(text, encoding="utf-8")
                t = time.process_time()
                import_report(p)
                times.append(time.process_time() - t)
            if not times:
                print(f"{shape:12} skipped (no Chromium to print the PDF)")
                continue
            if shape != "pdf-6pages":  # (the 0.2 s target is for text and HTML; a PDF's layout is read first)
                worst = max(worst, max(times))
            print(f"{shape:12} median {statistics.median(times) * 1000:6.1f} ms   max {max(times) * 1000:6.1f} ms")
        print(f"slowest text or HTML report: {worst:.3f} s ({'within' if worst <= 0.2 else 'OVER'} the 0.2 s target)")


if __name__ == "__main__":
    main()
