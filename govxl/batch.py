"""Check many workbooks: find them, check them in parallel, hand back results in a fixed order.

A county collects hundreds of reports a year and a province tens of thousands, so nothing
here holds more than one report at a time: results stream out in the order the files were
found, whatever the parallelism, and a caller that wants a summary keeps only its rows.
Workers return small picklable results (a Report without its values, or the error).
"""

from __future__ import annotations

import csv
import gc
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from .errors import GovxlError, ReadError, UsageError, unexpected
from .findings import Report
from .safefile import atomic_path, csv_safe

Result = Report | GovxlError
More = Callable[[Report], list]
After = Callable[[Path, Report], Any]


# ------------------------------------------------------------------ checking them
def _check_one(path: str, keep_values: bool, reader: Callable | None, more: More | None = None) -> Result:
    """Runs in a worker: never raises, returns what the parent needs and nothing more."""
    from .documents import check_path

    if os.path.isdir(path):  # named, but no workbook in it (see files.find_workbooks)
        return ReadError(code="R-EMPTYDIR")
    try:
        report = check_path(path, reader=reader)
        if more is not None:
            report.findings += more(report)
    except Exception as exc:  # one broken file must not end a batch of ten thousand
        return unexpected(exc)
    if not keep_values:
        report.values = {}
    return report


# Set once in each worker by the pool's initializer (not sent with every task).
_MORE: More | None = None
_AFTER: After | None = None


def _check_in_worker(path: str, keep_values: bool, reader: Callable | None) -> Result | tuple[Result, Any]:
    result = _check_one(path, keep_values or _AFTER is not None, reader, _MORE)
    return result if _AFTER is None else _then(path, result, keep_values, _AFTER)


def _then(path: str, result: Result, keep_values: bool, after: After) -> tuple[Result, Any]:
    """Run `after` on a report where it was checked (its values still there); never raises."""
    out = None
    if isinstance(result, Report):
        try:
            out = after(Path(path), result)
        except Exception as exc:  # noqa: BLE001 - `after` reports its own failures; this is the last guard
            out = unexpected(exc)
        if not keep_values:
            result.values = {}
    return result, out


def _init_worker(more: More | None, after: After | None = None) -> None:
    global _MORE, _AFTER
    _MORE, _AFTER = more, after
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


def check_many(files: Sequence[str | os.PathLike], jobs: int | None = None, *, keep_values: bool = False,
               reader: Callable | None = None, more: More | None = None) -> Iterator[tuple[Path, Result]]:
    """Check each file; yield (path, Report or the GovxlError that stopped it) in the order given.

    `jobs` processes check in parallel (default: one per core; 1 checks in this process).
    Reports come without their `values` unless `keep_values`, which keeps worker results small.
    `more(report)` adds findings where the report is checked, while it still has its values
    (last year's comparison, ...); it must be picklable where workers are spawned, not forked.
    """
    with closing(_each(files, jobs, keep_values, reader, more, None)) as each:  # closing it stops the pool
        for p, (result, _out) in each:
            yield p, result


def check_then(files: Sequence[str | os.PathLike], after: After, jobs: int | None = None, *,
               more: More | None = None) -> Iterator[tuple[Path, Result, Any]]:
    """Like check_many, and `after(path, report)` runs on each report where it was checked (in a
    worker, while the report has its values: the outputs of `check --annotate/--report` are made
    there); yields (path, result, what `after` returned, or None for a file that was not checked).
    `after` should return its failures rather than raise; an exception it raises is returned."""
    with closing(_each(files, jobs, False, None, more, after)) as each:
        for p, (result, out) in each:
            yield p, result, out


def _each(files, jobs, keep_values, reader, more, after) -> Iterator[tuple[Path, tuple[Result, Any]]]:
    paths = [Path(f) for f in files]
    jobs = max(1, jobs or default_jobs())
    if jobs == 1 or len(paths) <= 1:
        for p in paths:
            result = _check_one(str(p), keep_values or after is not None, reader, more)
            yield p, (_then(str(p), result, keep_values, after) if after is not None else (result, None))
        return
    import multiprocessing

    from .checker import prepare

    prepare()  # before the fork: workers inherit the loaded specs instead of each loading them
    jobs = min(jobs, len(paths))
    work = partial(_check_in_worker, keep_values=keep_values, reader=reader)
    with multiprocessing.get_context().Pool(jobs, initializer=_init_worker, initargs=(more, after)) as pool:
        results = pool.imap(work, [str(p) for p in paths], chunksize=chunksize(len(paths), jobs))
        for p, result in zip(paths, results):
            yield p, (result if after is not None else (result, None))


