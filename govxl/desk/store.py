"""What the desk keeps: the database rows and the file store, and the operations on both.

Files are stored by content: ``files/<first two hex digits>/<sha256><suffix>``, the suffix one of
adapter.STORED. A name a unit gave its file is shown on pages, never used as a path. An upload
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
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import sqlalchemy as sa

from . import adapter
from .db import engine_for, seasons, settings, units, upgrade, uploads
from .names import clean_name, name_key
from .overview import Overview
from .seasons import Seasons

CHUNK = 1 << 16


class TooLarge(Exception):
    """The upload is larger than allowed."""


def now() -> datetime:
    return datetime.now(UTC)


def _verdict(out: adapter.Outcome) -> dict:
    """An upload's columns of its verdict."""
    return dict(status=out.status, reason=out.reason, errors=out.counts.get("error", 0),
                warnings=out.counts.get("warning", 0), infos=out.counts.get("info", 0), edition=out.edition,
                agency=out.agency, year=out.year, findings=out.findings, measures=out.measures, html=out.html,
                figures=out.figures, held=out.held)


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


_HEADERS = {"单位", "填报单位", "单位名称", "名称", "name", "unit", "序号", "编号"}
_NUMBER = re.compile(r"[\d\s.、．)）]+")


def _first_name(cells: list[str]) -> str:
    """The unit's name of a row of cells: the first that is not a number (a 序号 column) or blank."""
    for cell in cells:
        cell = clean_name(cell.strip().strip('"\''))
        if cell and not _NUMBER.fullmatch(cell):
            return cell
    return ""


def parse_units(text: str, table: bool = False) -> list[str]:
    """Unit names from pasted text (one a line; cells pasted from Excel: the name, not its 序号;
    several names on one line separated by commas or 、) or, with `table`, a CSV file (one row a
    unit, its first column that is not a number). Headers, blanks and repeats dropped, order kept."""
    text = text.lstrip("\ufeff")
    names: list[str] = []
    if table:
        for row in csv.reader(io.StringIO(text)):
            names.append(_first_name(row))
    else:
        for line in text.splitlines():
            if "\t" in line:
                names.append(_first_name(line.split("\t")))
            else:
                names += [_first_name([part]) for part in re.split(r"[,，、;；]", line)]
    out: list[str] = []
    keys: set[str] = set()
    for name in names:
        if not name or name in _HEADERS or name_key(name) in keys:
            continue
        keys.add(name_key(name))
        out.append(name)
    return out


@dataclass
class UnitRow:
    id: int
    name: str
    token: str
    position: int
    previous: bool
    status: str  # adapter.standing of its latest upload (passed / held / failed ...), or missing
    uploads: int
    latest: Any  # the latest upload's row or None


