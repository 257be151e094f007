"""The office's pages, behind the admin password: seasons, units, the dashboard, downloads,
the roll-up and the comparison of units."""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
import tempfile
import zipfile
from pathlib import Path

from flask import Flask, abort, flash, redirect, render_template, request, session, url_for

from ..safefile import safe_text
from . import adapter
from .pages import XLSX, Pages, admin_only, base_url, lang, local_target, say, send_bytes
from .security import Backoff, verify_password
from .store import TooLarge, parse_units, shown_name

ACCOUNT = "admin"  # the office's one account: its tries are counted however many addresses they come from
DEVICE = "govxl_desk_device"  # the cookie that marks a browser the office has logged in with


class Devices:
    """The device mark: a random id, signed with the desk's key (a stranger cannot make one)."""

    def __init__(self, key: str) -> None:
        from itsdangerous import BadSignature, URLSafeSerializer

        self._s, self._bad = URLSafeSerializer(key, salt="govxl-desk-device"), BadSignature

    def dumps(self, device: str) -> str:
        return self._s.dumps(device)

    def loads(self, value: str) -> str | None:
        try:
            got = self._s.loads(value) if value else None
        except self._bad:
            return None
        return got if isinstance(got, str) and len(got) < 64 else None


def register(app: Flask, pages: Pages, logins: Backoff) -> None:
    desk, max_upload = pages.desk, pages.max_upload
    devices = Devices(app.config["SECRET_KEY"])

    @app.get("/")
    def home():
        return redirect(url_for("office"))

    @app.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "POST":
            # a browser the office logged in with before carries a device mark: its tries are counted on
            # their own, so that a stranger's guesses (which slow the account down) never lock it out, not
            # even from the same address (behind a proxy a whole office network may be one address)
            device = devices.loads(request.cookies.get(DEVICE, ""))
            keys = [f"device:{device}"] if device else [ACCOUNT] + (
                [f"ip:{request.remote_addr}"] if app.config["TRUST_PROXY"] else [])
            wait = max(logins.wait(k) for k in keys)
            if wait > 0:
                abort(429, say("login-wait", seconds=int(wait) + 1))
            if verify_password(request.form.get("password", ""), desk.setting("admin_hash")):
                session.clear()
                session["admin"] = True
                session["csrf"] = secrets.token_urlsafe(32)
                session.permanent = True
                for k in keys:
                    logins.reset(k)
                nxt = request.args.get("next", "")
                resp = redirect(nxt if local_target(nxt) else url_for("office"), 303)
                resp.set_cookie(DEVICE, devices.dumps(device or secrets.token_urlsafe(16)), max_age=400 * 86400,
                                httponly=True, samesite="Lax", secure=request.is_secure)
                return resp
            for k in {*keys, ACCOUNT}:
                logins.failed(k)
            flash(say("login-wrong"))
        return render_template("login.html")

    @app.post("/logout")
    def logout():
        session.clear()
        return redirect(url_for("login"), 303)

    @app.get("/office")
    @admin_only
    def office():
        ss = desk.seasons()
        next_year = (ss[0].year + 1) if ss else None
        return render_template("office.html", seasons=ss, editions=adapter.editions(), next_year=next_year)

    @app.post("/office/seasons")
    @admin_only
    def open_season():
        try:
            year = int(request.form.get("year", ""))
        except ValueError:
            abort(400, say("e-year-missing"))
        if not 1990 <= year <= 2200:
            abort(400, say("e-year-range"))
        edition = request.form.get("edition") or adapter.edition_for_year(year)
        if edition not in adapter.editions():
            abort(400, say("e-edition"))
        if any(s.year == year for s in desk.seasons()):
            abort(400, say("e-season-exists", year=year))
        sid = desk.open_season(year, edition, request.form.get("agency", "").strip()[:200],
                               copy_units=bool(request.form.get("copy_units")))
        return redirect(url_for("dashboard", sid=sid), 303)

    @app.get("/office/s/<int:sid>")
    @admin_only
    def dashboard(sid: int):
        season = pages.season(sid)
        board = desk.board(sid)
        kinds = ("passed", "failed", "unreadable", "missing", "held", "not_verified", "left_out", "scanning")
        counts = {k: sum(1 for b in board if b.status == k) for k in kinds}
        counts["failed_all"] = counts["failed"] + counts["unreadable"]
        counts["waiting"] = counts["held"] + counts["not_verified"] + counts["left_out"] + counts["scanning"]
        counts["submitted"] = len(board) - counts["missing"]
        counts["total"] = len(board)
        _counted, left = desk.tally(sid, lang())
        return render_template("dashboard.html", season=season, board=board, counts=counts, left=left,
                               retired=desk.retired(sid), base=base_url())

    @app.post("/office/s/<int:sid>/units")
    @admin_only
    def add_units(sid: int):
        pages.season(sid)
        text = request.form.get("names", "")
        names = parse_units(text)
        f = request.files.get("csv")
        if f is not None and f.filename:
            raw = f.read(1 << 20)
            for enc in ("utf-8-sig", "gb18030"):
                try:
                    names += parse_units(raw.decode(enc), table=True)
                    break
                except UnicodeDecodeError:
                    continue
        added, known = desk.add_units(sid, names)
        flash(say("added-known", n=len(added), k=len(known), names=say("list-sep").join(known[:10])) if known
              else say("added", n=len(added)))
        return redirect(url_for("dashboard", sid=sid), 303)

    @app.post("/office/s/<int:sid>/previous")
    @admin_only
    def take_previous(sid: int):
        pages.season(sid)
        files = [(f.stream, f.filename) for f in request.files.getlist("files") if f and f.filename][:1000]
        if not files:
            abort(400, say("e-previous-none"))
        try:
            got = desk.take_previous(sid, files, max_upload, pages.check)
        except TooLarge:
            abort(413)
        sep = say("list-sep")
        flash(say("previous-got", matched=len(got["matched"]), added=len(got["added"]))
              + (say("previous-unreadable", n=len(got["unreadable"]), names=sep.join(got["unreadable"][:10]))
                 if got["unreadable"] else "")
              + (say("previous-wrong-year", n=len(got["wrong_year"]), year=pages.season(sid).year - 1,
                     names=sep.join(got["wrong_year"][:10])) if got["wrong_year"] else "")
              + say("end"))
        return redirect(url_for("dashboard", sid=sid), 303)

    @app.get("/office/s/<int:sid>/u/<int:uid>")
    @admin_only
    def unit_page(sid: int, uid: int):
        season = pages.season(sid)
        unit = pages.unit(sid, uid)
        ups, status = desk.uploads_of(uid), desk.status_of(unit)
        return render_template("unit_office.html", season=season, unit=unit, uploads=ups, office=True, base=base_url(),
                               jumps=desk.jumps(unit), status=status, latest_reason=pages.latest_reason(ups, status))

    @app.post("/office/s/<int:sid>/u/<int:uid>/previous")
    @admin_only
    def set_previous(sid: int, uid: int):
        pages.season(sid)
        pages.unit(sid, uid)
        f = request.files.get("file")
        suffix = adapter.accepted(f.filename if f else "")
        if f is None or suffix is None:
            abort(400, say("e-previous-file", types=say("list-sep").join(adapter.ACCEPTED)))
        try:
            out = desk.set_previous(uid, f.stream, suffix, max_upload, pages.check, f.filename)
        except TooLarge:
            abort(413)
        flash(say("previous-set") if out.status != adapter.UNREADABLE else say("previous-bad", why=out.reason))
        return redirect(url_for("unit_page", sid=sid, uid=uid), 303)

    @app.get("/office/s/<int:sid>/u/<int:uid>/blank.xlsx")
    @admin_only
    def office_blank(sid: int, uid: int):
        return pages.send_blank(pages.season(sid), pages.unit(sid, uid))

    @app.get("/office/s/<int:sid>/blanks.zip")
    @admin_only
    def blanks_zip(sid: int):
        season = pages.season(sid)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for u in desk.units(sid):
                data, name = pages.blank(season, u)
                z.writestr(f"{u.position:03d}-{name}", data)
        return send_bytes(buf.getvalue(), say("file-blanks", year=season.year), "application/zip")

    @app.get("/office/s/<int:sid>/links.csv")
    @admin_only
    def links_csv(sid: int):
        """Every unit's own link, to send out by mail merge (opens in Excel: UTF-8 with BOM)."""
        season = pages.season(sid)
        base = base_url()
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow([say("csv-position"), say("csv-unit"), say("csv-link")])
        for u in desk.units(sid):
            w.writerow([u.position, safe_text(u.name), base + url_for("unit_home", token=u.token)])
        return send_bytes(("\ufeff" + buf.getvalue()).encode("utf-8"), say("file-links", year=season.year), "text/csv")

    @app.get("/office/upload/<int:upid>")
    @admin_only
    def office_result(upid: int):
        up = pages.upload(upid)
        unit = desk.unit(up.unit_id)
        return pages.refreshing(render_template("result.html", up=up, unit=unit, season=desk.season(unit.season_id),
                                                office=True), up.status == adapter.SCANNING)

    @app.get("/office/upload/<int:upid>/original")
    @admin_only
    def office_original(upid: int):
        up = pages.upload(upid)
        # always a download, as bytes: an upload is never shown by the browser
        return send_bytes(desk.blob(up.sha256, up.suffix).read_bytes(), f"{Path(shown_name(up.name)).stem}{up.suffix}",
                          "application/octet-stream")

    @app.get("/office/upload/<int:upid>/marked.xlsx")
    @admin_only
    def office_marked(upid: int):
        return pages.send_marked(pages.upload(upid))

    @app.get("/office/s/<int:sid>/rollup.xlsx")
    @admin_only
    def rollup(sid: int):
        season = pages.season(sid)
        if season.frozen_sha256:  # a closed season: the roll-up made when it was closed, as it was
            data = desk.blob(season.frozen_sha256, ".xlsx").read_bytes()
            if hashlib.sha256(data).hexdigest() != season.frozen_sha256:
                abort(409, say("e-frozen-broken"))
            return send_bytes(data, say("file-rollup", year=season.year), XLSX)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "rollup.xlsx"
            pages.roll_up(season, out)
            data = out.read_bytes()
        return send_bytes(data, say("file-rollup", year=season.year), XLSX)

    @app.get("/office/s/<int:sid>/export.<any(csv, json):to>")
    @admin_only
    def export(sid: int, to: str):
        season = pages.season(sid)
        with tempfile.TemporaryDirectory() as tmp:
            text = pages.work(adapter.export, pages.counted(sid, Path(tmp)), to, lang())
        data = ("\ufeff" + text.lstrip("\ufeff")).encode("utf-8") if to == "csv" else text.encode("utf-8")  # one BOM
        return send_bytes(data, say("file-export", year=season.year, to=to), "text/csv" if to == "csv" else "application/json")

    @app.get("/office/s/<int:sid>/overview")
    @admin_only
    def overview(sid: int):
        season = pages.season(sid)
        return render_template("overview.html", season=season, ov=desk.overview(sid))

    @app.post("/office/s/<int:sid>/u/<int:uid>/explain")
    @admin_only
    def explain(sid: int, uid: int):
        pages.season(sid)
        pages.unit(sid, uid)
        measure = request.form.get("measure", "")
        if measure not in {m.key for m in adapter.measures()}:
            abort(400, say("e-measure"))
        desk.mark_explained(uid, measure, request.form.get("note", "").strip()[:2000])
        return redirect(url_for("overview", sid=sid) + f"#m-{measure}", 303)
