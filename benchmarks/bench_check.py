"""How fast is `govxl check` on many files, against a naive baseline and a floor?

    python benchmarks/bench_check.py --n 2000          # speed (about 3 minutes on 2 cores)
    python benchmarks/bench_check.py --n 10000 --skip-speed   # peak memory of a big batch

Generates N filled workbooks (seeded, varied, some with errors, a few saved by openpyxl and,
when soffice is installed, a few saved by LibreOffice) in a temporary folder, then measures on
the same files:

- `govxl check FOLDER --jobs 1` and `--jobs 2` through the CLI (wall time, interpreter start included);
- the same through the library (govxl.session.check_many) for reference;
- openpyxl.load_workbook of each file (the naive baseline, on a sample: it is slow);
- python-calamine reading every cell value of each file, in 1 and 2 processes (the floor:
  a Rust reader that checks nothing);
- one `govxl check FILE` including interpreter start; `govxl --help` against a minimal typer
  app's --help; the peak RSS (all processes of the run together) of the --jobs 2 batch.

Timings are the best of --repeat runs (the machine is shared; the best run is the least
disturbed one). Needs python-calamine (pip install '.[bench]'). Writes nothing into the repo.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import govxl  # noqa: E402
from govxl.session import chunksize  # noqa: E402
from govxl.spec import load_edition  # noqa: E402

ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
GOVXL = [sys.executable, "-m", "govxl"]

COUNTIES = ["南关区", "朝阳区", "宽城区", "二道区", "绿园区", "双阳区", "九台区", "农安县", "榆树市", "德惠市",
            "公主岭市", "船营区", "龙潭区", "昌邑区", "丰满区", "永吉县", "蛟河市", "桦甸市", "舒兰市", "磐石市"]
OFFICES = ["人民政府办公室", "教育局", "公安分局", "民政局", "财政局", "人力资源和社会保障局", "自然资源局",
           "生态环境分局", "住房和城乡建设局", "交通运输局", "农业农村局", "卫生健康局", "市场监督管理局"]
ERROR_KINDS = ("balance", "negative", "blank_table", "fee_decimals")


# ------------------------------------------------------------------ generating the files
def report_values(rng: random.Random, ed, error: str | None) -> dict:
    """Plausible figures for one office's year; `error` breaks one rule on purpose."""
    t2, t3, t4 = ed.table("active"), ed.table("requests"), ed.table("appeals")
    values: dict = {}
    for f in t2.inputs:
        values[f.key] = round(rng.uniform(0, 80), rng.choice([0, 2, 4])) if f.kind == "amount" else rng.randint(0, 40)
    cols = [c for c in dict.fromkeys(f.col_key for f in t3.inputs)]
    results = [r for r in dict.fromkeys(f.row_key for f in t3.inputs) if r.startswith("results.")]
    for col in cols:
        scale = 120 if col == "natural_person" else 15
        new, carried = rng.randint(0, scale), rng.randint(0, scale // 10 + 1)
        forward = rng.randint(0, min(new + carried, scale // 10 + 1))
        counts = dict.fromkeys(results, 0)
        weights = [30 if r in ("results.public", "results.partial") else 3 for r in results]
        for r in rng.choices(results, weights, k=new + carried - forward):
            counts[r] += 1
        values[(t3.key, "new", col)] = new
        values[(t3.key, "carried_over", col)] = carried
        values[(t3.key, "carry_forward", col)] = forward
        values.update({(t3.key, r, col): n for r, n in counts.items()})
    for f in t4.inputs:
        values[f.key] = rng.choice([0, 0, 0, 1, 2, 3, rng.randint(0, 20)])
    if error == "balance":
        values[(t3.key, "carry_forward", rng.choice(cols))] += 1
    elif error == "negative":
        values[rng.choice(t4.inputs).key] = -1
    elif error == "blank_table":
        for f in t4.inputs:
            values.pop(f.key)
    elif error == "fee_decimals":
        values[next(f.key for f in t2.inputs if f.kind == "amount")] = 1.2345678
    return values


def _make(args) -> None:
    path, seed, error, via_openpyxl = args
    rng = random.Random(seed)
    ed = load_edition("2021")
    values = report_values(rng, ed, error)
    agency = rng.choice(COUNTIES) + rng.choice(OFFICES)
    year = rng.randint(2021, 2025)
    if not via_openpyxl:
        govxl.new(path, agency=agency, year=year, values=values)
        return
    import openpyxl  # typed in by another program: no cached formula results

    blank = Path(path).with_suffix(".blank.xlsx")
    govxl.new(blank, agency=agency, year=year)
    wb = openpyxl.load_workbook(blank)
    for key, v in values.items():
        f = ed.field(key)
        wb[f.sheet].cell(row=f.row + 1, column=f.col + 1).value = v
    wb.save(path)
    blank.unlink()


def generate(folder: Path, n: int, seed: int, lo: int) -> dict:
    rng = random.Random(seed)
    jobs = []
    errors = 0
    for i in range(n):
        error = rng.choice(ERROR_KINDS) if rng.random() < 0.1 else None
        errors += error is not None
        sub = folder / f"{i % 20:02d}"
        jobs.append((str(sub / f"r{i:05d}.xlsx"), rng.getrandbits(32), error, rng.random() < 0.03))
    for i in range(20):
        (folder / f"{i:02d}").mkdir(parents=True, exist_ok=True)
    with Pool(2) as pool:
        pool.map(_make, jobs, chunksize=16)
    converted = libreoffice_resave(folder, [Path(j[0]) for j in jobs if not j[2]][:lo]) if lo else 0
    return {"files": n, "with_errors": errors, "openpyxl_saved": sum(j[3] for j in jobs), "libreoffice_saved": converted}


def libreoffice_resave(folder: Path, files: list[Path]) -> int:
    """Re-save files with LibreOffice, in chunks of at most 50 (one call with many files has
    been seen to convert only some and still exit 0), counting what really came out."""
    soffice = shutil.which("soffice")
    if not soffice or not files:
        return 0
    done = 0
    with tempfile.TemporaryDirectory(prefix="govxl-lo-") as tmp:
        profile = Path(tmp, "profile").as_uri()
        for i in range(0, len(files), 50):
            chunk = files[i:i + 50]
            out = Path(tmp, f"out{i}")
            out.mkdir()
            subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                            "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), *map(str, chunk)],
                           capture_output=True, timeout=600)
            for f in chunk:
                got = out / f.name
                if got.exists():
                    shutil.move(got, folder / f.parent.name / ("lo-" + f.name))
                    f.unlink()
                    done += 1
    return done


# ------------------------------------------------------------------ measuring
def best_of(repeat: int, fn) -> tuple[float, float]:
    """(best, median) wall seconds of `repeat` runs."""
    return _runs(repeat, fn)[:2]


def _runs(repeat: int, fn) -> tuple[float, float, float]:
    """(best wall, median wall, best CPU) seconds; CPU counts this process and every waited-for
    child process (a CLI run and its workers, a pool's workers): the work done, whatever the load."""
    walls, cpus = [], []
    for _ in range(repeat):
        r0, c0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t)
        r1, c1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(sum(b.ru_utime + b.ru_stime - a.ru_utime - a.ru_stime for a, b in ((r0, r1), (c0, c1))))
    return min(walls), statistics.median(walls), min(cpus)


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)


