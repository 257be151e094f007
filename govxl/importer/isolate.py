"""Read a document where a misbehaving parser cannot hurt: in a forked child process that limits
its own memory (RLIMIT_AS) and processor time (RLIMIT_CPU), with a wall-clock deadline kept by
the parent.

The libraries under the document readers (pdfminer, calamine, lxml, the HTML parser) can loop
for minutes on a damaged file, ask for gigabytes, panic (a pyo3 PanicException is a
BaseException) or abort the whole process (a Rust allocation failure).  In the child, each of
these ends the child only; the parent turns it into one ReadError naming what was too big, and
`govxl check DIR --jobs 2` or the desk goes on with the next file.  A fork costs a few
milliseconds (the child shares the parent's loaded modules); a govxl workbook never pays it.

Budgets (decided before parsing, the same for every document): what the reading may add to the
address space (MEMORY), the processor time of the whole reading (CPU_SECONDS), and the time the
parent waits (WALL_SECONDS).  Where fork is missing (Windows), the reader runs in-process.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from ..errors import GovxlError, ReadError

MEMORY = 640 * 1024 * 1024  # bytes of address space the reading may add to what the process holds
CPU_SECONDS = 8
WALL_SECONDS = 12  # a child that sleeps (a lock inherited in the fork) is ended after this
MAX_RESULT = 256 * 1024 * 1024  # bytes of the pickled result
# A scan read by text recognition (govxl[ocr]: some 0.7 GB and 10-30 s of processor time a page) has a
# budget of its own; a PDF learns that it is a scan only once it is open, so it is read again under it.
SCAN_MEMORY = 3 * 1024 * 1024 * 1024
SCAN_CPU_SECONDS = 300
SCAN_WALL_SECONDS = 600

T = TypeVar("T")
_INSIDE = False  # this process is a child of isolated()
_SCAN = False  # ... under the scan budget


class _Here(threading.local):
    elsewhere = False  # in this thread, scans are read elsewhere (scans_elsewhere())


_HERE = _Here()


class ScanNeeded(Exception):
    """Raised by a reader in a child under the document budget when the file is a scan that text
    recognition can read: isolated() then reads it again under the scan budget."""


def scan_allowed() -> bool:
    """May text recognition run here? (In a child only under the scan budget; outside the guards, yes;
    never within scans_elsewhere().)"""
    return not _HERE.elsewhere and (_SCAN or not _INSIDE)


@contextmanager
def scans_elsewhere() -> Iterator[None]:
    """Within, in this thread, a picture or a file that turns out to be a scan is not read where text
    recognition can read it: ScanNeeded reaches the caller (the desk reads scans one at a time in a
    worker of their own)."""
    before, _HERE.elsewhere = _HERE.elsewhere, True
    try:
        yield
    finally:
        _HERE.elsewhere = before


def isolated(read: Callable[[Path], T], p: Path, scan: bool = False) -> T:
    """`read(p)` run in a limited child; its result or its GovxlError, re-raised here. Anything
    else that ends the child becomes a ReadError about the file (R-DOC-MEMORY, R-DOC-SLOW,
    R-DOC-CRASH); a true bug in govxl (an unexpected exception) becomes R-UNEXPECTED.  `scan`: under
    the scan budget from the start (a picture); a PDF that turns out to be a scan is read again so."""
    global _INSIDE, _SCAN
    if _INSIDE or not hasattr(os, "fork") or os.environ.get("GOVXL_IN_PROCESS") == "1":
        return read(p)  # (in a child already: its limits hold)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (coverage does not follow a fork)
        _INSIDE, _SCAN = True, scan
        os.close(r)
        _child(read, p, w)
    os.close(w)
    cpu = SCAN_CPU_SECONDS if scan else CPU_SECONDS
    data, timed_out = _collect(r, pid, SCAN_WALL_SECONDS if scan else WALL_SECONDS)
    _, status = os.waitpid(pid, 0)
    if timed_out:
        raise ReadError(code="R-DOC-SLOW", name=p.name, seconds=cpu)
    code = os.waitstatus_to_exitcode(status)
    if code == 0 and data:
        try:
            kind, value = pickle.loads(data)
        except Exception:  # noqa: BLE001 - a result cut short: the child died while writing it
            kind, value = "crash", None
        if kind == "ok":
            return value
        if kind == "error":
            raise value
        if kind == "bug":
            raise ReadError(code="R-UNEXPECTED", detail=value)
        if kind == "scan" and _HERE.elsewhere:
            raise ScanNeeded
        if kind == "scan" and not scan:
            return isolated(read, p, scan=True)
        code = 3 if kind == "crash" else code
        if kind == "memory":
            code = -1
    if code in (-signal.SIGXCPU, -signal.SIGKILL):
        raise ReadError(code="R-DOC-SLOW", name=p.name, seconds=cpu)
    if code == -1 or code in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS):
        # Under RLIMIT_AS, an abort is an allocation the file asked for and was refused.
        raise ReadError(code="R-DOC-MEMORY", name=p.name, mb=(SCAN_MEMORY if scan else MEMORY) // (1024 * 1024))
    raise ReadError(code="R-DOC-CRASH", name=p.name)


def _collect(r: int, pid: int, wall: float) -> tuple[bytes, bool]:
    """What the child writes, until it closes the pipe or the deadline passes (then it is killed)."""
    chunks: list[bytes] = []
    deadline = time.monotonic() + wall
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([r], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                return b"", True
            chunk = os.read(r, 1 << 20)
            if not chunk:
                return b"".join(chunks), False
            chunks.append(chunk)
    except BaseException:  # Ctrl-C in the parent: the child must not outlive it
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        raise
    finally:
        os.close(r)


def _child(read: Callable[[Path], T], p: Path, w: int) -> None:  # pragma: no cover - runs in the child
    try:
        import gc

        gc.freeze()  # what the parent holds is not walked by the collector (nor copied page by page)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # What the libraries print on their own (pdfminer's warnings, a Rust panic's message, the
        # faulthandler's dump on an abort) is not for the clerk: govxl says it in one line.
        import faulthandler

        faulthandler.disable()  # (it may write to a copy of stderr made before the fork)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        _limit()
        try:
            out: tuple[str, object] = ("ok", read(p))
        except GovxlError as exc:
            out = ("error", exc)
        except ScanNeeded:
            out = ("scan", None)
        except MemoryError:
            out = ("memory", None)
        except RecursionError:
            out = ("error", ReadError(code="R-DOC-BUDGET", name=p.name, **budget("depth")))
        except BaseException as exc:  # noqa: BLE001 - a pyo3 PanicException is a BaseException
            out = ("crash", None) if _foreign(exc) else ("bug", f"{type(exc).__name__}: {exc}"[:300])
        try:
            data = pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data = pickle.dumps(("memory", None))
        except Exception as exc:  # noqa: BLE001 - a result that cannot travel is govxl's bug
            data = pickle.dumps(("bug", f"{type(exc).__name__}: {exc}"[:300]))
        if len(data) > MAX_RESULT:
            data = pickle.dumps(("memory", None))
        view = memoryview(data)
        while view:
            view = view[os.write(w, view):]
        os.close(w)
    except BaseException:  # noqa: BLE001 - whatever happens, the child ends here
        os._exit(3)
    os._exit(0)


def _foreign(exc: BaseException) -> bool:
    """An exception of a compiled parser (a Rust panic), not govxl's own bug."""
    return type(exc).__module__.startswith("pyo3") or type(exc).__name__ == "PanicException"


