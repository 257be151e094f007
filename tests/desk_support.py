"""Test helpers for `govxl desk`: a throwaway PostgreSQL, the desk as a real server process, a
small HTTP client (cookies, forms, file uploads) on the standard library, the filled reports.

PostgreSQL: Debian's `postgresql` package; a cluster is made with initdb under a temporary
folder and started with pg_ctl on a Unix socket there (no TCP port), trusted for local use only.
As root the two programs run as the `postgres` user (PostgreSQL refuses to run as root).
``@pytest.mark.postgres`` skips a test when they are missing, and fails it when ``CI=true``.
"""

from __future__ import annotations

import contextlib
import glob
import http.cookiejar
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from helpers import NANGUAN_2023, fill_openpyxl, values

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "desk-test-password"


# ------------------------------------------------------------------ PostgreSQL
def pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    hits = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return hits[-1] if hits else None


def require_postgres() -> None:
    if pg_bin("initdb") and pg_bin("pg_ctl"):
        return
    if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
        pytest.fail("PostgreSQL is required when CI=true, but initdb/pg_ctl are missing (Debian: apt install postgresql)",
                    pytrace=False)
    pytest.skip("PostgreSQL not available (Debian: apt install postgresql)")


def _as_owner(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@contextlib.contextmanager
def pg_cluster():
    """A fresh PostgreSQL cluster on a Unix socket in a temporary folder; yields its URL."""
    base = Path(tempfile.mkdtemp(prefix="govxl-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    data = base / "data"
    try:
        subprocess.run(_as_owner([pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "desk", "-E", "UTF8",
                                  "--locale=C.UTF-8", "--no-sync"]), check=True, capture_output=True, timeout=120)
        subprocess.run(_as_owner([pg_bin("pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-t", "60",
                                  "-o", f"-k {base} -c listen_addresses='' -c max_connections=200 -c fsync=on",
                                  "start"]), check=True, capture_output=True, timeout=120)
        yield f"postgresql://desk@/postgres?host={urllib.parse.quote(str(base))}"
    finally:
        subprocess.run(_as_owner([pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                       capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


def fresh_database(url: str) -> str:
    """A new, empty database in the cluster at `url` (each test its own)."""
    import sqlalchemy as sa

    name = "t_" + secrets.token_hex(6)
    eng = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(sa.text(f"CREATE DATABASE {name}"))
    eng.dispose()
    return url.replace("@/postgres?", f"@/{name}?")


# ------------------------------------------------------------------ reports
def good_values(ed):
    return values(ed, NANGUAN_2023)


def unbalanced_values(ed):
    """The 南关区 report with 新收 (自然人) two too many: T3-BAL fails on its row and the total."""
    v = values(ed, NANGUAN_2023)
    v[("requests", "new", "natural_person")] += 2
    return v


def fill(blank: Path, out: Path, ed, vals) -> Path:
    return fill_openpyxl(blank, out, ed, vals)


# ------------------------------------------------------------------ HTTP
def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF token on the page"
    return m.group(1)


class Client:
    """A browser-less client: keeps cookies, posts forms and files, does not follow redirects."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **kw):
            return None

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect)

    def request(self, method: str, path: str, data: bytes | None = None, headers: dict | None = None,
                timeout: float = 300):
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=timeout) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, fields: dict, files: dict | None = None, timeout: float = 300):
        boundary = "----govxl" + secrets.token_hex(8)
        parts = []
        for k, v in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
        for k, (name, data) in (files or {}).items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="{name}"\r\n'
                         "Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request("POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"},
                            timeout=timeout)

    def login(self, password: str = PASSWORD) -> None:
        _s, _h, body = self.get("/login")
        status, headers, _ = self.post("/login", {"password": password, "csrf": csrf_of(body.decode())})
        assert status == 303, status


# ------------------------------------------------------------------ the desk as a server process
class DeskServer:
    """`govxl desk FOLDER --port 0` in a child process; `url` once it listens."""

    def __init__(self, folder: Path, db: str | None = None, jobs: int = 1, extra: tuple[str, ...] = (),
                 port: int | None = 0) -> None:
        env = {**os.environ, "GOVXL_DESK_PASSWORD": PASSWORD, "PYTHONUNBUFFERED": "1"}
        cmd = [sys.executable, "-m", "govxl", "desk", str(folder), "--jobs", str(jobs), *extra]
        if port is not None:
            cmd += ["--port", str(port)]
        if db:
            cmd += ["--db", db]
        self.log = open(Path(folder).parent / f"desk-{secrets.token_hex(3)}.log", "w+")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log, text=True, env=env,
                                     start_new_session=True)
        self.url = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            m = re.search(r"(http://[^/\s]+/)", line)
            if m:
                self.url = m.group(1)
                self.links = self.proc.stdout.readline()  # where the units' links start
                break
        if self.url is None:
            self.kill()
            self.log.seek(0)
            raise RuntimeError("the desk did not start: " + self.log.read()[-2000:])

    def kill(self) -> None:
        """SIGKILL the server and its worker processes (as a power cut would)."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


# ------------------------------------------------------------------ a real browser (Selenium)
def chromedriver_path() -> str | None:
    return os.environ.get("GOVXL_CHROMEDRIVER") or shutil.which("chromedriver")


def require_chromedriver() -> None:
    if chromedriver_path():
        return
    if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
        pytest.fail("chromedriver is required when CI=true (Debian: apt install chromium-driver)", pytrace=False)
    pytest.skip("chromedriver not available (Debian: apt install chromium-driver)")


def browser(downloads: Path, width: int = 1100, height: int = 1400):
    """Headless Chromium driven by Selenium: downloads go to `downloads`, no network beyond loopback."""
    from chromium import chromium_path
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium_path()
    profile = tempfile.mkdtemp(prefix="govxl-selenium-")
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
              f"--user-data-dir={profile}", f"--window-size={width},{height}", "--proxy-server=127.0.0.1:9",
              "--lang=zh-CN"):  # the proxy (nowhere) stops any request off this machine; loopback bypasses it
        opts.add_argument(a)
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False,
                                           "safebrowsing.enabled": False})
    driver = webdriver.Chrome(options=opts, service=Service(executable_path=chromedriver_path()))
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver._govxl_profile = profile
    driver.implicitly_wait(20)  # a page after a click: wait for its elements
    return driver


def quit_browser(driver) -> None:
    try:
        driver.quit()
    finally:
        shutil.rmtree(driver._govxl_profile, ignore_errors=True)


def wait_download(folder: Path, suffix: str, before: set[str], timeout: float = 60) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.name not in before and p.suffix == suffix]
        if done and not any(p.suffix == ".crdownload" for p in folder.iterdir()):
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} downloaded into {folder}: {sorted(p.name for p in folder.iterdir())}")
