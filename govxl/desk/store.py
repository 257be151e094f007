"""What the desk keeps: the database rows and the file store, and the operations on both.

Files are stored by content: ``files/<first two hex digits>/<sha256><suffix>``, the suffix one of
adapter.ACCEPTED. A name a unit gave its file is shown on pages, never used as a path. An upload
is written to a temporary file in the store, flushed, renamed to its content name; only then is
its row inserted, in one transaction with its verdict. A crash between the two leaves a file
without a row (harmless: the unit was never told it arrived), never a row without its file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import secrets
import statistics
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import sqlalchemy as sa

from . import adapter
from .db import engine_for, explanations, seasons, settings, units, upgrade, uploads

CHUNK = 1 << 16


class TooLarge(Exception):
    """The upload is larger than allowed."""


def now() -> datetime:
    return datetime.now(UTC)


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def safe_name(text: str, limit: int = 60) -> str:
    """A file name made from a unit's name (for downloads and the roll-up's inputs): no path
    separators, no control characters, no leading dot, not empty."""
    s = unicodedata.normalize("NFKC", text or "")
    s = re.sub(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]', "_", s)
    s = s.strip().lstrip(".").strip()[:limit]
    return s or "unit"


def shown_name(text: str) -> str:
    """An uploaded file's name as shown: its last part, without control characters, short."""
    s = re.split(r"[\\/]", text or "")[-1]
    s = re.sub(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]", "", s)
    return s[:200] or "upload"


def parse_units(text: str) -> list[str]:
    """Unit names from pasted text or a CSV: one a line, the first column of a CSV; a header
    line 单位/填报单位/名称 is skipped; blanks and repeats dropped, order kept."""
    text = text.lstrip("\ufeff")
    out: list[str] = []
    for row in csv.reader(io.StringIO(text)):
        if not row:
            continue
        name = " ".join(row[0].split())
        if not name or name in ("单位", "填报单位", "单位名称", "名称", "name", "unit"):
            continue
        if name not in out:
            out.append(name[:200])
    return out


def _same(a: str, b: str) -> bool:
    """Two agency names that differ only in spaces or full/half-width forms."""
    norm = lambda x: "".join(unicodedata.normalize("NFKC", x).split())
    return norm(a) == norm(b)


@dataclass
class UnitRow:
    id: int
    name: str
    token: str
    position: int
    previous: bool
    status: str  # passed / failed / unreadable / missing
    uploads: int
    latest: Any  # the latest upload's row or None