def calamine_read(path: str) -> int:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(path)
    return sum(len(wb.get_sheet_by_name(name).to_python()) for name in wb.sheet_names)


def calamine(files: list[str], procs: int) -> None:
    if procs == 1:
        for f in files:
            calamine_read(f)
        return
    with Pool(procs) as pool:
        for _ in pool.imap(calamine_read, files, chunksize=chunksize(len(files), procs)):
            pass


def library(files: list[str], jobs: int) -> None:
    from govxl.session import check_many

    for _ in check_many(files, jobs):
        pass


def openpyxl_load(files: list[str]) -> None:
    import openpyxl

    for f in files:
        openpyxl.load_workbook(f)


def peak_rss(cmd: list[str]) -> tuple[float, float, float]:
    """Run `cmd`; sample every process of its tree: (peak of the sum, peak of one process, wall s), in MB."""
    proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak_sum = peak_one = 0.0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_sum, peak_one
        while not stop.is_set():
            rss = [_rss(p) for p in _tree(proc.pid)]
            peak_sum, peak_one = max(peak_sum, sum(rss)), max([peak_one, *rss])
            time.sleep(0.02)

    t = time.perf_counter()
    th = threading.Thread(target=sample)
    th.start()
    proc.wait()
    wall = time.perf_counter() - t
    stop.set()
    th.join()
    return peak_sum / 1024, peak_one / 1024, wall


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except OSError:
            pass
    return out