class Desk(Overview, Seasons):
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

    def _made_once(self, name: str) -> str:
        key = self.setting(name)
        if key is None:
            try:
                self.set_setting(name, secrets.token_hex(32))
            except sa.exc.IntegrityError:  # another process made it first
                pass
            key = self.setting(name)
        return key  # type: ignore[return-value]

    def secret_key(self) -> str:
        return self._made_once("secret_key")

    def desk_id(self) -> str:
        """This database's own id: what the folder's cache was made from is known."""
        return self._made_once("desk_id")

    # ------------------------------------------------------------ files
    def blob(self, sha: str, suffix: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", sha) or suffix not in adapter.STORED:
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
                    self._set_previous(u.id, best.sha256, best.suffix, best.measures, best.name)
        return sid

    def add_units(self, sid: int, names: Iterable[str]) -> tuple[list[str], list[str]]:
        """Add units by name (cleaned: clean_name); returns (added, already there: the same name or
        one that looks the same, as the list has it)."""
        added, known = [], []
        with self.engine.begin() as c:
            have = {name_key(n): n for n in c.execute(sa.select(units.c.name).where(units.c.season_id == sid)).scalars()}
            pos = c.execute(sa.select(sa.func.coalesce(sa.func.max(units.c.position), 0))
                            .where(units.c.season_id == sid)).scalar()
            for name in map(clean_name, names):
                if not name:
                    continue
                if name_key(name) in have:
                    known.append(have[name_key(name)])
                    continue
                pos += 1
                c.execute(units.insert().values(season_id=sid, name=name, token=secrets.token_urlsafe(24),
                                                position=pos, created_at=now()))
                have[name_key(name)] = name
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

    def _set_previous(self, uid: int, sha: str, suffix: str, measures: dict | None, name: str = "") -> None:
        with self.engine.begin() as c:
            c.execute(units.update().where(units.c.id == uid)
                      .values(previous_sha256=sha, previous_suffix=suffix, previous_measures=measures,
                              previous_name=name or None))

    def set_previous(self, uid: int, stream: BinaryIO, suffix: str, limit: int, check,
                     name: str = "") -> adapter.Outcome:
        """Last year's report of a unit, uploaded by the office; kept when it can be checked."""
        sha, _size, path = self.store(stream, suffix, limit)
        name = shown_name(name) if name else f"previous{suffix}"
        out = check(path, name, None)
        if out.status != adapter.UNREADABLE:
            self._set_previous(uid, sha, suffix, out.measures, name)
        return out

    def take_previous(self, sid: int, files: list[tuple[BinaryIO, str]], limit: int, check) -> dict[str, list[str]]:
        """Last year's reports of many units at once (a folder of them): each is checked, and kept as
        last year's report of the unit named by its agency, the unit added when it is not on the
        list. Returns names under "matched", "added", and file names under "unreadable" and
        "wrong_year" (a report not of the year before the season's: not used, no unit added)."""
        out: dict[str, list[str]] = {"matched": [], "added": [], "unreadable": [], "wrong_year": []}
        season = self.season(sid)
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
            if res.year != season.year - 1:
                out["wrong_year"].append(shown_name(name))
                continue
            unit = next((u for u in self.units(sid) if name_key(u.name) == name_key(agency)), None)
            if unit is None:
                self.add_units(sid, [agency])
                unit = next(u for u in self.units(sid) if name_key(u.name) == name_key(agency))
                out["added"].append(agency)
            else:
                out["matched"].append(unit.name)
            self._set_previous(unit.id, sha, suffix, res.measures, shown_name(name))
        return out

    # ------------------------------------------------------------ uploads
    def record(self, unit_id: int, sha: str, size: int, suffix: str, name: str, out: adapter.Outcome) -> int:
        """One upload and its verdict (or SCANNING: its verdict follows), in one transaction; returns its id."""
        with self.engine.begin() as c:
            return c.execute(uploads.insert().values(
                unit_id=unit_id, received_at=now(), size=size, sha256=sha, suffix=suffix, name=name, **_verdict(out),
            )).inserted_primary_key[0]

    def mark_copy(self, unit, sha: str, out: adapter.Outcome, lang: str) -> None:
        """D-COPY added to `out` when it is the same file or figures as another unit's: the office decides."""
        copy = self.copy_of(unit, sha, out.figures) if out.status not in (adapter.UNREADABLE, adapter.SCANNING) else None
        if copy is not None:
            out.findings.append(adapter.copy_finding(*copy, lang))
            out.counts["warning"] = out.counts.get("warning", 0) + 1
            out.held = ",".join(x for x in (out.held, "D-COPY") if x)

    def next_scan(self):
        """The oldest upload waiting for text recognition (识别中), or None (ocrqueue.py)."""
        with self.engine.connect() as c:
            return c.execute(sa.select(uploads.c.id, uploads.c.unit_id, uploads.c.sha256, uploads.c.suffix, uploads.c.name)
                             .where(uploads.c.status == adapter.SCANNING).order_by(uploads.c.id).limit(1)).first()

    def finish_scan(self, upid: int, unit, out: adapter.Outcome, lang: str) -> None:
        """A scan's verdict, written into its row once (while it is 识别中), in one transaction."""
        row = self.upload(upid)
        self.mark_copy(unit, row.sha256, out, lang)
        with self.engine.begin() as c:
            c.execute(uploads.update().where(uploads.c.id == upid, uploads.c.status == adapter.SCANNING)
                      .values(**_verdict(out)))

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
        """Every unit of a season (not retired) with the state of its latest upload."""
        light = [c for c in uploads.c if c.name not in ("html", "findings")]
        with self.engine.connect() as c:
            us = list(c.execute(sa.select(units).where(units.c.season_id == sid, units.c.retired_at.is_(None))
                                .order_by(units.c.position)))
            latest_ids = (sa.select(sa.func.max(uploads.c.id).label("id"), sa.func.count().label("n"))
                          .join(units, units.c.id == uploads.c.unit_id).where(units.c.season_id == sid)
                          .group_by(uploads.c.unit_id).subquery())
            rows = c.execute(sa.select(*light, latest_ids.c.n).join(latest_ids, latest_ids.c.id == uploads.c.id))
            latest = {r.unit_id: r for r in rows}
        out = []
        for u in us:
            r = latest.get(u.id)
            out.append(UnitRow(u.id, u.name, u.token, u.position, u.previous_sha256 is not None,
                               adapter.standing(r.status, r.held, r.decision) if r is not None else "missing",
                               r.n if r is not None else 0, r))
        return out