class Desk:
    """The desk's data: one database and one folder of files."""

    def __init__(self, folder: str | os.PathLike, url: str | None = None) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.files = self.folder / "files"
        self.files.mkdir(exist_ok=True)
        (self.files / "tmp").mkdir(exist_ok=True)
        self.cache = self.folder / "cache"
        self.cache.mkdir(exist_ok=True)
        from .db import url_for_folder

        self.engine = engine_for(url or url_for_folder(self.folder))
        upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------ settings
    def setting(self, key: str) -> str | None:
        with self.engine.connect() as c:
            return c.execute(sa.select(settings.c.value).where(settings.c.key == key)).scalar()

    def set_setting(self, key: str, value: str) -> None:
        with self.engine.begin() as c:
            if c.execute(sa.select(settings.c.key).where(settings.c.key == key)).first():
                c.execute(settings.update().where(settings.c.key == key).values(value=value))
            else:
                c.execute(settings.insert().values(key=key, value=value))

    def secret_key(self) -> str:
        key = self.setting("secret_key")
        if key is None:
            try:
                self.set_setting("secret_key", secrets.token_hex(32))
            except sa.exc.IntegrityError:  # another process made it first
                pass
            key = self.setting("secret_key")
        return key  # type: ignore[return-value]

    # ------------------------------------------------------------ files
    def blob(self, sha: str, suffix: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", sha) or suffix not in adapter.ACCEPTED:
            raise ValueError("bad blob name")
        return self.files / sha[:2] / f"{sha}{suffix}"

    def store(self, stream: BinaryIO, suffix: str, limit: int) -> tuple[str, int, Path]:
        """Write `stream` into the file store (atomically, flushed); returns (sha256, size, path)."""
        h = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(dir=self.files / "tmp", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise TooLarge
                    h.update(chunk)
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            sha = h.hexdigest()
            path = self.blob(sha, suffix)
            path.parent.mkdir(exist_ok=True)
            os.replace(tmp, path)
            _fsync_dir(path.parent)
            return sha, size, path
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def sweep(self) -> int:
        """Remove the half-written uploads a crash left (never acknowledged); at start-up only."""
        n = 0
        for p in (self.files / "tmp").glob("*.part"):
            try:
                p.unlink()
                n += 1
            except OSError:
                pass
        return n

    # ------------------------------------------------------------ seasons and units
    def seasons(self) -> list:
        with self.engine.connect() as c:
            return list(c.execute(sa.select(seasons).order_by(seasons.c.year.desc())))

    def _row(self, table: sa.Table, id_: int, **within: int | None):
        """The row of `table` with this id, or None; only among the rows of the parent given in
        `within` (column=id; None: any), so that a unit's link opens none of another unit's rows."""
        q = sa.select(table).where(table.c.id == id_)
        for col, parent in within.items():
            if parent is not None:
                q = q.where(table.c[col] == parent)
        with self.engine.connect() as c:
            return c.execute(q).first()

    def season(self, sid: int):
        return self._row(seasons, sid)

    def open_season(self, year: int, edition: str, agency: str = "", copy_units: bool = True) -> int:
        """A new season; with `copy_units`, the units of the season before it come along, each
        with its last passing report there as last year's."""
        with self.engine.begin() as c:
            sid = c.execute(seasons.insert().values(year=year, edition=edition, agency=agency,
                                                    created_at=now())).inserted_primary_key[0]
            prev = c.execute(sa.select(seasons).where(seasons.c.year == year - 1)).first()
        if copy_units and prev is not None:
            names = []
            carried = {}
            for u in self.units(prev.id):
                names.append(u.name)
                best = self.best_upload(u.id)
                if best is not None:
                    carried[u.name] = best
            self.add_units(sid, names)
            for u in self.units(sid):
                best = carried.get(u.name)
                if best is not None:
                    self._set_previous(u.id, best.sha256, best.suffix, best.measures)
        return sid

    def add_units(self, sid: int, names: Iterable[str]) -> tuple[list[str], list[str]]:
        """Add units by name; returns (added, already there)."""
        added, known = [], []
        with self.engine.begin() as c:
            have = set(c.execute(sa.select(units.c.name).where(units.c.season_id == sid)).scalars())
            pos = c.execute(sa.select(sa.func.coalesce(sa.func.max(units.c.position), 0))
                            .where(units.c.season_id == sid)).scalar()
            for name in names:
                if name in have:
                    known.append(name)
                    continue
                pos += 1
                c.execute(units.insert().values(season_id=sid, name=name, token=secrets.token_urlsafe(24),
                                                position=pos, created_at=now()))
                have.add(name)
                added.append(name)
        return added, known

    def unit(self, uid: int, sid: int | None = None):
        return self._row(units, uid, season_id=sid)

    def unit_by_token(self, token: str):
        if not token or len(token) > 64:
            return None
        with self.engine.connect() as c:
            row = c.execute(sa.select(units).where(units.c.token == token)).first()
        # compare once more in constant time (the index lookup is by equality anyway)
        return row if row is not None and secrets.compare_digest(row.token, token) else None

    def units(self, sid: int) -> list:
        with self.engine.connect() as c:
            return list(c.execute(sa.select(units).where(units.c.season_id == sid).order_by(units.c.position)))

    def previous_path(self, unit) -> Path | None:
        if unit.previous_sha256 is None:
            return None
        path = self.blob(unit.previous_sha256, unit.previous_suffix)
        return path if path.is_file() else None

    def _set_previous(self, uid: int, sha: str, suffix: str, measures: dict | None) -> None:
        with self.engine.begin() as c:
            c.execute(units.update().where(units.c.id == uid)
                      .values(previous_sha256=sha, previous_suffix=suffix, previous_measures=measures))

    def set_previous(self, uid: int, stream: BinaryIO, suffix: str, limit: int, check) -> adapter.Outcome:
        """Last year's report of a unit, uploaded by the office; kept when it can be checked."""
        sha, _size, path = self.store(stream, suffix, limit)
        out = check(path, f"上年报告{suffix}", None)
        if out.status != adapter.UNREADABLE:
            self._set_previous(uid, sha, suffix, out.measures)
        return out

    def take_previous(self, sid: int, files: list[tuple[BinaryIO, str]], limit: int, check) -> dict[str, list[str]]:
        """Last year's reports of many units at once (a folder of them): each is checked, and kept as
        last year's report of the unit named by its agency, the unit added when it is not on the
        list. Returns names under "matched", "added", and file names under "unreadable"."""
        out: dict[str, list[str]] = {"matched": [], "added": [], "unreadable": []}
        for stream, name in files:
            suffix = adapter.accepted(name)
            if suffix is None:
                out["unreadable"].append(shown_name(name))
                continue
            sha, _size, path = self.store(stream, suffix, limit)
            res = check(path, shown_name(name), None)
            agency = " ".join((res.agency or "").split())
            if res.status == adapter.UNREADABLE or not agency:
                out["unreadable"].append(shown_name(name))
                continue
            unit = next((u for u in self.units(sid) if _same(u.name, agency)), None)
            if unit is None:
                self.add_units(sid, [agency])
                unit = next(u for u in self.units(sid) if u.name == agency)
                out["added"].append(agency)
            else:
                out["matched"].append(unit.name)
            self._set_previous(unit.id, sha, suffix, res.measures)
        return out

    # ------------------------------------------------------------ uploads
    def record(self, unit_id: int, sha: str, size: int, suffix: str, name: str, out: adapter.Outcome) -> int:
        """One upload and its verdict, in one transaction; returns its id."""
        with self.engine.begin() as c:
            return c.execute(uploads.insert().values(
                unit_id=unit_id, received_at=now(), size=size, sha256=sha, suffix=suffix, name=name,
                status=out.status, reason=out.reason, errors=out.counts.get("error", 0),
                warnings=out.counts.get("warning", 0), infos=out.counts.get("info", 0), edition=out.edition,
                agency=out.agency, year=out.year, findings=out.findings, measures=out.measures, html=out.html,
            )).inserted_primary_key[0]

    def uploads_of(self, unit_id: int, full: bool = False) -> list:
        cols = [uploads] if full else [c for c in uploads.c if c.name not in ("html", "findings")]
        with self.engine.connect() as c:
            return list(c.execute(sa.select(*cols).where(uploads.c.unit_id == unit_id).order_by(uploads.c.id.desc())))

    def upload(self, upid: int, unit_id: int | None = None):
        return self._row(uploads, upid, unit_id=unit_id)

    def best_upload(self, unit_id: int):
        """The latest passing upload of a unit, or None."""
        with self.engine.connect() as c:
            return c.execute(sa.select(uploads).where(uploads.c.unit_id == unit_id, uploads.c.status == adapter.PASSED)
                             .order_by(uploads.c.id.desc()).limit(1)).first()

    def board(self, sid: int) -> list[UnitRow]:
        """Every unit of a season with the state of its latest upload."""
        light = [c for c in uploads.c if c.name not in ("html", "findings")]
        with self.engine.connect() as c:
            us = list(c.execute(sa.select(units).where(units.c.season_id == sid).order_by(units.c.position)))
            latest_ids = (sa.select(sa.func.max(uploads.c.id).label("id"), sa.func.count().label("n"))
                          .join(units, units.c.id == uploads.c.unit_id).where(units.c.season_id == sid)
                          .group_by(uploads.c.unit_id).subquery())
            rows = c.execute(sa.select(*light, latest_ids.c.n).join(latest_ids, latest_ids.c.id == uploads.c.id))
            latest = {r.unit_id: r for r in rows}
        out = []
        for u in us:
            r = latest.get(u.id)
            out.append(UnitRow(u.id, u.name, u.token, u.position, u.previous_sha256 is not None,
                               r.status if r is not None else "missing", r.n if r is not None else 0, r))
        return out

    def passing_files(self, sid: int) -> list[tuple[str, Path]]:
        """(unit name, file) of each unit's latest passing upload, in the units' order."""
        out = []
        for u in self.board(sid):
            best = self.best_upload(u.id) if u.status != adapter.PASSED else u.latest
            if best is not None:
                out.append((u.name, self.blob(best.sha256, best.suffix)))
        return out

    # ------------------------------------------------------------ overview
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
        up = self.best_upload(unit.id)
        if up is None:
            latest = self.uploads_of(unit.id)
            up = next((u for u in latest if u.edition), None)
        if up is None:
            return []
        with self.engine.connect() as c:
            notes = {r.measure: r for r in c.execute(sa.select(explanations).where(explanations.c.unit_id == unit.id))}
        last = unit.previous_measures or {}
        return [{"measure": m, "value": (up.measures or {}).get(m.key), "last": last.get(m.key), "note": notes.get(m.key)}
                for m in adapter.measures() if adapter.jump(m, (up.measures or {}).get(m.key), last.get(m.key))]

    def overview(self, sid: int) -> dict:
        """Per measure: the units' values (latest checked report: passing first), P25/P50/P75,
        each unit's place, and the year-over-year jumps with their explanations."""
        board = self.board(sid)
        notes = self.explanations(sid)
        us = {u.id: u for u in self.units(sid)}
        values: dict[int, dict] = {}
        for b in board:
            up = self.best_upload(b.id) or (b.latest if b.latest is not None and b.latest.edition else None)
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
