"""Test helper: drive a real LibreOffice Calc from the test suite.

The project's Python has no UNO bindings, so LibreOffice is driven by ``tests/lo_driver.py``
running under the system Python (Debian's ``python3-uno``) in a subprocess, one JSON job at a
time. A :class:`Session` keeps one driver, and so one soffice, alive for many jobs.

Availability: :func:`lo_missing` says why LibreOffice cannot be used here (or None);
:func:`require_libreoffice` turns that into a skip locally and a failure when ``CI=true``;
``tests/conftest.py`` applies it to every test marked ``@pytest.mark.libreoffice`` (add
``uno=True`` to the marker when the test drives LibreOffice through this module).
"""

from __future__ import annotations

import functools
import json
import os
import re
import selectors
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import unescape as html_unescape
from pathlib import Path

import pytest

DRIVER = Path(__file__).with_name("lo_driver.py")
SYSTEM_PYTHON = os.environ.get("GOVXL_LO_PYTHON", "/usr/bin/python3")
PREFIX = "@@govxl-lo "
EVENT = "@@govxl-lo-event "
JOB_TIMEOUT = 180.0  # seconds for one job inside the driver (it kills soffice beyond that)
MARGIN = 30.0  # extra seconds the helper waits for the driver before killing it


class LibreOfficeError(RuntimeError):
    """LibreOffice (or the driver) failed a job; the message says which action and why."""

    def __init__(self, message: str, result: dict | None = None) -> None:
        super().__init__(message)
        self.result = result or {}


# ------------------------------------------------------------------ availability
def soffice_path() -> str | None:
    """$GOVXL_SOFFICE if set (it must then be executable), else soffice on PATH."""
    if os.environ.get("GOVXL_SOFFICE"):
        path = os.environ["GOVXL_SOFFICE"]
        return path if os.path.isfile(path) and os.access(path, os.X_OK) else None
    return shutil.which("soffice")


@functools.cache
def lo_missing(uno: bool = True) -> str | None:
    """Why LibreOffice cannot be driven on this machine (soffice, and with `uno` also the system
    Python's UNO bindings that tests/lo_driver.py needs), or None when it can."""
    if soffice_path() is None:
        where = f"$GOVXL_SOFFICE={os.environ['GOVXL_SOFFICE']!r} is not executable" if os.environ.get("GOVXL_SOFFICE") \
            else "soffice (LibreOffice) is not on PATH"
        return f"{where}; install LibreOffice Calc (Debian: libreoffice-calc-nogui)"
    if not uno:
        return None
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        return f"{SYSTEM_PYTHON} not found (the system Python that has the UNO bindings)"
    try:
        r = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{SYSTEM_PYTHON} could not be run: {exc}"
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ["?"])[-1]
        return f"{SYSTEM_PYTHON} cannot import uno (install python3-uno): {last}"
    return None


def lo_available() -> bool:
    return lo_missing() is None


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def require_libreoffice(uno: bool = True) -> None:
    """Skip the current test when LibreOffice is missing, or fail it when CI=true (CI must test it).

    ``@pytest.mark.libreoffice`` applies this through tests/conftest.py; ``uno=True`` in the marker
    (``@pytest.mark.libreoffice(uno=True)``) also requires the UNO bindings of the system Python."""
    reason = lo_missing(uno)
    if reason is None:
        return
    if in_ci():
        pytest.fail(f"LibreOffice is required when CI=true, but: {reason}", pytrace=False)
    pytest.skip(f"LibreOffice not available: {reason}")


