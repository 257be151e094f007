"""Issue 28: the desk reads scans apart from ordinary checks (govxl/desk/ocrqueue.py). A scanned
upload is acknowledged at once as 识别中 and read by the one OCR worker; ordinary uploads are
answered meanwhile; only one scan is read at a time; a desk killed while reading one reads it
again at its next start, and one stopped while reading leaves no process; without govxl[ocr] a
scan is answered with the command that installs it.

The scans are made here (tests/scans.py): govxl's report printed by LibreOffice, rasterised at
150 dpi (small, to keep the time down), saved as a PDF without text and as a TIFF."""

from __future__ import annotations

import re
import signal
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("flask")

import scans  # noqa: E402
from desk_support import (  # noqa: E402
    PASSWORD,
    Client,
    DeskServer,
    csrf_of,
    fill,
    fresh_database,
    good_values,
    pg_cluster,
)
from test_desk_process import group_alive  # noqa: E402
from test_documents import BAD, GOOD, NANGUAN_AGENCY  # noqa: E402

import govxl  # noqa: E402
from govxl.desk import adapter  # noqa: E402
from govxl.desk.app import create_app  # noqa: E402
from govxl.desk.ocrqueue import ScanQueue  # noqa: E402
from govxl.desk.server import set_password  # noqa: E402
from govxl.desk.store import Desk  # noqa: E402
from govxl.desk.work import Runner  # noqa: E402
from govxl.importer.isolate import SCAN_CPU_SECONDS  # noqa: E402
from govxl.spec import load_edition  # noqa: E402

ED = load_edition("2021")
YEAR = 2023
WORKBOOK_UNIT = "某某区统计局"


@pytest.fixture(scope="module")
def pg():
    with pg_cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request):
    return fresh_database(request.getfixturevalue("pg")) if request.param == "postgres" else None


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    """(the consistent report as a scanned PDF, the inconsistent one as a TIFF, a filled workbook)."""
    d = tmp_path_factory.mktemp("deskocr")
    good_pdf, _ = scans.report_pdf(d, "good", GOOD, NANGUAN_AGENCY, YEAR)
    bad_pdf, _ = scans.report_pdf(d, "bad", BAD, NANGUAN_AGENCY, YEAR)
    good = scans.save_pdf(scans.rasterise(good_pdf, 150), d / "扫描件.pdf", 150)
    bad = scans.save_tiff(scans.rasterise(bad_pdf, 150), d / "拍照.tif")
    blank = govxl.new(d / "blank.xlsx", agency=WORKBOOK_UNIT, year=YEAR)
    book = fill(blank, d / "工作簿.xlsx", ED, good_values(ED))
    return good, bad, book


def ocr_readers(pgid: int) -> int:
    """The scans the desk's process group reads now: its processes under the scan budget's processor
    time limit (importer/isolate.py sets it in the child that reads a scan) whose parent is not
    (what a reader starts, Tesseract, inherits the limit)."""
    limited = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            cpu = next(line for line in (d / "limits").read_text().splitlines() if line.startswith("Max cpu time"))
        except (OSError, ValueError, IndexError, StopIteration):
            continue
        if cpu.split()[3] == str(SCAN_CPU_SECONDS):
            limited[int(d.name)] = int(fields[1])
    return sum(1 for parent in limited.values() if parent not in limited)


def wait_reading(pgid: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while ocr_readers(pgid) == 0:
        assert time.monotonic() < deadline, "no scan is being read"
        time.sleep(0.2)


class Watch:
    """The most scans read at once, looked at every 0.1 s in a thread."""

    def __init__(self, pgid: int) -> None:
        self.pgid, self.most, self.seen = pgid, 0, 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.wait(0.1):
            n = ocr_readers(self.pgid)
            self.most = max(self.most, n)
            self.seen += n > 0

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)


def send(base: str, token: str, path: Path) -> tuple[int, float]:
    """A unit's upload through its link: (the upload's id, seconds until the answer)."""
    c = Client(base)
    _s, _h, body = c.get(f"/u/{token}")
    t = time.monotonic()
    status, headers, _ = c.post(f"/u/{token}/upload", {"csrf": csrf_of(body.decode())}, {"file": (path.name, path.read_bytes())})
    took = time.monotonic() - t
    assert status == 303, status
    return int(re.search(r"/r/(\d+)$", headers["Location"]).group(1)), took


