"""`govxl desk` killed in the middle of a burst of uploads (SIGKILL to the server and its
workers, as a power cut would), then started again on the same data: every upload that was
acknowledged is there with its file and its verdict; no record lacks its file or its verdict."""

from __future__ import annotations

import hashlib
import http.client
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("flask")

from desk_support import (  # noqa: E402
    Client,
    DeskServer,
    csrf_of,
    fill,
    fresh_database,
    good_values,
    pg_cluster,
    unbalanced_values,
)

import govxl  # noqa: E402
from govxl.desk import adapter  # noqa: E402
from govxl.desk.db import uploads  # noqa: E402
from govxl.desk.store import Desk  # noqa: E402
from govxl.spec import load_edition  # noqa: E402

ED = load_edition("2021")
UNITS = 60


@pytest.fixture(scope="module")
def pg():
    with pg_cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request):
    return fresh_database(request.getfixturevalue("pg")) if request.param == "postgres" else None


def send(base: str, token: str, data: bytes, name: str) -> int | None:
    """One unit's upload through its link; the upload's id when acknowledged, else None."""
    c = Client(base)
    status, _h, body = c.get(f"/u/{token}")
    status, headers, _ = c.post(f"/u/{token}/upload", {"csrf": csrf_of(body.decode())}, {"file": (name, data)})
    if status != 303:
        return None
    return int(re.search(r"/r/(\d+)$", headers["Location"]).group(1))


def test_a_kill_mid_burst_loses_nothing_acknowledged(tmp_path, db):
    folder = tmp_path / "desk"
    desk = Desk(folder, db)
    sid = desk.open_season(2025, "2021")
    desk.add_units(sid, [f"第{i:03d}单位" for i in range(UNITS)])
    tokens = [u.token for u in desk.units(sid)]
    desk.close()
    blank = govxl.new(tmp_path / "blank.xlsx", agency="某单位", year=2025)
    files = [fill(blank, tmp_path / "good.xlsx", ED, good_values(ED)).read_bytes(),
             fill(blank, tmp_path / "bad.xlsx", ED, unbalanced_values(ED)).read_bytes()]

    server = DeskServer(folder, db=db, jobs=2)
    acked: list[tuple[str, int, str]] = []  # (token, upload id, sha256 of what was sent)
    lock = threading.Lock()
    enough = threading.Event()

    def one(i: int) -> None:
        data = files[i % 2]
        try:
            upid = send(server.url, tokens[i], data, f"{i}.xlsx")
        except (OSError, http.client.HTTPException):
            return  # the server is gone: not acknowledged
        if upid is not None:
            with lock:
                acked.append((tokens[i], upid, hashlib.sha256(data).hexdigest()))
                if len(acked) >= 12:
                    enough.set()

    try:
        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(one, i) for i in range(UNITS)]
            assert enough.wait(240), "no acknowledgements before the kill"
            server.kill()
            for f in futures:
                f.result()
    finally:
        server.stop()
    assert 12 <= len(acked) < UNITS, len(acked)  # killed mid-burst

    again = DeskServer(folder, db=db, jobs=1)
    assert not list((folder / "files" / "tmp").iterdir())  # half-written uploads swept at start
    try:
        for token, upid, _sha in acked:
            c = Client(again.url)
            status, _h, body = c.get(f"/u/{token}/r/{upid}")
            assert status == 200, (token, upid)
            page = body.decode()
            assert re.search(r'data-status="(passed|failed)"', page)
        # and the desk takes uploads again
        assert send(again.url, tokens[-1], files[0], "after.xlsx") is not None
    finally:
        again.stop()

    desk = Desk(folder, db)
    try:
        with desk.engine.connect() as c:
            rows = list(c.execute(uploads.select()))
        by_id = {r.id: r for r in rows}
        for _token, upid, sha in acked:
            assert by_id[upid].sha256 == sha
        for r in rows:  # no half record: each has its file, intact, and its verdict
            path = desk.blob(r.sha256, r.suffix)
            assert hashlib.sha256(path.read_bytes()).hexdigest() == r.sha256
            assert r.status in (adapter.PASSED, adapter.FAILED) and r.size == path.stat().st_size
            assert (r.status == adapter.PASSED) == (r.sha256 == hashlib.sha256(files[0]).hexdigest())
    finally:
        desk.close()


def test_the_burst_benchmark_stores_and_checks_every_upload():
    """benchmarks/bench_desk.py, small: every upload acknowledged, stored, checked; p95 reported."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_desk.py"
    res = subprocess.run([sys.executable, str(script), "-n", "80", "--clients", "16", "--jobs", "2"],
                         capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "acknowledged 80/80, stored and checked 80 (8 failed as planted: 8), lost 0" in res.stdout, res.stdout
    assert re.search(r"p95 \d+\.\d+ s", res.stdout)
