"""Alembic environment of the desk: run on the connection that govxl.desk.db.upgrade passes in."""

from alembic import context

from govxl.desk.db import metadata

conn = context.config.attributes["connection"]
context.configure(connection=conn, target_metadata=metadata, render_as_batch=conn.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
