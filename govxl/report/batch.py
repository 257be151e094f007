"""The summary of a batch of checks: one row per file (the CSV of `--summary`, the closing table).

The checking itself is :mod:`govxl.session`; only the rows are kept, never the reports.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import OutputExistsError, UsageError
from ..safefile import atomic_path, csv_safe
from ..session import Checked

# ------------------------------------------------------------------ the summary
PASSED, FAILED, UNREADABLE, NOT_VERIFIED = "passed", "failed", "unreadable", "not_verified"
VERDICTS = {
    "zh": {PASSED: "通过", FAILED: "不通过", UNREADABLE: "无法校验", NOT_VERIFIED: "通过（有规则未能核对）"},
    "en": {PASSED: "passed", FAILED: "failed", UNREADABLE: "could not check", NOT_VERIFIED: "passed, rules not verified"},
}
# The CSV's header: one machine header whatever the language (scripts read it); the terminal's
# closing table shows HEADERS in the run's language. The last column (rules not verified) comes
# after the older ones, which keep their places.
CSV_HEADER = ("file", "agency", "year", "edition", "verdict", "errors", "warnings", "infos", "reason",
              "rules_not_verified")
HEADERS = {
    "zh": ("文件", "填报单位", "年度", "格式版本", "结论", "错误", "警告", "提示", "说明", "未能核对的规则"),
    "en": ("file", "agency", "year", "edition", "verdict", "errors", "warnings", "infos", "reason", "rules not verified"),
}


@dataclass(frozen=True)
class Row:
    """One line of a batch summary: what a clerk needs to know about one file."""

    file: str
    agency: str | None
    year: int | None
    edition: str | None
    status: str  # passed | failed | unreadable | not_verified
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    reason: str = ""
    unverified: int = 0

    @classmethod
    def of(cls, checked: Checked, strict: bool = False, lang: str = "zh") -> Row:
        result = checked.report
        if result is None:
            return cls(str(checked.path), None, None, None, UNREADABLE, reason=checked.error.text(lang))
        c = result.counts
        status = (NOT_VERIFIED if result.unverified else PASSED) if result.ok(strict) else FAILED
        return cls(str(checked.path), result.agency, result.year, result.edition, status,
                   c["error"], c["warning"], c["info"], unverified=len(result.unverified))

    @property
    def exit_code(self) -> int:
        return {PASSED: 0, NOT_VERIFIED: 0, FAILED: 1, UNREADABLE: 2}[self.status]

    def cells(self, lang: str = "zh") -> list[Any]:
        unread = self.status == UNREADABLE
        return [self.file, self.agency or "", self.year or "", self.edition or "", VERDICTS[lang][self.status],
                "" if unread else self.errors, "" if unread else self.warnings, "" if unread else self.infos,
                self.reason, "" if unread else self.unverified]


@dataclass
class Totals:
    files: int = 0
    passed: int = 0
    failed: int = 0
    unreadable: int = 0
    not_verified: int = 0
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
        return self.files > 0 and self.passed + self.not_verified == self.files

    @property
    def exit_code(self) -> int:
        return 2 if self.unreadable else 1 if self.failed else 0

    def to_dict(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in ("files", "passed", "failed", "unreadable", "not_verified", "error",
                                              "warning", "info")}


class SummaryCSV:
    """The summary as CSV that Excel opens correctly: UTF-8 with a BOM, CRLF, one row per file.

    Rows are written as they come (nothing is held), to a temporary file beside the target
    that replaces it only when the batch has finished: an interrupted run leaves no half file.
    Text from a workbook never becomes a formula when Excel opens the CSV (safefile.csv_safe).
    """

    def __init__(self, path: str | os.PathLike, lang: str = "zh") -> None:
        self.path = prepare_csv(path, force=True)  # the command line asked for --force before the run
        self.lang = lang

    def __enter__(self) -> SummaryCSV:
        self._target = atomic_path(self.path)
        tmp = self._target.__enter__()
        self._fh = open(tmp, "w", encoding="utf-8-sig", newline="")
        self._csv = csv.writer(self._fh)
        self._csv.writerow(CSV_HEADER)
        return self

    def add(self, row: Row) -> None:
        self._csv.writerow([csv_safe(v) for v in row.cells(self.lang)])

    def __exit__(self, exc_type, exc, tb) -> None:
        self._fh.close()
        self._target.__exit__(exc_type, exc, tb)


def prepare_csv(path: str | os.PathLike, force: bool = False) -> Path:
    """Validate the summary's path; raise UsageError with a clerk-readable reason (an existing file
    is overwritten only with `force`)."""
    out = Path(path)
    if out.suffix.lower() != ".csv":
        raise UsageError(code="U-CSV-SUFFIX", path=str(out))
    if out.is_dir():
        raise UsageError(code="U-CSV-ISDIR", path=str(out))
    if not out.parent.exists():
        raise UsageError(code="U-CSV-DIR", path=str(out.parent))
    if out.exists() and not force:
        raise OutputExistsError(code="U-EXISTS", path=str(out))
    if not os.access(out.parent, os.W_OK):
        raise UsageError(code="U-NOWRITE", path=str(out.parent))
    return out