def result(base: str, token: str, upid: int) -> tuple[str, dict, str]:
    status, headers, body = Client(base).get(f"/u/{token}/r/{upid}")
    assert status == 200
    page = body.decode()
    return re.search(r'id="verdict" data-status="([a-z_]+)"', page).group(1), headers, page


def wait_verdict(base: str, token: str, upid: int, timeout: float = 400) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, _h, page = result(base, token, upid)
        if status != adapter.SCANNING:
            return page
        time.sleep(1)
    raise AssertionError(f"upload {upid} still 识别中 after {timeout} s")


@pytest.mark.ocr
@pytest.mark.libreoffice
def test_a_scan_is_read_apart_one_at_a_time_and_again_after_a_kill_or_a_stop(tmp_path, db, scanned):
    good_scan, bad_scan, book = scanned
    folder = tmp_path / "desk"
    desk = Desk(folder, db)
    sid = desk.open_season(YEAR, adapter.edition_for_year(YEAR))
    desk.add_units(sid, [NANGUAN_AGENCY, "拍照单位", WORKBOOK_UNIT])
    tok = {u.name: u.token for u in desk.units(sid)}
    desk.close()

    server = DeskServer(folder, db=db, jobs=1)
    watch = Watch(server.proc.pid)
    try:
        # the scans are acknowledged at once, 识别中, the page refreshing itself
        a, took_a = send(server.url, tok[NANGUAN_AGENCY], good_scan)
        b, took_b = send(server.url, tok["拍照单位"], bad_scan)
        assert took_a < 30 and took_b < 30, (took_a, took_b)
        status, headers, page = result(server.url, tok[NANGUAN_AGENCY], a)
        assert status == adapter.SCANNING and "识别中" in page and "文字识别（OCR）" in page
        assert headers.get("Refresh") == "10"
        assert result(server.url, tok["拍照单位"], b)[0] == adapter.SCANNING

        # an ordinary upload meanwhile: answered with its verdict while the first scan is still read
        c, took_c = send(server.url, tok[WORKBOOK_UNIT], book)
        assert result(server.url, tok[NANGUAN_AGENCY], a)[0] == adapter.SCANNING, "the scan was read before"
        assert result(server.url, tok[WORKBOOK_UNIT], c)[0] == adapter.PASSED
        assert took_c < 30, took_c

        # the office sees them 识别中, not counted in the roll-up, and why
        office = Client(server.url)
        office.login(PASSWORD)
        _s, _h, body = office.get(f"/office/s/{sid}")
        dash = body.decode()
        assert re.search(rf'<tr data-unit="{NANGUAN_AGENCY}" data-status="scanning">.*?识别中', dash, re.S)
        left = dash[dash.index('id="left-out"'):]
        assert re.search(r'data-unit="拍照单位" data-status="scanning">.*?正在识别', left, re.S)
        assert f'data-unit="{WORKBOOK_UNIT}"' not in left

        # the first scan's verdict: no error, as the workbook's (a cell read without certainty: "not verified")
        page = wait_verdict(server.url, tok[NANGUAN_AGENCY], a)
        verdict = result(server.url, tok[NANGUAN_AGENCY], a)[0]
        assert verdict in (adapter.PASSED, adapter.NOT_VERIFIED) and "（0 个错误" in page and "识别中" not in page
        # the second is being read: the desk is killed (as a power cut would)
        wait_reading(server.proc.pid)
        assert result(server.url, tok["拍照单位"], b)[0] == adapter.SCANNING
        server.kill()
    finally:
        watch.close()
        server.stop()
    assert watch.seen and watch.most == 1, (watch.seen, watch.most)

    # started again, it reads the scan left 识别中; stopped (SIGTERM) while reading: no process is left
    again = DeskServer(folder, db=db, jobs=1)
    try:
        wait_reading(again.proc.pid)
        again.proc.send_signal(signal.SIGTERM)
        assert again.proc.wait(timeout=60) == 0
        deadline = time.monotonic() + 20
        while group_alive(again.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not group_alive(again.proc.pid)
    finally:
        again.stop()

    again = DeskServer(folder, db=db, jobs=1)
    watch = Watch(again.proc.pid)
    try:
        assert result(again.url, tok[NANGUAN_AGENCY], a)[0] == verdict
        page = wait_verdict(again.url, tok["拍照单位"], b)  # read again at the start
        # the report that does not add up never passes: failed, or not verified where a cell was not read
        assert result(again.url, tok["拍照单位"], b)[0] in (adapter.FAILED, adapter.NOT_VERIFIED)
        assert '"code">I-OCR<' in page or '"code">T3-BAL<' in page
        assert result(again.url, tok[WORKBOOK_UNIT], c)[0] == adapter.PASSED
        if db is None:  # the marked copy of a scan is made in the OCR worker too (not a database matter)
            status, _h, data = Client(again.url).get(f"/u/{tok['拍照单位']}/r/{b}/marked.xlsx")
            assert status == 200 and data[:2] == b"PK"
    finally:
        watch.close()
        again.stop()
    assert watch.seen and watch.most == 1, (watch.seen, watch.most)


@pytest.mark.ocr
def test_ordinary_workers_hand_scans_on_without_reading_them(tmp_path):
    """Where the desk has a queue of scans, its other workers never read one: a PDF without text, a
    picture, or a workbook whose last year's report is a scan come back SCANNING within seconds."""
    pdf, png = _blank_scan(tmp_path / "扫描件.pdf"), _blank_scan(tmp_path / "第3页.png")
    book = fill(govxl.new(tmp_path / "blank.xlsx", agency=WORKBOOK_UNIT, year=YEAR), tmp_path / "b.xlsx", ED,
                good_values(ED))
    t = time.monotonic()
    for path, previous in ((pdf, None), (png, None), (book, pdf)):
        out = adapter.check_upload(path, path.name, previous, scans=False)
        assert out.status == adapter.SCANNING and "文字识别（OCR）" in out.reason, (path, out.reason)
        assert adapter.check_upload(path, path.name, previous, "en", scans=False).reason.startswith("this is a scan")
    assert adapter.check_upload(book, book.name, scans=False).status == adapter.PASSED
    assert time.monotonic() - t < 30  # nothing was read by text recognition


# ------------------------------------------------------------------ without the extra
def _blank_scan(path):
    """A picture of a ruled box only: a PDF without a text layer, or a .png."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (800, 600), "white")
    ImageDraw.Draw(img).rectangle((100, 100, 700, 500), outline="black", width=3)
    img.save(path, resolution=100)
    return path


@pytest.fixture
def desk(tmp_path, db):
    d = Desk(tmp_path / "desk", db)
    set_password(d, PASSWORD)
    yield d
    d.close()


def test_without_the_extra_a_scan_is_answered_with_the_command_that_installs_it(tmp_path, desk, monkeypatch):
    from govxl.importer import ocr

    monkeypatch.setattr(ocr, "available", lambda: False)  # (the check's child is forked: it inherits this)
    sid = desk.open_season(YEAR, adapter.edition_for_year(YEAR))
    desk.add_units(sid, ["扫描单位"])
    unit = desk.units(sid)[0]
    queue = ScanQueue(desk)  # never started: nothing may be left for it
    app = create_app(desk, Runner(0), scans=queue)
    c = app.test_client()
    for path, words in ((_blank_scan(tmp_path / "扫描件.pdf"), "没有文字层"), (_blank_scan(tmp_path / "第3页.png"), "图片")):
        page = c.get(f"/u/{unit.token}").text
        r = c.post(f"/u/{unit.token}/upload", data={"csrf": re.search(r'name="csrf" value="([^"]+)"', page).group(1),
                                                   "file": (path.open("rb"), path.name)})
        assert r.status_code == 303
        got = c.get(r.headers["Location"])
        assert 'data-status="unreadable"' in got.text and "Refresh" not in got.headers
        assert words in got.text and "pip install &#39;govxl[ocr]&#39;" in got.text
        assert desk.next_scan() is None
    assert [u.suffix for u in desk.uploads_of(unit.id)] == [".png", ".pdf"]
