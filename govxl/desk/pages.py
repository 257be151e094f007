"""What the desk's pages share: the desk and its workers, downloads, the rows a URL names (or
404), the office's password check, and the work sent to the worker processes."""

from __future__ import annotations

import functools
import io
import tempfile
from pathlib import Path

from flask import abort, redirect, request, send_file, session, url_for

from . import adapter
from .store import Desk, safe_name, shown_name
from .work import Runner

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def admin_only(view):
    """A page of the office: without the admin's session, the login page (then back here)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not session.get("admin"):
            return redirect(url_for("login", next=request.path))
        return view(*args, **kwargs)

    return wrapped


def local_target(nxt: str) -> bool:
    """A path on this site (never another site's address, however it is spelled)."""
    return nxt.startswith("/") and not nxt.startswith(("//", "/\\")) and "\\" not in nxt


def send_bytes(data: bytes, name: str, mimetype: str):
    """Always a download (attachment), never shown by the browser."""
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


def _found(row):
    if row is None:
        abort(404)
    return row


class Pages:
    """The desk, its workers and the upload limit, as the page functions use them."""

    def __init__(self, desk: Desk, runner: Runner, max_upload: int) -> None:
        self.desk, self.runner, self.max_upload = desk, runner, max_upload

    # the rows a URL names; a wrong number is "not found"
    def season(self, sid: int):
        return _found(self.desk.season(sid))

    def unit(self, sid: int, uid: int):
        return _found(self.desk.unit(uid, sid))

    def upload(self, upid: int, unit_id: int | None = None):
        return _found(self.desk.upload(upid, unit_id))

    # files
    def blank(self, season, unit) -> tuple[bytes, str]:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "blank.xlsx"
            self.runner.call(_blank_in_worker, str(out), unit.name, season.year, season.edition,
                             str(self.desk.previous_path(unit) or ""))
            data = out.read_bytes()
        return data, f"{season.year}年报-{safe_name(unit.name)}.xlsx"

    def send_blank(self, season, unit):
        return send_bytes(*self.blank(season, unit), XLSX)

    def send_marked(self, up):
        """The marked-up copy of an upload (made once, then kept in the cache)."""
        copy = self.desk.cache / f"marked-{up.id}.xlsx"
        if not copy.is_file():
            if not self.runner.call(_marked_in_worker, str(self.desk.blob(up.sha256, up.suffix)), up.name, str(copy)):
                abort(404)
        return send_bytes(copy.read_bytes(), f"标注-{Path(shown_name(up.name)).stem}.xlsx", XLSX)

    def passing(self, sid: int, tmp: Path) -> list[Path]:
        """The season's passing files, copied under their units' names (the roll-up's list shows them)."""
        files = self.desk.passing_files(sid)
        if not files:
            abort(400, "还没有通过校验的报告，无法汇总或导出。")
        out = []
        for i, (name, path) in enumerate(files, start=1):
            p = tmp / f"{i:03d}-{safe_name(name)}{path.suffix}"
            p.write_bytes(path.read_bytes())
            out.append(p)
        return out

    def roll_up(self, season, paths: list[Path], out: Path) -> None:
        try:
            self.runner.call(_rollup_in_worker, [str(p) for p in paths], str(out), season.agency, season.year)
        except Exception as exc:  # noqa: BLE001
            msg = adapter.readable_error(exc)
            if msg is None:
                raise
            abort(400, f"无法汇总：{msg}")
        if not out.is_file():
            abort(400, "无法汇总。")


# Called in a worker process: plain arguments only.
def _blank_in_worker(out: str, agency: str, year: int, edition: str, previous: str) -> str:
    return str(adapter.blank_workbook(out, agency=agency, year=year, edition=edition, previous=previous or None))


def _marked_in_worker(path: str, shown: str, out: str) -> bool:
    return adapter.marked_copy(path, shown, out) is not None  # written atomically by the library


def _rollup_in_worker(paths: list[str], out: str, agency: str, year: int) -> str:
    return str(adapter.roll_up([Path(p) for p in paths], out, agency=agency, year=year))
