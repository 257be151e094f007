"""One "check these paths" session: what `check`, `export`, `aggregate` and `--previous-dir` all use.

A county collects hundreds of reports a year and a province tens of thousands, so nothing here
holds more than one report at a time: results stream out in the order the files were found,
whatever the parallelism, as :class:`Checked` (the one result type: a report, or the error that
stopped that file). One file's failure, whatever it is, ends only that file (:func:`check_one`).

Workers get what they need once, from the pool's initializer: the :class:`~govxl.extras.Extras`
(last year's reports, the children) and the `after` hook (check's marked-up copies and HTML
parts); they send back small picklable results (a Report without its values, unless asked).
"""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from .errors import GovxlError, ReadError, unexpected
from .report.findings import Report

After = Callable[[Path, Report], Any]


@dataclass
class Checked:
    """One path as checked: its :class:`~govxl.report.findings.Report`, or the
    :class:`~govxl.errors.GovxlError` that stopped it (exactly one of the two is set).
    `done` is what the session's `after` hook returned for it (None if there was none)."""

    path: Path
    report: Report | None = None
    error: GovxlError | None = None
    done: Any = None

    def ok(self, strict: bool = False) -> bool:
        """Checked and passed (with `strict`, without warnings either)."""
        return self.report is not None and self.report.ok(strict)

    def to_dict(self, lang: str = "zh", strict: bool = False) -> dict[str, Any]:
        """The JSON of `govxl check --format json`: the report's, or for a file that could not be
        checked {"file", "ok": false, "error": {"code", "message"}}."""
        if self.report is None:
            return {"file": str(self.path), "ok": False, "error": error_dict(self.error, lang)}
        return self.report.to_dict(lang, strict)


def error_dict(error: BaseException | None, lang: str = "zh") -> dict[str, str]:
    """{"code", "message"} of a file's error (R-READ: a reason without a code of its own)."""
    if error is None:
        return {"code": "R-READ", "message": ""}
    text = getattr(error, "text", None)
    return {"code": getattr(error, "code", "") or "R-READ", "message": text(lang) if callable(text) else str(error)}


# ------------------------------------------------------------------ one file
def _check(path: str, keep_values: bool, reader: Callable | None, extras: Callable | None,
           found: bool = True) -> Report | GovxlError:
    """Never raises: the report (with the extras' findings), or the error that stopped this file.
    `found`: `path` was found by files.find_documents, where a folder stands for one with nothing in it."""
    from .sources import check_path

    if found and os.path.isdir(path):
        return ReadError(code="R-EMPTYDIR")
    try:
        report = check_path(path, reader=reader)
        if extras:
            report.findings += extras(report)
    except Exception as exc:  # one broken file must not end a batch of ten thousand
        return unexpected(exc)
    if not keep_values:
        report.values = {}
        report.outcomes = []  # (each rule's outcome: only for callers that keep the values)
    return report


def check_one(path: str | os.PathLike, *, extras: Callable | None = None, keep_values: bool = True,
              reader: Callable | None = None) -> Checked:
    """Check one file in this process; never raises for what is wrong with the file."""
    return _wrap(Path(path), _check(str(path), keep_values, reader, extras, found=False))


def _wrap(path: Path, result: Report | GovxlError, done: Any = None) -> Checked:
    if isinstance(result, Report):
        return Checked(path, report=result, done=done)
    return Checked(path, error=result, done=done)


def _then(path: str, result: Report | GovxlError, keep_values: bool, after: After) -> tuple[Any, Any]:
    """Run `after` on a report where it was checked (its values still there); never raises."""
    out = None
    if isinstance(result, Report):
        try:
            out = after(Path(path), result)
        except Exception as exc:  # noqa: BLE001 - `after` reports its own failures; this is the last guard
            out = unexpected(exc)
        if not keep_values:
            result.values = {}
            result.outcomes = []
    return result, out


# ------------------------------------------------------------------ in worker processes
# Set once in each worker by the pool's initializer (not sent with every task).
_EXTRAS: Callable | None = None
_AFTER: After | None = None


def _in_worker(path: str, keep_values: bool, reader: Callable | None) -> Report | GovxlError | tuple[Any, Any]:
    result = _check(path, keep_values or _AFTER is not None, reader, _EXTRAS)
    return result if _AFTER is None else _then(path, result, keep_values, _AFTER)


def _init_worker(extras: Callable | None, after: After | None = None) -> None:
    global _EXTRAS, _AFTER
    _EXTRAS, _AFTER = extras, after
    # Everything inherited from the parent (the CLI's imports, the specs) lives as long as the
    # worker: keep the garbage collector from walking it again and again (and from copying the
    # shared pages it touches), the way pre-fork servers do.
    gc.freeze()
    # Ctrl-C is the parent's to handle (it stops the pool); a worker must not print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def chunksize(n: int, jobs: int) -> int:
    """Big enough that inter-process traffic is a small cost, small enough to balance the load."""
    return max(1, min(64, n // (jobs * 8)))


# ------------------------------------------------------------------ many files
def check_many(files: Sequence[str | os.PathLike], jobs: int | None = None, *, extras: Callable | None = None,
               keep_values: bool = False, reader: Callable | None = None,
               after: After | None = None) -> Iterator[Checked]:
    """Check each file; yield a :class:`Checked` per file, in the order given.

    `jobs` processes check in parallel (default: one per core; 1 checks in this process).
    Reports come without their `values` unless `keep_values`, which keeps worker results small.
    `extras(report)` (a :class:`govxl.extras.Extras`) adds findings where the report is checked,
    while it still has its values (last year's comparison, the children's sum); `after(path,
    report)` runs there too (check's marked-up copies and HTML parts) and what it returns is the
    result's `done`: it should return its failures rather than raise (an exception it raises is
    returned). Both must be picklable where workers are spawned, not forked. Closing the
    iterator early stops the worker pool.
    """
    with closing(_each(files, jobs, keep_values, reader, extras, after)) as each:
        yield from each


def _each(files, jobs, keep_values, reader, extras, after) -> Iterator[Checked]:
    paths = [Path(f) for f in files]
    jobs = max(1, jobs or default_jobs())
    if jobs == 1 or len(paths) <= 1:
        for p in paths:
            result = _check(str(p), keep_values or after is not None, reader, extras)
            yield _wrap(p, *(_then(str(p), result, keep_values, after) if after is not None else (result,)))
        return
    import multiprocessing

    from .sources.workbook import prepare

    prepare()  # before the fork: workers inherit the loaded specs instead of each loading them
    jobs = min(jobs, len(paths))
    work = partial(_in_worker, keep_values=keep_values, reader=reader)
    with multiprocessing.get_context().Pool(jobs, initializer=_init_worker, initargs=(extras, after)) as pool:
        results = pool.imap(work, [str(p) for p in paths], chunksize=chunksize(len(paths), jobs))
        for p, result in zip(paths, results):
            yield _wrap(p, *(result if after is not None else (result,)))
