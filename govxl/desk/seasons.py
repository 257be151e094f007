"""What the office decides in a season: which units the roll-up counts (and why each other one is
left out), the copies of another unit's report, closing and reopening a season, renaming and
retiring a unit. A part of the desk's data (store.Desk), kept apart to stay short."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from ..catalogue import say
from . import adapter
from .db import seasons, units, uploads
from .names import clean_name, name_key


def now() -> datetime:
    return datetime.now(UTC)


class Seasons:
    """The season's decisions (mixed into store.Desk)."""

    # ------------------------------------------------------------ copies and the office's decisions
    def copy_of(self, unit, sha: str, figures: str | None) -> tuple[str, str] | None:
        """(the other unit's name, "sha" or "values") when another unit of the season uploaded the
        same file, or a report with the same figures; else None."""
        with self.engine.connect() as c:
            base = (sa.select(units.c.name, uploads.c.sha256).join(units, units.c.id == uploads.c.unit_id)
                    .where(units.c.season_id == unit.season_id, units.c.id != unit.id))
            row = c.execute(base.where(uploads.c.sha256 == sha).limit(1)).first()
            if row is None and figures:
                row = c.execute(base.where(uploads.c.figures == figures).limit(1)).first()
        if row is None:
            return None
        return row.name, "sha" if row.sha256 == sha else "values"

    def decide(self, upid: int, decision: str | None) -> None:
        """The office's decision on a held upload: "count" it, "leave" it out, or None (undecided)."""
        with self.engine.begin() as c:
            c.execute(uploads.update().where(uploads.c.id == upid, uploads.c.held != "").values(decision=decision))

    # ------------------------------------------------------------ the roll-up
    def tally(self, sid: int) -> tuple[list, list[tuple]]:
        """(the units the roll-up counts: their latest upload passed and is not held, as board rows;
        every other unit as (board row, why it is left out)), in the units' order."""
        counted, left = [], []
        for b in self.board(sid):
            if b.status == adapter.PASSED:
                counted.append(b)
            else:
                left.append((b, self.why_left_out(b)))
        return counted, left

    def why_left_out(self, b) -> str:
        up = b.latest
        if up is None:
            return "未报送"
        with self.engine.connect() as c:  # its findings only (not its drawing)
            findings = c.execute(sa.select(uploads.c.findings).where(uploads.c.id == up.id)).scalar() or []
        desk_says = "；".join(f["message"] for f in findings if str(f.get("rule", "")).startswith("D-"))
        if b.status == adapter.UNREADABLE:
            return f"最近一次上传无法校验：{up.reason}"
        if b.status == adapter.SCANNING:
            return say("desk-scanning-left", "zh", {})
        if b.status == adapter.NOT_VERIFIED:
            return "最近一次上传未能核实：没有发现错误，但有单元格无法读取"
        if b.status == adapter.FAILED:
            return f"最近一次上传不通过（{up.errors} 个错误）" + (f"：{desk_says}" if desk_says else "")
        if b.status == adapter.HELD:
            return f"待公开办确认：{desk_says}"
        return f"公开办决定不计入：{desk_says}"

    def status_of(self, unit) -> str:
        """The unit's standing now: that of its latest upload, or missing."""
        ups = self.uploads_of(unit.id)
        return adapter.standing(ups[0].status, ups[0].held, ups[0].decision) if ups else "missing"

    def counted_files(self, sid: int) -> list[tuple[int, str, object]]:
        """(position, unit name, file) of each counted unit's latest upload."""
        return [(b.position, b.name, self.blob(b.latest.sha256, b.latest.suffix)) for b in self.tally(sid)[0]]

    # ------------------------------------------------------------ closing a season
    def close_season(self, sid: int, frozen_sha: str | None) -> None:
        with self.engine.begin() as c:
            c.execute(seasons.update().where(seasons.c.id == sid).values(closed_at=now(), frozen_sha256=frozen_sha))

    def reopen_season(self, sid: int) -> None:
        with self.engine.begin() as c:
            c.execute(seasons.update().where(seasons.c.id == sid).values(closed_at=None, frozen_sha256=None))

    # ------------------------------------------------------------ renaming and retiring units
    def rename_unit(self, unit, name: str) -> str | None:
        """Rename a unit (its link and history stay; the old name is kept); returns the name of the
        unit that already has this name (or one that looks the same), else None."""
        name = clean_name(name)
        for u in self.units(unit.season_id):
            if u.id != unit.id and name_key(u.name) == name_key(name):
                return u.name
        if name and name != unit.name:
            former = "\n".join(x for x in (unit.former_names, unit.name) if x)
            with self.engine.begin() as c:
                c.execute(units.update().where(units.c.id == unit.id).values(name=name, former_names=former))
        return None

    def retire_unit(self, uid: int, retired: bool = True) -> None:
        """Take a unit off the season's list (its link stops taking uploads; its history is kept), or back."""
        with self.engine.begin() as c:
            c.execute(units.update().where(units.c.id == uid).values(retired_at=now() if retired else None))

    def retired(self, sid: int) -> list:
        with self.engine.connect() as c:
            return list(c.execute(sa.select(units).where(units.c.season_id == sid, units.c.retired_at.is_not(None))
                                  .order_by(units.c.position)))
