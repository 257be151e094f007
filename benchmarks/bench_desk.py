"""A burst of uploads to `govxl desk`: N units send their reports at once; the time each waits
for its verdict, and whether every acknowledged upload was stored and checked.

    python3 benchmarks/bench_desk.py                  # N = 500 units, 32 at a time, SQLite
    python3 benchmarks/bench_desk.py -n 100 --clients 16 --jobs 2 --db postgresql://user@/db?host=/run/postgresql

The desk runs as a clerk would start it (`python -m govxl desk FOLDER`, on 127.0.0.1 only, in a
temporary folder). Each unit has its own workbook (a consistent random report, one in ten with an
error); a client opens the unit's link, uploads, and reads the findings page: "time to verdict"
is from the upload's first byte to the findings page read. The clients are bounded (`--clients`),
the server checks `--jobs` files at a time. Exits 1 if an acknowledged upload is missing or has
no verdict.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from desk_support import Client, DeskServer, csrf_of  # noqa: E402
from helpers import random_values  # noqa: E402

import govxl  # noqa: E402
from govxl.spec import load_edition  # noqa: E402

YEAR = 2025


def _make(args: tuple[Path, list[tuple[int, str]]]) -> None:
    folder, items = args
    ed = load_edition("2021")
    for i, name in items:
        vals = random_values(ed, random.Random(i))
        if i % 10 == 9:  # one in ten: 新收 one too many (T3-BAL)
            vals[("requests", "new", "natural_person")] += 1
        govxl.new(folder / f"{i:05d}.xlsx", agency=name, year=YEAR, values=vals)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=500, help="units uploading (default 500)")
    ap.add_argument("--clients", type=int, default=32, help="uploads in flight at once (default 32)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="the desk's check processes")
    ap.add_argument("--db", default=None, help="a PostgreSQL URL (default: SQLite in the folder)")
    args = ap.parse_args()

    from govxl.desk.db import uploads
    from govxl.desk.store import Desk

    with tempfile.TemporaryDirectory(prefix="govxl-bench-desk-") as tmp:
        tmp = Path(tmp)
        folder, books = tmp / "desk", tmp / "books"
        books.mkdir()
        desk = Desk(folder, args.db)
        sid = desk.open_season(YEAR, "2021")
        names = [f"第{i:03d}单位" for i in range(args.n)]
        desk.add_units(sid, names)
        tokens = [u.token for u in desk.units(sid)]
        desk.close()
        t = time.perf_counter()
        workers = os.cpu_count() or 1
        chunks = [(books, [(i, names[i]) for i in range(k, args.n, workers * 4)]) for k in range(workers * 4)]
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_make, chunks))
        print(f"{args.n} workbooks made in {time.perf_counter() - t:.1f} s")

        server = DeskServer(folder, db=args.db, jobs=args.jobs, extra=("--threads", str(max(8, args.clients))))
        print(f"desk at {server.url}, {args.jobs} check processes, {args.clients} clients")

        def one(i: int):
            data = (books / f"{i:05d}.xlsx").read_bytes()
            c = Client(server.url)
            _s, _h, body = c.get(f"/u/{tokens[i]}")
            start = time.perf_counter()
            status, headers, _ = c.post(f"/u/{tokens[i]}/upload", {"csrf": csrf_of(body.decode())},
                                        {"file": (f"{names[i]}.xlsx", data)})
            if status != 303:
                return i, None, None, hashlib.sha256(data).hexdigest()
            status, _h, page = c.get(headers["Location"])
            took = time.perf_counter() - start
            upid = int(headers["Location"].rsplit("/", 1)[1])
            return i, upid, took if status == 200 and b'id="verdict"' in page else None, hashlib.sha256(data).hexdigest()

        try:
            t = time.perf_counter()
            with ThreadPoolExecutor(args.clients) as pool:
                results = list(pool.map(one, range(args.n)))
            wall = time.perf_counter() - t
        finally:
            server.stop()

        acked = [(i, upid, sha) for i, upid, _took, sha in results if upid is not None]
        times = sorted(took for _i, _u, took, _s in results if took is not None)
        desk = Desk(folder, args.db)
        with desk.engine.connect() as c:
            rows = {r.id: r for r in c.execute(uploads.select())}
        desk.close()
        lost = [u for _i, u, sha in acked if u not in rows or rows[u].sha256 != sha or rows[u].status not in ("passed", "failed")]
        failed = sum(1 for r in rows.values() if r.status == "failed")
        p95 = times[int(0.95 * (len(times) - 1))] if times else float("nan")
        print(f"acknowledged {len(acked)}/{args.n}, stored and checked {len(rows)} ({failed} failed as planted: "
              f"{sum(1 for i in range(args.n) if i % 10 == 9)}), lost {len(lost)}")
        print(f"time to verdict: p50 {statistics.median(times):.2f} s, p95 {p95:.2f} s, max {times[-1]:.2f} s; "
              f"{args.n / wall:.1f} uploads/s over {wall:.1f} s")
        return 0 if not lost and len(acked) == args.n else 1


if __name__ == "__main__":
    sys.exit(main())
