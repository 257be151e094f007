"""Where uploads are checked: a pool of worker processes (one per core by default).

The checks are CPU work; in worker processes they use every core, and a file that makes a
reader misbehave (memory, a crash in a C library) takes down a worker, never the server: the
pool is started again and the upload is answered "could not check". With ``jobs=0`` the work is
done in the calling thread (tests, a one-person desk).
"""

from __future__ import annotations

import threading
from concurrent.futures import ProcessPoolExecutor, TimeoutError
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

from . import adapter
from .wording import say

TIMEOUT = 300  # seconds a check may take before the upload is answered "could not check"


def _warm() -> None:
    from ..sources.workbook import prepare

    prepare()


class Runner:
    def __init__(self, jobs: int = 0, lang: str = "zh") -> None:
        self.jobs = jobs
        self.lang = lang  # the language of the findings (and, by default, of the pages)
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _get(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(self.jobs, mp_context=get_context("spawn"), initializer=_warm)
            return self._pool

    def _reset(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:
                self._pool = None
        broken.shutdown(wait=False, cancel_futures=True)

    def call(self, fn, *args, fallback=None):
        if self.jobs == 0:
            return fn(*args)
        pool = self._get()
        try:
            return pool.submit(fn, *args).result(timeout=TIMEOUT)
        except BrokenProcessPool:
            self._reset(pool)
            return fallback
        except TimeoutError:
            return fallback

    def check(self, path, shown: str, previous, expect: dict | None = None, previous_name: str = "",
              scans: bool = True) -> adapter.Outcome:
        """`scans` False: a scan is not read here (the outcome is SCANNING, for the queue of scans)."""
        failed = adapter.Outcome(adapter.UNREADABLE, reason=say("e-crashed", self.lang))
        return self.call(adapter.check_upload, str(path), shown, str(previous) if previous else None, self.lang, expect,
                         previous_name, scans, fallback=failed)

    def close(self, wait: float = 10.0) -> None:
        """Stop the workers: those still checking are given `wait` seconds, then ended; none is left."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is None:
            return
        procs = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in procs:
            proc.join(wait)
            if proc.is_alive():
                proc.terminate()
                proc.join(5)
        pool.shutdown(wait=True)
