"""What an office manages besides collecting: its decisions on held uploads, closing and
reopening a season (the roll-up frozen), renaming and retiring units, its password."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Flask, abort, flash, redirect, render_template, request, url_for

from .pages import Pages, admin_only
from .security import hash_password, verify_password

MIN_PASSWORD = 8


def register(app: Flask, pages: Pages) -> None:
    desk = pages.desk

    @app.post("/office/upload/<int:upid>/decide")
    @admin_only
    def decide(upid: int):
        up = pages.upload(upid)
        if not up.held:
            abort(400, "这份上传没有待确认的事项。")
        choice = request.form.get("decision", "")
        if choice not in ("count", "leave", "undo"):
            abort(400, "请选择计入或不计入。")
        unit = desk.unit(up.unit_id)
        if desk.season(unit.season_id).closed_at is not None:
            abort(400, "本年度收表已结束，请先重新开启。")
        desk.decide(upid, None if choice == "undo" else choice)
        flash({"count": "已确认：计入汇总。", "leave": "已确认：不计入汇总。", "undo": "已撤销确认。"}[choice])
        return redirect(url_for("office_result", upid=upid), 303)

    @app.post("/office/s/<int:sid>/close")
    @admin_only
    def close_season(sid: int):
        season = pages.season(sid)
        if season.closed_at is not None:
            abort(400, "本年度收表已经结束。")
        frozen = None
        if desk.counted_files(sid):
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "rollup.xlsx"
                pages.roll_up(season, out)
                with out.open("rb") as fh:
                    frozen, _size, _path = desk.store(fh, ".xlsx", 1 << 30)
        desk.close_season(sid, frozen)
        flash("本年度收表已结束：不再接收上传，汇总已固定" + ("，可随时下载。" if frozen else "（没有可计入的报告）。"))
        return redirect(url_for("dashboard", sid=sid), 303)

    @app.post("/office/s/<int:sid>/reopen")
    @admin_only
    def reopen_season(sid: int):
        pages.season(sid)
        desk.reopen_season(sid)
        flash("已重新开启本年度收表：各单位可以再上传，汇总按最新情况生成。")
        return redirect(url_for("dashboard", sid=sid), 303)

    @app.post("/office/s/<int:sid>/u/<int:uid>/rename")
    @admin_only
    def rename_unit(sid: int, uid: int):
        pages.season(sid)
        unit = pages.unit(sid, uid)
        taken = desk.rename_unit(unit, request.form.get("name", ""))
        if taken:
            abort(400, f"名单中已有“{taken}”（名称相同或看起来相同）。")
        flash("已改名；原名称和上传记录都保留。")
        return redirect(url_for("unit_page", sid=sid, uid=uid), 303)

    @app.post("/office/s/<int:sid>/u/<int:uid>/retire")
    @admin_only
    def retire_unit(sid: int, uid: int):
        pages.season(sid)
        unit = pages.unit(sid, uid)
        back = request.form.get("restore") == "1"
        desk.retire_unit(unit.id, not back)
        flash("已恢复该单位。" if back else "已停用该单位：不再列入名单和汇总，不再接收上传；上传记录保留。")
        return redirect(url_for("unit_page", sid=sid, uid=uid), 303)

    @app.route("/office/password", methods=["GET", "POST"])
    @admin_only
    def change_password():
        if request.method == "POST":
            if not verify_password(request.form.get("old", ""), desk.setting("admin_hash")):
                abort(400, "原密码不正确。")
            new = request.form.get("new", "")
            if len(new) < MIN_PASSWORD:
                abort(400, f"新密码至少 {MIN_PASSWORD} 个字符。")
            if new != request.form.get("again", ""):
                abort(400, "两次输入的新密码不一致。")
            desk.set_setting("admin_hash", hash_password(new))
            flash("管理密码已修改。")
            return redirect(url_for("office"), 303)
        return render_template("password.html")
