"""Starting the desk: the database, the first admin password, the worker pool, the web server
(waitress: a pure-Python, multi-threaded WSGI server that runs the same on Windows and Linux)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

PASSWORD_ENV = "GOVXL_DESK_PASSWORD"  # sets the admin password at first start without a prompt


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


def serve(desk, *, host: str, port: int, jobs: int, max_upload_mb: int, threads: int, echo=print) -> None:
    from waitress.server import create_server

    from .app import create_app
    from .work import Runner

    runner = Runner(jobs)
    app = create_app(desk, runner, max_upload=max_upload_mb << 20)
    server = create_server(app, host=host, port=port, threads=threads, max_request_body_size=(max_upload_mb + 2) << 20,
                           connection_limit=max(100, threads * 8), channel_timeout=300, ident="govxl-desk")
    shown = f"[{host}]" if ":" in host else host
    echo(f"收表台已启动：http://{shown}:{server.effective_port}/ （数据在 {desk.folder}；按 Ctrl+C 停止）")
    sys.stdout.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        runner.close()
        desk.close()


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))
