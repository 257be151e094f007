"""What an office manages besides collecting: its decisions on held uploads, closing and
reopening a season (the roll-up frozen), renaming and retiring units, its password."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Flask, abort, flash, redirect, render_template, request, url_for

from .pages import Pages, admin_only, say
from .security import hash_password, verify_password

MIN_PASSWORD = 8


def register(app: Flask, pages: Pages) -> None:
    desk = pages.desk

    @app.post("/office/upload/<int:upid>/decide")
    @admin_only
    def decide(upid: int):
        up = pages.upload(upid)
        if not up.held:
            abort(400, say("e-no-held"))
        choice = request.form.get("decision", "")
        if choice not in ("count", "leave", "undo"):
            abort(400, say("e-decision"))
        unit = desk.unit(up.unit_id)
        if desk.season(unit.season_id).closed_at is not None:
            abort(400, say("e-closed-reopen"))
        desk.decide(upid, None if choice == "undo" else choice)
        flash(say(f"flash-{choice}"))
        return redirect(url_for("office_result", upid=upid), 303)

    @app.post("/office/s/<int:sid>/close")
    @admin_only
    def close_season(sid: int):
        season = pages.season(sid)
        if season.closed_at is not None:
            abort(400, say("e-already-closed"))
        frozen = None
        if desk.counted_files(sid):
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "rollup.xlsx"
                pages.roll_up(season, out)
                with out.open("rb") as fh:
                    frozen, _size, _path = desk.store(fh, ".xlsx", 1 << 30)
        desk.close_season(sid, frozen)
        flash(say("closed-frozen" if frozen else "closed-empty"))
        return redirect(url_for("dashboard", sid=sid), 303)

    @app.post("/office/s/<int:sid>/reopen")
    @admin_only
    def reopen_season(sid: int):
        pages.season(sid)
        desk.reopen_season(sid)
        flash(say("reopened"))
        return redirect(url_for("dashboard", sid=sid), 303)

    @app.post("/office/s/<int:sid>/u/<int:uid>/rename")
    @admin_only
    def rename_unit(sid: int, uid: int):
        pages.season(sid)
        unit = pages.unit(sid, uid)
        taken = desk.rename_unit(unit, request.form.get("name", ""))
        if taken:
            abort(400, say("e-name-taken", name=taken))
        flash(say("renamed"))
        return redirect(url_for("unit_page", sid=sid, uid=uid), 303)

    @app.post("/office/s/<int:sid>/u/<int:uid>/retire")
    @admin_only
    def retire_unit(sid: int, uid: int):
        pages.season(sid)
        unit = pages.unit(sid, uid)
        back = request.form.get("restore") == "1"
        desk.retire_unit(unit.id, not back)
        flash(say("restored" if back else "retired"))
        return redirect(url_for("unit_page", sid=sid, uid=uid), 303)

    @app.route("/office/password", methods=["GET", "POST"])
    @admin_only
    def change_password():
        if request.method == "POST":
            if not verify_password(request.form.get("old", ""), desk.setting("admin_hash")):
                abort(400, say("e-password-old"))
            new = request.form.get("new", "")
            if len(new) < MIN_PASSWORD:
                abort(400, say("e-password-short", n=MIN_PASSWORD))
            if new != request.form.get("again", ""):
                abort(400, say("e-password-differ"))
            desk.set_setting("admin_hash", hash_password(new))
            flash(say("password-changed"))
            return redirect(url_for("office"), 303)
        return render_template("password.html", min_password=MIN_PASSWORD)
