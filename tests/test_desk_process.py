"""`govxl desk` as a process: SIGTERM and SIGINT stop it with no worker or resource tracker left;
its address kept in its folder (the same port and --base-url after a restart); a start with no
terminal and no password says what to do in one line and leaves nothing behind."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest

pytest.importorskip("flask")

from desk_support import PASSWORD, ROOT, Client, DeskServer, csrf_of  # noqa: E402


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_desk_and_leaves_no_process(tmp_path, sig):
    srv = DeskServer(tmp_path / "desk", jobs=2)
    try:
        c = Client(srv.url)
        c.login()
        _s, headers, _b = c.post("/office/seasons", {"year": "2025", "edition": "", "agency": "x",
                                                     "csrf": csrf_of(c.get("/office")[2].decode())})
        season = headers["Location"].replace(srv.url.rstrip("/"), "")
        c.post(season + "/units", {"names": "甲局", "csrf": csrf_of(c.get(season)[2].decode())})
        # a blank workbook: made in a check worker (the pool and its resource tracker start)
        page = c.get(season)[2].decode()
        blank = next(p for p in page.split('"') if p.endswith("/blank.xlsx"))
        assert c.get(blank)[0] == 200
        kids = subprocess.run(["pgrep", "-g", str(srv.proc.pid)], capture_output=True, text=True).stdout.split()
        assert len(kids) >= 3, kids  # the server, its workers, the resource tracker
        srv.proc.send_signal(sig)
        assert srv.proc.wait(timeout=60) == 0
        deadline = time.monotonic() + 20
        while group_alive(srv.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = subprocess.run(["pgrep", "-g", str(srv.proc.pid)], capture_output=True, text=True).stdout.split()
        assert not group_alive(srv.proc.pid), left
    finally:
        srv.stop()


def test_the_address_is_kept_in_the_folder(tmp_path):
    folder = tmp_path / "desk"
    srv = DeskServer(folder, jobs=0, extra=("--base-url", "https://shoubiao.example.gov.cn/"), port=0)
    try:
        first = srv.url
        assert "https://shoubiao.example.gov.cn/" in srv.links
    finally:
        srv.stop()
    assert json.loads((folder / "desk.json").read_text(encoding="utf-8"))["base_url"] == "https://shoubiao.example.gov.cn"
    srv = DeskServer(folder, jobs=0, port=None)  # no --port, no --base-url: both as before
    try:
        assert srv.url == first
        assert "https://shoubiao.example.gov.cn/" in srv.links
        c = Client(srv.url)
        c.login()
        _s, headers, _b = c.post("/office/seasons", {"year": "2025", "edition": "", "agency": "x",
                                                     "csrf": csrf_of(c.get("/office")[2].decode())})
        season = headers["Location"].replace(srv.url.rstrip("/"), "")
        c.post(season + "/units", {"names": "甲局", "csrf": csrf_of(c.get(season)[2].decode())})
        links = c.get(season + "/links.csv")[2].decode("utf-8-sig")
        assert "https://shoubiao.example.gov.cn/u/" in links
    finally:
        srv.stop()


def test_no_terminal_and_no_password_says_what_to_do_and_leaves_nothing(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "GOVXL_DESK_PASSWORD"}
    env["PYTHONPATH"] = str(ROOT)
    p = subprocess.run([sys.executable, "-m", "govxl", "desk", str(tmp_path / "desk")], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "GOVXL_DESK_PASSWORD" in lines[0], p.stderr
    assert "Warning" not in p.stderr and "已中断" not in p.stderr
    assert not (tmp_path / "desk").exists()
    # a short one in the variable: refused, nothing left either
    p = subprocess.run([sys.executable, "-m", "govxl", "desk", str(tmp_path / "desk")], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, env={**env, "GOVXL_DESK_PASSWORD": "short"}, timeout=120)
    assert p.returncode == 2 and "至少 8 个字符" in p.stderr and not (tmp_path / "desk").exists()
    assert PASSWORD  # the password the other tests use is long enough


def test_an_upload_too_large_for_the_server_is_answered_in_chinese(tmp_path):
    import http.client
    from urllib.parse import urlsplit

    srv = DeskServer(tmp_path / "desk", jobs=0, extra=("--max-upload-mb", "1"))
    try:
        u = urlsplit(srv.url)
        for size in (int(1.5 * (1 << 20)), 8 << 20):  # over the app's limit; over the server's own
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
            conn.putrequest("POST", "/u/" + "A" * 32 + "/upload")
            conn.putheader("Content-Type", "multipart/form-data; boundary=x")
            conn.putheader("Content-Length", str(size))
            conn.endheaders()
            try:
                conn.send(b"\0" * size)
            except (BrokenPipeError, ConnectionResetError):
                pass
            r = conn.getresponse()
            body = r.read().decode("utf-8")
            assert r.status == 413 and "文件太大" in body and "1 MB" in body, (size, body)
            assert r.getheader("Content-Type").startswith("text/html")
            conn.close()
    finally:
        srv.stop()


def test_a_short_password_typed_at_the_terminal_is_refused_before_it_is_asked_again(tmp_path):
    """At a terminal (a pseudo-terminal here) the first start asks for the admin password: a short
    one is refused at once, not after it was typed a second time, and the folder is not left behind."""
    import pty
    import select

    env = {k: v for k, v in os.environ.items() if k != "GOVXL_DESK_PASSWORD"}
    env["PYTHONPATH"] = str(ROOT)
    pid, fd = pty.fork()
    if pid == 0:  # the child: the desk on the terminal
        os.execve(sys.executable, [sys.executable, "-m", "govxl", "desk", str(tmp_path / "desk")], env)
    said = b""

    def read_until(marker: bytes, timeout: float = 60) -> bytes:
        nonlocal said
        deadline = time.monotonic() + timeout
        while marker not in said and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.5)[0]:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                said += chunk
        return said

    try:
        # the prompt, then the space getpass writes once it has turned the echo off (input before it is flushed)
        assert "请设置公开办的管理密码: ".encode() in read_until("管理密码: ".encode())
        os.write(fd, b"short\r")
        out = read_until("8 个字符".encode()).decode("utf-8", "replace")
        assert "管理密码至少 8 个字符" in out and "请再输入一次" not in out
        _pid, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 2
        assert not (tmp_path / "desk").exists()
    finally:
        os.close(fd)
        with contextlib.suppress(ChildProcessError, ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
