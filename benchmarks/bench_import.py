"""How long `govxl import` takes per report, after start-up (issue 16: at most 0.2 s of work each).

    python3 benchmarks/bench_import.py            # 40 reports of each shape
    python3 benchmarks/bench_import.py -n 10

Reports are consistent random ones (tests/helpers.random_values, seeded), printed in each shape the
importer reads (tests/report_gen.py): tab, pipe, one cell per line, bare `|` cells, space-separated,
run-together digits, a whole page as one line, flip-book text, Traditional characters, HTML. The
first import (specs, lexicon, OpenCC) is start-up and is timed apart; then each report is imported
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
from report_gen import balanced, html_report, published, text_report  # noqa: E402

from govxl.importer import import_report  # noqa: E402
from govxl.spec import load_edition  # noqa: E402

SHAPES = ("tab", "pipe", "cells", "bars", "spaces", "glued", "oneline", "flipbook", "traditional", "html")


def make(ed, shape: str, values: dict) -> tuple[str, str]:
    if shape == "html":
        return html_report(ed, values), "r.html"
    if shape == "traditional":
        import opencc

        return opencc.OpenCC("s2t").convert(text_report(ed, values, "pipe")), "r.txt"
    return text_report(ed, values, shape), "r.txt"


def main() -> None:
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
            for i in range(args.n):
                vals = published(ed, balanced(ed, random_values(ed, rnd)))
                if shape in ("glued", "oneline"):
                    vals = {k: (0 if v is None else v) for k, v in vals.items()}
                text, name = make(ed, shape, vals)
                p = Path(d) / f"{shape}{i}{Path(name).suffix}"
                p.write_text(text, encoding="utf-8")
                t = time.process_time()
                import_report(p)
                times.append(time.process_time() - t)
            worst = max(worst, max(times))
            print(f"{shape:12} median {statistics.median(times) * 1000:6.1f} ms   max {max(times) * 1000:6.1f} ms")
        print(f"slowest report: {worst:.3f} s ({'within' if worst <= 0.2 else 'OVER'} the 0.2 s target)")


if __name__ == "__main__":
    main()
