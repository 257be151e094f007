"""`govxl desk`: the collection desk of a reporting season, as web pages.

The office opens a season, enters its units, hands each unit its own link; units upload their
reports and see the findings at once; the office watches the dashboard, sums the passing
reports and compares the units. Needs the optional extra: ``pip install 'govxl[desk]'``.

- adapter.py: the one door into the govxl library
- db.py + migrations/: the schema (SQLAlchemy Core, Alembic), SQLite or PostgreSQL
- store.py: the rows and the file store; work.py: the worker processes that check uploads
- app.py: the Flask app and what every request goes through (CSRF, headers, error pages);
  admin.py, unit.py + templates/: the office's and the units' pages, sharing pages.py;
  security.py: password hash, rate limits
- server.py: start-up (waitress)
"""
