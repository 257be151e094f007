"""Output files written safely, in one place: never over an input, never half written, never a
formula hidden in a CSV. The bottom of govxl: it imports nothing from govxl but its errors.

Every command that writes a file goes through :func:`prepare_output` (or :func:`refuse_same_file`)
and :func:`atomic_write` / :func:`atomic_path`; every text cell of a CSV through :func:`csv_safe`.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import OutputExistsError, UsageError

# A text cell starting with one of these is a formula to Excel, WPS and LibreOffice
# (tab and carriage return too, per OWASP's CSV-injection advice). Such text is written with
# a leading apostrophe, which spreadsheets show as plain text; numbers are never touched.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# ------------------------------------------------------------------ where
def prepare_output(path: str | os.PathLike, force: bool, suffix: str = ".xlsx",
                   inputs: tuple[str | os.PathLike, ...] = ()) -> Path:
    """Validate an output path; raise UsageError with a clerk-readable reason.

    `suffix` is the only extension accepted (so a typo cannot overwrite a workbook with HTML);
    an output that is one of `inputs` is refused even with `force`.
    """
    out = Path(path)
    if out.suffix.lower() != suffix:
        raise UsageError(code="U-SUFFIX", suffix=suffix, path=str(out))
    refuse_same_file(out, *inputs)
    if out.is_dir():
        raise UsageError(code="U-OUTISDIR", path=str(out))
    if not out.parent.exists():
        raise UsageError(code="U-OUTDIR", path=str(out.parent))
    if out.exists() and not force:
        raise OutputExistsError(code="U-EXISTS", path=str(out))
    if not os.access(out.parent, os.W_OK):
        raise UsageError(code="U-NOWRITE", path=str(out.parent))
    return out


def same_file(a: Path, b: Path) -> bool:
    """Do two paths name the same file (also through links, hard links and different spellings)?"""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return os.path.normcase(a.resolve()) == os.path.normcase(b.resolve())
    except (OSError, ValueError):
        return False


def refuse_same_file(out: str | os.PathLike, *inputs: str | os.PathLike) -> None:
    """Raise UsageError if `out` is one of `inputs` (see same_file). Every command that reads files
    and writes one calls this (prepare_output does, for its `inputs`), even with --force."""
    for src in inputs:
        if same_file(Path(out), Path(src)):
            raise UsageError(code="U-SAMEFILE", path=str(out))


# ------------------------------------------------------------------ how
@contextmanager
def atomic_path(out: Path) -> Iterator[str]:
    """A temporary path beside `out`, renamed over `out` when the block ends without an exception
    (and removed when it does not): an interrupted run leaves no half file.

    The temporary file sits beside `out` (same file system, so the rename is atomic), gets the
    permissions a new file would get (umask), or those of the file it replaces, and is flushed
    to disk before the rename."""
    fd, tmp = create_temp(out.parent)
    os.close(fd)
    try:
        if out.exists():
            os.chmod(tmp, stat.S_IMODE(os.stat(out).st_mode))
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:  # make the rename itself durable (POSIX); harmless where directories cannot be opened
        dfd = os.open(out.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def atomic_write(out: Path, write: Callable[[str], Any]) -> None:
    """Call write(tmp_path), then rename over `out` (see :func:`atomic_path`)."""
    with atomic_path(out) as tmp:
        write(tmp)


def create_temp(folder: Path) -> tuple[int, str]:
    """Like tempfile.mkstemp, but mode 0666 & ~umask (mkstemp's 0600 would leave the result unreadable
    to colleagues on a shared drive)."""
    import secrets  # only when writing: `govxl check` without outputs never needs it

    for _ in range(100):
        tmp = os.path.join(folder, f".govxl-{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), folder)  # no free temporary name


# ------------------------------------------------------------------ what
def safe_text(s: str | None) -> str:
    """Text that no spreadsheet will run as a formula: a leading ' when it starts with = + - @ etc."""
    s = "" if s is None else str(s)
    return "'" + s if s.startswith(FORMULA_START) else s


def csv_safe(v: Any) -> Any:
    """A CSV cell: text made safe (see safe_text), numbers and anything else as they are."""
    return safe_text(v) if isinstance(v, str) else v
