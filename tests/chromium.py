"""Test helper: open an HTML page in a real browser (Debian's `chromium`, headless).

Two uses, both through Chromium's own command line (no driver to install): ``--dump-dom``
gives the DOM after the page has been parsed and laid out, ``--screenshot`` a PNG of it.
``@pytest.mark.chromium`` (tests/conftest.py) skips a test when no browser is found, and fails
it when ``CI=true`` (CI installs the `chromium` package, see .ci/run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

TIMEOUT = 120


def chromium_path() -> str | None:
    """$GOVXL_CHROMIUM if set, else chromium (Debian) or chromium-browser / google-chrome on PATH."""
    if os.environ.get("GOVXL_CHROMIUM"):
        path = os.environ["GOVXL_CHROMIUM"]
        return path if os.path.isfile(path) and os.access(path, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> None:
    if chromium_path() is not None:
        return
    if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
        pytest.fail("Chromium is required when CI=true, but no chromium is on PATH (Debian: apt install chromium)",
                    pytrace=False)
    pytest.skip("Chromium not available (Debian: apt install chromium)")


def _run(args: list[str]) -> subprocess.CompletedProcess:
    exe = chromium_path()
    assert exe is not None
    with tempfile.TemporaryDirectory(prefix="govxl-chromium-") as profile:
        # A private profile and no network: the page must render from itself alone.
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
               f"--user-data-dir={profile}", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>", *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, check=True)


def dump_dom(page: str | os.PathLike) -> str:
    """The serialised DOM of `page` after Chromium has loaded it."""
    return _run(["--dump-dom", Path(page).resolve().as_uri()]).stdout


def screenshot(page: str | os.PathLike, png: str | os.PathLike, width: int = 1000, height: int = 1400) -> Path:
    out = Path(png).resolve()
    _run([f"--window-size={width},{height}", f"--screenshot={out}", Path(page).resolve().as_uri()])
    if not out.is_file() or out.stat().st_size == 0:
        raise RuntimeError(f"chromium wrote no screenshot {out}")
    return out


def print_pdf(page: str | os.PathLike, pdf: str | os.PathLike) -> Path:
    """`page` printed to PDF by Chromium (its print CSS: @page size, page breaks), without the
    browser's own header and footer."""
    out = Path(pdf).resolve()
    _run(["--no-pdf-header-footer", f"--print-to-pdf={out}", Path(page).resolve().as_uri()])
    if not out.is_file() or out.stat().st_size == 0:
        raise RuntimeError(f"chromium wrote no PDF {out}")
    return out
