"""Which files a command works on: one rule for `check`, `export`, `aggregate` and `--previous-dir`.

A file is taken as given; a folder stands for every *.xlsx under it, subfolders too, sorted
within the folder, skipping Office lock files (``~$报告.xlsx``, ``.~lock.报告.xlsx#``) and hidden
files and folders (macOS's ``._报告.xlsx``, ``.git``). A file named twice is taken once.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .errors import UsageError


def skipped(name: str) -> bool:
    """Lock files and hidden files are not workbooks."""
    return name.startswith(("~$", "."))


WORKBOOKS = (".xlsx",)
# `govxl check` also reads reports that are not govxl workbooks (govxl.sources).
DOCUMENTS = (".xlsx", ".xlsm", ".docx", ".docm", ".odt", ".xls", ".ods", ".pdf")


def walk(folder: str | os.PathLike, skip: str | os.PathLike | None = None,
         suffixes: tuple[str, ...] = WORKBOOKS) -> list[Path]:
    """Every workbook under `folder` (but `skip`: an output being written there), sorted by path;
    with `suffixes`, every file whose name ends in one of them."""
    root = Path(folder)
    skip_name = Path(skip).name if skip is not None else None
    out = []
    for d, dirs, names in os.walk(root):
        dirs[:] = [n for n in dirs if not skipped(n)]
        base = Path(d)
        out += [base / n for n in names if n.lower().endswith(suffixes) and not skipped(n)
                and not (n == skip_name and os.path.exists(skip) and os.path.samefile(base / n, skip))]  # type: ignore[arg-type]
    return sorted(out, key=lambda f: f.relative_to(root).parts)


def _key(path: str | os.PathLike) -> str:
    return os.path.normcase(os.path.abspath(path))


def find_documents(paths: Iterable[str | os.PathLike], *, keep_unfound: bool = False) -> list[Path]:
    """As :func:`find_workbooks`, a folder standing for every workbook and document under it
    (Word, PDF, .xls, .ods: what `govxl check` reads), with the same skip rules."""
    return find_workbooks(paths, keep_unfound=keep_unfound, suffixes=DOCUMENTS)


def find_workbooks(paths: Iterable[str | os.PathLike], *, skip: str | os.PathLike | None = None,
                   keep_unfound: bool = False, suffixes: tuple[str, ...] = WORKBOOKS) -> list[Path]:
    """The workbooks named by `paths`, in the order given (folders expanded by :func:`walk`).

    A path that does not exist, or a folder without any workbook, raises UsageError; with
    `keep_unfound` it is kept as given instead, so that a batch reports it on its own line.
    """
    out: list[Path] = []
    seen: set[str] = set()
    for p in map(Path, paths):
        if p.is_dir():
            found = walk(p, skip, suffixes)
            if not found and not keep_unfound:
                raise UsageError(code="U-EMPTYDIR", path=str(p))
            found = found or [p]
        elif p.exists() or p.is_symlink() or keep_unfound:
            found = [p]
        else:
            raise UsageError(code="U-NOTFOUND", path=str(p))
        for f in found:
            key = _key(f)
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out