def _limit() -> None:  # pragma: no cover - runs in the child
    import resource

    try:
        with open("/proc/self/statm") as fh:
            held = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        held = 0
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    want = held + (SCAN_MEMORY if _SCAN else MEMORY)
    cpu = SCAN_CPU_SECONDS if _SCAN else CPU_SECONDS
    if hard == resource.RLIM_INFINITY or want < hard:
        resource.setrlimit(resource.RLIMIT_AS, (want, hard))
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard == resource.RLIM_INFINITY or cpu < hard:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2 if hard == resource.RLIM_INFINITY else min(hard, cpu + 2)))


# ------------------------------------------------------------------ budgets of a document's content
MAX_CHARS = 300_000  # characters of text read from one document (a year's report: some 10,000-30,000)
MAX_LINES = 10_000  # lines of text, rows of cells (a report: a few hundred)
MAX_DEPTH = 400  # elements inside elements (a page nests some twenty)
MAX_DIGITS = 40  # digits in one run: no figure of a report has more

_BUDGETS = {  # what -> (how a clerk calls it, in English, the limit)
    "chars": ("文字", "the text", MAX_CHARS),
    "lines": ("行数", "the number of lines", MAX_LINES),
    "depth": ("嵌套层数", "the nesting depth", MAX_DEPTH),
    "cells": ("单元格", "the number of cells", None),
    "digits": ("连续数字的位数", "a run of digits", MAX_DIGITS),
    "inflated": ("解压后的数据", "the data once decompressed", None),
    "cmap": ("字体的字符映射表", "a font's character map", None),
}


def budget(what: str, limit: int | str | None = None) -> dict[str, object]:
    """The params of R-DOC-BUDGET for `what` (a key of _BUDGETS): a limit other than the usual one
    as a number or as shown (`64 MB`)."""
    zh, en, most = _BUDGETS[what]
    shown = limit if isinstance(limit, str) else f"{(limit or most or 0):,}"
    return {"part": zh, "part_en": en, "most": shown}
