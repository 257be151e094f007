"""What the desk's pages share: the desk and its workers, downloads, the rows a URL names (or
404), the office's password check, and the work sent to the worker processes."""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import re
import tempfile
from pathlib import Path

from flask import abort, current_app, make_response, redirect, request, send_file, session, url_for

from . import adapter
from .names import clean_name
from .ocrqueue import ScanQueue
from .store import Desk, safe_name, shown_name
from .wording import say as _say
from .work import Runner

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def lang() -> str:
    """The language of the desk's pages: "zh" (the default) or "en" (`govxl desk --lang en`)."""
    return current_app.config.get("DESK_LANG", "zh")


def say(code: str, /, **params: object) -> str:
    """The desk's text `code` (govxl/desk/wording.py) in the language of its pages."""
    return _say(code, lang(), **params)


def admin_only(view):
    """A page of the office: without the admin's session, the login page (then back here)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not session.get("admin"):
            return redirect(url_for("login", next=request.path))
        return view(*args, **kwargs)

    return wrapped


_LOCAL = re.compile(r"/office(/[A-Za-z0-9_.\-/]*)?")


def local_target(nxt: str) -> bool:
    """A page of the office on this site: a plain path, never another site's address however it
    is spelled (no scheme, no //, no backslash, no control character or space, no encoded one)."""
    return bool(_LOCAL.fullmatch(nxt or "")) and "//" not in nxt and "/." not in nxt


def base_url() -> str:
    """Where the desk's links point: the address the office gave (--base-url, kept in the desk's
    folder), else the one this request came to (its scheme from a trusted proxy only)."""
    return (current_app.config.get("BASE_URL") or request.host_url).rstrip("/")


def send_bytes(data: bytes, name: str, mimetype: str):
    """Always a download (attachment), never shown by the browser."""
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


def _found(row):
    if row is None:
        abort(404)
    return row


class Pages:
    """The desk, its workers and the upload limit, as the page functions use them."""

    def __init__(self, desk: Desk, runner: Runner, max_upload: int, scans: ScanQueue | None = None) -> None:
        self.desk, self.runner, self.max_upload, self.scans = desk, runner, max_upload, scans

    def check(self, path, shown: str, previous=None, expect: dict | None = None, previous_name: str = "",
              wait: bool = True) -> adapter.Outcome:
        """An upload's outcome from the Runner's workers; a scan goes to the queue of scans: with
        `wait`, its verdict (read in the OCR worker after the scan before it), else SCANNING (识别中)."""
        out = self.runner.check(path, shown, previous, expect, previous_name, scans=self.scans is None)
        if out.status == adapter.SCANNING and wait:
            out = self.scans.read(path, shown, previous, expect, previous_name) or adapter.scanning(self.runner.lang, failed=True)
        return out

    def work(self, fn, *args):
        """`fn(*args)` in the Runner's workers, where no scan is read; where one would be (a picture, a
        PDF without text), in the OCR worker, after the reading under way: never two at once."""
        if self.scans is None:
            return self.runner.call(fn, *args)
        made = self.runner.call(adapter.without_scans, fn, *args)
        return self.scans.call(fn, *args) if made == adapter.SCANNING else made

    @staticmethod
    def refreshing(html: str, on: bool, seconds: int = 10):
        """A page that reloads itself every few `seconds` while `on` (a scan being read): no script."""
        resp = make_response(html)
        if on:
            resp.headers["Refresh"] = str(seconds)
        return resp

    # the rows a URL names; a wrong number is "not found"
    def season(self, sid: int):
        return _found(self.desk.season(sid))

    def unit(self, sid: int, uid: int):
        return _found(self.desk.unit(uid, sid))

    def upload(self, upid: int, unit_id: int | None = None):
        return _found(self.desk.upload(upid, unit_id))

    @staticmethod
    def latest_reason(ups: list, status: str) -> str:
        """Why the unit's latest upload stands as it does (which rules were not verified, why a file
        could not be checked), for its status line; nothing when it passed or there is none."""
        return ups[0].reason if ups and status not in (adapter.PASSED, "missing") else ""

    # files
    def blank(self, season, unit) -> tuple[bytes, str]:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "blank.xlsx"
            try:
                self.work(_blank_in_worker, str(out), clean_name(unit.name), season.year, season.edition,
                          str(self.desk.previous_path(unit) or ""))
            except Exception as exc:  # noqa: BLE001 - a name the library refuses: a sentence, never a 500
                msg = adapter.readable_error(exc, lang())
                if msg is None:
                    raise
                abort(400, say("e-blank", unit=unit.name, why=adapter.scrub(msg, tmp)))
            data = out.read_bytes()
        return data, say("file-blank", year=season.year, unit=safe_name(unit.name))

    def send_blank(self, season, unit):
        return send_bytes(*self.blank(season, unit), XLSX)

    def send_marked(self, up):
        """The marked-up copy of an upload, made once and kept in the cache under a key of its
        content, its name and this database; the record beside it is checked before it is served."""
        desk_id = self.desk.desk_id()
        key = hashlib.sha256(f"{up.sha256}\0{up.suffix}\0{up.name}\0{desk_id}".encode()).hexdigest()
        copy, note = self.desk.cache / f"marked-{key}.xlsx", self.desk.cache / f"marked-{key}.json"
        want = {"sha256": up.sha256, "name": up.name, "desk": desk_id}
        try:
            ok = json.loads(note.read_text(encoding="utf-8")) == want and copy.is_file()
        except (OSError, ValueError):
            ok = False
        if not ok:
            fd, tmp = tempfile.mkstemp(dir=self.desk.cache, suffix=".xlsx")
            os.close(fd)
            try:
                if not self.work(_marked_in_worker, str(self.desk.blob(up.sha256, up.suffix)), up.name, tmp):
                    abort(404)
                os.replace(tmp, copy)
                note.write_text(json.dumps(want), encoding="utf-8")
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        return send_bytes(copy.read_bytes(), say("file-marked", name=Path(shown_name(up.name)).stem), XLSX)

    def counted(self, sid: int, tmp: Path) -> list[Path]:
        """The files of the units the roll-up counts, copied under their 序号 and names."""
        files = self.desk.counted_files(sid)
        if not files:
            abort(400, say("e-nothing-counted"))
        out = []
        for pos, name, path in files:
            p = tmp / f"{pos:03d}-{safe_name(name)}{path.suffix}"
            p.write_bytes(path.read_bytes())
            out.append(p)
        return out

    def roll_up(self, season, out: Path) -> None:
        """The roll-up of the counted units, with the others listed and why, written to `out`."""
        left = [(f"{b.position:03d} {b.name}", why) for b, why in self.desk.tally(season.id, lang())[1]]
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "reports"
            src.mkdir()
            paths = self.counted(season.id, src)
            try:
                self.work(_rollup_in_worker, [str(p) for p in paths], str(out), season.agency, season.year, left,
                          lang())
            except Exception as exc:  # noqa: BLE001
                msg = adapter.readable_error(exc, lang())
                if msg is None:
                    raise
                abort(400, say("e-rollup", why=adapter.scrub(msg, tmp, out.parent)))
        if not out.is_file():
            abort(400, say("e-rollup-none"))


# Called in a worker process: plain arguments only.
def _blank_in_worker(out: str, agency: str, year: int, edition: str, previous: str) -> str:
    return str(adapter.blank_workbook(out, agency=agency, year=year, edition=edition, previous=previous or None))


def _marked_in_worker(path: str, shown: str, out: str) -> bool:
    return adapter.marked_copy(path, shown, out) is not None  # written atomically by the library


def _rollup_in_worker(paths: list[str], out: str, agency: str, year: int, left: list, lang: str = "zh") -> str:
    return str(adapter.roll_up([Path(p) for p in paths], out, agency=agency, year=year, left_out=left, lang=lang))
