"""The desk's web pages (Flask): the office's pages behind the admin password, each unit's pages
behind its own unguessable link.

Every form carries the session's CSRF token; every page is plain HTML with inline CSS (no
script, nothing from the internet) and is sent with a strict Content-Security-Policy. Files are
sent as downloads (attachment), never as HTML; an uploaded file's name is only shown.
"""

from __future__ import annotations

import csv
import io
import secrets
import tempfile
import zipfile
from datetime import UTC, timedelta
from pathlib import Path

from flask import Flask, abort, flash, g, redirect, render_template, request, send_file, session, url_for
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..safefile import safe_text
from . import adapter
from .security import RateLimit, verify_password
from .store import Desk, TooLarge, parse_units, safe_name, shown_name
from .work import Runner

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_ZH = {"passed": "通过", "failed": "不通过", "unreadable": "无法校验", "missing": "未报送"}
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")


def create_app(desk: Desk, runner: Runner | None = None, *, max_upload: int = 20 << 20,
               login_limit: tuple[int, float] = (10, 300.0), upload_limit: tuple[int, float] = (20, 60.0)) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=desk.secret_key(),
        MAX_CONTENT_LENGTH=max_upload + (1 << 20),  # the form around the file too
        MAX_FORM_MEMORY_SIZE=1 << 20,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="govxl_desk",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=10),
    )
    runner = runner or Runner(0)
    app.extensions["desk"] = desk
    app.extensions["runner"] = runner
    logins = RateLimit(*login_limit)
    sends = RateLimit(*upload_limit)

    # ------------------------------------------------------------ every request
    @app.before_request
    def _csrf() -> None:
        if request.method == "POST":
            token = request.form.get("csrf", "")
            if not token or not secrets.compare_digest(token, session.get("csrf", "")):
                abort(400, "表单已过期或来源不明（缺少 CSRF 令牌），请刷新页面后重试。")

    @app.template_filter("when")
    def _when(dt, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
        """A stored time in the server's local time (SQLite gives it back without its zone: UTC)."""
        if dt is None:
            return ""
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        return dt.astimezone().strftime(fmt)

    @app.context_processor
    def _globals() -> dict:
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(32)
        return {"csrf": session["csrf"], "STATUS_ZH": STATUS_ZH, "ACCEPTED": adapter.ACCEPTED,
                "accept": ",".join(adapter.ACCEPTED), "max_mb": max_upload >> 20,
                "findings_css": adapter.findings_css()}

    @app.after_request
    def _headers(resp):
        resp.headers["Content-Security-Policy"] = CSP
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Referrer-Policy"] = "no-referrer"  # a unit's link never leaks to another site
        resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if isinstance(exc, RequestEntityTooLarge):
            msg = f"文件太大：上传的文件不能超过 {max_upload >> 20} MB。"
        else:
            msg = exc.description if exc.code in (400, 429) and exc.description else {
                404: "找不到这个页面。", 403: "没有权限。", 405: "不支持这种请求。"}.get(exc.code, "请求无法处理。")
        return render_template("error.html", code=exc.code, message=msg), exc.code

    @app.errorhandler(Exception)
    def _error(exc: Exception):  # the last line: a page, never a traceback
        app.logger.exception("desk error")
        return render_template("error.html", code=500, message="内部错误，请稍后重试。"), 500

    def admin_required() -> None:
        if not session.get("admin"):
            abort(redirect(url_for("login", next=request.path)))

    def send_bytes(data: bytes, name: str, mimetype: str):
        return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)

    def send_path(path: Path, name: str, mimetype: str):
        return send_bytes(path.read_bytes(), name, mimetype)

    def season_or_404(sid: int):
        s = desk.season(sid)
        if s is None:
            abort(404)
        return s

    def unit_of(sid: int, uid: int):
        u = desk.unit(uid, sid)
        if u is None:
            abort(404)
        return u

    def blank(season, unit) -> tuple[bytes, str]:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "blank.xlsx"
            runner.call(_blank_in_worker, str(out), unit.name, season.year, season.edition,
                        str(desk.previous_path(unit) or ""))
            data = out.read_bytes()
        return data, f"{season.year}年报-{safe_name(unit.name)}.xlsx"

    def marked(up) -> bytes | None:
        copy = desk.cache / f"marked-{up.id}.xlsx"
        if not copy.is_file():
            made = runner.call(_marked_in_worker, str(desk.blob(up.sha256, up.suffix)), up.name, str(copy))
            if not made:
                return None
        return copy.read_bytes()

    def marked_name(up) -> str:
        return f"标注-{Path(shown_name(up.name)).stem}.xlsx"

    # ------------------------------------------------------------ the office
    @app.get("/")
    def home():
        return redirect(url_for("office"))

    @app.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "POST":
            who = request.remote_addr or "?"
            if not logins.allow(who):
                abort(429, "登录尝试过多，请几分钟后再试。")
            if verify_password(request.form.get("password", ""), desk.setting("admin_hash")):
                session.clear()
                session["admin"] = True
                session["csrf"] = secrets.token_urlsafe(32)
                session.permanent = True
                logins.reset(who)
                nxt = request.args.get("next", "")
                local = nxt.startswith("/") and not nxt.startswith(("//", "/\\")) and "\\" not in nxt
                return redirect(nxt if local else url_for("office"), 303)
            flash("密码不正确。")
        return render_template("login.html")

    @app.post("/logout")
    def logout():
        session.clear()
        return redirect(url_for("login"), 303)

    @app.get("/office")
    def office():
        admin_required()
        ss = desk.seasons()
        next_year = (ss[0].year + 1) if ss else None
        return render_template("office.html", seasons=ss, editions=adapter.editions(), next_year=next_year)

    @app.post("/office/seasons")
    def open_season():
        admin_required()
        try:
            year = int(request.form.get("year", ""))
        except ValueError:
            abort(400, "请填写报告年度（例如 2025）。")
        if not 1990 <= year <= 2200:
            abort(400, "报告年度不在合理范围内。")
        edition = request.form.get("edition") or adapter.edition_for_year(year)
        if edition not in adapter.editions():
            abort(400, "未知的报告格式版本。")
        if any(s.year == year for s in desk.seasons()):
            abort(400, f"{year} 年度的收表已经开始。")
        sid = desk.open_season(year, edition, request.form.get("agency", "").strip()[:200],
                               copy_units=bool(request.form.get("copy_units")))
        return redirect(url_for("dashboard", sid=sid), 303)

    @app.get("/office/s/<int:sid>")
    def dashboard(sid: int):
        admin_required()
        season = season_or_404(sid)
        board = desk.board(sid)
        counts = {k: sum(1 for b in board if b.status == k) for k in ("passed", "failed", "unreadable", "missing")}
        counts["failed_all"] = counts["failed"] + counts["unreadable"]
        counts["submitted"] = len(board) - counts["missing"]
        counts["total"] = len(board)
        return render_template("dashboard.html", season=season, board=board, counts=counts,
                               base=request.host_url.rstrip("/"))

    @app.post("/office/s/<int:sid>/units")
    def add_units(sid: int):
        admin_required()
        season_or_404(sid)
        text = request.form.get("names", "")
        f = request.files.get("csv")
        if f is not None and f.filename:
            raw = f.read(1 << 20)
            for enc in ("utf-8-sig", "gb18030"):
                try:
                    text += "\n" + raw.decode(enc)
                    break
                except UnicodeDecodeError:
                    continue
        added, known = desk.add_units(sid, parse_units(text))
        flash(f"已添加 {len(added)} 个单位" + (f"，{len(known)} 个已在名单中" if known else "") + "。")
        return redirect(url_for("dashboard", sid=sid), 303)

    @app.post("/office/s/<int:sid>/previous")
    def take_previous(sid: int):
        admin_required()
        season_or_404(sid)
        files = [(f.stream, f.filename) for f in request.files.getlist("files") if f and f.filename][:1000]
        if not files:
            abort(400, "请选择上年度的报告（可一次选择多个文件）。")
        try:
            got = desk.take_previous(sid, files, max_upload, runner.check)
        except TooLarge:
            abort(413)
        flash(f"上年报告：{len(got['matched'])} 份对应到已有单位，{len(got['added'])} 份新增了单位"
              + (f"，{len(got['unreadable'])} 份无法使用（{'、'.join(got['unreadable'][:10])}）" if got["unreadable"] else "")
              + "。")
        return redirect(url_for("dashboard", sid=sid), 303)

    @app.get("/office/s/<int:sid>/u/<int:uid>")
    def unit_page(sid: int, uid: int):
        admin_required()
        season = season_or_404(sid)
        unit = unit_of(sid, uid)
        return render_template("unit_office.html", season=season, unit=unit, uploads=desk.uploads_of(uid),
                               office=True, base=request.host_url.rstrip("/"))

    @app.post("/office/s/<int:sid>/u/<int:uid>/previous")
    def set_previous(sid: int, uid: int):
        admin_required()
        season_or_404(sid)
        unit_of(sid, uid)
        f = request.files.get("file")
        suffix = adapter.accepted(f.filename if f else "")
        if f is None or suffix is None:
            abort(400, "请选择上年度的报告文件（" + "、".join(adapter.ACCEPTED) + "）。")
        try:
            out = desk.set_previous(uid, f.stream, suffix, max_upload, runner.check)
        except TooLarge:
            abort(413)
        flash("已记录上年报告。" if out.status != adapter.UNREADABLE else f"上年报告无法校验，未记录：{out.reason}")
        return redirect(url_for("unit_page", sid=sid, uid=uid), 303)

    @app.get("/office/s/<int:sid>/u/<int:uid>/blank.xlsx")
    def office_blank(sid: int, uid: int):
        admin_required()
        data, name = blank(season_or_404(sid), unit_of(sid, uid))
        return send_bytes(data, name, XLSX)

    @app.get("/office/s/<int:sid>/blanks.zip")
    def blanks_zip(sid: int):
        admin_required()
        season = season_or_404(sid)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for u in desk.units(sid):
                data, name = blank(season, u)
                z.writestr(f"{u.position:03d}-{name}", data)
        return send_bytes(buf.getvalue(), f"{season.year}年报-空白工作簿.zip", "application/zip")

    @app.get("/office/s/<int:sid>/links.csv")
    def links_csv(sid: int):
        """Every unit's own link, to send out by mail merge (opens in Excel: UTF-8 with BOM)."""
        admin_required()
        season = season_or_404(sid)
        base = request.host_url.rstrip("/")
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["序号", "单位", "专用链接"])
        for u in desk.units(sid):
            w.writerow([u.position, safe_text(u.name), base + url_for("unit_home", token=u.token)])
        return send_bytes(("\ufeff" + buf.getvalue()).encode("utf-8"), f"{season.year}年报-各单位链接.csv",
                          "text/csv; charset=utf-8")

    @app.get("/office/upload/<int:upid>")
    def office_result(upid: int):
        admin_required()
        up = desk.upload(upid)
        if up is None:
            abort(404)
        unit = desk.unit(up.unit_id)
        return render_template("result.html", up=up, unit=unit, season=desk.season(unit.season_id), office=True)

    @app.get("/office/upload/<int:upid>/original")
    def office_original(upid: int):
        admin_required()
        up = desk.upload(upid)
        if up is None:
            abort(404)
        # always a download, as bytes: an upload is never shown by the browser
        return send_path(desk.blob(up.sha256, up.suffix), f"{Path(shown_name(up.name)).stem}{up.suffix}",
                         "application/octet-stream")

    @app.get("/office/upload/<int:upid>/marked.xlsx")
    def office_marked(upid: int):
        admin_required()
        up = desk.upload(upid)
        if up is None:
            abort(404)
        data = marked(up)
        if data is None:
            abort(404)
        return send_bytes(data, marked_name(up), XLSX)

    def passing(sid: int) -> list[tuple[str, Path]]:
        files = desk.passing_files(sid)
        if not files:
            abort(400, "还没有通过校验的报告，无法汇总或导出。")
        return files

    def linked(files: list[tuple[str, Path]], tmp: Path) -> list[Path]:
        """The passing files under their units' names (the roll-up's list shows them)."""
        out = []
        for i, (name, path) in enumerate(files, start=1):
            p = tmp / f"{i:03d}-{safe_name(name)}{path.suffix}"
            p.write_bytes(path.read_bytes())
            out.append(p)
        return out

    @app.get("/office/s/<int:sid>/rollup.xlsx")
    def rollup(sid: int):
        admin_required()
        season = season_or_404(sid)
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "reports"
            src.mkdir()
            paths = linked(passing(sid), src)
            out = Path(tmp) / "rollup.xlsx"
            try:
                runner.call(_rollup_in_worker, [str(p) for p in paths], str(out), season.agency, season.year)
            except Exception as exc:  # noqa: BLE001
                msg = adapter.readable_error(exc)
                if msg is None:
                    raise
                abort(400, f"无法汇总：{msg}")
            if not out.is_file():
                abort(400, "无法汇总。")
            data = out.read_bytes()
        return send_bytes(data, f"{season.year}年报-汇总.xlsx", XLSX)

    @app.get("/office/s/<int:sid>/export.<any(csv, json):to>")
    def export(sid: int, to: str):
        admin_required()
        season = season_or_404(sid)
        with tempfile.TemporaryDirectory() as tmp:
            paths = linked(passing(sid), Path(tmp))
            text = runner.call(adapter.export, paths, to)
        data = ("\ufeff" + text if to == "csv" else text).encode("utf-8")  # BOM: Excel opens the CSV as UTF-8
        return send_bytes(data, f"{season.year}年报-导出.{to}",
                          "text/csv; charset=utf-8" if to == "csv" else "application/json")

    @app.get("/office/s/<int:sid>/overview")
    def overview(sid: int):
        admin_required()
        season = season_or_404(sid)
        return render_template("overview.html", season=season, ov=desk.overview(sid))

    @app.post("/office/s/<int:sid>/u/<int:uid>/explain")
    def explain(sid: int, uid: int):
        admin_required()
        season_or_404(sid)
        unit_of(sid, uid)
        measure = request.form.get("measure", "")
        if measure not in {m.key for m in adapter.measures()}:
            abort(400, "未知的指标。")
        desk.mark_explained(uid, measure, request.form.get("note", "").strip()[:2000])
        return redirect(url_for("overview", sid=sid) + f"#m-{measure}", 303)

    # ------------------------------------------------------------ a unit (its link is its key)
    def unit_by_token(token: str):
        unit = desk.unit_by_token(token)
        if unit is None:
            abort(404)
        g.unit = unit
        return unit

    @app.get("/u/<token>")
    def unit_home(token: str):
        unit = unit_by_token(token)
        return render_template("unit.html", unit=unit, season=desk.season(unit.season_id), uploads=desk.uploads_of(unit.id),
                               jumps=desk.jumps(unit))

    @app.post("/u/<token>/explain")
    def unit_explain(token: str):
        unit = unit_by_token(token)
        measure = request.form.get("measure", "")
        if measure not in {j["measure"].key for j in desk.jumps(unit)}:
            abort(400, "这一指标没有需要说明的变化。")
        text = request.form.get("text", "").strip()[:2000]
        if not text:
            abort(400, "请填写说明。")
        desk.explain(unit.id, measure, text)
        flash("已提交说明。")
        return redirect(url_for("unit_home", token=token), 303)

    @app.get("/u/<token>/blank.xlsx")
    def unit_blank(token: str):
        unit = unit_by_token(token)
        data, name = blank(desk.season(unit.season_id), unit)
        return send_bytes(data, name, XLSX)

    @app.post("/u/<token>/upload")
    def unit_upload(token: str):
        unit = unit_by_token(token)
        if not sends.allow(f"u{unit.id}"):
            abort(429, "上传过于频繁，请稍后再试。")
        f = request.files.get("file")
        if f is None or not f.filename:
            abort(400, "请选择要上传的文件。")
        suffix = adapter.accepted(f.filename)
        if suffix is None:
            abort(400, "不支持这种文件：请上传 " + "、".join(adapter.ACCEPTED.values()) + "。")
        try:
            sha, size, path = desk.store(f.stream, suffix, max_upload)
        except TooLarge:
            abort(413)
        if size == 0:
            abort(400, "上传的文件是空的。")
        name = shown_name(f.filename)
        out = runner.check(path, name, desk.previous_path(unit))
        upid = desk.record(unit.id, sha, size, suffix, name, out)  # the one transaction: then acknowledged
        return redirect(url_for("unit_result", token=token, upid=upid), 303)

    @app.get("/u/<token>/r/<int:upid>")
    def unit_result(token: str, upid: int):
        unit = unit_by_token(token)
        up = desk.upload(upid, unit.id)
        if up is None:
            abort(404)
        return render_template("result.html", up=up, unit=unit, season=desk.season(unit.season_id), office=False)

    @app.get("/u/<token>/r/<int:upid>/marked.xlsx")
    def unit_marked(token: str, upid: int):
        unit = unit_by_token(token)
        up = desk.upload(upid, unit.id)
        if up is None:
            abort(404)
        data = marked(up)
        if data is None:
            abort(404)
        return send_bytes(data, marked_name(up), XLSX)

    return app


# Called in a worker process: plain arguments only.
def _blank_in_worker(out: str, agency: str, year: int, edition: str, previous: str) -> str:
    return str(adapter.blank_workbook(out, agency=agency, year=year, edition=edition, previous=previous or None))


def _marked_in_worker(path: str, shown: str, out: str) -> bool:
    return adapter.marked_copy(path, shown, out) is not None  # written atomically by the library


def _rollup_in_worker(paths: list[str], out: str, agency: str, year: int) -> str:
    return str(adapter.roll_up([Path(p) for p in paths], out, agency=agency, year=year))