def _rss(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return float(line.split()[1])
    except OSError:
        pass
    return 0.0


MINIMAL_TYPER = """import typer
app = typer.Typer(%s)
@app.command()
def main(name: str = "") -> None:
    '''A minimal typer app.'''
app()
"""


def machine() -> str:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{nproc} cores ({cpu or platform.machine()}), Python {platform.python_version()}, "
            f"{platform.system()}; load average at start {load:.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2000, help="number of workbooks (default 2000)")
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--repeat", type=int, default=3, help="runs per timing; the best is reported")
    ap.add_argument("--libreoffice", type=int, default=20, help="files re-saved by LibreOffice, if installed")
    ap.add_argument("--openpyxl-sample", type=int, default=200, help="files loaded by openpyxl (it is slow)")
    ap.add_argument("--skip-speed", action="store_true", help="only generate and measure memory")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="govxl-bench-"))
    # Run the CLI as an installed package runs: with its bytecode compiled once (pip does that at
    # install), kept in the temporary folder, not in the repo.
    ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    ENV["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    run([*GOVXL, "--help"])
    figures: dict = {"machine": machine(), "n": args.n}
    try:
        folder = tmp / "reports"
        print(f"machine: {figures['machine']}")
        t = time.perf_counter()
        figures["generated"] = generate(folder, args.n, args.seed, args.libreoffice)
        print(f"generated {figures['generated']} in {time.perf_counter() - t:.0f} s under {folder}")
        files = [str(p) for p in sorted(folder.rglob("*.xlsx"))]
        n = len(files)

        # Does the batch find what was planted? (a benchmark of a wrong answer is worth nothing)
        r = subprocess.run([*GOVXL, "check", str(folder), "--format", "json", "--summary", str(tmp / "s.csv")],
                           env=ENV, capture_output=True, text=True)
        counts = json.loads(r.stdout)["counts"]
        figures["verdicts"] = counts
        print(f"check: exit {r.returncode}, {counts}")

        if not args.skip_speed:
            speed(args, figures, folder, files, n, tmp)
        rss_sum, rss_one, wall = peak_rss([*GOVXL, "check", str(folder), "--jobs", "2", "--format", "jsonl"])
        figures["rss_mb"] = {"all_processes": round(rss_sum), "largest_process": round(rss_one), "files": n,
                             "wall_s": round(wall, 2)}
        print(f"peak RSS, govxl check --jobs 2 --format jsonl on {n} files: {rss_sum:.0f} MB all processes "
              f"together, {rss_one:.0f} MB the largest one ({wall:.1f} s)")
        if args.json:
            args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2))
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def speed(args, figures: dict, folder: Path, files: list[str], n: int, tmp: Path) -> None:
    rep = args.repeat
    rate, cpu = {}, {}
    sample = files[:: max(1, n // args.openpyxl_sample)][: args.openpyxl_sample]
    cases = [
        ("calamine floor, 1 process", lambda: calamine(files, 1), n),
        ("calamine floor, 2 processes", lambda: calamine(files, 2), n),
        *((f"govxl check --jobs {j} (CLI)", lambda j=j: run([*GOVXL, "check", str(folder), "--jobs", str(j)]), n)
          for j in (1, 2)),
        *((f"govxl check_many, {j} process(es) (library)", lambda j=j: library(files, j), n) for j in (1, 2)),
    ]
    # Round robin: each repeat runs every case once, so a burst of load on a shared machine hits
    # all of them alike instead of all the runs of one.
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in cases}
    for _ in range(rep):
        for name, fn, _count in cases:
            best, _median, best_cpu = _runs(1, fn)
            runs[name].append((best, best_cpu))
    print("files/s (higher is better):")
    for name, _fn, count in cases:
        walls = [w for w, _ in runs[name]]
        best, median, best_cpu = min(walls), statistics.median(walls), min(c for _, c in runs[name])
        rate[name], cpu[name] = count / best, best_cpu / count * 1000
        print(f"  {name:44s} {count / best:7.0f} files/s  {best_cpu / count * 1000:6.2f} CPU ms/file"
              f"  (best {best:.2f} s, median {median:.2f} s, {count} files)")
    best, median, best_cpu = _runs(1, lambda: openpyxl_load(sample))
    name = "openpyxl.load_workbook, 1 process"
    rate[name], cpu[name] = len(sample) / best, best_cpu / len(sample) * 1000
    print(f"  {name:44s} {rate[name]:7.0f} files/s  {cpu[name]:6.2f} CPU ms/file  (one run, {len(sample)} files)")
    figures["files_per_s"] = {k: round(v, 1) for k, v in rate.items()}
    figures["cpu_ms_per_file"] = {k: round(v, 3) for k, v in cpu.items()}
    ratio = {
        "govxl --jobs 2 / calamine 2 processes": rate["govxl check --jobs 2 (CLI)"] / rate["calamine floor, 2 processes"],
        "govxl --jobs 1 / calamine 1 process": rate["govxl check --jobs 1 (CLI)"] / rate["calamine floor, 1 process"],
        "govxl --jobs 2 / openpyxl load, 1 process": rate["govxl check --jobs 2 (CLI)"]
        / rate["openpyxl.load_workbook, 1 process"],
        "govxl --jobs 2 / --jobs 1": rate["govxl check --jobs 2 (CLI)"] / rate["govxl check --jobs 1 (CLI)"],
    }
    # The same comparison in CPU time (floor's CPU per file / govxl's): steady on a busy machine.
    ratio["CPU: calamine 2 processes / govxl --jobs 2"] = (cpu["calamine floor, 2 processes"]
                                                          / cpu["govxl check --jobs 2 (CLI)"])
    figures["ratios"] = {k: round(v, 3) for k, v in ratio.items()}
    print("ratios:")
    for k, v in ratio.items():
        print(f"  {k:45s} {v:6.2f}" + ("   (target >= 0.25)" if "calamine 2" in k else ""))

    one = files[0]
    best, median = best_of(max(rep, 5), lambda: run([*GOVXL, "check", one]))
    figures["single_file_s"] = {"best": round(best, 3), "median": round(median, 3)}
    print(f"single-file govxl check, wall incl. interpreter start: best {best:.3f} s, median {median:.3f} s"
          "   (target <= 0.6 s)")
    minimal, plain = tmp / "minimal_typer.py", tmp / "minimal_typer_plain.py"
    minimal.write_text(MINIMAL_TYPER % "")
    plain.write_text(MINIMAL_TYPER % "rich_markup_mode=None")  # govxl's own setting: no rich in help
    helps = {"govxl": [*GOVXL, "--help"], "minimal_typer": [sys.executable, str(minimal), "--help"],
             "minimal_typer_no_rich": [sys.executable, str(plain), "--help"]}
    times: dict[str, list[float]] = {k: [] for k in helps}
    for i in range(max(rep * 3, 15) + 1):  # interleaved; the first round only warms the caches
        for name, cmd in helps.items():
            wall = best_of(1, lambda c=cmd: run(c))[0]
            if i:
                times[name].append(wall)
    h = {k: min(v) for k, v in times.items()}
    figures["help_s"] = {k: round(v, 3) for k, v in h.items()}
    figures["help_s"]["ratio"] = round(h["govxl"] / h["minimal_typer"], 3)
    figures["help_s"]["ratio_no_rich"] = round(h["govxl"] / h["minimal_typer_no_rich"], 3)
    print(f"--help: govxl {h['govxl']:.3f} s, minimal typer app {h['minimal_typer']:.3f} s "
          f"(ratio {h['govxl'] / h['minimal_typer']:.2f}, target <= 1.3); the same app without rich help "
          f"{h['minimal_typer_no_rich']:.3f} s (ratio {h['govxl'] / h['minimal_typer_no_rich']:.2f})")


if __name__ == "__main__":
    main()
