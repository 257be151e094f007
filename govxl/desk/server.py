"""Starting the desk: the database, the first admin password, the worker pool, the queue of scans
(ocrqueue.py), the web server (waitress: a pure-Python, multi-threaded WSGI server that runs the
same on Windows and Linux).

The desk's address is kept in its folder (desk.json): the port it first listened on, and the
address the units' links start with (--base-url, given once), so that links already sent work
after a restart. SIGTERM and SIGINT stop it cleanly: the server, then the check workers."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from pathlib import Path

PASSWORD_ENV = "GOVXL_DESK_PASSWORD"  # sets the admin password at first start without a prompt
PLACE = "desk.json"  # in the desk's folder: where it listens and the address of its links


def open_desk(folder: Path, db: str | None):
    from .store import Desk

    desk = Desk(folder, db)
    desk.sweep()  # one desk per folder: what a crash left half-written was never acknowledged
    return desk


def needs_password(desk) -> bool:
    return desk.setting("admin_hash") is None


def set_password(desk, password: str) -> None:
    from .security import hash_password

    desk.set_setting("admin_hash", hash_password(password))


def remembered(folder: Path) -> dict:
    """What the folder keeps of the desk's address: {"port": ..., "base_url": ...} (or nothing)."""
    try:
        got = json.loads((Path(folder) / PLACE).read_text(encoding="utf-8"))
        return got if isinstance(got, dict) else {}
    except (OSError, ValueError):
        return {}


def remember(folder: Path, **values) -> None:
    place = remembered(folder)
    place.update({k: v for k, v in values.items() if v is not None})
    tmp = Path(folder) / (PLACE + ".part")
    tmp.write_text(json.dumps(place, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, Path(folder) / PLACE)


def check_base_url(url: str) -> str | None:
    """The address as kept (no trailing slash), or None when it is not an http(s) address of a host."""
    from urllib.parse import urlsplit

    url = url.strip().rstrip("/")
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        return None
    return url


def plain_errors(max_upload_mb: int, lang: str = "zh"):
    """The server's own answers (a request too large for it, before the app sees it) as the
    desk's pages are: in the desk's language, HTML; a waitress channel class that gives them."""
    from html import escape

    from waitress.channel import HTTPChannel
    from waitress.task import ErrorTask

    from .wording import html_lang, say

    class DeskError(ErrorTask):
        def execute(self) -> None:
            e = self.request.error
            text = say("e-too-large", lang, mb=max_upload_mb) if e.code == 413 else say("e-bad-request", lang)
            body = (f'<!DOCTYPE html><html lang="{html_lang(lang)}"><head><meta charset="utf-8">'
                    f'<title>{escape(say("error-title", lang))}</title></head><body><h1>{escape(say("error-head", lang))}'
                    f'</h1><p id="error">{escape(text)}</p></body></html>').encode()
            self.status = f"{e.code} {e.reason}"
            self.response_headers.extend([("Content-Type", "text/html; charset=utf-8"),
                                          ("Content-Security-Policy", "default-src 'none'"),
                                          ("X-Content-Type-Options", "nosniff")])
            self.set_close_on_finish()
            self.content_length = len(body)
            self.write(body)

    class DeskChannel(HTTPChannel):
        error_task_class = DeskError

    return DeskChannel


def _stop(_signum, _frame) -> None:
    raise KeyboardInterrupt


def serve(desk, *, host: str, port: int | None, jobs: int, max_upload_mb: int, threads: int, echo=print,
          trust_proxy: bool = False, base_url: str | None = None, lang: str = "zh") -> None:
    """Serve until SIGINT/SIGTERM. `port` None: the one kept in the folder (the first start: a free
    one, then kept); `base_url`: kept in the folder for the next starts."""
    from waitress.server import create_server

    from .app import create_app
    from .ocrqueue import ScanQueue
    from .wording import say
    from .work import Runner

    place = remembered(desk.folder)
    if base_url:
        remember(desk.folder, base_url=base_url)
    base_url = base_url or place.get("base_url")
    if port is None:
        port = int(place.get("port") or 0)
    runner = Runner(jobs, lang)
    scans = ScanQueue(desk, lang)  # scans are read one at a time, apart from the other uploads
    app = create_app(desk, runner, max_upload=max_upload_mb << 20, trust_proxy=trust_proxy, base_url=base_url,
                     lang=lang, scans=scans)
    server = None
    main = threading.current_thread() is threading.main_thread()  # signals reach the main thread only
    old = {s: signal.signal(s, _stop) for s in (signal.SIGINT, signal.SIGTERM)} if main else {}
    try:
        server = create_server(app, host=host, port=port, threads=threads,
                               max_request_body_size=(max_upload_mb + 2) << 20,
                               connection_limit=max(100, threads * 8), channel_timeout=300, ident="govxl-desk")
        server.channel_class = plain_errors(max_upload_mb, lang)
        remember(desk.folder, port=server.effective_port)
        shown = f"[{host}]" if ":" in host else host
        echo(say("started", lang, url=f"http://{shown}:{server.effective_port}/", folder=desk.folder))
        echo(say("links-start", lang, url=base_url or f"http://{shown}:{server.effective_port}")
             + ("" if base_url else say("links-hint", lang)))
        sys.stdout.flush()
        scans.start()  # the scans left 识别中 by the last run first
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        for s in old:
            signal.signal(s, signal.SIG_IGN)  # a second signal does not cut the stop short
        if server is not None:
            server.close()
        scans.close()
        runner.close()
        desk.close()
        for s, h in old.items():
            signal.signal(s, h)


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))
