"""The desk's queue of scans: uploads read by text recognition (govxl[ocr]; about 1 GB and 10-20 s
a page), one at a time, in a worker process of their own, so that ordinary uploads (checked by
the Runner's workers, work.py) never wait behind them.

The queue is the database: an upload that is a scan is recorded at once with the status
``scanning`` (the unit sees 识别中) and the upload is acknowledged; the queue's one thread takes
the oldest such upload, has it read and checked in the OCR worker (under the scan budget of
importer/isolate.py), and writes its verdict into the same row. An upload still ``scanning`` when
the desk stops (or is killed) is read at its next start: nothing acknowledged is lost.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor, TimeoutError
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

from ..sources.workbook import prepare
from . import adapter

TIMEOUT = 1500  # seconds: a scan and last year's report, each within the scan budget's wall clock
POLL = 30.0  # seconds between looks at the database when nothing woke the queue

log = logging.getLogger("govxl.desk")


def _warm() -> None:
    prepare()


class ScanQueue:
    """One thread, one worker process: scans are read one after another, oldest first."""

    def __init__(self, desk, lang: str = "zh", poll: float = POLL) -> None:
        self.desk, self.lang, self.poll = desk, lang, poll
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()  # one reading at a time (the queue's thread or the office's call)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ the queue's thread
    def start(self) -> ScanQueue:
        """Start reading (the scans left from before first): the thread ends with close()."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="govxl-desk-ocr", daemon=True)
            self._thread.start()
        return self

    def notify(self) -> None:
        """A scan was recorded: read it as soon as the one being read (if any) is done."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                row = self.desk.next_scan()
                if row is None:
                    self._wake.wait(self.poll)
                    continue
                self._read(row)
            except Exception:  # noqa: BLE001 - the database away for a moment: try again later
                if self._stop.is_set():
                    break
                log.exception("desk: the queue of scans")
                self._stop.wait(5)

    def _read(self, row) -> None:
        unit = self.desk.unit(row.unit_id)
        season = self.desk.season(unit.season_id)
        expect = {"year": season.year, "edition": season.edition, "agency": unit.name}
        previous = self.desk.previous_path(unit)
        out = self.read(self.desk.blob(row.sha256, row.suffix), row.name, previous, expect, unit.previous_name or "")
        if out is None or self._stop.is_set():
            return  # cut short by the stop: read again at the next start
        self.desk.finish_scan(row.id, unit, out, self.lang)

    # ------------------------------------------------------------ the worker
    def read(self, path, shown: str, previous=None, expect: dict | None = None,
             previous_name: str = "") -> adapter.Outcome | None:
        """Check a scan (or a file whose last year's report is one) in the OCR worker; waits for the
        reading before it. An office's upload of last year's report comes here too. None: the desk
        is stopping (the upload stays 识别中)."""
        failed = adapter.scanning(self.lang, failed=True)
        return self.call(adapter.check_upload, str(path), shown, str(previous) if previous else None, self.lang,
                         expect, previous_name, True, fallback=failed)

    def call(self, fn, *args, fallback=None):
        """`fn(*args)` in the OCR worker, after the reading under way; `fallback` when it ended the
        worker or ran out of time; None when the desk is stopping."""
        with self._lock:
            if self._stop.is_set():
                return None
            pool = self._get()
            try:
                return pool.submit(fn, *args).result(timeout=TIMEOUT)
            except (BrokenProcessPool, TimeoutError):
                self._reset(pool)
                return None if self._stop.is_set() else fallback
            except BaseException:  # noqa: BLE001 - Ctrl+C reached the worker: read again at the next start
                if self._stop.is_set():
                    return None
                raise

    def _get(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(1, mp_context=get_context("spawn"), initializer=_warm)
        return self._pool

    def _reset(self, pool: ProcessPoolExecutor) -> None:
        if self._pool is pool:
            self._pool = None
        _end(pool, 0)

    def close(self, wait: float = 10.0) -> None:
        """Stop: the reading under way is given up (its upload stays 识别中 and is read at the next
        start) and the worker ended, with what it started; none is left."""
        self._stop.set()
        self._wake.set()
        pool = self._pool
        if pool is not None:
            _end(pool, wait)
        if self._thread is not None:
            self._thread.join(wait)


def _end(pool: ProcessPoolExecutor, wait: float) -> None:
    """End the worker: SIGINT first (a reading under way ends the child it forked, isolate.py), then
    SIGTERM."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        if proc.is_alive() and proc.pid:
            try:
                os.kill(proc.pid, signal.SIGINT)
            except ProcessLookupError:
                pass
        proc.join(min(wait, 5) if wait else 2)
        if proc.is_alive():
            proc.terminate()
            proc.join(5)
