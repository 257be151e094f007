"""What the office decides in a season: which units the roll-up counts (and why each other one is
left out), the copies of another unit's report, closing and reopening a season, renaming and
retiring a unit. A part of the desk's data (store.Desk), kept apart to stay short."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from . import adapter
from .db import seasons, units, uploads
from .names import clean_name, name_key
from .wording import say


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
    def tally(self, sid: int, lang: str = "zh") -> tuple[list, list[tuple]]:
        """(the units the roll-up counts: their latest upload passed and is not held, as board rows;
        every other unit as (board row, why it is left out, in `lang`)), in the units' order."""
        counted, left = [], []
        for b in self.board(sid):
            if b.status == adapter.PASSED:
                counted.append(b)
            else:
                left.append((b, self.why_left_out(b, lang)))
        return counted, left

    def why_left_out(self, b, lang: str = "zh") -> str:
        up = b.latest
        if up is None:
            return say("why-missing", lang)
        with self.engine.connect() as c:  # its findings only (not its drawing)
            findings = c.execute(sa.select(uploads.c.findings).where(uploads.c.id == up.id)).scalar() or []
        desk_says = say("why-sep", lang).join(f["message"] for f in findings if str(f.get("rule", "")).startswith("D-"))
        if b.status == adapter.UNREADABLE:
            return say("why-unreadable", lang, why=up.reason)
        if b.status == adapter.SCANNING:  # a scan the queue has not read yet (识别中)
            return say("why-scanning", lang)
        if b.status == adapter.NOT_VERIFIED:  # its reason names the rules not verified and why
            return say("why-not-verified", lang, why=up.reason)
        if b.status == adapter.FAILED:
            return say("why-failed", lang, n=up.errors) + (say("why-says", lang, says=desk_says) if desk_says else "")
        if b.status == adapter.HELD:
            return say("why-held", lang, says=desk_says)
        return say("why-left", lang, says=desk_says)

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
