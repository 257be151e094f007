"""Matching a report to its unit and season, the office's decisions, closing a season, renaming
and retiring units.

Revision ID: 0002
Revises: 0001
"""

# A frozen snapshot: never import db.py here (tests/test_desk.py::test_the_schema_is_what_the_migrations_make: both match).

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("seasons", sa.Column("closed_at", sa.DateTime(timezone=True)))
    op.add_column("seasons", sa.Column("frozen_sha256", sa.String(64)))
    op.add_column("units", sa.Column("previous_name", sa.Text))
    op.add_column("units", sa.Column("retired_at", sa.DateTime(timezone=True)))
    op.add_column("units", sa.Column("former_names", sa.Text, nullable=False, server_default=""))
    op.add_column("uploads", sa.Column("figures", sa.String(64)))
    op.add_column("uploads", sa.Column("held", sa.Text, nullable=False, server_default=""))
    op.add_column("uploads", sa.Column("decision", sa.String(16)))


def downgrade() -> None:
    for table, cols in (("uploads", ("decision", "held", "figures")),
                        ("units", ("former_names", "retired_at", "previous_name")),
                        ("seasons", ("frozen_sha256", "closed_at"))):
        with op.batch_alter_table(table) as batch:
            for col in cols:
                batch.drop_column(col)
