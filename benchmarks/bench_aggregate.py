"""How long `govxl aggregate` takes over N workbooks, next to `govxl check` over the same files.

Target (issue 10): aggregating should take at most about twice a check of the same files.

    python3 benchmarks/bench_aggregate.py            # N = 1000
    python3 benchmarks/bench_aggregate.py -n 200 --jobs 2 --keep /tmp/bench

Workbooks are consistent random reports (tests/helpers.random_values, seeded), generated in
parallel into a temporary folder. Both commands run as a clerk would run them (`python -m govxl`),
so interpreter start-up is included in both figures. `--jobs` is passed to both commands
(check accepts it once the batch checker has landed).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from helpers import random_values  # noqa: E402

import govxl  # noqa: E402
from govxl.spec import load_edition  # noqa: E402

YEAR = 2024


def _make(args: tuple[Path, int, int]) -> None:
    folder, start, stop = args
    ed = load_edition("2021")
    for i in range(start, stop):
        vals = random_values(ed, random.Random(i))
        govxl.new(folder / f"r{i:05d}.xlsx", agency=f"第{i}单位", year=YEAR, values=vals)


def generate(folder: Path, n: int) -> None:
    workers = os.cpu_count() or 1
    step = max(1, -(-n // (workers * 4)))
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_make, [(folder, a, min(a + step, n)) for a in range(0, n, step)]))


def timed(cmd: list[str]) -> tuple[float, float, int]:
    """Wall-clock seconds, CPU seconds (user + system, children included) and the exit code.
    CPU time is the steadier figure on a busy machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode == 2:
        sys.exit(f"failed: {' '.join(cmd[:4])} …\n{r.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, r.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1000, help="number of workbooks (default 1000)")
    ap.add_argument("--jobs", type=int, default=1, help="passed to both commands (default 1)")
    ap.add_argument("--keep", type=Path, help="generate into (and keep) this folder instead of a temporary one")
    a = ap.parse_args()

    tmp = None if a.keep else tempfile.TemporaryDirectory(prefix="govxl-bench-")
    root = a.keep or Path(tmp.name)  # type: ignore[union-attr]
    data = root / "reports"
    data.mkdir(parents=True, exist_ok=True)
    have = len(list(data.glob("r*.xlsx")))
    if have != a.n:
        for p in data.glob("r*.xlsx"):
            p.unlink()
        t = time.perf_counter()
        generate(data, a.n)
        print(f"generated {a.n} workbooks in {time.perf_counter() - t:.1f} s")
    files = sorted(str(p) for p in data.glob("r*.xlsx"))
    jobs = ["--jobs", str(a.jobs)] if a.jobs > 1 else []
    gx = [sys.executable, "-m", "govxl"]
    out = root / "summary.xlsx"

    t_check, c_check, rc_check = timed([*gx, "check", *jobs, *files])
    t_agg, c_agg, rc_agg = timed([*gx, "aggregate", *jobs, str(data), "-o", str(out), "--agency", "基准县（汇总）",
                                  "--force"])
    t_sum, c_sum, _ = timed([*gx, "check", str(out)])
    for name, t, c, rc in (("check    ", t_check, c_check, rc_check), ("aggregate", t_agg, c_agg, rc_agg)):
        print(f"govxl {name} {a.n} files: wall {t:7.2f} s ({1000 * t / a.n:5.1f} ms/file), "
              f"cpu {c:7.2f} s, exit {rc}")
    print(f"govxl check summary.xlsx:   wall {t_sum:7.2f} s, cpu {c_sum:.2f} s")
    for what, ratio in (("wall", t_agg / t_check), ("cpu", c_agg / c_check)):
        print(f"aggregate / check ({what}) = {ratio:.2f}  (target ≤ 2.0: {'ok' if ratio <= 2.0 else 'MISSED'})")
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
