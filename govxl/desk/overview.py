"""The season overview (what the office compares across units) and the units' explanations of
year-over-year jumps: a part of the desk's data (store.Desk), kept apart to stay short."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from . import adapter
from .db import explanations, units


def now() -> datetime:
    return datetime.now(UTC)


class Overview:
    """The overview's and the explanations' operations (mixed into store.Desk)."""

    def explanations(self, sid: int) -> dict[tuple[int, str], Any]:
        with self.engine.connect() as c:
            rows = c.execute(sa.select(explanations).join(units, units.c.id == explanations.c.unit_id)
                             .where(units.c.season_id == sid))
            return {(r.unit_id, r.measure): r for r in rows}

    def _explanation(self, uid: int, measure: str, **values) -> None:
        with self.engine.begin() as c:
            where = (explanations.c.unit_id == uid, explanations.c.measure == measure)
            if c.execute(sa.select(explanations.c.id).where(*where)).first():
                c.execute(explanations.update().where(*where).values(at=now(), **values))
            else:
                c.execute(explanations.insert().values(unit_id=uid, measure=measure, at=now(), **values))

    def explain(self, uid: int, measure: str, text: str) -> None:
        """The unit's explanation of a jump (a new one waits for the office again)."""
        self._explanation(uid, measure, text=text, explained=False)

    def mark_explained(self, uid: int, measure: str, note: str = "") -> None:
        """The office accepts the jump as explained (with its own note, if any)."""
        self._explanation(uid, measure, explained=True, note=note)

    def jumps(self, unit) -> list[dict]:
        """The flagged year-over-year jumps of a unit's current report, with their explanations."""
        up = self.best_upload(unit.id)  # a failing upload (an unfilled blank: all 0) is no report to explain
        if up is None:
            return []
        with self.engine.connect() as c:
            notes = {r.measure: r for r in c.execute(sa.select(explanations).where(explanations.c.unit_id == unit.id))}
        last = unit.previous_measures or {}
        return [{"measure": m, "value": (up.measures or {}).get(m.key), "last": last.get(m.key), "note": notes.get(m.key)}
                for m in adapter.measures() if adapter.jump(m, (up.measures or {}).get(m.key), last.get(m.key))]

    def overview(self, sid: int) -> dict:
        """Per measure: the units' values (the latest upload, when it passed), P25/P50/P75,
        each unit's place, and the year-over-year jumps with their explanations."""
        board = self.board(sid)
        notes = self.explanations(sid)
        us = {u.id: u for u in self.units(sid)}
        values: dict[int, dict] = {}
        for b in board:
            # the latest upload, when it passed: an unfilled blank (failing, all 0) is no value
            up = b.latest if b.latest is not None and b.latest.status == adapter.PASSED else None
            if up is not None:
                values[b.id] = up.measures or {}
        out = []
        for m in adapter.measures():
            got = {uid: v[m.key] for uid, v in values.items() if v.get(m.key) is not None}
            nums = sorted(got.values())
            quart = statistics.quantiles(nums, n=4, method="inclusive") if len(nums) >= 2 else (nums * 3 or [None] * 3)
            rows = []
            for b in board:
                v = got.get(b.id)
                last = (us[b.id].previous_measures or {}).get(m.key)
                place = None
                if v is not None and nums:
                    place = sum(1 for x in nums if x < v) * 100 // len(nums)  # share of units below
                flagged = adapter.jump(m, v, last)
                rows.append({"unit": b, "value": v, "last": last, "place": place, "flag": flagged,
                             "note": notes.get((b.id, m.key))})
            out.append({"measure": m, "p": quart, "n": len(nums), "rows": rows,
                        "flags": sum(1 for r in rows if r["flag"]),
                        "open": sum(1 for r in rows if r["flag"] and not (r["note"] and r["note"].explained))})
        return {"measures": out}