# ------------------------------------------------------------------ the driver
class Session:
    """One ``lo_driver.py --serve`` process: one soffice (fresh profile) for a series of jobs."""

    def __init__(self, timeout: float = JOB_TIMEOUT) -> None:
        self.timeout = timeout
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [SYSTEM_PYTHON, str(DRIVER), "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.log, start_new_session=True)
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.proc.stdout, selectors.EVENT_READ)
        self.buf = b""
        self.closed = False
        self.soffice: dict | None = None  # pid, profile and sockets of the driver's current soffice

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def stderr_tail(self, n: int = 3000) -> str:
        self.log.seek(0)
        return self.log.read()[-n:].decode("utf-8", "replace")

    def run(self, job: dict) -> dict:
        """Run one job; return the driver's result, or raise LibreOfficeError."""
        if self.closed:
            raise LibreOfficeError("this LibreOffice session is closed")
        if self.proc.poll() is not None:
            raise LibreOfficeError(f"the LibreOffice driver has exited ({self.proc.returncode}): {self.stderr_tail()}")
        job = {"timeout": self.timeout, **job}
        try:
            self.proc.stdin.write((json.dumps(job, ensure_ascii=False) + "\n").encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise LibreOfficeError(f"the LibreOffice driver has exited: {self.stderr_tail()}") from None
        res = self._answer(time.monotonic() + float(job["timeout"]) + MARGIN)
        self.soffice = res.get("soffice") or self.soffice
        if not res.get("ok"):
            raise LibreOfficeError(_explain(job, res), res)
        return res

    def _answer(self, deadline: float) -> dict:
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                text = line.decode("utf-8", "replace")
                if text.startswith(PREFIX):
                    return json.loads(text[len(PREFIX):])
                if text.startswith(EVENT):
                    self.soffice = json.loads(text[len(EVENT):]).get("soffice") or self.soffice
            left = deadline - time.monotonic()
            if left <= 0:
                tail = self.stderr_tail()
                self.close(kill=True)
                raise LibreOfficeError(f"the LibreOffice driver did not answer in time and was killed: {tail}")
            if not self.sel.select(left):
                continue
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                code = self.proc.wait(10)
                raise LibreOfficeError(f"the LibreOffice driver exited ({code}) without answering: {self.stderr_tail()}")
            self.buf += chunk

    def close(self, kill: bool = False, grace: float = 15.0) -> None:
        """Stop the driver (which stops soffice); SIGTERM, then SIGKILL, its process group.

        A driver stuck inside a UNO call cannot run its SIGTERM handler; when it had to be
        SIGKILLed, its soffice (own process group, pgid = pid) is killed here and its profile removed.
        """
        if self.closed:
            return
        self.closed = True
        if self.proc.poll() is None and not kill:
            try:
                self.proc.stdin.write(b'{"op": "quit"}\n')
                self.proc.stdin.flush()
                self.proc.wait(30)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                pass
        forced = False
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if self.proc.poll() is not None:
                break
            forced = sig == signal.SIGKILL
            try:
                os.killpg(self.proc.pid, sig)
                self.proc.wait(grace)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        if forced and self.soffice:
            try:
                os.killpg(self.soffice["pid"], signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if self.soffice.get("profile"):
                shutil.rmtree(self.soffice["profile"], ignore_errors=True)
            for sock in self.soffice.get("sockets") or []:
                if os.path.exists(sock) and stat.S_ISSOCK(os.lstat(sock).st_mode):
                    os.unlink(sock)
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.sel.close()
        self.log.close()


def _explain(job: dict, res: dict) -> str:
    msg = f"LibreOffice job on {job.get('src')} failed: {res.get('error')}"
    if res.get("action") is not None:
        msg += f"\n  at action {res['action']}: {json.dumps(job['actions'][res['action']], ensure_ascii=False)}"
    for key in ("traceback", "soffice_log"):
        if res.get(key):
            msg += f"\n  {key}:\n{res[key]}"
    return msg


def run_job(job: dict, session: Session | None = None) -> dict:
    """Run one job in `session`, or in a driver started (and stopped) just for it."""
    if session is not None:
        return session.run(job)
    with Session() as s:
        return s.run(job)


# ------------------------------------------------------------------ jobs people need
@dataclass
class Result:
    """What a job did: every typed cell, every cell read back (after recalculation), and more."""

    raw: dict
    typed: dict[tuple[str, str], dict] = field(default_factory=dict)
    cells: dict[tuple[str, str], dict] = field(default_factory=dict)
    protected: dict[str, bool] = field(default_factory=dict)
    validations: dict[tuple[str, str], dict] = field(default_factory=dict)
    properties: dict[str, object] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    sheets: list[str] = field(default_factory=list)
    version: str | None = None
    structure: bool | None = None  # is the workbook's structure protected
    sheet_edits: list[dict] = field(default_factory=list)  # rename_sheet / insert_sheet attempts

    @classmethod
    def of(cls, raw: dict) -> Result:
        r = cls(raw)
        for a in raw["results"]:
            op = a["op"]
            if op == "type":
                r.typed[(a["sheet"], a["cell"])] = a
            elif op == "read":
                r.cells.update({(a["sheet"], ref): snap for ref, snap in a["cells"].items()})
            elif op == "protection":
                r.protected[a["sheet"]] = a["protected"]
            elif op == "validation":
                r.validations[(a["sheet"], a["cell"])] = a["validation"]
            elif op == "properties":
                r.properties = a["properties"]
            elif op == "names":
                r.names = a["names"]
            elif op == "sheets":
                r.sheets = a["sheets"]
            elif op == "version":
                r.version = a["version"]
            elif op == "structure":
                r.structure = a["protected"]
            elif op in ("rename_sheet", "insert_sheet"):
                r.sheet_edits.append(a)
        return r

    def string(self, sheet: str, cell: str) -> str:
        return self.cells[(sheet, cell)]["string"]

    def value(self, sheet: str, cell: str) -> float:
        return self.cells[(sheet, cell)]["value"]


Cells = Mapping[str, Iterable[str]]


def actions(*, type: Mapping[str, Mapping[str, object]] | None = None, wait: float = 0, read: Cells | None = None,
            validation: Cells | None = None, protection: Iterable[str] = (), properties: bool = False,
            names: bool = False, sheets: bool = False, version: bool = False, structure: bool = False,
            rename: Mapping[str, str] | None = None, insert: Iterable[str] = ()) -> list[dict]:
    """Build a driver action list: typing first (in the order given), an optional pause, then
    everything read back."""
    out: list[dict] = []
    for sheet, cells in (type or {}).items():
        out += [{"op": "type", "sheet": sheet, "cell": c, "value": str(v)} for c, v in cells.items()]
    if wait:
        out.append({"op": "wait", "seconds": wait})
    if read:
        out.append({"op": "recalc"})
        out += [{"op": "read", "sheet": s, "cells": list(cells), "recalc": False} for s, cells in read.items()]
    for sheet, cells in (validation or {}).items():
        out += [{"op": "validation", "sheet": sheet, "cell": c} for c in cells]
    out += [{"op": "protection", "sheet": s} for s in protection]
    for flag, op in ((properties, "properties"), (names, "names"), (sheets, "sheets"), (version, "version"),
                     (structure, "structure")):
        if flag:
            out.append({"op": op})
    # Attempts to change the workbook's structure, as a person would from the Sheet menu.
    out += [{"op": "rename_sheet", "sheet": s, "name": n} for s, n in (rename or {}).items()]
    out += [{"op": "insert_sheet", "name": n, "position": 0} for n in insert]
    return out


def fill(src: str | os.PathLike, dst: str | os.PathLike | None, values: Mapping[str, Mapping[str, object]], *,
         read: Cells | None = None, pdf: str | os.PathLike | None = None, session: Session | None = None,
         **more) -> Result:
    """Open `src` in LibreOffice, type `values` ({sheet: {cell: value}}) cell by cell as a person
    would, read back `read` after recalculation, save as .xlsx to `dst` (if given), export `pdf`."""
    job: dict = {"src": str(src), "actions": actions(type=values, read=read, **more)}
    if dst is not None:
        job["save_xlsx"] = str(dst)
    if pdf is not None:
        job["pdf"] = str(pdf)
    return Result.of(run_job(job, session))


def inspect(src: str | os.PathLike, *, session: Session | None = None, **what) -> Result:
    """Open `src` and only look: ``read=``, ``validation=``, ``protection=``, ``properties=True``…"""
    return fill(src, None, {}, session=session, **what)


def to_pdf(src: str | os.PathLike, outdir: str | os.PathLike, *, session: Session | None = None) -> Path:
    """Export every sheet of `src` to ``outdir/<stem>.pdf`` through LibreOffice's Calc PDF export.

    One file per job, and the output is checked to exist: ``soffice --convert-to`` given many
    files has been seen to convert only some of them and still exit 0.
    """
    out = Path(outdir) / (Path(src).stem + ".pdf")
    run_job({"src": str(src), "actions": [], "pdf": str(out)}, session)
    if pdf_info(out)["Pages"] < 1:
        raise LibreOfficeError(f"{out} has no pages")
    return out


# ------------------------------------------------------------------ PDF (poppler-utils)
def poppler_missing() -> str | None:
    for tool in ("pdfinfo", "pdftotext", "pdftoppm"):
        if shutil.which(tool) is None:
            return f"{tool} not found (install poppler-utils)"
    return None


def pdf_info(pdf: str | os.PathLike) -> dict:
    """pdfinfo's fields; ``Pages`` as int and ``sizes`` as [(width, height)] in points per page."""
    text = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60).stdout
    info: dict = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    info = {k.strip(): v.strip() for k, v in info.items()}
    info["Pages"] = int(info["Pages"])
    sizes = subprocess.run(["pdfinfo", "-f", "1", "-l", str(info["Pages"]), str(pdf)], capture_output=True,
                           text=True, check=True, timeout=60).stdout
    info["sizes"] = [(float(w), float(h)) for w, h in
                     re.findall(r"^Page\s+\d+\s+size:\s+([\d.]+)\s+x\s+([\d.]+)", sizes, re.M)]
    return info


def pdf_page_texts(pdf: str | os.PathLike) -> list[str]:
    """The text of each page (pdftotext), in page order."""
    n = pdf_info(pdf)["Pages"]
    return [subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), "-enc", "UTF-8", str(pdf), "-"],
                           capture_output=True, text=True, check=True, timeout=60).stdout for i in range(1, n + 1)]


def pdf_words(pdf: str | os.PathLike, page: int) -> list[tuple[str, float, float, float, float]]:
    """The words of one page (1-based) with their boxes in points: (text, xmin, ymin, xmax, ymax)."""
    html = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True, timeout=60).stdout
    box = r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"'
    return [(html_unescape(w), float(x1), float(y1), float(x2), float(y2))
            for x1, y1, x2, y2, w in re.findall(rf"<word {box}>([^<]*)</word>", html)]


def render_png(pdf: str | os.PathLike, outdir: str | os.PathLike, prefix: str = "page", dpi: int = 90) -> list[Path]:
    """Render each page to ``outdir/<prefix>-<n>.png`` (n from 1), return the paths in page order."""
    outdir = Path(outdir)
    n = pdf_info(pdf)["Pages"]
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(outdir / prefix)], check=True, timeout=120)
    out = []
    width = len(str(n))
    for i in range(1, n + 1):
        # pdftoppm pads the page number to the width of the page count (page-01.png for 10+ pages).
        src = outdir / f"{prefix}-{i:0{width}d}.png"
        dst = outdir / f"{prefix}-{i}.png"
        if src != dst:
            src.rename(dst)
        out.append(dst)
    return out
