"""The desk's database: one schema (SQLAlchemy Core) on SQLite or PostgreSQL, created and
upgraded by Alembic migrations (govxl/desk/migrations/). No SQL is written by hand here.

Tables: settings (the admin password's hash, the session key), seasons, units (with their
unguessable token and last year's report, if known), uploads (one row per upload, never
updated but for the office's decision and a scan's verdict once it is read: every upload is
kept), explanations (a unit's explanation of a flagged year-over-year jump, and the office's mark).
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

metadata = sa.MetaData()

settings = sa.Table(
    "settings", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

seasons = sa.Table(
    "seasons", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("year", sa.Integer, nullable=False, unique=True),
    sa.Column("edition", sa.String(16), nullable=False),
    sa.Column("agency", sa.Text, nullable=False, server_default=""),  # the office: agency of the roll-up
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closed_at", sa.DateTime(timezone=True)),  # closed: no uploads, the roll-up frozen
    sa.Column("frozen_sha256", sa.String(64)),  # the roll-up made when it was closed (file store, .xlsx)
)

units = sa.Table(
    "units", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("season_id", sa.Integer, sa.ForeignKey("seasons.id"), nullable=False, index=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("token", sa.String(64), nullable=False, unique=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("previous_sha256", sa.String(64)),  # last year's report in the file store
    sa.Column("previous_suffix", sa.String(8)),
    sa.Column("previous_measures", sa.JSON),  # the overview's measures of last year's report
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("previous_name", sa.Text),  # last year's report as its file was called
    sa.Column("retired_at", sa.DateTime(timezone=True)),  # retired: off the list, its history kept
    sa.Column("former_names", sa.Text, nullable=False, server_default=""),  # before a rename, one a line
    sa.UniqueConstraint("season_id", "name", name="uq_units_season_name"),
)

uploads = sa.Table(
    "uploads", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False, index=True),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("suffix", sa.String(8), nullable=False),
    sa.Column("name", sa.Text, nullable=False),  # as the unit called it: shown, never used as a path
    sa.Column("status", sa.String(16), nullable=False),  # passed / failed / not_verified / unreadable / scanning (识别中)
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("errors", sa.Integer, nullable=False, server_default="0"),
    sa.Column("warnings", sa.Integer, nullable=False, server_default="0"),
    sa.Column("infos", sa.Integer, nullable=False, server_default="0"),
    sa.Column("edition", sa.String(16)),
    sa.Column("agency", sa.Text),
    sa.Column("year", sa.Integer),
    sa.Column("findings", sa.JSON, nullable=False),
    sa.Column("measures", sa.JSON, nullable=False),
    sa.Column("html", sa.Text, nullable=False, server_default=""),
    sa.Column("figures", sa.String(64)),  # a digest of its non-zero figures: a copy has the same
    sa.Column("held", sa.Text, nullable=False, server_default=""),  # D-AGENCY,D-COPY: waits for the office
    sa.Column("decision", sa.String(16)),  # the office's: count / leave (None: not decided)
)

explanations = sa.Table(
    "explanations", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("measure", sa.String(32), nullable=False),
    sa.Column("text", sa.Text, nullable=False, server_default=""),  # the unit's explanation
    sa.Column("explained", sa.Boolean, nullable=False, server_default=sa.false()),  # the office's mark
    sa.Column("note", sa.Text, nullable=False, server_default=""),  # the office's note
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("unit_id", "measure", name="uq_explanations_unit_measure"),
)


def url_for_folder(folder: Path) -> str:
    return "sqlite:///" + str((folder / "desk.sqlite3").resolve())


def engine_for(url: str) -> sa.Engine:
    """An engine; SQLite in WAL mode with full sync (a committed upload survives a kill) and a
    busy timeout (the server's threads write one at a time)."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        eng = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(eng, "connect")
        def _pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return eng
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def upgrade(engine: sa.Engine) -> None:
    """Bring the schema to the newest migration (creates it in an empty database)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