# ------------------------------------------------------------------ the summary
PASSED, FAILED, UNREADABLE = "passed", "failed", "unreadable"
VERDICTS = {
    "zh": {PASSED: "通过", FAILED: "不通过", UNREADABLE: "无法校验"},
    "en": {PASSED: "passed", FAILED: "failed", UNREADABLE: "could not check"},
}
HEADERS = {
    "zh": ("文件", "填报单位", "年度", "格式版本", "结论", "错误", "警告", "提示", "说明"),
    "en": ("file", "agency", "year", "edition", "verdict", "errors", "warnings", "infos", "reason"),
}


@dataclass(frozen=True)
class Row:
    """One line of a batch summary: what a clerk needs to know about one file."""

    file: str
    agency: str | None
    year: int | None
    edition: str | None
    status: str  # passed | failed | unreadable
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    reason: str = ""

    @classmethod
    def of(cls, path: str | os.PathLike, result: Result, strict: bool = False) -> Row:
        if isinstance(result, GovxlError):
            return cls(str(path), None, None, None, UNREADABLE, reason=str(result))
        c = result.counts
        status = PASSED if result.ok(strict) else FAILED
        return cls(str(path), result.agency, result.year, result.edition, status,
                   c["error"], c["warning"], c["info"])

    @property
    def exit_code(self) -> int:
        return {PASSED: 0, FAILED: 1, UNREADABLE: 2}[self.status]

    def cells(self, lang: str = "zh") -> list[Any]:
        unread = self.status == UNREADABLE
        return [self.file, self.agency or "", self.year or "", self.edition or "", VERDICTS[lang][self.status],
                "" if unread else self.errors, "" if unread else self.warnings, "" if unread else self.infos,
                self.reason]


@dataclass
class Totals:
    files: int = 0
    passed: int = 0
    failed: int = 0
    unreadable: int = 0
    error: int = 0
    warning: int = 0
    info: int = 0

    def add(self, row: Row) -> None:
        self.files += 1
        setattr(self, row.status, getattr(self, row.status) + 1)
        self.error += row.errors
        self.warning += row.warnings
        self.info += row.infos

    @property
    def ok(self) -> bool:
        return self.files > 0 and self.passed == self.files

    @property
    def exit_code(self) -> int:
        return 2 if self.unreadable else 1 if self.failed else 0

    def to_dict(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in ("files", "passed", "failed", "unreadable", "error", "warning", "info")}


class SummaryCSV:
    """The summary as CSV that Excel opens correctly: UTF-8 with a BOM, CRLF, one row per file.

    Rows are written as they come (nothing is held), to a temporary file beside the target
    that replaces it only when the batch has finished: an interrupted run leaves no half file.
    Text from a workbook never becomes a formula when Excel opens the CSV (safefile.csv_safe).
    """

    def __init__(self, path: str | os.PathLike, lang: str = "zh") -> None:
        self.path = prepare_csv(path)
        self.lang = lang

    def __enter__(self) -> SummaryCSV:
        self._target = atomic_path(self.path)
        tmp = self._target.__enter__()
        self._fh = open(tmp, "w", encoding="utf-8-sig", newline="")
        self._csv = csv.writer(self._fh)
        self._csv.writerow(HEADERS[self.lang])
        return self

    def add(self, row: Row) -> None:
        self._csv.writerow([csv_safe(v) for v in row.cells(self.lang)])

    def __exit__(self, exc_type, exc, tb) -> None:
        self._fh.close()
        self._target.__exit__(exc_type, exc, tb)


def prepare_csv(path: str | os.PathLike) -> Path:
    """Validate the summary's path; raise UsageError with a clerk-readable reason."""
    out = Path(path)
    if out.suffix.lower() != ".csv":
        raise UsageError(f"汇总文件名应以 .csv 结尾：{out}")
    if out.is_dir():
        raise UsageError(f"汇总文件路径是一个文件夹：{out}")
    if not out.parent.exists():
        raise UsageError(f"汇总文件的目录不存在：{out.parent}")
    if not os.access(out.parent, os.W_OK):
        raise UsageError(f"没有权限写入目录：{out.parent}")
    return out
