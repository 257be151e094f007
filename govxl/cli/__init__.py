"""The `govxl` command line: parses arguments, calls the library, renders results, sets exit codes.

Layout (imports go one way: commands -> printer, app -> library):
- app.py: the Typer app, exit codes (0 passed, 1 findings, 2 could not), shared options and the
  one error boundary (GovxlError, OSError and usage errors become one line, in the run's language);
- printer.py: the one printer of findings and verdicts (file text always escaped);
- batch_view.py: the output of `check` over many files;
- commands/<name>.py: one module per command.
Heavy modules are imported inside the commands so that `govxl --help` stays fast.
"""

from __future__ import annotations

from . import commands  # noqa: F401  (registers the commands on the app)
from .app import EXIT_FAIL, EXIT_FINDINGS, EXIT_OK, app

__all__ = ["EXIT_FAIL", "EXIT_FINDINGS", "EXIT_OK", "app", "run"]


def run() -> None:
    """Console-script entry point (`govxl`, `python -m govxl`, `python -m govxl.cli`)."""
    app()
