"""The desk's first schema: settings, seasons, units, uploads, explanations.

Revision ID: 0001
Revises:
"""

# A frozen snapshot: never import db.py here (tests/test_desk.py::test_the_schema_is_what_the_migrations_make: both match).

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "seasons",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("year", sa.Integer, nullable=False, unique=True),
        sa.Column("edition", sa.String(16), nullable=False),
        sa.Column("agency", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "units",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("season_id", sa.Integer, sa.ForeignKey("seasons.id"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("previous_sha256", sa.String(64)),
        sa.Column("previous_suffix", sa.String(8)),
        sa.Column("previous_measures", sa.JSON),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("season_id", "name", name="uq_units_season_name"),
    )
    op.create_index("ix_units_season_id", "units", ["season_id"])
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("suffix", sa.String(8), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
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
    )
    op.create_index("ix_uploads_unit_id", "uploads", ["unit_id"])
    op.create_table(
        "explanations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
        sa.Column("measure", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False, server_default=""),
        sa.Column("explained", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("unit_id", "measure", name="uq_explanations_unit_measure"),
    )


def downgrade() -> None:
    for name in ("explanations", "uploads", "units", "seasons", "settings"):
        op.drop_table(name)
