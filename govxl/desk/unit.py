"""A unit's pages, behind its own unguessable link (the link is its key): its blank workbook,
its uploads and their findings, its explanations of big changes from last year."""

from __future__ import annotations

from flask import Flask, abort, flash, g, redirect, render_template, request, url_for

from . import adapter
from .pages import Pages, lang, say
from .security import RateLimit
from .store import TooLarge, shown_name
from .wording import type_names


def register(app: Flask, pages: Pages, sends: RateLimit) -> None:
    desk, runner, max_upload = pages.desk, pages.runner, pages.max_upload

    def unit_by_token(token: str):
        unit = desk.unit_by_token(token)
        if unit is None:
            abort(404)
        g.unit = unit
        return unit

    @app.get("/u/<token>")
    def unit_home(token: str):
        unit = unit_by_token(token)
        ups, status = desk.uploads_of(unit.id), desk.status_of(unit)
        return render_template("unit.html", unit=unit, season=desk.season(unit.season_id), uploads=ups,
                               jumps=desk.jumps(unit), status=status, latest_reason=pages.latest_reason(ups, status))

    @app.post("/u/<token>/explain")
    def unit_explain(token: str):
        unit = unit_by_token(token)
        measure = request.form.get("measure", "")
        if measure not in {j["measure"].key for j in desk.jumps(unit)}:
            abort(400, say("e-no-jump"))
        text = request.form.get("text", "").strip()[:2000]
        if not text:
            abort(400, say("e-no-text"))
        desk.explain(unit.id, measure, text)
        flash(say("explained-sent"))
        return redirect(url_for("unit_home", token=token), 303)

    @app.get("/u/<token>/blank.xlsx")
    def unit_blank(token: str):
        unit = unit_by_token(token)
        return pages.send_blank(desk.season(unit.season_id), unit)

    @app.post("/u/<token>/upload")
    def unit_upload(token: str):
        unit = unit_by_token(token)
        season = desk.season(unit.season_id)
        if season.closed_at is not None:
            abort(400, say("e-season-closed", year=season.year))
        if unit.retired_at is not None:
            abort(400, say("e-retired"))
        if not sends.allow(f"u{unit.id}"):
            abort(429, say("e-too-often"))
        f = request.files.get("file")
        if f is None or not f.filename:
            abort(400, say("e-no-file"))
        suffix = adapter.accepted(f.filename)
        if suffix is None:
            abort(400, say("e-file-type", types=say("list-sep").join(type_names(adapter.ACCEPTED, lang()))))
        try:
            sha, size, path = desk.store(f.stream, suffix, max_upload)
        except TooLarge:
            abort(413)
        if size == 0:
            abort(400, say("e-empty"))
        name = shown_name(f.filename)
        expect = {"year": season.year, "edition": season.edition, "agency": unit.name}
        out = pages.check(path, name, desk.previous_path(unit), expect, unit.previous_name or "", wait=False)
        desk.mark_copy(unit, sha, out, runner.lang)  # the same file or figures as another unit's: the office decides
        upid = desk.record(unit.id, sha, size, suffix, name, out)  # the one transaction: then acknowledged
        if out.status == adapter.SCANNING:  # a scan: 识别中 now, its verdict when the queue has read it
            pages.scans.notify()
        return redirect(url_for("unit_result", token=token, upid=upid), 303)

    @app.get("/u/<token>/r/<int:upid>")
    def unit_result(token: str, upid: int):
        unit = unit_by_token(token)
        up = pages.upload(upid, unit.id)
        return pages.refreshing(render_template("result.html", up=up, unit=unit, season=desk.season(unit.season_id),
                                                office=False), up.status == adapter.SCANNING)

    @app.get("/u/<token>/r/<int:upid>/marked.xlsx")
    def unit_marked(token: str, upid: int):
        unit = unit_by_token(token)
        return pages.send_marked(pages.upload(upid, unit.id))
